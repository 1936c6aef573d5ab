"""Low-level SVG writing: elements, compact numbers, bounds and wrapped text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "sans-serif"
FONT_SIZE = 12
LINE_HEIGHT = 14


@dataclass(frozen=True)
class Bounds:
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2


def num(value: float) -> str:
    """Compact, deterministic number formatting for SVG attributes."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def add(parent: etree._Element, tag: str, text: str | None = None, /,
        **attrs: object) -> etree._Element:
    """Append an SVG child; `stroke_width=2` becomes `stroke-width="2"`, `class_` is `class`."""
    element = etree.SubElement(parent, f"{{{SVG_NS}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            shown = num(value) if isinstance(value, int | float) else str(value)
            element.set(key.rstrip("_").replace("_", "-"), shown)
    element.text = text
    return element


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width: CJK characters are one em, others about 0.6 em."""
    return sum(size if _wide(c) else size * 0.6 for c in text)


def _tokens(text: str) -> list[str]:
    """Latin words stay whole; each CJK character and each space is its own token."""
    tokens: list[str] = []
    for char in text:
        joins = not char.isspace() and not _wide(char)
        if joins and tokens and not tokens[-1][-1].isspace() and not _wide(tokens[-1][-1]):
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def wrap(text: str, max_width: float, max_lines: int = 6, size: float = FONT_SIZE) -> list[str]:
    """Greedy wrap into lines no wider than `max_width`; overflow ends in an ellipsis."""
    lines: list[str] = []
    for paragraph in text.replace("\r", "").split("\n"):
        line, used = "", 0.0
        for token in _tokens(paragraph):
            for piece in [token] if text_width(token, size) <= max_width else list(token):
                width = text_width(piece, size)
                if line and used + width > max_width:
                    lines.append(line.rstrip())
                    line, used = "", 0.0
                if line or not piece.isspace():
                    line, used = line + piece, used + width
        lines.append(line.rstrip())
    lines = [line for line in lines if line] or [""]
    if len(lines) > max(max_lines, 1):
        lines = lines[: max(max_lines, 1)]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def text_block(parent: etree._Element, lines: list[str], x: float, y: float, *,
               anchor: str = "middle", size: float = FONT_SIZE, transform: str | None = None,
               fill: str = "#22242a") -> None:
    """Lines centred vertically on `y`, horizontally aligned on `x` by `anchor`."""
    text = add(parent, "text", x=x, y=y, text_anchor=anchor, font_family=FONT_FAMILY,
               font_size=size, fill=fill, transform=transform)
    first = y - (len(lines) - 1) * LINE_HEIGHT / 2 + size * 0.35
    for index, line in enumerate(lines):
        add(text, "tspan", line, x=x, y=first + index * LINE_HEIGHT)


def label(parent: etree._Element, name: str, box: Bounds) -> None:
    """A name written inside `box`, wrapped to its width (external labels, flow labels)."""
    # Label bounds written by modelers are tight around their own font: allow some slack.
    lines = wrap(name, max(box.width + 8, 40), max_lines=4, size=FONT_SIZE - 1)
    text_block(parent, lines, box.cx, box.cy, size=FONT_SIZE - 1)

"""SVG drawing of BPMN shapes: pools, lanes, activities, events, gateways, artifacts."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from govflow.diagrams.svg_draw import LINE_HEIGHT, Bounds, add, num, text_block, wrap

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BAND = 30  # width of the name band on the left of pools and lanes

ACTIVITIES = frozenset({
    "task", "userTask", "serviceTask", "scriptTask", "manualTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
})
EVENTS = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
})
GATEWAYS = frozenset({
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "complexGateway",
})


@dataclass(frozen=True)
class Style:
    """Colours of one drawn element; `emphasis` is added to every stroke width."""

    stroke: str = "#22242a"
    fill: str = "#ffffff"
    emphasis: float = 0.0


def _outline(style: Style, width: float, fill: str | None = None) -> dict[str, object]:
    return {"stroke": style.stroke, "fill": fill or style.fill,
            "stroke_width": width + style.emphasis}


def container(parent: etree._Element, name: str, box: Bounds, style: Style,
              horizontal: bool) -> None:
    """Pool or lane: a rectangle with its name in a band on the left (or top if vertical)."""
    add(parent, "rect", x=box.x, y=box.y, width=box.width, height=box.height,
        **_outline(style, 1.5))
    if horizontal:
        add(parent, "path", d=f"M{num(box.x + BAND)},{num(box.y)} v{num(box.height)}",
            stroke=style.stroke, stroke_width=1 + style.emphasis)
        cx, cy = box.x + BAND / 2, box.cy
        lines = wrap(name, box.height - 10, max_lines=2)
        text_block(parent, lines, cx, cy, transform=f"rotate(-90 {num(cx)} {num(cy)})")
    else:
        add(parent, "path", d=f"M{num(box.x)},{num(box.y + BAND)} h{num(box.width)}",
            stroke=style.stroke, stroke_width=1 + style.emphasis)
        text_block(parent, wrap(name, box.width - 10, max_lines=2), box.cx, box.y + BAND / 2)


def activity(parent: etree._Element, kind: str, semantic: etree._Element, box: Bounds,
             style: Style, expanded: bool) -> None:
    """Rounded rectangle with the name wrapped inside and a marker for the task type."""
    width = 5 if kind == "callActivity" else 1.5
    add(parent, "rect", x=box.x, y=box.y, width=box.width, height=box.height, rx=10, ry=10,
        **_outline(style, width))
    if kind == "transaction":
        add(parent, "rect", x=box.x + 3, y=box.y + 3, width=box.width - 6,
            height=box.height - 6, rx=8, ry=8, fill="none", stroke=style.stroke, stroke_width=1)
    name = semantic.get("name") or ""
    glyph = TASK_GLYPHS.get(kind)
    if expanded:
        text_block(parent, wrap(name, box.width - 20, max_lines=2), box.x + 10, box.y + 16,
                   anchor="start")
    else:
        lines = wrap(name, box.width - 4, max(int((box.height - 12) // LINE_HEIGHT), 1))
        # Three lines or more would run into the type marker in the top-left corner.
        shift = 6 if glyph and len(lines) >= 3 else 0
        text_block(parent, lines, box.cx, box.cy + shift)
    if glyph:
        glyph(parent, box.x, box.y, style)
    if kind in ("subProcess", "adHocSubProcess") and not expanded:
        x, y = box.cx - 7, box.y + box.height - 17
        add(parent, "rect", x=x, y=y, width=14, height=14, fill="none", stroke=style.stroke)
        add(parent, "path", d=f"M{num(x + 7)},{num(y + 3)} v8 M{num(x + 3)},{num(y + 7)} h8",
            stroke=style.stroke, stroke_width=1.5)
    loop = semantic.find(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics")
    if loop is not None:
        bars = "h10 m-10,4 h10 m-10,4 h10" if loop.get("isSequential") == "true" else (
            "v10 m4,-10 v10 m4,-10 v10")
        start_x = box.cx - (5 if "h10" in bars else 4)
        add(parent, "path", d=f"M{num(start_x)},{num(box.y + box.height - 14)} {bars}",
            stroke=style.stroke, stroke_width=2, fill="none")


def _person(parent: etree._Element, x: float, y: float, style: Style) -> None:
    line = {"stroke": style.stroke, "stroke_width": 1.2}
    add(parent, "circle", cx=x + 15, cy=y + 11, r=3.5, fill="#ffffff", **line)
    add(parent, "path", d=f"M{num(x + 8)},{num(y + 23)} v-2 q0,-5 7,-5 q7,0 7,5 v2 z",
        fill="#ffffff", **line)


def _table(parent: etree._Element, x: float, y: float, style: Style) -> None:
    add(parent, "rect", x=x + 8, y=y + 8, width=18, height=13, fill="#ffffff",
        stroke=style.stroke, stroke_width=1)
    add(parent, "rect", x=x + 8, y=y + 8, width=18, height=4, fill=style.stroke)
    add(parent, "path", d=f"M{num(x + 8)},{num(y + 16.5)} h18 M{num(x + 13)},{num(y + 12)} v9",
        stroke=style.stroke, stroke_width=1)


def _script(parent: etree._Element, x: float, y: float, style: Style) -> None:
    scroll = (f"M{num(x + 10)},{num(y + 7)} h12 c-5,4 5,10 0,16 h-12 c5,-6 -5,-12 0,-16 z "
              f"M{num(x + 12)},{num(y + 11)} h6 M{num(x + 13)},{num(y + 15)} h6 "
              f"M{num(x + 12)},{num(y + 19)} h6")
    add(parent, "path", d=scroll, fill="#ffffff", stroke=style.stroke, stroke_width=1)


def _hand(parent: etree._Element, x: float, y: float, style: Style) -> None:
    fingers = "".join(f"M{num(x + 13)},{num(y + 11 + 3 * i)} h{11 - i} " for i in range(4))
    palm = f"M{num(x + 13)},{num(y + 9)} h-4 q-3,0 -3,4 v6 q0,4 4,4 h3"
    add(parent, "path", d=fingers + palm, fill="none", stroke=style.stroke, stroke_width=1.2)


def _gear(parent: etree._Element, x: float, y: float, style: Style) -> None:
    cx, cy = x + 16, y + 16
    spokes = " ".join(
        f"M{num(cx + 5 * math.cos(a))},{num(cy + 5 * math.sin(a))} "
        f"L{num(cx + 8 * math.cos(a))},{num(cy + 8 * math.sin(a))}"
        for a in (i * math.pi / 4 for i in range(8)))
    add(parent, "path", d=spokes, stroke=style.stroke, stroke_width=2.5)
    add(parent, "circle", cx=cx, cy=cy, r=5.5, fill="#ffffff", stroke=style.stroke)
    add(parent, "circle", cx=cx, cy=cy, r=2, fill="none", stroke=style.stroke)


def envelope(parent: etree._Element, cx: float, cy: float, style: Style, filled: bool,
             scale: float = 1) -> None:
    w, h = 16 * scale, 11 * scale
    x, y = cx - w / 2, cy - h / 2
    add(parent, "rect", x=x, y=y, width=w, height=h, stroke=style.stroke,
        fill=style.stroke if filled else "#ffffff", stroke_width=1)
    flap = f"M{num(x)},{num(y)} L{num(cx)},{num(y + h * 0.55)} L{num(x + w)},{num(y)}"
    add(parent, "path", d=flap, fill="none", stroke="#ffffff" if filled else style.stroke,
        stroke_width=1)


TASK_GLYPHS: dict[str, Callable[[etree._Element, float, float, Style], None]] = {
    "userTask": _person, "businessRuleTask": _table, "scriptTask": _script,
    "manualTask": _hand, "serviceTask": _gear,
    "sendTask": lambda p, x, y, s: envelope(p, x + 16, y + 14, s, filled=True),
    "receiveTask": lambda p, x, y, s: envelope(p, x + 16, y + 14, s, filled=False),
}


# --- events and gateways ----------------------------------------------------------------------

def _polygon(cx: float, cy: float, scale: float, points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{num(cx + px * scale)},{num(cy + py * scale)}" for px, py in points)


def _clock(parent: etree._Element, cx: float, cy: float, scale: float, style: Style) -> None:
    add(parent, "circle", cx=cx, cy=cy, r=11 * scale, fill="#ffffff", stroke=style.stroke,
        stroke_width=1.5)
    ticks = " ".join(
        f"M{num(cx + 8.5 * scale * math.cos(a))},{num(cy + 8.5 * scale * math.sin(a))} "
        f"L{num(cx + 11 * scale * math.cos(a))},{num(cy + 11 * scale * math.sin(a))}"
        for a in (i * math.pi / 6 for i in range(12)))
    hands = f"M{num(cx)},{num(cy)} v{num(-8 * scale)} M{num(cx)},{num(cy)} h{num(5 * scale)}"
    add(parent, "path", d=f"{ticks} {hands}", stroke=style.stroke, stroke_width=1)


_EVENT_POLYGONS = {
    "errorEventDefinition": [(-7, 8), (-3, -7), (2, 1), (7, -8), (3, 7), (-2, -1)],
    "signalEventDefinition": [(0, -9), (8, 6), (-8, 6)],
    "escalationEventDefinition": [(0, -9), (7, 8), (0, 2), (-7, 8)],
    "linkEventDefinition": [(-8, -3), (1, -3), (1, -8), (8, 0), (1, 8), (1, 3), (-8, 3)],
}


def event(parent: etree._Element, kind: str, semantic: etree._Element, box: Bounds,
          style: Style) -> None:
    """Circle (start thin, end thick, intermediate double ring) with its definition glyph."""
    r, cx, cy = min(box.width, box.height) / 2, box.cx, box.cy
    dashed = semantic.get("cancelActivity") == "false" or semantic.get("isInterrupting") == "false"
    width = {"startEvent": 2, "endEvent": 4}.get(kind, 1.5)
    add(parent, "circle", cx=cx, cy=cy, r=r, stroke_dasharray="5,3" if dashed else None,
        **_outline(style, width))
    if kind not in ("startEvent", "endEvent"):
        add(parent, "circle", cx=cx, cy=cy, r=r - 3, fill="none", stroke=style.stroke,
            stroke_width=1.5 + style.emphasis, stroke_dasharray="5,3" if dashed else None)
    throwing = kind in ("endEvent", "intermediateThrowEvent")
    scale = r / 18
    for definition in semantic:
        local = etree.QName(definition).localname if isinstance(definition.tag, str) else ""
        fill = style.stroke if throwing else "#ffffff"
        if local == "messageEventDefinition":
            envelope(parent, cx, cy, style, filled=throwing, scale=scale)
        elif local == "timerEventDefinition":
            _clock(parent, cx, cy, scale, style)
        elif local == "terminateEventDefinition":
            add(parent, "circle", cx=cx, cy=cy, r=11 * scale, fill=style.stroke)
        elif local in _EVENT_POLYGONS:
            add(parent, "polygon", points=_polygon(cx, cy, scale, _EVENT_POLYGONS[local]),
                fill=fill, stroke=style.stroke, stroke_width=1, stroke_linejoin="round")
        elif local == "conditionalEventDefinition":
            add(parent, "rect", x=cx - 6 * scale, y=cy - 8 * scale, width=12 * scale,
                height=16 * scale, fill="#ffffff", stroke=style.stroke)
            add(parent, "path", stroke=style.stroke, d=" ".join(
                f"M{num(cx - 4 * scale)},{num(cy + (i * 4 - 5) * scale)} h{num(8 * scale)}"
                for i in range(4)))


def gateway(parent: etree._Element, kind: str, box: Bounds, style: Style) -> None:
    """Diamond with X (exclusive), + (parallel), O (inclusive) and friends."""
    cx, cy, scale = box.cx, box.cy, box.width / 50
    points = f"{num(cx)},{num(box.y)} {num(box.x + box.width)},{num(cy)} " \
             f"{num(cx)},{num(box.y + box.height)} {num(box.x)},{num(cy)}"
    add(parent, "polygon", points=points, **_outline(style, 1.5))
    s8, s10 = 8 * scale, 10 * scale
    cross = f"M{num(cx - s8)},{num(cy - s8)} l{num(2 * s8)},{num(2 * s8)} " \
            f"m0,{num(-2 * s8)} l{num(-2 * s8)},{num(2 * s8)}"
    plus = f"M{num(cx)},{num(cy - s10)} v{num(2 * s10)} M{num(cx - s10)},{num(cy)} h{num(2 * s10)}"
    if kind == "exclusiveGateway":
        add(parent, "path", d=cross, stroke=style.stroke, stroke_width=3.5)
    elif kind == "parallelGateway":
        add(parent, "path", d=plus, stroke=style.stroke, stroke_width=3.5)
    elif kind == "complexGateway":
        add(parent, "path", d=f"{plus} {cross}", stroke=style.stroke, stroke_width=3)
    elif kind == "inclusiveGateway":
        add(parent, "circle", cx=cx, cy=cy, r=s10, fill="none", stroke=style.stroke,
            stroke_width=2.5)
    elif kind == "eventBasedGateway":
        add(parent, "circle", cx=cx, cy=cy, r=12 * scale, fill="none", stroke=style.stroke)
        pentagon = [(7 * math.sin(i * 2 * math.pi / 5), -7 * math.cos(i * 2 * math.pi / 5))
                    for i in range(5)]
        add(parent, "polygon", points=_polygon(cx, cy, scale, pentagon), fill="none",
            stroke=style.stroke, stroke_width=1.5)


def artifact(parent: etree._Element, kind: str, semantic: etree._Element, box: Bounds,
             style: Style) -> None:
    """Text annotations, data objects and data stores; anything else (a group) an outline."""
    x, y, w, h = box.x, box.y, box.width, box.height
    if kind == "textAnnotation":
        add(parent, "path", d=f"M{num(x + 10)},{num(y)} h-10 v{num(h)} h10", fill="none",
            stroke=style.stroke, stroke_width=1 + style.emphasis)
        text = semantic.findtext(f"{{{BPMN_NS}}}text") or ""
        text_block(parent, wrap(text, w - 10, max_lines=max(int(h // LINE_HEIGHT), 1)),
                   x + 5, box.cy, anchor="start")
    elif kind in ("dataObjectReference", "dataObject"):
        fold = min(w, h) / 3
        d = f"M{num(x)},{num(y)} h{num(w - fold)} l{num(fold)},{num(fold)} v{num(h - fold)} " \
            f"h{num(-w)} z M{num(x + w - fold)},{num(y)} v{num(fold)} h{num(fold)}"
        add(parent, "path", d=d, **_outline(style, 1.5))
    elif kind == "dataStoreReference":
        ry = h / 8
        d = f"M{num(x)},{num(y + ry)} a{num(w / 2)},{num(ry)} 0 0,0 {num(w)},0 " \
            f"a{num(w / 2)},{num(ry)} 0 0,0 {num(-w)},0 v{num(h - 2 * ry)} " \
            f"a{num(w / 2)},{num(ry)} 0 0,0 {num(w)},0 v{num(2 * ry - h)}"
        add(parent, "path", d=d, **_outline(style, 1.5))
    else:
        add(parent, "rect", x=x, y=y, width=w, height=h, rx=10, ry=10, stroke_dasharray="8,4",
            **_outline(style, 1, fill="none"))

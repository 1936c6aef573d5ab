"""Render a BPMN 2.0 diagram from its diagram interchange as a standalone SVG document.

The BPMN XML is untrusted (uploaded by users): documents with a DOCTYPE are refused before
any entity could be expanded, and every name is written through lxml, which escapes it.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from lxml import etree

from govflow.diagrams import svg_draw as draw
from govflow.diagrams import svg_shapes as shapes
from govflow.diagrams.svg_draw import Bounds, add, num
from govflow.diagrams.svg_shapes import Style
from govflow.engine.errors import DiagramError
from govflow.engine.xmlsafe import parse_xml

NS = {
    "bpmn": shapes.BPMN_NS,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
MARGIN = 20
# Later marks win the colour: an overdue task is usually also active.
MARK_STYLES = {
    "completed": Style(stroke="#2e7d32", fill="#e8f5e9", emphasis=0.5),
    "active": Style(stroke="#1565c0", fill="#e3f2fd", emphasis=2),
    "overdue": Style(stroke="#c62828", fill="#ffebee", emphasis=2),
}
PLAIN = Style()
_EXTERNAL_LABELS = shapes.EVENTS | shapes.GATEWAYS | {"dataObjectReference", "dataStoreReference"}


def render_svg(
    bpmn_xml: bytes,
    process_id: str | None = None,
    *,
    completed: Collection[str] = frozenset(),
    active: Collection[str] = frozenset(),
    overdue: Collection[str] = frozenset(),
) -> str:
    """Draw the diagram of `process_id` (default: the first diagram) with marked elements.

    Raises ValueError for malformed XML, a DOCTYPE, or a document without that diagram.
    """
    root = _parse(bpmn_xml)
    plane = _select_plane(root, process_id)
    semantics = {el.get("id"): el for el in root.iter(f"{{{shapes.BPMN_NS}}}*") if el.get("id")}
    marks = {"completed": completed, "active": active, "overdue": overdue}

    svg = etree.Element(f"{{{draw.SVG_NS}}}svg", nsmap={None: draw.SVG_NS})
    _defs(svg)
    extent: list[Bounds] = []
    for layer, di, semantic in _ordered(plane, semantics):
        element_id = semantic.get("id")
        kind = etree.QName(semantic).localname
        names = [mark for mark in MARK_STYLES if element_id in marks[mark]]
        mark = names[-1] if names else None
        group = add(svg, "g", class_=" ".join(["edge" if layer == 4 else "shape", kind, *names]),
                    data_element_id=element_id)
        if semantic.get("name"):
            add(group, "title", semantic.get("name"))
        if layer == 4:
            extent += _edge(group, kind, di, semantic, semantics, mark)
        else:
            extent += _shape(group, kind, di, semantic, MARK_STYLES.get(mark or "", PLAIN))

    x0, y0, x1, y1 = _union(extent)
    width, height = x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN
    svg.set("viewBox", f"{num(x0 - MARGIN)} {num(y0 - MARGIN)} {num(width)} {num(height)}")
    svg.set("width", num(width))
    svg.set("height", num(height))
    return str(etree.tostring(svg, encoding="unicode"))


def _parse(bpmn_xml: bytes) -> etree._Element:
    try:
        root = parse_xml(bpmn_xml, "diagram").getroot()
    except DiagramError as exc:
        raise ValueError(exc.problems[0].message) from exc
    if root.tag != f"{{{shapes.BPMN_NS}}}definitions":
        raise ValueError("not a BPMN 2.0 document (root is not bpmn:definitions)")
    return root


def _select_plane(root: etree._Element, process_id: str | None) -> etree._Element:
    """The plane of `process_id` itself or of a collaboration it takes part in."""
    planes = root.findall("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    if not planes:
        raise ValueError("the document has no diagram interchange (bpmndi:BPMNPlane)")
    if process_id is None:
        return planes[0]
    owners = {process_id}
    for collaboration in root.iterfind("bpmn:collaboration", NS):
        if any(p.get("processRef") == process_id
               for p in collaboration.iterfind("bpmn:participant", NS)):
            owners.add(collaboration.get("id"))
    for plane in planes:
        if plane.get("bpmnElement") in owners:
            return plane
    raise ValueError(f"no diagram for process {process_id!r}")


def _layer(di: etree._Element, kind: str) -> int:
    """Drawing order: pools, lanes, expanded sub-processes, shapes, edges, boundary events."""
    if di.tag == f"{{{NS['bpmndi']}}}BPMNEdge":
        return 4
    if kind == "boundaryEvent":
        return 5
    if di.get("isExpanded") == "true":
        return 2
    return {"participant": 0, "lane": 1}.get(kind, 3)


def _ordered(
    plane: etree._Element, semantics: dict[str, etree._Element]
) -> list[tuple[int, etree._Element, etree._Element]]:
    items = []
    for di in plane.iterchildren(f"{{{NS['bpmndi']}}}BPMNShape", f"{{{NS['bpmndi']}}}BPMNEdge"):
        semantic = semantics.get(di.get("bpmnElement"))
        if semantic is not None:
            items.append((_layer(di, etree.QName(semantic).localname), di, semantic))
    return sorted(items, key=lambda item: item[0])  # stable: document order within a layer


def _coordinate(value: str | None) -> float:
    try:
        number = float(value or 0)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"not a finite coordinate: {value!r}")
    return number


def _bounds(parent: etree._Element | None) -> Bounds | None:
    found = parent.find("dc:Bounds", NS) if parent is not None else None
    if found is None:
        return None
    return Bounds(*(_coordinate(found.get(key)) for key in ("x", "y", "width", "height")))


def _shape(group: etree._Element, kind: str, di: etree._Element,
           semantic: etree._Element, style: Style) -> list[Bounds]:
    box = _bounds(di)
    if box is None:
        return []
    name = semantic.get("name") or ""
    if kind in ("participant", "lane"):
        horizontal = di.get("isHorizontal", "true") != "false"
        shapes.container(group, name, box, style, horizontal)
    elif kind in shapes.ACTIVITIES:
        shapes.activity(group, kind, semantic, box, style, di.get("isExpanded") == "true")
    elif kind in shapes.EVENTS:
        shapes.event(group, kind, semantic, box, style)
    elif kind in shapes.GATEWAYS:
        shapes.gateway(group, kind, box, style)
    else:
        shapes.artifact(group, kind, semantic, box, style)
    label_box = _bounds(di.find("bpmndi:BPMNLabel", NS))
    if kind in _EXTERNAL_LABELS and name:
        if label_box is None:
            lines = draw.wrap(name, 90, max_lines=3, size=draw.FONT_SIZE - 1)
            height = len(lines) * draw.LINE_HEIGHT
            label_box = Bounds(box.cx - 45, box.y + box.height + 5, 90, height)
        draw.label(group, name, label_box)
    return [box] + ([label_box] if label_box else [])


def _edge(group: etree._Element, kind: str, di: etree._Element,
          semantic: etree._Element, semantics: dict[str, etree._Element],
          mark: str | None) -> list[Bounds]:
    points = [(_coordinate(p.get("x")), _coordinate(p.get("y")))
              for p in di.iterfind("di:waypoint", NS)]
    if len(points) < 2:
        return []
    style = MARK_STYLES.get(mark or "", PLAIN)
    attrs: dict[str, object] = {"fill": "none", "stroke": style.stroke,
                                "stroke_width": 1.5 + style.emphasis,
                                "stroke_linejoin": "round"}
    if kind == "messageFlow":
        attrs.update(stroke_dasharray="10,6", marker_start="url(#message-start)",
                     marker_end="url(#message-end)")
    elif kind == "association":
        attrs.update(stroke_dasharray="2,4")
    else:
        attrs["marker_end"] = f"url(#arrow-{mark})" if mark else "url(#arrow)"
        source = semantics.get(semantic.get("sourceRef"))
        if source is not None and source.get("default") == semantic.get("id"):
            attrs["marker_start"] = "url(#default-slash)"
    add(group, "polyline", points=" ".join(f"{num(x)},{num(y)}" for x, y in points), **attrs)
    extent = [Bounds(x, y, 0, 0) for x, y in points]
    name = semantic.get("name")
    if name:
        label_box = _bounds(di.find("bpmndi:BPMNLabel", NS)) or _flow_label_box(name, points)
        draw.label(group, name, label_box)
        extent.append(label_box)
    return extent


def _flow_label_box(name: str, points: list[tuple[float, float]]) -> Bounds:
    """Beside the middle of the first segment: above it if horizontal, right of it if not."""
    (x1, y1), (x2, y2) = points[0], points[1]
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    lines = draw.wrap(name, 100, max_lines=4, size=draw.FONT_SIZE - 1)
    width = max(draw.text_width(line, draw.FONT_SIZE - 1) for line in lines) + 4
    height = len(lines) * draw.LINE_HEIGHT
    if abs(x2 - x1) >= abs(y2 - y1):
        return Bounds(mx - width / 2, my - height - 4, width, height)
    return Bounds(mx + 5, my - height / 2, width, height)


def _defs(svg: etree._Element) -> None:
    defs = add(svg, "defs")
    for suffix, style in [("", PLAIN)] + [("-" + k, v) for k, v in MARK_STYLES.items()]:
        marker = add(defs, "marker", id=f"arrow{suffix}", viewBox="0 0 20 20", refX=11, refY=10,
                     markerWidth=12, markerHeight=12, markerUnits="userSpaceOnUse",
                     orient="auto")
        add(marker, "path", d="M1,5 L11,10 L1,15 Z", fill=style.stroke, stroke=style.stroke)
    marker = add(defs, "marker", id="message-start", viewBox="0 0 20 20", refX=6, refY=6,
                 markerWidth=20, markerHeight=20, markerUnits="userSpaceOnUse")
    add(marker, "circle", cx=6, cy=6, r=3.5, fill="#ffffff", stroke=PLAIN.stroke)
    marker = add(defs, "marker", id="message-end", viewBox="0 0 20 20", refX=8.5, refY=5,
                 markerWidth=20, markerHeight=20, markerUnits="userSpaceOnUse", orient="auto")
    add(marker, "path", d="M1,1 L8,5 L1,9 Z", fill="#ffffff", stroke=PLAIN.stroke)
    marker = add(defs, "marker", id="default-slash", viewBox="0 0 20 20", refX=0, refY=10,
                 markerWidth=20, markerHeight=20, markerUnits="userSpaceOnUse", orient="auto")
    add(marker, "path", d="M6,4 L10,16", stroke=PLAIN.stroke, stroke_width=2)


def _union(boxes: list[Bounds]) -> tuple[float, float, float, float]:
    if not boxes:
        return 0.0, 0.0, 100.0, 100.0
    return (min(b.x for b in boxes), min(b.y for b in boxes),
            max(b.x + b.width for b in boxes), max(b.y + b.height for b in boxes))

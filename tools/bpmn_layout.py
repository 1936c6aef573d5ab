"""Left-to-right swim-lane layout for :mod:`tools.bpmn_builder`.

Pure geometry, no XML. The algorithm, in order:

1. **Columns** -- longest-path layering of the flow graph. Back edges (edges that
   close a loop, found by a depth-first search from the start events in
   declaration order) are ignored, so loops still read left to right. A boundary
   event shares its host's column; its targets therefore land in later columns.
2. **Rows** -- inside a lane, nodes that share a column are stacked in rows. A node
   prefers the row of its same-lane predecessor (the row below the host for
   targets of boundary events), so branches stay on straight lines.
3. **Geometry** -- rows have a fixed height (plus a band under hosts of boundary
   events for their labels and outgoing flows); lanes grow with their rows and
   with one "channel" strip per back edge at their bottom.
4. **Edges** -- orthogonal routing from the source's right side to the target's
   left side (boundary events: from their bottom), with vertical segments only in
   the free gaps between columns. Candidates are tried in order -- straight, turn
   right after the source, turn just before the target, a Z inside the gap, and
   finally a detour through a channel strip at the bottom of the source lane (the
   only option for back edges) -- and vertical segments are shifted onto parallel
   tracks inside their gap, so that no edge cuts a shape and, where possible, no
   edge runs along or ends on another one unless they share a source or target.

All coordinates are integers, and every step iterates in declaration order, so
the same input always gives the same picture.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from itertools import pairwise, product

TASK_SIZE = (100, 80)
GATEWAY_SIZE = (50, 50)
EVENT_SIZE = (36, 36)

POOL_LABEL = 30  # pool name band on the left of the pool
PAD = 20  # lane padding left and right of the first/last column
COL_W = 160  # column pitch; shapes are centred, so 60px (or more) gaps remain
ROW_H = 140  # row pitch inside a lane
BOUNDARY_BAND = 40  # extra row height under hosts of boundary events
LANE_MIN = 120
CHANNEL = 20  # height of one back-edge channel at the bottom of a lane
BOUNDARY_STEP = 40  # horizontal distance between boundary events on one host
MAX_BOUNDARIES = 2
TRACKS = (0, 8, -8, 16, -16, 24, -24)  # offsets of vertical segments inside a column gap
ZIGZAG = 8  # half width of the Z step some edges take inside a gap
LABEL_W = 90  # bpmn-js external label width
LINE_H = 14

Point = tuple[int, int]


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


@dataclass(frozen=True)
class LNode:
    """Layout input: one flow node. ``host`` is set for boundary events."""

    id: str
    size: tuple[int, int]
    lane: str
    host: str | None = None
    label: str | None = None  # external label text (events, gateways)


@dataclass(frozen=True)
class LFlow:
    id: str
    source: str
    target: str
    label: str | None = None


@dataclass
class Layout:
    pool: Box
    lanes: dict[str, Box]
    shapes: dict[str, Box]
    labels: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[Point]] = field(default_factory=dict)
    edge_labels: dict[str, Box] = field(default_factory=dict)


def label_box(text: str, cx: int, top: int) -> Box:
    """A label box centred under ``cx``; CJK glyphs count double width."""
    width = sum(14 if ord(ch) > 0x2E7F else 7 for ch in text)
    lines = max(1, -(-width // LABEL_W))
    w = min(width, LABEL_W)
    return Box(cx - w // 2, top, w, LINE_H * lines)


def layout_process(
    nodes: list[LNode], flows: list[LFlow], lanes: list[str], x0: int = 160, y0: int = 80
) -> Layout:
    """Place ``nodes`` in ``lanes`` (top to bottom) and route ``flows``."""
    cols = _columns(nodes, flows)
    rows = _rows(nodes, flows, cols)
    # Route in a roomy geometry (every lane has a channel for every flow), then move
    # each lane up to its final place; that keeps all coordinates in the same order.
    roomy = _Geometry(nodes, lanes, cols, rows, dict.fromkeys(lanes, len(flows)), x0, y0)
    router = _Router(roomy, flows)
    routes = router.run()
    geo = _Geometry(nodes, lanes, cols, rows, router.channels, x0, y0)

    def fit(y: int) -> int:
        lane = next((n for n in lanes if y < roomy.lane_boxes[n].bottom), lanes[-1])
        return y - roomy.lane_boxes[lane].y + geo.lane_boxes[lane].y

    out = Layout(pool=geo.pool, lanes=geo.lane_boxes, shapes=geo.shapes)
    for n in nodes:
        if n.label:
            box = geo.shapes[n.id]
            if n.host:  # right of the outgoing flow, which leaves the event downwards
                lb = label_box(n.label, 0, box.bottom + 2)
                out.labels[n.id] = Box(box.cx + 6, lb.y, lb.w, lb.h)
            else:
                out.labels[n.id] = label_box(n.label, box.cx, box.bottom + 4)
    for f in flows:
        out.edges[f.id] = pts = [(x, fit(y)) for x, y in routes[f.id]]
        if f.label:
            out.edge_labels[f.id] = _edge_label(f.label, pts)
    return out


def _columns(nodes: list[LNode], flows: list[LFlow]) -> dict[str, int]:
    order = {n.id: i for i, n in enumerate(nodes)}
    # successor lists: (edge key, target, weight); a host "precedes" its boundary events
    succ: dict[str, list[tuple[str, str, int]]] = {n.id: [] for n in nodes}
    has_incoming = set()
    for n in nodes:
        if n.host:
            succ[n.host].append((f"@{n.id}", n.id, 0))
            has_incoming.add(n.id)
    for f in flows:
        succ[f.source].append((f.id, f.target, 1))
        has_incoming.add(f.target)
    roots = [n.id for n in nodes if n.id not in has_incoming] + [n.id for n in nodes]

    back: set[str] = set()
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = finished
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, it = stack[-1]
            for key, tgt, _ in it:
                if state.get(tgt) == 1:
                    back.add(key)
                elif tgt not in state:
                    state[tgt] = 1
                    stack.append((tgt, iter(succ[tgt])))
                    break
            else:
                state[node] = 2
                stack.pop()

    indeg = {n.id: 0 for n in nodes}
    for edges in succ.values():
        for key, tgt, _ in edges:
            if key not in back:
                indeg[tgt] += 1
    col = {n.id: 0 for n in nodes}
    ready = [(order[n], n) for n, d in indeg.items() if d == 0]
    heapq.heapify(ready)
    while ready:
        _, node = heapq.heappop(ready)
        for key, tgt, weight in succ[node]:
            if key in back:
                continue
            col[tgt] = max(col[tgt], col[node] + weight)
            indeg[tgt] -= 1
            if indeg[tgt] == 0:
                heapq.heappush(ready, (order[tgt], tgt))
    return col


def _rows(nodes: list[LNode], flows: list[LFlow], cols: dict[str, int]) -> dict[str, int]:
    by_id = {n.id: n for n in nodes}
    preds: dict[str, list[str]] = {n.id: [] for n in nodes}
    for f in flows:
        preds[f.target].append(f.source)
    cells: dict[tuple[int, str], list[LNode]] = {}
    for n in nodes:
        if not n.host:
            cells.setdefault((cols[n.id], n.lane), []).append(n)
    row: dict[str, int] = {}
    for (_, _lane), members in sorted(cells.items(), key=lambda kv: kv[0][0]):
        wishes = []
        for i, n in enumerate(members):
            wanted = []
            for p in preds[n.id]:
                src = by_id[p]
                host = by_id[src.host] if src.host else src
                if host.id in row and host.lane == n.lane and cols[host.id] < cols[n.id]:
                    wanted.append(row[host.id] + (1 if src.host else 0))
            wishes.append((min(wanted, default=0), i, n))
        last = -1
        for wish, _, n in sorted(wishes, key=lambda w: (w[0], w[1])):
            last = row[n.id] = max(wish, last + 1)
    for n in nodes:
        if n.host:
            row[n.id] = row[n.host]
    return row


class _Geometry:
    """Shape positions for given columns, rows and channel counts per lane."""

    def __init__(self, nodes, lanes, cols, rows, channels: dict[str, int], x0, y0):
        self.by_id = {n.id: n for n in nodes}
        self.cols = cols
        self.boundaries: dict[str, list[str]] = {}
        for n in nodes:
            if n.host:
                self.boundaries.setdefault(n.host, []).append(n.id)
        heights: dict[str, dict[int, int]] = {lane: {} for lane in lanes}
        for n in nodes:
            if not n.host:
                extra = BOUNDARY_BAND if n.id in self.boundaries else 0
                lane_rows = heights[n.lane]
                lane_rows[rows[n.id]] = max(lane_rows.get(rows[n.id], ROW_H), ROW_H + extra)
        self.ncols = max(cols.values(), default=0) + 1
        self.lane_x = x0 + POOL_LABEL
        lane_w = 2 * PAD + self.ncols * COL_W
        self.lane_boxes: dict[str, Box] = {}
        self.row_top: dict[tuple[str, int], int] = {}
        self.rows_bottom: dict[str, int] = {}
        y = y0
        for lane in lanes:
            lane_rows = heights[lane]
            top = y
            for r in range(max(lane_rows, default=0) + 1):
                self.row_top[lane, r] = top
                top += lane_rows.get(r, ROW_H)
            self.rows_bottom[lane] = top
            h = max(LANE_MIN, top - y + CHANNEL * channels.get(lane, 0))
            self.lane_boxes[lane] = Box(self.lane_x, y, lane_w, h)
            y += h
        self.pool = Box(x0, y0, POOL_LABEL + lane_w, y - y0)
        self.shapes: dict[str, Box] = {}
        for n in nodes:
            if not n.host:
                cx = self.lane_x + PAD + cols[n.id] * COL_W + COL_W // 2
                cy = self.row_top[n.lane, rows[n.id]] + ROW_H // 2
                w, h = n.size
                self.shapes[n.id] = Box(cx - w // 2, cy - h // 2, w, h)
        for host, bids in self.boundaries.items():
            if len(bids) > MAX_BOUNDARIES:
                raise ValueError(f"{host}: at most {MAX_BOUNDARIES} boundary events per task")
            hb = self.shapes[host]
            for k, bid in enumerate(bids):
                w, h = self.by_id[bid].size
                cx = hb.right - 30 - k * BOUNDARY_STEP
                self.shapes[bid] = Box(cx - w // 2, hb.bottom - h // 2, w, h)

    def gap_before(self, col: int) -> int:
        """x of the middle of the free gap left of column ``col``."""
        return self.lane_x + PAD + col * COL_W

    def clear(self, pts: list[Point], skip: set[str]) -> bool:
        """True if no horizontal segment cuts a shape (vertical ones run in gaps)."""
        for (x1, y1), (x2, y2) in pairwise(pts):
            if y1 != y2:
                continue
            lo, hi = min(x1, x2), max(x1, x2)
            for nid, b in self.shapes.items():
                if nid not in skip and b.y < y1 < b.bottom and lo < b.right and b.x < hi:
                    return False
        return True


class _Router:
    """Routes flows avoiding shapes and, where it can, touching other edges: a first
    pass in declaration order, then a second try for each edge that still touches one."""

    def __init__(self, geo: _Geometry, flows: list[LFlow]):
        self.geo = geo
        self.flows = {f.id: f for f in flows}
        self.gaps = {geo.gap_before(c) for c in range(geo.ncols + 1)}
        self.channels: dict[str, int] = {}  # lane -> channels used
        self.channel_of: dict[str, int] = {}  # flow -> its channel in the source lane
        self.routes: dict[str, list[Point]] = {}

    def run(self) -> dict[str, list[Point]]:
        for f in self.flows.values():
            self.routes[f.id] = self._best(f)[0]
        for f in self.flows.values():
            now = self._touches(self.routes[f.id], self._others(f))
            if now:
                pts, touches = self._best(f)
                if touches < now:
                    self.routes[f.id] = pts
        return self.routes

    def _others(self, f: LFlow) -> list[list[Point]]:
        """Edges that must not touch ``f``: those sharing neither source nor target."""
        return [pts for fid, pts in self.routes.items() if fid != f.id
                and self.flows[fid].source != f.source and self.flows[fid].target != f.target]

    def _best(self, f: LFlow) -> tuple[list[Point], int]:
        g = self.geo
        src, s, t = g.by_id[f.source], g.shapes[f.source], g.shapes[f.target]
        host = src.host or src.id
        scol, tcol = g.cols[host], g.cols[f.target]
        tx, ty = t.x, t.cy
        if src.host:  # leave a boundary event downwards, then run in the band under its host
            k = g.boundaries[host].index(src.id)
            ey = g.shapes[host].bottom + BOUNDARY_BAND + 6 + 8 * k
            head = [(s.cx, s.bottom), (s.cx, ey)]
        else:
            ey = s.cy
            head = [(s.right, ey)]
        after_src, before_tgt = g.gap_before(scol + 1), g.gap_before(tcol)
        candidates = []
        if tcol > scol:  # straight (when on one line), turn early, turn late
            for vx in (after_src, before_tgt):
                pts = _simplify(head + [(vx, ey), (vx, ty), (tx, ty)])
                if pts not in candidates and g.clear(pts, {f.source, f.target, host}):
                    candidates.append(pts)
        if after_src == before_tgt and ey != ty:  # a Z inside the gap, to cross a mirror edge
            my, zig = (ey + ty) // 2, ZIGZAG
            candidates.append(head + [(after_src - zig, ey), (after_src - zig, my),
                                      (after_src + zig, my), (after_src + zig, ty), (tx, ty)])
        channel = self.channel_of.get(f.id, self.channels.get(src.lane, 0))
        chy = g.rows_bottom[src.lane] + CHANNEL // 2 + channel * CHANNEL
        down_x, up_x = after_src, before_tgt
        if down_x == up_x:  # keep the loop visible when both turns fall into one gap
            down_x, up_x = down_x + ZIGZAG, up_x - ZIGZAG
        candidates.append(_simplify(head + [(down_x, ey), (down_x, chy), (up_x, chy),
                                            (up_x, ty), (tx, ty)]))
        others = self._others(f)
        best = None
        for i, pts in enumerate(candidates):
            tracked, touches = self._tracks(pts, others)
            if best is None or touches < best[1]:
                best = (tracked, touches, i == len(candidates) - 1)
            if not touches:
                break
        pts, touches, via_channel = best
        if via_channel and f.id not in self.channel_of:
            self.channel_of[f.id] = channel
            self.channels[src.lane] = channel + 1
        return pts, touches

    def _tracks(self, pts: list[Point], others: list[list[Point]]) -> tuple[list[Point], int]:
        """Shift the gap segments of ``pts`` onto the tracks that touch fewest edges."""
        verticals = {i: gap for i in range(len(pts) - 1) for gap in self.gaps
                     if pts[i][0] == pts[i + 1][0] and abs(pts[i][0] - gap) <= ZIGZAG}
        best = (pts, self._touches(pts, others))
        for shifts in product(TRACKS, repeat=len(verticals)):
            if not best[1]:
                break
            trial = list(pts)
            for (i, gap), dx in zip(verticals.items(), shifts, strict=True):
                if abs(trial[i][0] + dx - gap) > max(TRACKS):
                    break
                trial[i] = (trial[i][0] + dx, trial[i][1])
                trial[i + 1] = (trial[i + 1][0] + dx, trial[i + 1][1])
            else:
                touches = self._touches(trial, others)
                if touches < best[1]:
                    best = (trial, touches)
        return best

    @staticmethod
    def _touches(pts: list[Point], others: list[list[Point]]) -> int:
        return sum(_touch(pts, o) for o in others)


def _touch(a: list[Point], b: list[Point]) -> bool:
    """True if polylines ``a`` and ``b`` overlap along a segment or a corner of one
    lies on the other (which would read as a junction)."""
    segs_a, segs_b = list(pairwise(a)), list(pairwise(b))
    for p1, p2 in segs_a:
        for q1, q2 in segs_b:
            for axis in (0, 1):
                other = 1 - axis
                if p1[other] == p2[other] == q1[other] == q2[other]:
                    lo = max(min(p1[axis], p2[axis]), min(q1[axis], q2[axis]))
                    hi = min(max(p1[axis], p2[axis]), max(q1[axis], q2[axis]))
                    if lo < hi:
                        return True
    return any(_on(p, segs_b) for p in a[1:-1]) or any(_on(p, segs_a) for p in b[1:-1])


def _on(p: Point, segs) -> bool:
    return any(min(q1[0], q2[0]) <= p[0] <= max(q1[0], q2[0])
               and min(q1[1], q2[1]) <= p[1] <= max(q1[1], q2[1]) for q1, q2 in segs)


def _simplify(pts: list[Point]) -> list[Point]:
    """Drop repeated points and middle points of straight runs."""
    out: list[Point] = []
    for p in pts:
        if out and p == out[-1]:
            continue
        if len(out) >= 2 and (out[-2][0] == out[-1][0] == p[0] or out[-2][1] == out[-1][1] == p[1]):
            out[-1] = p
        else:
            out.append(p)
    return out


def _edge_label(text: str, pts: list[Point]) -> Box:
    """Beside the first vertical segment if there is one, else above the start of the
    first segment (clear of the vertical segments in the middle of column gaps)."""
    for (x1, y1), (x2, y2) in pairwise(pts):
        if x1 == x2 and abs(y2 - y1) >= 30:
            box = label_box(text, 0, (y1 + y2) // 2 - LINE_H // 2)
            return Box(x1 + 6, box.y, box.w, box.h)
    (x1, y1), (x2, _) = pts[0], pts[1]
    box = label_box(text, 0, 0)
    x = min(x1, x2) + 4 if box.w < abs(x2 - x1) - 8 else (x1 + x2 - box.w) // 2
    return Box(x, y1 - box.h - 4, box.w, box.h)

"""A scenario's branch map: every situation a box, every option an arrow, laid out in layers
(a Sugiyama-style layered drawing: rows by the longest path from the start, order within a
row by the mean place of the boxes leading in). Pure geometry: the template only draws it.

Scenarios cannot loop (the validator refuses it), so the situations form a directed acyclic
graph; a situation no route reaches starts a row 0 of its own.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from trainer.engine.model import Scenario

BOX_WIDTH, BOX_HEIGHT = 176, 58
GAP_X, GAP_Y = 28, 96  # between boxes in a row; between rows (room for the arrows' labels)
MARGIN = 16
SWEEPS = 4  # barycentre passes, down and up: enough for story maps to untangle
WORDS = 26  # characters of a situation's text on its box


@dataclass
class Box:
    id: str
    words: str  # the first words of its text
    kind: str  # "start", "situation", the ending's kind ("good", "mixed", "bad") or WAYPOINT
    row: int
    x: float = 0
    y: float = 0
    reached: int | None = None  # learners who reached it (None: no traffic asked for)
    quit: int = 0  # learners whose unfinished attempt stands here

    @property
    def centre_x(self) -> float:
        return self.x + BOX_WIDTH / 2


@dataclass
class Arrow:
    source: str
    target: str
    choice_id: str
    points: int  # the option's points over every principle
    condition: str  # the route's (or the option's) condition, "" when none
    path: str = ""  # SVG path data
    label_x: float = 0
    label_y: float = 0
    taken: int | None = None  # times learners took it (None: no traffic asked for)
    width: float = 1.5

    @property
    def label(self) -> str:
        points = f"{self.points:+d}" if self.points else "0"
        return points if self.taken is None else f"{points} · {self.taken}×"


@dataclass
class BranchMap:
    boxes: dict[str, Box]
    arrows: list[Arrow]
    width: float
    height: float
    rows: int
    traffic: bool = False
    learners: int = 0  # attempts counted in the traffic
    unreached: list[str] = field(default_factory=list)  # boxes no learner reached


@dataclass(frozen=True)
class Traffic:
    """What learners did, by situation and option (trainer.store.authoring counts it)."""

    attempts: int
    reached: dict[str, int]  # situation id -> attempts that reached it
    taken: dict[tuple[str, str, str], int]  # (situation, choice, situation after) -> times
    quit: dict[str, int]  # situation id -> unfinished attempts standing there


def draw(scenario: Scenario, traffic: Traffic | None = None) -> BranchMap:
    rows = _rows(scenario)
    boxes = {node_id: Box(node_id, _words(node.text), _kind(scenario, node_id), rows[node_id])
             for node_id, node in scenario.nodes.items()}
    arrows = [Arrow(node.id, route.target, choice.id, choice.points,
                    _condition(choice, route))
              for node in scenario.nodes.values() for choice in node.choices
              for route in choice.routes]
    # An arrow across several rows passes a waypoint in each row between, which takes a
    # narrow place of its own there: so it is routed around the boxes, not through them.
    # Arrows to the same situation share their waypoints (one lane per target and row), so
    # a story whose every branch can end in one place stays as wide as its rows.
    lanes: dict[tuple[str, int], Box] = {}
    waypoints: dict[int, list[Box]] = {}
    for index, arrow in enumerate(arrows):
        if arrow.target in boxes and arrow.target != arrow.source:
            first, last = boxes[arrow.source].row, boxes[arrow.target].row
            waypoints[index] = [
                lanes.setdefault((arrow.target, row),
                                 Box(f"{arrow.target}/{row}", "", WAYPOINT, row))
                for row in range(first + 1, last)]
    ordered = _order(boxes, arrows, waypoints, scenario)
    widths = [_row_width(row) for row in ordered]
    widest = max(widths)
    for row, width in zip(ordered, widths, strict=True):  # each row centred on the widest
        x = MARGIN + (widest - width) / 2
        for box in row:
            box.x, box.y = x, MARGIN + box.row * (BOX_HEIGHT + GAP_Y)
            x += _width(box) + GAP_X
    drawn = BranchMap(boxes, arrows, 2 * MARGIN + widest,
                      2 * MARGIN + len(ordered) * (BOX_HEIGHT + GAP_Y) - GAP_Y, len(ordered))
    if traffic is not None:
        _add_traffic(drawn, traffic)
    _route(drawn, waypoints)
    return drawn


WAYPOINT, WAYPOINT_WIDTH = "waypoint", 14


def _width(box: Box) -> float:
    return WAYPOINT_WIDTH if box.kind == WAYPOINT else BOX_WIDTH


def _row_width(row: list[Box]) -> float:
    return sum(_width(box) for box in row) + GAP_X * (len(row) - 1)


def _rows(scenario: Scenario) -> dict[str, int]:
    """Each situation's row: the longest path to it from a situation nothing leads to."""
    children: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, int] = {node_id: 0 for node_id in scenario.nodes}
    for node in scenario.nodes.values():
        for target in {r.target for c in node.choices for r in c.routes
                       if r.target in scenario.nodes and r.target != node.id}:
            children[node.id].add(target)
            parents[target] += 1
    row = {node_id: 0 for node_id in scenario.nodes}
    ready = [node_id for node_id, count in parents.items() if count == 0]
    while ready:  # Kahn's topological order
        node_id = ready.pop()
        for child in children[node_id]:
            row[child] = max(row[child], row[node_id] + 1)
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)
    return row


def _order(boxes: dict[str, Box], arrows: list[Arrow], waypoints: dict[int, list[Box]],
           scenario: Scenario) -> list[list[Box]]:
    """Rows of boxes and waypoints, each ordered to keep arrows short and few crossings:
    start in file order, then move each to the mean place of its neighbours in the row above
    (going down) or below (going up)."""
    rows: list[list[Box]] = [[] for _ in range(1 + max(b.row for b in boxes.values()))]
    for node_id in scenario.nodes:  # file order
        rows[boxes[node_id].row].append(boxes[node_id])
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    placed: set[str] = set()
    for index, between in waypoints.items():
        arrow = arrows[index]
        chain = [arrow.source, *(w.id for w in between), arrow.target]
        for w in between:
            if w.id not in placed:
                placed.add(w.id)
                rows[w.row].append(w)
        for upper, lower in itertools.pairwise(chain):
            up[lower].append(upper)
            down[upper].append(lower)
    place = {box.id: index for row in rows for index, box in enumerate(row)}
    for sweep in range(SWEEPS):
        going_down = sweep % 2 == 0
        for row in (rows[1:] if going_down else reversed(rows[:-1])):
            neighbours = up if going_down else down

            def mean(box: Box, neighbours=neighbours) -> float:
                found = neighbours.get(box.id)
                return sum(place[n] for n in found) / len(found) if found else place[box.id]

            row.sort(key=lambda box: (mean(box), place[box.id]))
            for index, box in enumerate(row):
                place[box.id] = index
    return rows


def _add_traffic(drawn: BranchMap, traffic: Traffic) -> None:
    drawn.traffic, drawn.learners = True, traffic.attempts
    for box in drawn.boxes.values():
        box.reached = traffic.reached.get(box.id, 0)
        box.quit = traffic.quit.get(box.id, 0)
    most = max([1, *traffic.taken.values()])
    for arrow in drawn.arrows:
        arrow.taken = traffic.taken.get((arrow.source, arrow.choice_id, arrow.target), 0)
        arrow.width = 1.5 + 6.5 * arrow.taken / most
    drawn.unreached = [box.id for box in drawn.boxes.values() if not box.reached]


def _route(drawn: BranchMap, waypoints: dict[int, list[Box]]) -> None:
    """Each arrow from the bottom of its box, through its waypoints, to the top of its target,
    as curves; arrows leaving one box spread along its bottom edge, with their labels on
    their first stretch, staggered so that neighbours do not overlap."""
    leaving: dict[str, list[int]] = defaultdict(list)
    for index, arrow in enumerate(drawn.arrows):
        if index in waypoints:
            leaving[arrow.source].append(index)
    for source, found in leaving.items():
        box = drawn.boxes[source]

        def heading(index: int) -> float:
            between = waypoints[index]
            goal = between[0] if between else drawn.boxes[drawn.arrows[index].target]
            return goal.x + _width(goal) / 2

        found.sort(key=heading)
        for place, index in enumerate(found):
            arrow = drawn.arrows[index]
            start = (box.x + BOX_WIDTH * (place + 1) / (len(found) + 1), box.y + BOX_HEIGHT)
            stops = [start]
            for w in waypoints[index]:  # down through the waypoint's row
                centre = w.x + WAYPOINT_WIDTH / 2
                stops += [(centre, w.y), (centre, w.y + BOX_HEIGHT)]
            target = drawn.boxes[arrow.target]
            stops.append((target.centre_x, target.y - 4))
            parts = [f"M{start[0]:.1f},{start[1]:.1f}"]
            for (x1, y1), (x2, y2) in itertools.pairwise(stops):
                if x1 == x2:  # straight down through a row
                    parts.append(f"L{x2:.1f},{y2:.1f}")
                    continue
                bend = max(20.0, (y2 - y1) / 2)
                parts.append(f"C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 - bend:.1f} "
                             f"{x2:.1f},{y2:.1f}")
            arrow.path = " ".join(parts)
            (x1, y1), (x2, y2) = stops[0], stops[1]
            bend = max(20.0, (y2 - y1) / 2)
            curve = ((x1, y1), (x1, y1 + bend), (x2, y2 - bend), (x2, y2))
            arrow.label_x, arrow.label_y = _along(curve, 0.2 + 0.2 * (place % 3))
            arrow.label_x += 3


def _condition(choice, route) -> str:
    """When an arrow is taken: the option's condition and the route's; the last route of an
    option with several is taken "otherwise"."""
    found = [c.source for c in (choice.condition, route.condition) if c]
    if route.condition is None and len(choice.routes) > 1:
        found.append("otherwise")
    return " and ".join(found)


def _along(points, t: float) -> tuple[float, float]:
    """The point of a cubic Bézier curve at `t` (0: its start, 1: its end)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


def _words(text: str) -> str:
    plain = " ".join(text.replace("*", "").replace("_", " ").replace("#", "").split())
    return plain if len(plain) <= WORDS else plain[:WORDS - 1].rstrip() + "…"


def _kind(scenario: Scenario, node_id: str) -> str:
    node = scenario.nodes[node_id]
    if node.ending is not None:
        return node.ending.kind
    return "start" if node_id == scenario.start else "situation"

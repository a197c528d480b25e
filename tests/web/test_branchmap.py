"""The branch map's layout (trainer/branchmap.py): every situation a box, every route an arrow,
rows that follow the story, no boxes on top of each other, long arrows routed around boxes."""
from __future__ import annotations

import re

import pytest
from conftest import SCENARIOS, SHIPPED

from trainer import branchmap
from trainer.branchmap import BOX_HEIGHT, BOX_WIDTH, Traffic
from trainer.engine import load_library

LIBRARY = load_library(SCENARIOS)


def routes(scenario) -> list[tuple[str, str, str]]:
    return [(node.id, choice.id, route.target) for node in scenario.nodes.values()
            for choice in node.choices for route in choice.routes]


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_every_situation_is_a_box_and_every_route_an_arrow_going_down(scenario_id):
    scenario = LIBRARY.scenarios[scenario_id]
    drawn = branchmap.draw(scenario)
    assert set(drawn.boxes) == set(scenario.nodes)
    assert [(a.source, a.choice_id, a.target) for a in drawn.arrows] == routes(scenario)
    for arrow in drawn.arrows:
        assert drawn.boxes[arrow.target].row > drawn.boxes[arrow.source].row
        assert arrow.path.startswith("M")
    assert drawn.boxes[scenario.start].row == 0
    assert drawn.boxes[scenario.start].kind == "start"
    for node_id, node in scenario.nodes.items():
        if node.ending:
            assert drawn.boxes[node_id].kind == node.ending.kind


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_no_two_boxes_overlap_and_all_fit_in_the_picture(scenario_id):
    drawn = branchmap.draw(LIBRARY.scenarios[scenario_id])
    boxes = list(drawn.boxes.values())
    for box in boxes:
        assert 0 <= box.x and box.x + BOX_WIDTH <= drawn.width
        assert 0 <= box.y and box.y + BOX_HEIGHT <= drawn.height
    for i, one in enumerate(boxes):
        for other in boxes[i + 1:]:
            apart = (one.x + BOX_WIDTH <= other.x or other.x + BOX_WIDTH <= one.x
                     or one.y + BOX_HEIGHT <= other.y or other.y + BOX_HEIGHT <= one.y)
            assert apart, (one.id, other.id)


def test_an_arrow_over_several_rows_passes_beside_the_boxes_between():
    scenario = LIBRARY.scenarios["rude-receptionist"]
    drawn = branchmap.draw(scenario)
    long = [a for a in drawn.arrows
            if drawn.boxes[a.target].row - drawn.boxes[a.source].row > 1]
    assert long, "the rude receptionist has arrows that skip a row"
    for arrow in long:
        # Through each row between, the arrow runs straight down at a waypoint's x (an L
        # segment), and that x lies outside every box of the row.
        straight = [(float(x), float(y)) for x, y in re.findall(r"L([\d.]+),([\d.]+)",
                                                                 arrow.path)]
        skipped = drawn.boxes[arrow.target].row - drawn.boxes[arrow.source].row - 1
        assert len(straight) >= skipped
        for x, y in straight:
            row_boxes = [b for b in drawn.boxes.values() if b.y < y <= b.y + BOX_HEIGHT]
            assert all(not b.x <= x <= b.x + BOX_WIDTH for b in row_boxes), (arrow, x)


def test_traffic_counts_reached_taken_and_stopped():
    scenario = LIBRARY.scenarios["rude-receptionist"]
    first = scenario.nodes[scenario.start]
    route = first.choices[0].routes[0]
    taken = {(first.id, first.choices[0].id, route.target): 3}
    drawn = branchmap.draw(scenario, Traffic(4, {first.id: 4}, taken, {first.id: 1}))
    assert drawn.traffic and drawn.learners == 4
    assert drawn.boxes[first.id].reached == 4 and drawn.boxes[first.id].quit == 1
    arrow = next(a for a in drawn.arrows if a.source == first.id
                 and a.choice_id == first.choices[0].id)
    assert arrow.taken == 3 and arrow.label.endswith("3×") and arrow.width == 8.0
    others = [a for a in drawn.arrows if a is not arrow]
    assert all(a.taken == 0 and a.width == 1.5 for a in others)
    assert set(drawn.unreached) == set(scenario.nodes) - {first.id}


def test_a_situations_words_are_cut_to_fit_its_box():
    scenario = LIBRARY.scenarios["rude-receptionist"]
    drawn = branchmap.draw(scenario)
    for box in drawn.boxes.values():
        assert len(box.words) <= branchmap.WORDS

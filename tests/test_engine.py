"""The engine on the shipped scenarios and on small made-up ones: search, scoring, play."""
import pytest
from engine_paths import all_paths

from trainer.engine import (
    PlayError,
    Solver,
    apply_choice,
    available_choices,
    best_path,
    is_finished,
    parse_scenario,
    review,
    score,
    shown_order,
    start,
)

FLAGSHIPS = ["rude-receptionist", "rigid-provider", "broken-guitar"]


@pytest.fixture(params=FLAGSHIPS)
def scenario(request, library):
    assert request.param in library.scenarios, library.broken
    return library.scenarios[request.param]


def test_shipped_scenarios_have_no_problems(library):
    assert library.problems == []
    assert set(FLAGSHIPS) <= set(library.scenarios)


def test_best_score_equals_brute_force_maximum(scenario):
    paths = all_paths(scenario)
    assert Solver(scenario).best_points() == max(points for _, _, points in paths)


def test_best_path_scores_100_percent(scenario):
    path = best_path(scenario)
    assert score(scenario, path).percent == 100
    assert all(d.is_best for d in review(scenario, path))


def test_scoring_a_path_is_exact(scenario):
    for path, _, points in all_paths(scenario):
        result = score(scenario, path)
        expected = {}
        for node_id, choice_id in path:
            for principle, weight in scenario.nodes[node_id].choice(choice_id).weights.items():
                expected[principle] = expected.get(principle, 0) + weight
        assert result.by_principle == expected
        assert result.points == points
        assert result.percent == max(0, min(100, round(100 * points / result.best_points)))


def test_every_node_is_reached_by_some_path(scenario):
    visited = set()
    for path, end, _ in all_paths(scenario):
        visited.update([node for node, _ in path] + [end])
    assert visited == set(scenario.nodes)


def test_every_path_ends_after_at_least_three_decisions(scenario):
    for path, end, _ in all_paths(scenario):
        assert scenario.nodes[end].ending is not None
        assert len(path) >= 3, path


def test_content_minimums(scenario):
    assert len(scenario.nodes) >= 12
    kinds = {node.ending.kind for node in scenario.endings}
    assert kinds == {"good", "mixed", "bad"}
    assert scenario.real_case
    # The trust meter is used: some choice changes it and some condition tests it.
    assert any("trust" in c.change for n in scenario.nodes.values() for c in n.choices)
    assert any((c.condition and "trust" in c.condition.variables)
               or any(r.condition and "trust" in r.condition.variables for r in c.routes)
               for n in scenario.nodes.values() for c in n.choices)


def test_an_early_slip_changes_where_a_later_answer_leads(scenario):
    """Some choice's destination depends on the state earlier choices left behind."""
    outcomes = {}
    for path, _, _ in all_paths(scenario):
        state = start(scenario)
        for node_id, choice_id in path:
            after = apply_choice(scenario, state, choice_id)
            outcomes.setdefault((node_id, choice_id), set()).add(after.node)
            state = after
    assert any(len(targets) > 1 for targets in outcomes.values())


def test_every_principle_is_exercised_by_the_flagships(library):
    touched = set().union(*(library.scenarios[s].principles_touched for s in FLAGSHIPS))
    assert touched == set(library.principles)


def test_each_decision_offers_at_least_two_options(scenario):
    for path, _, _ in all_paths(scenario):
        state = start(scenario)
        for _, choice_id in path:
            assert len(available_choices(scenario, state)) >= 2
            state = apply_choice(scenario, state, choice_id)


def test_shown_order_is_stable_per_attempt_and_varies_between_attempts(scenario):
    choices = list(scenario.nodes[scenario.start].choices)
    assert shown_order(choices, 7, "x") == shown_order(choices, 7, "x")
    orders = {tuple(c.id for c in shown_order(choices, seed, scenario.start))
              for seed in range(40)}
    assert len(orders) > 1


def test_best_option_position_is_spread_when_shown(library):
    """Over many attempts, the best option is not always in the same place."""
    positions = set()
    for scenario_id in FLAGSHIPS:
        scenario = library.scenarios[scenario_id]
        solver = Solver(scenario)
        state = start(scenario)
        best = solver.solve(state.node, state.values)[1]
        for seed in range(30):
            shown = shown_order(list(scenario.nodes[state.node].choices), seed, state.node)
            positions.add(shown.index(best))
    assert len(positions) >= 2


SMALL = """---
id: small
title: Small
summary: Two decisions, a trap that only springs at low trust.
role: Tester.
start: a
variables:
  trust: 50
---

## a

```choices
- text: slip
  goto: b
  weights: {courtesy: -1}
  feedback: f
  change: {trust: -30}
- text: fine
  goto: b
  weights: {courtesy: 1}
  feedback: f
```

## b

```choices
- text: risky shortcut
  goto:
    - if: trust < 30
      to: lost
    - to: won
  weights: {exceed-expectations: 3}
  feedback: f
- text: safe
  goto: won
  weights: {warmth: 1}
  feedback: f
```

## won

```ending
kind: good
title: Won
```

## lost

```ending
kind: bad
title: Lost
```
"""


def test_search_takes_state_into_account():
    scenario, problems = parse_scenario(SMALL, "small.md")
    assert problems == []
    # Best: fine (+1) then the shortcut (+3) = 4; after the slip the shortcut still pays +3.
    assert Solver(scenario).best_points() == 4
    slipped = apply_choice(scenario, start(scenario), "c1")
    assert slipped.values["trust"] == 20
    assert apply_choice(scenario, slipped, "c1").node == "lost"
    assert apply_choice(scenario, apply_choice(scenario, start(scenario), "c2"), "c1").node == "won"


def test_a_choice_not_on_offer_is_refused():
    scenario, _ = parse_scenario(SMALL, "small.md")
    with pytest.raises(PlayError):
        apply_choice(scenario, start(scenario), "c9")
    state = start(scenario)
    for choice_id in ("c2", "c2"):
        state = apply_choice(scenario, state, choice_id)
    assert is_finished(scenario, state)
    with pytest.raises(PlayError):
        apply_choice(scenario, state, "c1")


def test_play_state_survives_a_round_trip_through_json():
    import json

    from trainer.engine import PlayState
    scenario, _ = parse_scenario(SMALL, "small.md")
    state = apply_choice(scenario, start(scenario), "c1")
    assert PlayState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_trust_is_kept_between_0_and_100():
    source = SMALL.replace("change: {trust: -30}", "change: {trust: -300}")
    scenario, _ = parse_scenario(source, "small.md")
    assert apply_choice(scenario, start(scenario), "c1").values["trust"] == 0

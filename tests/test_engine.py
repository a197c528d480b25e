"""The engine on small made-up scenarios: search, scoring, play, shown order."""
import pytest

from trainer.engine import (
    PlayError,
    Solver,
    apply_choice,
    is_finished,
    parse_scenario,
    shown_order,
    start,
)


def test_shown_order_is_stable_per_attempt_and_varies_between_attempts(library):
    scenario = library.scenarios["rude-receptionist"]
    choices = list(scenario.nodes[scenario.start].choices)
    assert shown_order(choices, 7, "x") == shown_order(choices, 7, "x")
    orders = {tuple(c.id for c in shown_order(choices, seed, scenario.start))
              for seed in range(40)}
    assert len(orders) > 1


def test_best_option_position_is_spread_when_shown(library):
    """Over many attempts, the best option is not always in the same place."""
    positions = set()
    for scenario_id in library.scenarios:
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

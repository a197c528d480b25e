"""The engine on small made-up scenarios: search, scoring, play, shown order."""
import pytest

from trainer.engine import (
    PlayError,
    Solver,
    apply_choice,
    best_path,
    decisions,
    is_finished,
    parse_modules,
    parse_scenario,
    passes,
    score,
    shown_order,
    start,
    validate,
)
from trainer.engine.calibrate import calibrate
from trainer.engine.modules import pass_marks


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
        state = start(scenario)
        node_id, choice_id = best_path(scenario)[0]
        best = scenario.nodes[node_id].choice(choice_id)
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
    # The state walk: fine (+1) then the shortcut (+3) = 4; after the slip it still pays +3.
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


def small():
    scenario, problems = parse_scenario(SMALL, "small.md")
    assert problems == []
    return scenario


def test_each_decision_is_scored_against_the_best_and_worst_on_offer():
    scenario = small()
    # fine (+1 of -1..+1) then the shortcut (+3 of +1..+3): the best at both decisions.
    assert score(scenario, [("a", "c2"), ("b", "c1")]).percent == 100
    # slip (the worst: 0 of 2) then the shortcut (2 of 2): half.
    result = score(scenario, [("a", "c1"), ("b", "c1")])
    assert (result.gained, result.possible, result.percent) == (2, 4, 50)
    # fine, then safe (the worst at b): 2 of 4.
    assert score(scenario, [("a", "c2"), ("b", "c2")]).percent == 50


def test_a_high_stakes_decision_weighs_more_than_a_small_one():
    source = SMALL.replace("weights: {exceed-expectations: 3}", "weights: {exceed-expectations: 3}")
    source = source.replace("weights: {warmth: 1}", "weights: {warmth: -3}")  # b: +3 vs -3
    scenario, _ = parse_scenario(source, "small.md")
    slip_small = score(scenario, [("a", "c1"), ("b", "c1")]).percent  # lose 2 of 8
    slip_large = score(scenario, [("a", "c2"), ("b", "c2")]).percent  # lose 6 of 8
    assert (slip_small, slip_large) == (75, 25)


def test_a_decision_whose_options_are_worth_the_same_counts_neither_way():
    source = SMALL.replace("weights: {courtesy: -1}", "weights: {courtesy: 1}")
    scenario, _ = parse_scenario(source, "small.md")
    found = decisions(scenario, [("a", "c1"), ("b", "c1")])
    assert [d.possible for d in found] == [0, 2]
    assert score(scenario, [("a", "c1"), ("b", "c1")]).percent == 100


def test_per_principle_figures_read_from_0_to_100():
    scenario = small()
    result = score(scenario, [("a", "c1"), ("b", "c2")])  # the worst at both decisions
    courtesy, warmth = result.principles["courtesy"], result.principles["warmth"]
    assert (courtesy.earned, courtesy.lowest, courtesy.highest) == (-1, -1, 1)
    assert (courtesy.percent, courtesy.best_percent) == (0, 100)
    # At b the shortcut (best overall) gives warmth nothing; "safe" gives it +1.
    assert (warmth.earned, warmth.best_options, warmth.percent, warmth.best_percent) \
        == (1, 0, 100, 0)
    assert result.by_principle == {"courtesy": -1, "warmth": 1}


def test_a_bad_ending_fails_whatever_the_score():
    assert passes(100, "bad", 75) is False
    assert passes(75, "mixed", 75) is True
    assert passes(74, "good", 75) is False


def test_taking_the_best_option_everywhere_must_end_well():
    # With the shortcut failing below trust 60, the best option everywhere ends badly.
    source = SMALL.replace("if: trust < 30", "if: trust < 60")
    scenario, _ = parse_scenario(source, "small.md")
    problems = validate(scenario, {"courtesy", "warmth", "exceed-expectations"})
    # The shortcut's way to 'won' is now never taken either: trust is at most 50 there.
    assert [p.message for p in problems] == [
        "the route to 'won' is never taken: its condition never holds, or an earlier route "
        "always applies",
        "taking the best option at every decision (a -> b) ends bad at 'lost': the best "
        "play must end well"]
    assert problems[1].line == source.splitlines().index("## lost") + 1


def test_calibration_of_a_small_scenario_by_hand():
    c = calibrate(small(), 75)
    # Four paths, each taken a quarter of the time: fine+shortcut 100% won; fine+safe 50%
    # won; slip+shortcut 50% lost; slip+safe 0% won. Only the first passes; two others
    # end well yet fail.
    assert (c.paths, c.random_pass_rate, c.good_but_failed_paths) == (4, 25.0, 2)
    # One slip: at a (slip, then the shortcut: lost) or at b (safe: 50%): neither passes.
    assert c.one_slip_pass_rate == 0.0
    assert (c.decisions_min, c.decisions_max, c.best_every_time_ending) == (2, 2, "good")
    assert len(c.warnings()) == 2


MODULES = """- id: one
  title: One
  summary: s
  scenarios: [small, {id: other, pass_mark: 60}]
  pass_mark: 80
  minutes: 10
  feedback: at-end
- id: two
  title: Two
  summary: s
  scenarios: [other]
  pass_mark: 70
  minutes: 10
"""


def test_a_module_sets_pass_marks_per_scenario_and_its_feedback_mode():
    modules, problems = parse_modules(MODULES, "modules.yaml", {"small", "other"})
    assert problems == []
    one = modules["one"]
    assert (one.pass_mark_for("small"), one.pass_mark_for("other"), one.feedback) \
        == (80, 60, "at-end")
    assert modules["two"].feedback == "immediate"
    marks, conflicts = pass_marks(modules, "modules.yaml")
    assert marks == {"small": 80, "other": 60}
    assert [str(p) for p in conflicts] == [
        "modules.yaml:11: 'other' has pass mark 70 here but 60 in module 'one' (line 4): "
        "a scenario has one pass mark; set it in both"]


def test_a_bad_feedback_mode_or_scenario_entry_is_reported_with_its_line():
    text = MODULES.replace("feedback: at-end", "feedback: later").replace(
        "{id: other, pass_mark: 60}", "{id: other, pass_mark: 600}")
    _, problems = parse_modules(text, "modules.yaml", {"small", "other"})
    assert sorted(str(p) for p in problems) == [
        "modules.yaml:4: 'pass_mark' must be a whole number from 1 to 100",
        "modules.yaml:7: 'feedback' must be one of: immediate, at-end"]


def test_a_saved_play_state_carries_its_version_and_older_ones_still_load():
    from trainer.engine import PlayState
    from trainer.engine.play import STATE_VERSION

    scenario = small()
    state = apply_choice(scenario, start(scenario), "c1")
    saved = state.to_dict()
    assert saved["version"] == STATE_VERSION
    # As the release before versions saved it, in an attempt still in progress.
    before_versions = {"node": "b", "values": {"trust": 20}, "path": [["a", "c1"]]}
    assert PlayState.from_dict(before_versions) == state
    with pytest.raises(PlayError, match="newer release"):
        PlayState.from_dict({**saved, "version": STATE_VERSION + 1})

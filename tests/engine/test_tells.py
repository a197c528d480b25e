"""The tells: what the engine counts as a name, an apology, a hand-off, and the guesser."""
from trainer.engine import parse_scenario
from trainer.engine.tells import Tells, apologises, hands_off, names_in, says_name

SOURCE = """---
id: tells
title: Tells
summary: s
role: r
start: a
---

## a

Mrs Wolska calls. The parcel she waited for on Monday never came.

```choices
- text: "I'm so sorry, Mrs Wolska, that is our mistake, and I can see exactly where it went."
  goto: b
  weights: {courtesy: -1}
  feedback: f
- text: "Let me find it."
  goto: b
  weights: {courtesy: 3}
  feedback: f
- text: "Thank you for waiting. Let me check."
  goto: b
  weights: {courtesy: 1}
  feedback: f
```

## b

Nobody in the depot can find it. Good news is rare today.

```choices
- text: "I'll transfer you to the depot's supervisor, who can trace it."
  goto: won
  weights: {warmth: 2}
  feedback: f
- text: "Wolska? Then it is lost."
  goto: lost
  weights: {warmth: -2}
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


def scenario():
    found, problems = parse_scenario(SOURCE, "tells.md")
    assert problems == []
    return found


def test_a_name_is_a_capitalised_word_the_file_never_writes_in_lower_case():
    # "Monday" is a weekday, "Good" and "Nobody" open sentences, "Let" and "Thank" too.
    assert names_in(scenario()) == {"Wolska"}


def test_an_option_is_marked_by_a_name_an_apology_or_a_hand_off():
    a, b = (node.choices for node in list(scenario().nodes.values())[:2])
    names = names_in(scenario())
    assert [says_name(c, names) for c in a] == [True, False, False]
    assert [apologises(c) for c in a] == [True, False, False]
    assert [hands_off(c) for c in b] == [True, False]


def test_the_figures_count_decisions_and_options():
    found = Tells()
    found.add(scenario(), pass_mark=75)
    figures = found.as_dict()
    assert figures["decisions"] == 2
    assert figures["longest_best"] == 50.0  # at b the best is the longest, at a not
    assert figures["name_in_best"] == 0.0 and figures["name_in_others"] == 66.7  # 2 of 3
    assert figures["apology_in_others"] == 33.3
    assert figures["two_good"] == 50.0  # a offers +3 and +1; b only +2
    assert found.handoff_best == ["tells/b"]
    assert figures["handoff_in_best"] == 50.0 and figures["handoff_in_others"] == 0.0
    # The guesser takes the name and apology at a (the worst), then the longest at b: 2 of 4.
    assert found.guessed == []


def test_the_misses_name_each_target_not_met():
    found = Tells()
    found.add(scenario(), pass_mark=75)
    misses = " ".join(found.misses())
    assert "the longest in 50.0% of decisions (at most 40%)" in misses
    assert "handing the customer on" not in misses  # one in one scenario is enough
    assert "50.0% of best options and 0.0% of the others carry a hand-off" in misses
    assert "carry a name" not in misses  # names are commoner in the other options here

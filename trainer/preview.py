"""An author's preview play-through: the engine's own moves, with the state carried in the page
(a hidden field) instead of the database, so that nothing is recorded anywhere. Any situation
can be jumped to and any variable set, within what the scenario declares."""
from __future__ import annotations

import json
from dataclasses import dataclass

from trainer.engine import PlayError, PlayState, Scenario, apply_choice, available_choices, start
from trainer.engine.model import TRUST, TRUST_MAX, TRUST_MIN, Choice

MAX_STATE = 20_000  # characters of the carried state: more is not a state this page made


@dataclass(frozen=True)
class Offered:
    choice: Choice
    offered: bool  # its condition holds now (or it has none)
    points: int
    best: bool


@dataclass(frozen=True)
class Preview:
    scenario: Scenario
    state: PlayState
    options: list[Offered]  # every option of the situation, offered or not
    last: Choice | None  # the option just taken, with its feedback
    ending: bool

    @property
    def carried(self) -> str:
        return json.dumps(self.state.to_dict(), separators=(",", ":"))


def begin(scenario: Scenario, node_id: str | None = None) -> Preview:
    state = start(scenario)
    if node_id:
        state = jump(scenario, state, node_id)
    return shown(scenario, state)


def read_state(scenario: Scenario, carried: str) -> PlayState:
    """The state the page carried, checked against the scenario (PlayError if it is not one
    this scenario can be in)."""
    if len(carried) > MAX_STATE:
        raise PlayError("the preview's state is too long")
    try:
        data = json.loads(carried)
        if not isinstance(data, dict):
            raise TypeError("not an object")
        state = PlayState.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PlayError("the preview's state cannot be read") from exc
    if state.node not in scenario.nodes:
        raise PlayError(f"there is no situation '{state.node}' in this version")
    values = {}
    for name, default in scenario.variables.items():
        value = state.values.get(name, default)
        values[name] = _checked(name, value, default)
    return PlayState(state.node, values, state.path[-200:])


def _checked(name: str, value, default):
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise PlayError(f"'{name}' is true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlayError(f"'{name}' is a whole number")
    if name == TRUST and not TRUST_MIN <= value <= TRUST_MAX:
        raise PlayError(f"trust is from {TRUST_MIN} to {TRUST_MAX}")
    if abs(value) > 1_000_000:
        raise PlayError(f"'{name}' is out of range")
    return value


def choose(scenario: Scenario, state: PlayState, choice_id: str) -> Preview:
    after = apply_choice(scenario, state, choice_id)
    last = scenario.nodes[state.node].choice(choice_id)
    return shown(scenario, after, last)


def jump(scenario: Scenario, state: PlayState, node_id: str) -> PlayState:
    if node_id not in scenario.nodes:
        raise PlayError(f"there is no situation '{node_id}' in this version")
    return PlayState(node_id, state.values, state.path)


def set_values(scenario: Scenario, state: PlayState, given: dict[str, str]) -> PlayState:
    """The variables as the author typed them (text from the form; a flag ticked or not)."""
    values = dict(state.values)
    for name, default in scenario.variables.items():
        if isinstance(default, bool):
            values[name] = given.get(name) == "on"
            continue
        text = given.get(name, "").strip()
        try:
            number = int(text)
        except ValueError:
            raise PlayError(f"'{name}' must be a whole number, not {text!r}") from None
        values[name] = _checked(name, number, default)
    return PlayState(state.node, values, state.path)


def shown(scenario: Scenario, state: PlayState, last: Choice | None = None) -> Preview:
    node = scenario.nodes[state.node]
    offered = available_choices(scenario, state)
    best = max((c.points for c in offered), default=None)  # as the score judges a decision
    options = [Offered(c, c in offered, c.points, c in offered and c.points == best)
               for c in node.choices]
    return Preview(scenario, state, options, last, node.ending is not None)

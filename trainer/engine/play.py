"""Playing a scenario: the play state as a value, and the moves that change it."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from trainer.engine.model import TRUST, TRUST_MAX, TRUST_MIN, Choice, Route, Scenario


class PlayError(ValueError):
    """A move that the scenario does not allow from the given state."""


STATE_VERSION = 1  # of the saved form below; states saved before versions count as 1


@dataclass(frozen=True)
class PlayState:
    """Where a play-through stands: the situation, the variables, the choices so far.

    Saved as a dict that carries its version, as ink's saved states do: a field added later
    reads states saved without it, so attempts in progress survive an upgrade."""

    node: str
    values: dict[str, int | bool]
    path: tuple[tuple[str, str], ...] = field(default=())  # (node id, choice id) per step

    def to_dict(self) -> dict:
        return {"version": STATE_VERSION, "node": self.node, "values": dict(self.values),
                "path": [list(step) for step in self.path]}

    @classmethod
    def from_dict(cls, data: dict) -> PlayState:
        version = data.get("version", 1)
        if version > STATE_VERSION:
            raise PlayError(f"a play state saved by a newer release (version {version}); "
                            f"this one reads up to {STATE_VERSION}")
        return cls(data["node"], dict(data["values"]),
                   tuple((node, choice) for node, choice in data["path"]))


def start(scenario: Scenario) -> PlayState:
    return PlayState(scenario.start, dict(scenario.variables))


def is_finished(scenario: Scenario, state: PlayState) -> bool:
    return scenario.nodes[state.node].ending is not None


def available_choices(scenario: Scenario, state: PlayState) -> list[Choice]:
    """The options offered in this state, in file order."""
    return [c for c in scenario.nodes[state.node].choices
            if c.condition is None or c.condition.holds(state.values)]


def shown_order(choices: list[Choice], seed: int, node_id: str) -> list[Choice]:
    """The order the options are shown in: shuffled, but the same for one attempt."""
    shown = list(choices)
    random.Random(f"{seed}:{node_id}").shuffle(shown)
    return shown


def advance(values: dict[str, int | bool], choice: Choice) -> tuple[str, dict[str, int | bool]]:
    """One step of the story: the situation a choice leads to, and the variables after it."""
    after = apply_values(values, choice)
    return destination(choice, after), after


def apply_values(values: dict[str, int | bool], choice: Choice) -> dict[str, int | bool]:
    """The variables after a choice's changes and settings; trust stays within 0..100."""
    after = dict(values)
    for name, amount in choice.change.items():
        after[name] = after[name] + amount
    after.update(choice.set)
    if TRUST in after:
        after[TRUST] = max(TRUST_MIN, min(TRUST_MAX, after[TRUST]))
    return after


def destination(choice: Choice, values: dict[str, int | bool]) -> str:
    """The situation a choice leads to, given the variables after it was made."""
    return route_taken(choice, values).target


def route_taken(choice: Choice, values: dict[str, int | bool]) -> Route:
    """The first route of a choice whose condition holds for the variables after it."""
    for route in choice.routes:
        if route.condition is None or route.condition.holds(values):
            return route
    raise PlayError("no route of this option applies")


def apply_choice(scenario: Scenario, state: PlayState, choice_id: str) -> PlayState:
    """Make a choice; raises PlayError if it is not on offer in this state."""
    if is_finished(scenario, state):
        raise PlayError("the scenario has already ended")
    choice = next((c for c in available_choices(scenario, state) if c.id == choice_id), None)
    if choice is None:
        raise PlayError(f"option '{choice_id}' is not on offer here")
    target, values = advance(state.values, choice)
    return PlayState(target, values, state.path + ((state.node, choice.id),))


def replay(scenario: Scenario, path: list[tuple[str, str]]) -> list[PlayState]:
    """The states a path passes through, from the start (the first) to the last."""
    states = [start(scenario)]
    for node_id, choice_id in path:
        if states[-1].node != node_id:
            raise PlayError(f"the path expects '{node_id}' but is at '{states[-1].node}'")
        states.append(apply_choice(scenario, states[-1], choice_id))
    return states

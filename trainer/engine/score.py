"""Scoring a play-through decision by decision, and the verdict: passed or not."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from trainer.engine.model import Choice, Scenario
from trainer.engine.play import PlayState, apply_choice, available_choices, replay, start

SCORING_MODEL = "per-decision"  # recorded with every attempt scored this way


@dataclass(frozen=True)
class Decision:
    """One decision faced: the option chosen beside the best and the worst then on offer."""

    node: str
    chosen: Choice
    best: Choice  # the most points on offer; of equals, the first in the file
    worst: Choice  # the fewest points on offer; of equals, the first in the file
    offered: tuple[Choice, ...]

    @property
    def gained(self) -> int:
        """What the choice earned above the worst option."""
        return self.chosen.points - self.worst.points

    @property
    def possible(self) -> int:
        """What the best option earns above the worst: how much this decision weighs."""
        return self.best.points - self.worst.points

    @property
    def is_best(self) -> bool:
        return self.chosen.points == self.best.points

    @property
    def lost(self) -> int:
        """Points given away against the best option."""
        return self.best.points - self.chosen.points


def decision(offered: list[Choice], chosen: Choice, node_id: str) -> Decision:
    best = max(offered, key=lambda c: c.points)  # max and min keep the first of equals
    worst = min(offered, key=lambda c: c.points)
    return Decision(node_id, chosen, best, worst, tuple(offered))


def decisions(scenario: Scenario, path: list[tuple[str, str]]) -> list[Decision]:
    """Every decision along a path, each judged against what was on offer in its state."""
    states = replay(scenario, path)[:-1]  # the state each decision was made in
    return [decision_at(scenario, state, choice_id)
            for state, (_, choice_id) in zip(states, path, strict=True)]


def decision_at(scenario: Scenario, state: PlayState, choice_id: str) -> Decision:
    node = scenario.nodes[state.node]
    return decision(available_choices(scenario, state), node.choice(choice_id), node.id)


@dataclass(frozen=True)
class PrincipleScore:
    """One principle over the decisions faced that touched it.

    `earned` and `best_options` are sums of weights (the chosen options', and the best
    options' at the same decisions); `lowest` and `highest` are the least and the most the
    options on offer could have added up to on this principle."""

    principle_id: str
    earned: int
    best_options: int
    lowest: int
    highest: int

    @property
    def gained(self) -> int:
        return self.earned - self.lowest

    @property
    def possible(self) -> int:
        return self.highest - self.lowest

    @property
    def percent(self) -> int:
        return share(self.gained, self.possible)

    @property
    def best_percent(self) -> int:
        return share(self.best_options - self.lowest, self.possible)


@dataclass(frozen=True)
class Score:
    gained: int  # Σ(chosen − worst) over the decisions faced
    possible: int  # Σ(best − worst)
    principles: dict[str, PrincipleScore]  # every principle some option on offer touched
    by_principle: dict[str, int]  # the chosen options' weights added up (only those touched)

    @property
    def percent(self) -> int:
        return share(self.gained, self.possible)


def share(part: int, whole: int) -> int:
    """part / whole as a whole percentage, halves rounded up; nothing to lose counts as 100."""
    if whole <= 0:
        return 100
    return max(0, min(100, (200 * part + whole) // (2 * whole)))


def score_of(found: list[Decision]) -> Score:
    earned: Counter[str] = Counter()
    best: Counter[str] = Counter()
    lowest: Counter[str] = Counter()
    highest: Counter[str] = Counter()
    for d in found:
        touched = {pid for option in d.offered for pid in option.weights}
        for pid in touched:
            values = [option.weights.get(pid, 0) for option in d.offered]
            earned[pid] += d.chosen.weights.get(pid, 0)
            best[pid] += d.best.weights.get(pid, 0)
            lowest[pid] += min(values)
            highest[pid] += max(values)
    principles = {pid: PrincipleScore(pid, earned[pid], best[pid], lowest[pid], highest[pid])
                  for pid in sorted(highest)}
    return Score(sum(d.gained for d in found), sum(d.possible for d in found), principles,
                 _tally(d.chosen for d in found))


def score(scenario: Scenario, path: list[tuple[str, str]]) -> Score:
    """The score of a path: Σ(chosen − worst) / Σ(best − worst) over its decisions."""
    return score_of(decisions(scenario, path))


def passes(percent: int, ending_kind: str, pass_mark: int) -> bool:
    """The verdict: the pass mark reached, and the story did not end badly."""
    return percent >= pass_mark and ending_kind != "bad"


def _tally(choices) -> dict[str, int]:
    """Points per principle earned by these choices (principles never touched are absent)."""
    totals: Counter[str] = Counter()
    for choice in choices:
        totals.update(choice.weights)
    return dict(totals)


def best_path(scenario: Scenario) -> list[tuple[str, str]]:
    """The path of taking the best option at every decision."""
    return [(d.node, d.chosen.id) for d in follow(scenario)[0]]


def follow(scenario: Scenario, slips: dict[int, Choice] | None = None
           ) -> tuple[list[Decision], str]:
    """The best option at every decision, except at the decision numbers (from 0) in
    `slips`, where the option given is taken: the decisions, and the ending reached."""
    slips = slips or {}
    state, found = start(scenario), []
    while scenario.nodes[state.node].ending is None:
        offered = available_choices(scenario, state)
        best = max(offered, key=lambda c: c.points)
        chosen = slips.get(len(found), best)
        found.append(decision(offered, chosen, state.node))
        state = apply_choice(scenario, state, chosen.id)
    return found, state.node

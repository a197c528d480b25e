"""Scoring: what a path earns per principle, and the best any path could earn."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from trainer.engine.model import Choice, Scenario
from trainer.engine.play import (
    PlayState,
    apply_values,
    available_choices,
    destination,
    replay,
    start,
)


class ScoreError(ValueError):
    """The scenario cannot be scored (a loop, or no way to an ending)."""


@dataclass(frozen=True)
class Score:
    by_principle: dict[str, int]
    points: int
    best_points: int

    @property
    def percent(self) -> int:
        """Points as a share of the best achievable, from 0 to 100."""
        if self.best_points <= 0:
            return 100 if self.points >= self.best_points else 0
        return max(0, min(100, round(100 * self.points / self.best_points)))


@dataclass(frozen=True)
class Decision:
    """One decision of a play-through beside the best choice at that point."""

    node: str
    chosen: Choice
    best: Choice
    chosen_value: int  # the choice's points plus the best that could follow it
    best_value: int

    @property
    def is_best(self) -> bool:
        return self.chosen_value == self.best_value


class Solver:
    """The best achievable points from any (situation, variables), memoised.

    The state includes the variables, so conditions and routes are taken into account.
    """

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self._names = sorted(scenario.variables)
        self._memo: dict[tuple, tuple[int | None, Choice | None]] = {}

    def _key(self, node: str, values: dict) -> tuple:
        return (node, tuple(values[name] for name in self._names))

    def _moves(self, node: str, values: dict) -> list[tuple[Choice, str, dict]]:
        state = PlayState(node, values)
        moves = []
        for choice in available_choices(self.scenario, state):
            after = apply_values(values, choice)
            moves.append((choice, destination(choice, after), after))
        return moves

    def solve(self, node: str, values: dict) -> tuple[int | None, Choice | None]:
        """Best points from here to an ending (None if no ending can be reached)."""
        memo, root = self._memo, self._key(node, values)
        stack, expanding = [(node, values, root)], set()  # expanding: keys on the DFS path
        while stack:
            node_id, vals, key = stack[-1]
            if key in memo:
                stack.pop()
                continue
            if self.scenario.nodes[node_id].ending is not None:
                memo[key] = (0, None)
                continue
            moves = self._moves(node_id, vals)
            pending = [(t, after, self._key(t, after)) for _, t, after in moves
                       if self._key(t, after) not in memo]
            if not pending:
                memo[key] = self._best_of(moves)
                expanding.discard(key)
                continue
            for target, _, child in pending:
                if child in expanding or child == key:
                    raise ScoreError(f"the scenario loops back to '{target}'")
            expanding.add(key)
            stack.extend(pending)
        return memo[root]

    def _best_of(self, moves: list[tuple[Choice, str, dict]]) -> tuple[int | None, Choice | None]:
        best: tuple[int | None, Choice | None] = (None, None)
        for choice, target, after in moves:
            rest = self._memo[self._key(target, after)][0]
            if rest is not None and (best[0] is None or choice.points + rest > best[0]):
                best = (choice.points + rest, choice)
        return best

    def value_of(self, state: PlayState, choice: Choice) -> int | None:
        """The choice's points plus the best that can follow it."""
        after = apply_values(state.values, choice)
        rest = self.solve(destination(choice, after), after)[0]
        return None if rest is None else choice.points + rest

    def best_points(self) -> int:
        initial = start(self.scenario)
        points = self.solve(initial.node, initial.values)[0]
        if points is None:
            raise ScoreError("no ending can be reached from the start")
        return points

    def states_explored(self) -> int:
        return len(self._memo)


def tally(scenario: Scenario, path: list[tuple[str, str]]) -> dict[str, int]:
    """Points per principle earned along a path (principles never touched are absent)."""
    totals: Counter[str] = Counter()
    for node_id, choice_id in path:
        totals.update(scenario.nodes[node_id].choice(choice_id).weights)
    return dict(totals)


def score(scenario: Scenario, path: list[tuple[str, str]], solver: Solver | None = None) -> Score:
    by_principle = tally(scenario, path)
    best = (solver or Solver(scenario)).best_points()
    return Score(by_principle, sum(by_principle.values()), best)


def best_path(scenario: Scenario, solver: Solver | None = None) -> list[tuple[str, str]]:
    """A path that earns the best achievable score (ties go to the earlier option)."""
    solver = solver or Solver(scenario)
    state, path = start(scenario), []
    while scenario.nodes[state.node].ending is None:
        choice = solver.solve(state.node, state.values)[1]
        if choice is None:
            raise ScoreError(f"no ending can be reached from '{state.node}'")
        after = apply_values(state.values, choice)
        path.append((state.node, choice.id))
        state = PlayState(destination(choice, after), after, tuple(path))
    return path


def review(scenario: Scenario, path: list[tuple[str, str]],
           solver: Solver | None = None) -> list[Decision]:
    """Each decision of a path beside the best choice that was on offer at that point."""
    solver = solver or Solver(scenario)
    decisions = []
    for state, (node_id, choice_id) in zip(replay(scenario, path)[:-1], path, strict=True):
        chosen = scenario.nodes[node_id].choice(choice_id)
        best_value, best = solver.solve(state.node, state.values)
        decisions.append(Decision(node_id, chosen, best, solver.value_of(state, chosen),
                                  best_value))
    return decisions

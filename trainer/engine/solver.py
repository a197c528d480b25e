"""The state walk: the best total any path could earn from each state, for validation.

Scoring a play-through is per decision (trainer.engine.score); this exhaustive walk is
what lets the validator find states with no way out and situations no path reaches."""
from __future__ import annotations

from operator import itemgetter

from trainer.engine.model import Choice, Scenario
from trainer.engine.play import advance, start


class ScoreError(ValueError):
    """The scenario cannot be scored (a loop, or no way to an ending)."""


class TooManyStates(ScoreError):
    """The variables make more distinct states than the solver was allowed to explore."""


class Solver:
    """The best achievable points from any (situation, variables), memoised.

    The state includes the variables, so conditions and routes are taken into account.
    """

    def __init__(self, scenario: Scenario, max_states: int | None = None):
        self.scenario = scenario
        self._names = sorted(scenario.variables)
        self._memo: dict[tuple, tuple[int | None, Choice | None]] = {}
        self.stuck: list[tuple] = []  # states, not endings, in which no option is on offer
        self.max_states = max_states
        self._getter = None

    def _key(self, node: str, values: dict) -> tuple:
        return (node, self._values_of(values))

    def _values_of(self, values: dict) -> tuple:
        # itemgetter gives a bare value for one name and fails for none: both made tuples.
        if self._getter is None:
            names = self._names
            getter = itemgetter(*names) if names else (lambda _: ())
            self._getter = getter if len(names) != 1 else (lambda v: (getter(v),))
        return self._getter(values)

    def _moves(self, node: str, values: dict) -> list[tuple[Choice, str, dict, tuple]]:
        # The solver's inner loop (every option of every state): available_choices inlined.
        moves = []
        for choice in self.scenario.nodes[node].choices:
            if choice.condition is not None and not choice.condition.holds(values):
                continue
            target, after = advance(values, choice)
            moves.append((choice, target, after, self._key(target, after)))
        return moves

    def solve(self, node: str, values: dict) -> tuple[int | None, Choice | None]:
        """Best points from here to an ending (None if no ending can be reached)."""
        memo, root = self._memo, self._key(node, values)
        stack, expanding = [(node, values, root)], set()  # expanding: keys on the DFS path
        open_moves: dict[tuple, list] = {}  # each state's moves are worked out once
        while stack:
            node_id, vals, key = stack[-1]
            if key in memo:
                stack.pop()
                continue
            if self.scenario.nodes[node_id].ending is not None:
                memo[key] = (0, None)
                continue
            moves = open_moves.get(key)
            if moves is None:
                moves = open_moves[key] = self._moves(node_id, vals)
                if not moves:
                    self.stuck.append(key)
            pending = [(t, after, child) for _, t, after, child in moves if child not in memo]
            if not pending:
                memo[key] = self._best_of(moves)
                expanding.discard(key)
                del open_moves[key]
                if self.max_states is not None and len(memo) > self.max_states:
                    raise TooManyStates(f"more than {self.max_states} distinct states; "
                                        "simplify the variables")
                continue
            for target, _, child in pending:
                if child in expanding or child == key:
                    raise ScoreError(f"the scenario loops back to '{target}'")
            expanding.add(key)
            stack.extend(pending)
        return memo[root]

    def _best_of(self, moves: list[tuple[Choice, str, dict, tuple]]
                 ) -> tuple[int | None, Choice | None]:
        best: tuple[int | None, Choice | None] = (None, None)
        for choice, _, _, child in moves:
            rest = self._memo[child][0]
            if rest is not None and (best[0] is None or choice.points + rest > best[0]):
                best = (choice.points + rest, choice)
        return best

    def visited(self) -> set[str]:
        """The situations of every state solved so far."""
        return {key[0] for key in self._memo}

    def states(self):
        """Every (situation, variables) state solved so far."""
        return (self.state_of(key) for key in self._memo)

    def state_of(self, key: tuple) -> tuple[str, dict]:
        return key[0], dict(zip(self._names, key[1], strict=True))

    def best_points(self) -> int:
        initial = start(self.scenario)
        points = self.solve(initial.node, initial.values)[0]
        if points is None:
            raise ScoreError("no ending can be reached from the start")
        return points

    def states_explored(self) -> int:
        return len(self._memo)



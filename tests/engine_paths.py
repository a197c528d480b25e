"""Brute force over every path of a scenario: the independent check on the engine's search."""
from __future__ import annotations

from trainer.engine import Scenario, apply_choice, available_choices, is_finished, start, tally


def all_paths(scenario: Scenario) -> list[tuple[list[tuple[str, str]], str, int]]:
    """Every complete path as (path, ending node, total points), by plain enumeration."""
    done, stack = [], [start(scenario)]
    while stack:
        state = stack.pop()
        if is_finished(scenario, state):
            path = list(state.path)
            done.append((path, state.node, sum(tally(scenario, path).values())))
            continue
        choices = available_choices(scenario, state)
        assert choices, f"{scenario.id}: stuck at {state.node} with {state.values}"
        stack.extend(apply_choice(scenario, state, c.id) for c in choices)
    return done


def best_worst_mixed(scenario: Scenario):
    """A best, a worst, and a middle path (one ending 'mixed' where there is one)."""
    paths = sorted(all_paths(scenario), key=lambda item: item[2])
    best, worst = paths[-1], paths[0]
    middle = [p for p in paths if scenario.nodes[p[1]].ending.kind == "mixed"
              and worst[2] < p[2] < best[2]]
    mixed = middle[len(middle) // 2] if middle else paths[len(paths) // 2]
    return best[0], worst[0], mixed[0]

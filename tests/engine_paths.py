"""Brute force over every path of a scenario: the independent check on the engine's scoring."""
from __future__ import annotations

from dataclasses import dataclass

from trainer.engine import Scenario, apply_choice, available_choices, is_finished, start


@dataclass(frozen=True)
class Walked:
    path: list[tuple[str, str]]
    end: str  # the ending situation
    gained: int  # Σ(chosen − worst on offer), added up here without the engine's scoring
    possible: int  # Σ(best − worst on offer)
    chance: float  # the probability that uniformly random play takes this path

    @property
    def percent(self) -> int:
        """gained / possible, halves rounded up; 100 when nothing was at stake."""
        if self.possible == 0:
            return 100
        return int(100 * self.gained / self.possible + 0.5 + 1e-9)


def all_paths(scenario: Scenario) -> list[Walked]:
    """Every complete path, by plain enumeration, each scored decision by decision."""
    done, stack = [], [(start(scenario), 0, 0, 1.0)]
    while stack:
        state, gained, possible, chance = stack.pop()
        if is_finished(scenario, state):
            done.append(Walked(list(state.path), state.node, gained, possible, chance))
            continue
        choices = available_choices(scenario, state)
        assert choices, f"{scenario.id}: stuck at {state.node} with {state.values}"
        points = [sum(c.weights.values()) for c in choices]
        for choice, own in zip(choices, points, strict=True):
            stack.append((apply_choice(scenario, state, choice.id), gained + own - min(points),
                          possible + max(points) - min(points), chance / len(choices)))
    return done


def best_worst_mixed(scenario: Scenario):
    """A best, a worst, and a middle path (one ending 'mixed' where there is one)."""
    paths = sorted(all_paths(scenario), key=lambda w: (w.percent, -len(w.path)))
    best, worst = paths[-1], paths[0]
    middle = [p for p in paths if scenario.nodes[p.end].ending.kind == "mixed"
              and worst.percent < p.percent < best.percent]
    mixed = middle[len(middle) // 2] if middle else paths[len(paths) // 2]
    return best.path, worst.path, mixed.path

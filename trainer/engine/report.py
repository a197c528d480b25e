"""Figures about scenario content for authors: size, coverage, answer positions."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from trainer.engine.calibrate import decision_range
from trainer.engine.model import TRUST, Scenario
from trainer.engine.play import (
    PlayState,
    advance,
    available_choices,
    shown_order,
    start,
)
from trainer.engine.score import best_path

SEEDS = 200  # simulated attempts per scenario for the position spread


@dataclass(frozen=True)
class ContentFigures:
    scenario_id: str
    nodes: int
    decisions: int
    endings: dict[str, int]  # kind -> count
    principles: list[str]
    shortest_path: int  # fewest decisions on any path
    best_positions: dict[int, int]  # 1-based shown position of the best option -> times


def figures(scenario: Scenario) -> ContentFigures:
    positions: Counter[int] = Counter()
    best = best_path(scenario)
    for seed in range(SEEDS):
        state = start(scenario)
        for node_id, choice_id in best:
            choice = scenario.nodes[node_id].choice(choice_id)
            shown = shown_order(available_choices(scenario, state), seed, state.node)
            positions[shown.index(choice) + 1] += 1
            state = PlayState(*advance(state.values, choice))
    return ContentFigures(
        scenario.id, len(scenario.nodes), scenario.decisions,
        dict(Counter(node.ending.kind for node in scenario.endings)),
        sorted(scenario.principles_touched), decision_range(scenario)[0],
        dict(sorted(positions.items())))


@dataclass(frozen=True)
class Coverage:
    """Which scenarios honour (+) and violate (-) one principle in at least one option."""

    principle_id: str
    honoured_in: list[str]
    violated_in: list[str]

    @property
    def both(self) -> list[str]:
        return sorted(set(self.honoured_in) & set(self.violated_in))


def coverage(scenarios: list[Scenario], principle_ids: list[str]) -> list[Coverage]:
    honoured: dict[str, set[str]] = {pid: set() for pid in principle_ids}
    violated: dict[str, set[str]] = {pid: set() for pid in principle_ids}
    for scenario in scenarios:
        for node in scenario.nodes.values():
            for choice in node.choices:
                for pid, weight in choice.weights.items():
                    (honoured if weight > 0 else violated).setdefault(pid, set()).add(scenario.id)
    return [Coverage(pid, sorted(honoured[pid]), sorted(violated[pid])) for pid in principle_ids]


# What every scenario of the curriculum must have (the product's bar for shipped content).
MIN_NODES, MIN_DECISIONS_ON_A_PATH, MIN_SCENARIOS_PER_PRINCIPLE = 10, 3, 3


def shortfalls(scenario: Scenario, f: ContentFigures) -> list[str]:
    """What this scenario lacks against the curriculum's minimums (empty: all met)."""
    missing = []
    if f.nodes < MIN_NODES:
        missing.append(f"{f.nodes} situations, fewer than {MIN_NODES}")
    if set(f.endings) != {"good", "mixed", "bad"}:
        missing.append("endings of every kind (good, mixed, bad)")
    if f.shortest_path < MIN_DECISIONS_ON_A_PATH:
        missing.append(f"a path with only {f.shortest_path} decisions")
    choices = [c for node in scenario.nodes.values() for c in node.choices]
    tested = any(TRUST in (c.condition.variables if c.condition else set())
                 or any(r.condition and TRUST in r.condition.variables for r in c.routes)
                 for c in choices)
    if not any(TRUST in c.change for c in choices) or not tested:
        missing.append("the trust meter changed by a choice and tested by a condition")
    if not scenario.real_case:
        missing.append("the real case ('# What really happened')")
    if not scenario.channel:
        missing.append("a channel in the header (how the customer reaches the player)")
    if scenario.customer is None:
        missing.append("characters in the header, one of them the customer")
    return missing


def coverage_shortfalls(rows: list[Coverage]) -> list[str]:
    return [f"{row.principle_id} honoured and violated in only {len(row.both)} scenario(s)"
            for row in rows if len(row.both) < MIN_SCENARIOS_PER_PRINCIPLE]

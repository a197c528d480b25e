"""What the end of an attempt shows: ending, score, per-principle chart, decisions, real case."""
from __future__ import annotations

from dataclasses import dataclass

from trainer.charts import BarChart, principle_chart
from trainer.engine import Choice, Node, Principle, Scenario, review, tally
from trainer.models import Attempt, Step
from trainer.store import content


@dataclass(frozen=True)
class DecisionReview:
    step: Step  # what was shown and chosen, as stored
    best: Choice  # the best option at that point in this scenario version
    is_best: bool
    lost: int  # points this choice cost against the best from that point


@dataclass(frozen=True)
class Debrief:
    attempt: Attempt
    scenario: Scenario
    ending: Node
    chart: BarChart
    principles: list[tuple[Principle, int, int]]  # principle, earned, best path's
    decisions: list[DecisionReview]


def build(attempt: Attempt) -> Debrief:
    scenario = content.scenario_of(attempt.version_id)
    solver = content.solver_for(scenario)
    path = [(step.node_id, step.choice_id) for step in attempt.steps]
    earned = attempt.by_principle or tally(scenario, path)
    best = content.best_by_principle(scenario)
    catalogue = content.library().principles
    rows = [(_principle(catalogue, pid), earned.get(pid, 0), best.get(pid, 0))
            for pid in sorted(scenario.principles_touched, key=lambda p: _order(catalogue, p))]
    decisions = [DecisionReview(step, d.best, d.is_best, d.best_value - d.chosen_value)
                 for step, d in zip(attempt.steps, review(scenario, path, solver), strict=True)]
    return Debrief(attempt, scenario, scenario.nodes[attempt.ending_node],
                   principle_chart([(p.name, e, b) for p, e, b in rows]), rows, decisions)


def _principle(catalogue: dict[str, Principle], pid: str) -> Principle:
    # A principle since removed from the catalogue still shows under its id.
    return catalogue.get(pid) or Principle(pid, pid, "", "", "")


def _order(catalogue: dict[str, Principle], pid: str) -> int:
    ids = list(catalogue)
    return ids.index(pid) if pid in ids else len(ids)

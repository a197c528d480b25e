"""What the end of an attempt shows: the verdict and next step, the principles, the decisions
that cost something beside the better option, and the real case."""
from __future__ import annotations

from dataclasses import dataclass

from trainer.charts import PercentChart, percent_chart
from trainer.engine import Choice, Node, Principle, PrincipleScore, Scenario, decisions, score_of
from trainer.models import Attempt, Step, User
from trainer.scene import Scene, scene_of
from trainer.store import content, progress, training


@dataclass(frozen=True)
class DecisionReview:
    step: Step  # what was shown and chosen, as stored
    best: Choice  # the best option on offer at that decision, with the author's feedback
    is_best: bool
    lost: int  # points this choice gave away against the best option there


@dataclass(frozen=True)
class Verdict:
    scenario_id: str
    passed: bool
    percent: int
    pass_mark: int
    ending_kind: str
    module: training.ModuleProgress | None  # the assigned module holding the scenario
    next_step: training.NextStep | None  # what that module still needs

    @property
    def next_elsewhere(self) -> training.NextStep | None:
        """The next step when it is another scenario ("Try again" covers this one)."""
        step = self.next_step
        return step if step is not None and step.line.scenario_id != self.scenario_id else None

    @property
    def primary(self) -> str:
        """The action the page leads with: "retry", "next" or "home"."""
        if not self.passed:
            return "retry"
        return "next" if self.next_elsewhere else "home"


@dataclass(frozen=True)
class Debrief:
    attempt: Attempt
    scenario: Scenario
    ending: Node
    verdict: Verdict
    chart: PercentChart
    principles: list[tuple[Principle, PrincipleScore]]
    decisions: list[DecisionReview]
    scene: Scene  # the ending, with the customer's face as the story left them

    @property
    def costly(self) -> list[DecisionReview]:
        return [d for d in self.decisions if not d.is_best]


def build(attempt: Attempt, viewer: User) -> Debrief:
    """The debrief of a finished attempt; the next step is the viewer's own."""
    scenario = content.scenario_of(attempt.version_id)
    found = decisions(scenario, [(step.node_id, step.choice_id) for step in attempt.steps])
    result = score_of(found)
    catalogue = content.library().principles
    rows = [(_principle(catalogue, pid), result.principles[pid])
            for pid in sorted(result.principles, key=lambda p: _order(catalogue, p))]
    reviews = [DecisionReview(step, d.best, d.is_best, d.lost)
               for step, d in zip(attempt.steps, found, strict=True)]
    module = training.module_holding(viewer, scenario.id) \
        if viewer.id == attempt.user_id else None
    verdict = Verdict(scenario.id, bool(attempt.passed), attempt.percent, attempt.pass_mark,
                      attempt.ending_kind, module, module.next_step if module else None)
    chart = percent_chart([(p.name, s.percent, s.best_percent) for p, s in rows])
    ending = scenario.nodes[attempt.ending_node]
    trust = progress.play_state(attempt).values.get("trust")
    return Debrief(attempt, scenario, ending, verdict, chart, rows, reviews,
                   scene_of(scenario, ending, trust))


def _principle(catalogue: dict[str, Principle], pid: str) -> Principle:
    # A principle since removed from the catalogue still shows under its id.
    return catalogue.get(pid) or Principle(pid, pid, "", "", "")


def _order(catalogue: dict[str, Principle], pid: str) -> int:
    ids = list(catalogue)
    return ids.index(pid) if pid in ids else len(ids)

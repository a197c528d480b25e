"""What a person's training looks like: assigned modules, scores, principle strengths."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, func, select

from trainer.engine import Module, Principle
from trainer.engine.score import share
from trainer.extensions import db
from trainer.models import (
    Assignment,
    Attempt,
    AttemptPrinciple,
    Completion,
    PrincipleTotal,
    User,
)
from trainer.store import assignments, content, progress


@dataclass(frozen=True)
class ScenarioLine(assignments.Standing):
    """One scenario of a module, and where the person stands on it."""

    scenario_id: str = ""
    title: str = ""
    pass_mark: int = 0


@dataclass(frozen=True)
class NextStep:
    """Where a module's main button leads, and what it says."""

    line: ScenarioLine
    action: str  # "Start", "Continue" or "Try again"


@dataclass(frozen=True)
class ModuleProgress:
    assignment: Assignment
    module: Module
    status: str
    scenarios: list[ScenarioLine]
    certificate_id: int | None = None  # the latest completion's, once completed at least once

    @property
    def passed(self) -> int:
        return sum(line.passed for line in self.scenarios)

    @property
    def percent_done(self) -> int:
        return round(100 * self.passed / len(self.scenarios))

    @property
    def next_step(self) -> NextStep | None:
        """The scenario the module still needs: one left unfinished first, else the first
        not passed; None once every scenario is passed (a completed module)."""
        return next_step(self.scenarios)


def next_step(lines: list[ScenarioLine]) -> NextStep | None:
    """The one rule for where a learner goes next in a module."""
    needed = [line for line in lines if not line.passed]
    line = next((s for s in needed if s.open_attempt_id), None) or next(iter(needed), None)
    if line is None:
        return None
    action = {assignments.IN_PROGRESS: "Continue",
              assignments.NOT_PASSED: "Try again"}.get(line.status, "Start")
    return NextStep(line, action)


def module_lines(user_id: int, module: Module, results: dict, open_ids: dict[str, int]
                 ) -> list[ScenarioLine]:
    library = content.library()
    return [ScenarioLine(results.get((user_id, sid)), open_ids.get(sid), sid, _title(sid),
                         library.pass_mark(sid)) for sid in module.scenarios]


def my_modules(user: User, today: date,
               module_ids: tuple[str, ...] | None = None) -> list[ModuleProgress]:
    """The person's assignments by due date (of these modules only, if given), with where
    they stand on each scenario."""
    query = (select(Assignment, assignments.status_of(today))
             .where(Assignment.user_id == user.id).order_by(Assignment.due_date, Assignment.id))
    if module_ids is not None:
        query = query.where(Assignment.module_id.in_(module_ids))
    rows = db.session.execute(query).all()
    if not rows:
        return []
    open_ids = progress.open_attempts(user.id)
    modules = [content.module(assignment.module_id) for assignment, _ in rows]
    # One query for the results of every module's scenarios, not one per module.
    results = assignments.scenario_results([user.id], tuple(
        {sid for module in modules if module for sid in module.scenarios}))
    certificates = dict(db.session.execute(
        select(Completion.assignment_id, func.max(Completion.id))
        .where(Completion.user_id == user.id).group_by(Completion.assignment_id)).all())
    renewals = assignments.round_results(  # a renewal counts its own round only
        [(a.user_id, a.module_id, a.round_started_at) for a, _ in rows if a.renewal])
    return [ModuleProgress(assignment, module, status,
                           module_lines(user.id, module, renewals.get(
                               (user.id, module.id), results) if assignment.renewal
                               else results, open_ids),
                           certificates.get(assignment.id))
            for (assignment, status), module in zip(rows, modules, strict=True)
            if module is not None]  # a module since removed from modules.yaml is skipped


def module_holding(user: User, scenario_id: str) -> ModuleProgress | None:
    """After a play-through: the person's assigned module holding this scenario, the one
    due first that still needs something, else the first; None when none holds it."""
    holding = tuple(m.id for m in content.modules() if scenario_id in m.scenarios)
    found = my_modules(user, date.max, holding)
    return next((p for p in found if p.next_step), next(iter(found), None))


def _title(scenario_id: str) -> str:
    scenario = content.current(scenario_id)
    return scenario.title if scenario else scenario_id


@dataclass(frozen=True)
class PrincipleResult:
    principle: Principle
    earned: int
    best: int
    attempts: int

    @property
    def percent(self) -> int:
        """Share of the points at stake on this principle that the choices gained, 0-100."""
        return share(self.earned, self.best)

    @property
    def measured(self) -> bool:
        """False when nothing was at stake on this principle at the decisions played."""
        return self.best > 0

    @property
    def order(self) -> tuple:
        """Weakest first; principles without a verdict last."""
        return (not self.measured, self.percent, self.principle.name)


def principle_results(user_ids: Select | list[int] | None = None,
                      since: datetime | None = None,
                      until: datetime | None = None,
                      scenario_ids: tuple[str, ...] | None = None) -> list[PrincipleResult]:
    """Per principle over finished attempts, weakest first; aggregated in SQL."""
    if user_ids is None and all(moment is None or moment.time() == time.min
                                for moment in (since, until)):
        query = _from_totals(since, until, scenario_ids)
    else:
        query = _from_results(user_ids, since, until, scenario_ids)
    catalogue = content.library().principles
    results = [PrincipleResult(catalogue.get(pid) or Principle(pid, pid, "", "", ""),
                               *(int(number) for number in sums))  # PostgreSQL: Decimal
               for pid, *sums in db.session.execute(query)]
    return sorted(results, key=lambda r: r.order)


def _from_totals(since: datetime | None, until: datetime | None,
                 scenario_ids: tuple[str, ...] | None) -> Select:
    """Everyone's, from the triggers' principle_totals: a few rows per principle and day
    rather than every result. Bounds at midnight select whole days, so a day's key says
    whether each of its attempts is in range."""
    attempts = func.sum(PrincipleTotal.attempts)
    query = (select(PrincipleTotal.principle_id, func.sum(PrincipleTotal.earned),
                    func.sum(PrincipleTotal.best), attempts)
             .group_by(PrincipleTotal.principle_id)
             .having(attempts > 0))  # keys whose results all moved away keep zeros
    if since is not None:
        query = query.where(PrincipleTotal.finished_on >= since.date())
    if until is not None:
        query = query.where(PrincipleTotal.finished_on < until.date())
    if scenario_ids is not None:
        query = query.where(PrincipleTotal.scenario_id.in_(scenario_ids))
    return query


def _from_results(user_ids: Select | list[int] | None, since: datetime | None,
                  until: datetime | None, scenario_ids: tuple[str, ...] | None) -> Select:
    """Some people's (or bounds within a day), from their attempts' result rows; counted
    as principle_totals counts them: attempts with a finished_at."""
    query = (select(AttemptPrinciple.principle_id, func.sum(AttemptPrinciple.earned),
                    func.sum(AttemptPrinciple.best), func.count())
             .join(Attempt, Attempt.id == AttemptPrinciple.attempt_id)
             .where(Attempt.finished_at.is_not(None))
             .group_by(AttemptPrinciple.principle_id))
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(user_ids))
    if since is not None:
        query = query.where(Attempt.finished_at >= since)
    if until is not None:
        query = query.where(Attempt.finished_at < until)
    if scenario_ids is not None:
        query = query.where(Attempt.scenario_id.in_(scenario_ids))
    return query

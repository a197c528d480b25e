"""What a person's training looks like: assigned modules, scores, principle strengths."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, func, select

from trainer.engine import Module, Principle
from trainer.extensions import db
from trainer.models import Assignment, Attempt, AttemptPrinciple, PrincipleTotal, User
from trainer.store import assignments, content


@dataclass(frozen=True)
class ScenarioLine:
    scenario_id: str
    title: str
    best_percent: int | None
    passed: bool
    open_attempt_id: int | None


@dataclass(frozen=True)
class ModuleProgress:
    assignment: Assignment
    module: Module
    status: str
    scenarios: list[ScenarioLine]

    @property
    def passed(self) -> int:
        return sum(line.passed for line in self.scenarios)

    @property
    def percent_done(self) -> int:
        return round(100 * self.passed / len(self.scenarios))

    @property
    def next_scenario(self) -> ScenarioLine | None:
        """Where "continue" goes: an unfinished attempt first, else the first not passed."""
        return next((s for s in self.scenarios if s.open_attempt_id), None) or \
            next((s for s in self.scenarios if not s.passed), None)


def my_modules(user: User, today: date) -> list[ModuleProgress]:
    """The person's assignments by due date, with per-scenario best scores."""
    rows = db.session.execute(
        select(Assignment, assignments.status_of(today))
        .where(Assignment.user_id == user.id).order_by(Assignment.due_date, Assignment.id)).all()
    open_ids = open_attempts(user.id)
    modules = [content.module(assignment.module_id) for assignment, _ in rows]
    # One query for the best scores of every module's scenarios, not one per module.
    best = assignments.best_percents(user.id, tuple({sid for module in modules if module
                                                     for sid in module.scenarios}))
    result = []
    for (assignment, status), module in zip(rows, modules, strict=True):
        if module is None:  # a module since removed from modules.yaml
            continue
        lines = [ScenarioLine(sid, _title(sid), best.get(sid),
                              best.get(sid) is not None and best[sid] >= module.pass_mark,
                              open_ids.get(sid)) for sid in module.scenarios]
        result.append(ModuleProgress(assignment, module, status, lines))
    return result


def open_attempts(user_id: int) -> dict[str, int]:
    return dict(db.session.execute(
        select(Attempt.scenario_id, func.max(Attempt.id))
        .where(Attempt.user_id == user_id, Attempt.status == Attempt.IN_PROGRESS)
        .group_by(Attempt.scenario_id)).all())


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
        """Share of what the best paths earned on this principle (can be below zero)."""
        return round(100 * self.earned / self.best) if self.best > 0 else 0

    @property
    def measured(self) -> bool:
        """False when the best paths earn nothing here and nothing was lost: no verdict."""
        return self.best > 0 or self.earned < 0

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

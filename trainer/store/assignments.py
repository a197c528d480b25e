"""Assignments: who must complete which module by when, their status, and completion."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, literal, select

from trainer.engine import Module
from trainer.engine.modules import AT_END, IMMEDIATE
from trainer.extensions import db
from trainer.models import Assignment, Attempt, DueDateChange, User, utcnow
from trainer.store import completions, content

NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE = "not started", "in progress", "completed", \
    "overdue"
RENEWAL_DUE = "renewal due"  # a completion ran out (recertification) and is due again
STATUSES = (NOT_STARTED, IN_PROGRESS, RENEWAL_DUE, OVERDUE, COMPLETED)
# A scenario's status for one person: NOT_STARTED, IN_PROGRESS, or one of these.
PASSED, NOT_PASSED = "passed", "not passed yet"


@dataclass(frozen=True)
class ScenarioResult:
    """One person's finished attempts at one scenario, summed up."""

    finished: int
    best_percent: int | None
    passed: bool  # some attempt reached the pass mark without a bad ending


@dataclass(frozen=True)
class Standing:
    """Where a person stands on one scenario: their finished attempts summed up (None: never
    finished) and the unfinished attempt to resume (None: none)."""

    result: ScenarioResult | None
    open_attempt_id: int | None

    @property
    def passed(self) -> bool:
        return self.result is not None and self.result.passed

    @property
    def best_percent(self) -> int | None:
        return self.result.best_percent if self.result else None

    @property
    def status(self) -> str:
        """The one wording of where a person stands on a scenario, used on every page."""
        if self.passed:
            return PASSED
        if self.open_attempt_id is not None:
            return IN_PROGRESS
        if self.result is not None and self.result.finished:
            return NOT_PASSED
        return NOT_STARTED


def scenario_results(user_ids, scenario_ids: tuple[str, ...] | None = None
                     ) -> dict[tuple[int, str], ScenarioResult]:
    """(user id, scenario id) -> their finished attempts summed up, in one query (a renewal
    round's own: round_results)."""
    query = (select(Attempt.user_id, Attempt.scenario_id, func.count(),
                    func.max(Attempt.percent),
                    func.max(case((Attempt.passed.is_(True), 1), else_=0)))
             .where(Attempt.user_id.in_(user_ids), Attempt.status == Attempt.FINISHED)
             .group_by(Attempt.user_id, Attempt.scenario_id))
    if scenario_ids is not None:
        query = query.where(Attempt.scenario_id.in_(scenario_ids))
    return {(user_id, sid): ScenarioResult(count, best, bool(passed))
            for user_id, sid, count, best, passed in db.session.execute(query)}


def round_results(rounds: list[tuple[int, str, datetime]]
                  ) -> dict[tuple[int, str], dict[tuple[int, str], ScenarioResult]]:
    """For renewal rounds (user id, module id, when the round opened): each round's results,
    as scenario_results gives them, counting attempts finished since it opened; one query
    for them all, so pages that list renewals keep a fixed number of queries."""
    if not rounds:
        return {}
    modules = content.library().modules
    scenario_ids = {sid for _, module_id, _ in rounds if module_id in modules
                    for sid in modules[module_id].scenarios}
    finished = db.session.execute(
        select(Attempt.user_id, Attempt.scenario_id, Attempt.finished_at, Attempt.percent,
               Attempt.passed)
        .where(Attempt.user_id.in_({user_id for user_id, _, _ in rounds}),
               Attempt.scenario_id.in_(scenario_ids), Attempt.status == Attempt.FINISHED)).all()
    found = {}
    for user_id, module_id, since in rounds:
        module = modules.get(module_id)
        sums: dict[str, list] = {}
        for who, sid, when, percent, passed in finished:
            if who == user_id and module is not None and sid in module.scenarios \
                    and when >= since:
                count, best, any_passed = sums.get(sid, (0, None, False))
                best = percent if best is None or (percent is not None and percent > best) \
                    else best
                sums[sid] = (count + 1, best, any_passed or bool(passed))
        found[user_id, module_id] = {(user_id, sid): ScenarioResult(*values)
                                     for sid, values in sums.items()}
    return found


def assigned_module_holding(user_id: int, scenario_id: str) -> Module | None:
    """The person's assigned module (open or completed) that holds the scenario, if any: one
    query, for every step of the play page. The debrief, which also needs the module's
    progress and next step, uses training.module_holding."""
    modules = content.library().modules
    for module_id in db.session.scalars(select(Assignment.module_id).where(
            Assignment.user_id == user_id).order_by(Assignment.due_date)):
        module = modules.get(module_id)
        if module is not None and scenario_id in module.scenarios:
            return module
    return None


def feedback_mode(user_id: int, scenario_id: str) -> str:
    """At the end when an open assignment's module assesses this scenario, else at once."""
    modules = content.library().modules
    for module_id in db.session.scalars(select(Assignment.module_id).where(
            Assignment.user_id == user_id, Assignment.completed_at.is_(None))):
        module = modules.get(module_id)
        if module is not None and scenario_id in module.scenarios \
                and module.feedback == AT_END:
            return AT_END
    return IMMEDIATE


def status_of(today: date):
    """The status of an assignment as one SQL expression, so lists and reports agree."""
    return case(
        (Assignment.completed_at.is_not(None), literal(COMPLETED)),
        (Assignment.due_date < today, literal(OVERDUE)),
        (Assignment.round_started_at.is_not(None), literal(RENEWAL_DUE)),
        (Assignment.started_at.is_not(None), literal(IN_PROGRESS)),
        else_=literal(NOT_STARTED),
    )


def status_counts(today: date) -> list:
    """SQL aggregates counting assignments as completed, in progress and overdue, by the
    rules of status_of (the rest are not started). Plain tests per row rather than status_of
    itself, which would be worked out once per count: this is the reports' hottest loop."""
    still_open, late = Assignment.completed_at.is_(None), Assignment.due_date < today
    return [func.count(Assignment.completed_at),
            func.count(Assignment.started_at).filter(still_open, ~late),
            func.count().filter(still_open, late)]


@dataclass(frozen=True)
class AssignResult:
    created: int
    updated: int  # already assigned: due date moved, as the assigner asked
    unchanged: int  # already assigned with that date, or already completed
    kept: int = 0  # already assigned: due date kept (the default)
    kept_overdue: int = 0  # of those, already past their due date
    moved_overdue: int = 0  # of those moved, already past their due date


def assign(module: Module, people: list[User], due: date, by: User | None,
           move_due: bool = False, today: date | None = None) -> AssignResult:
    """Assign a module; assigning again never duplicates. Someone who already has it keeps
    their due date unless the assigner asks to move it (`move_due`): an overdue person is not
    taken off the overdue lists by a team-wide assignment made for the others."""
    existing = {a.user_id: a for a in db.session.scalars(
        select(Assignment).where(Assignment.module_id == module.id,
                                 Assignment.user_id.in_([p.id for p in people])))}
    created = updated = unchanged = kept = kept_overdue = moved_overdue = 0
    for person in people:
        found = existing.get(person.id)
        if found is None:
            assignment = Assignment(user_id=person.id, module_id=module.id, due_date=due,
                                    assigned_by_id=by.id if by else None)
            db.session.add(assignment)
            db.session.flush()
            refresh(person.id, module, assignment)
            created += 1
        elif found.completed_at is not None or found.due_date == due:
            unchanged += 1
        elif move_due:
            late = (today - found.due_date).days if today and found.due_date < today else 0
            db.session.add(DueDateChange(assignment_id=found.id, old_due=found.due_date,
                                         new_due=due, days_overdue=late,
                                         changed_by_id=by.id if by else None))
            found.due_date = due
            updated += 1
            moved_overdue += late > 0
        else:
            kept += 1
            kept_overdue += today is not None and found.due_date < today
    db.session.commit()
    return AssignResult(created, updated, unchanged, kept, kept_overdue, moved_overdue)


def refresh(user_id: int, module: Module, assignment: Assignment) -> None:
    """Bring started/completed up to date from the person's attempts: started once any of
    the module's scenarios was begun (before the assignment too, so that the status and
    "1 of 3 passed" agree), completed once every one of them has a passed attempt. In a
    renewal round only attempts finished since the round opened count towards completing it
    (and an attempt begun since, or still open, starts it)."""
    since = assignment.round_started_at
    if assignment.started_at is None:
        query = select(func.min(Attempt.started_at)).where(
            Attempt.user_id == user_id, Attempt.scenario_id.in_(module.scenarios))
        if since is not None:
            query = query.where((Attempt.started_at >= since) | (Attempt.finished_at >= since)
                                | (Attempt.status == Attempt.IN_PROGRESS))
        assignment.started_at = db.session.scalar(query)
    if assignment.completed_at is None:
        results = scenario_results([user_id], module.scenarios) if since is None else \
            round_results([(user_id, module.id, since)])[user_id, module.id]
        if module.completed_by({sid for (_, sid), result in results.items() if result.passed}):
            assignment.completed_at = utcnow()
            assignment.started_at = assignment.started_at or assignment.completed_at
            completions.record(assignment, module, results)


def on_attempt(attempt: Attempt) -> None:
    """Called when an attempt starts or finishes: update that person's open assignments."""
    modules = content.library().modules
    for assignment in db.session.scalars(select(Assignment).where(
            Assignment.user_id == attempt.user_id, Assignment.completed_at.is_(None))):
        module = modules.get(assignment.module_id)
        if module is not None and attempt.scenario_id in module.scenarios:
            if assignment.started_at is None:
                assignment.started_at = attempt.started_at
            if attempt.finished:
                refresh(attempt.user_id, module, assignment)


def due_date_changes(user_id: int) -> list:
    """Every due date of the person's that was moved, newest first, with the module's id:
    how late they were when it moved stays on record."""
    return list(db.session.execute(
        select(DueDateChange, Assignment.module_id)
        .join(Assignment, Assignment.id == DueDateChange.assignment_id)
        .where(Assignment.user_id == user_id)
        .order_by(DueDateChange.changed_at.desc(), DueDateChange.id.desc())).all())

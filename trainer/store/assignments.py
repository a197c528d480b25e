"""Assignments: who must complete which module by when, their status, and completion."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, literal, select

from trainer.engine import Module
from trainer.extensions import db
from trainer.models import Assignment, Attempt, User, utcnow
from trainer.store import content

NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE = "not started", "in progress", "completed", \
    "overdue"
STATUSES = (NOT_STARTED, IN_PROGRESS, OVERDUE, COMPLETED)


def status_of(today: date):
    """The status of an assignment as one SQL expression, so lists and reports agree."""
    return case(
        (Assignment.completed_at.is_not(None), literal(COMPLETED)),
        (Assignment.due_date < today, literal(OVERDUE)),
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
    updated: int  # already assigned: due date moved
    unchanged: int  # already assigned with that date, or already completed


def assign(module: Module, people: list[User], due: date, by: User | None,
           commit: bool = True) -> AssignResult:
    """Assign a module; assigning again never duplicates, it only moves an open due date.

    `commit=False` leaves the transaction open for a caller that writes more with it."""
    existing = {a.user_id: a for a in db.session.scalars(
        select(Assignment).where(Assignment.module_id == module.id,
                                 Assignment.user_id.in_([p.id for p in people])))}
    created = updated = unchanged = 0
    for person in people:
        found = existing.get(person.id)
        if found is None:
            assignment = Assignment(user_id=person.id, module_id=module.id, due_date=due,
                                    assigned_by_id=by.id if by else None)
            db.session.add(assignment)
            db.session.flush()
            refresh(person.id, module, assignment)
            created += 1
        elif found.completed_at is None and found.due_date != due:
            found.due_date = due
            updated += 1
        else:
            unchanged += 1
    if commit:
        db.session.commit()
    return AssignResult(created, updated, unchanged)


def best_percents(user_id: int, scenario_ids: tuple[str, ...]) -> dict[str, int]:
    """Best finished score per scenario for one person."""
    return dict(db.session.execute(
        select(Attempt.scenario_id, func.max(Attempt.percent))
        .where(Attempt.user_id == user_id, Attempt.status == Attempt.FINISHED,
               Attempt.scenario_id.in_(scenario_ids))
        .group_by(Attempt.scenario_id)).all())


def refresh(user_id: int, module: Module, assignment: Assignment) -> None:
    """Bring started/completed up to date from the person's attempts."""
    if assignment.started_at is None:
        first = db.session.scalar(select(func.min(Attempt.started_at)).where(
            Attempt.user_id == user_id, Attempt.scenario_id.in_(module.scenarios),
            Attempt.started_at >= assignment.assigned_at))
        assignment.started_at = first
    if assignment.completed_at is None:
        best = best_percents(user_id, module.scenarios)
        if all(best.get(sid) is not None and best[sid] >= module.pass_mark
               for sid in module.scenarios):
            assignment.completed_at = utcnow()
            assignment.started_at = assignment.started_at or assignment.completed_at


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

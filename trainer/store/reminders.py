"""The reminders owed, kept in sent_mail: each is made once (its key names it), stays pending
until a mail server takes it, and is dropped when it is no longer true (the work was done, the
date moved, the person left).

Kinds, and the key that makes each one once:
- due-soon  `due-soon:<assignment>:<due date>`  within REMIND_DAYS_BEFORE of the due date
- overdue   `overdue:<assignment>:<due date>`   once the due date has passed
- digest    `digest:<manager>:<ISO week>`       made on DIGEST_WEEKDAY, when their teams have
                                                 overdue work; retried until the week ends
A due date that moves (or a renewal that opens) is a new due date, so its reminders are new.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update

from trainer.engine import Module
from trainer.extensions import db
from trainer.models import Assignment, SentMail, Team, User, team_managers, utcnow
from trainer.store import content, teams, training

DUE_SOON, OVERDUE, DIGEST = "due-soon", "overdue", "digest"


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def plan(today: date, days_before: int, digest_weekday: int) -> int:
    """Add the reminders that today makes due and that were never made; how many."""
    wanted: dict[str, tuple[str, int, int | None]] = {}  # key -> kind, person, assignment
    for assignment_id, user_id, due in db.session.execute(
            select(Assignment.id, Assignment.user_id, Assignment.due_date)
            .join(User, User.id == Assignment.user_id)
            .where(Assignment.completed_at.is_(None), User.active.is_(True),
                   Assignment.due_date <= today + timedelta(days=days_before))):
        kind = DUE_SOON if due >= today else OVERDUE
        wanted[f"{kind}:{assignment_id}:{due.isoformat()}"] = (kind, user_id, assignment_id)
    if today.weekday() == digest_weekday:
        for manager_id in _managers_with_overdue_work(today):
            wanted[f"{DIGEST}:{manager_id}:{week_of(today)}"] = (DIGEST, manager_id, None)
    if not wanted:
        return 0
    made = set(db.session.scalars(select(SentMail.key).where(SentMail.key.in_(wanted))))
    new = [SentMail(key=key, kind=kind, user_id=user_id, assignment_id=assignment_id)
           for key, (kind, user_id, assignment_id) in wanted.items() if key not in made]
    db.session.add_all(new)
    db.session.commit()  # a run at the same moment that made one of them fails here, harmlessly
    return len(new)


def _managers_with_overdue_work(today: date) -> list[int]:
    member = User.__table__.alias("member")
    return list(db.session.scalars(
        select(User.id).distinct()
        .join(team_managers, team_managers.c.user_id == User.id)
        .join(member, member.c.team_id == team_managers.c.team_id)
        .join(Assignment, Assignment.user_id == member.c.id)
        .where(User.active.is_(True), member.c.active.is_(True),
               Assignment.completed_at.is_(None), Assignment.due_date < today)))


def pending() -> list[SentMail]:
    return list(db.session.scalars(select(SentMail).where(SentMail.status == SentMail.PENDING)
                                   .order_by(SentMail.id)))


@dataclass(frozen=True)
class Reminder:
    """What one due-soon or overdue reminder says."""

    person: User
    assignment: Assignment
    module: Module
    passed: int  # scenarios passed in this round
    days: int  # until the due date (due-soon, 0: today) or since it (overdue)


@dataclass(frozen=True)
class Digest:
    """A manager's weekly list of their teams' overdue work, team by team."""

    manager: User
    teams: list[tuple[Team, list[teams.OverdueRow]]]

    @property
    def count(self) -> int:
        return sum(len(rows) for _, rows in self.teams)


def what_to_say(row: SentMail, today: date) -> Reminder | Digest | str:
    """What the reminder says now, or why it is no longer needed (a str)."""
    person = db.session.get(User, row.user_id)
    if person is None or not person.active:
        return "the person was deactivated"
    if row.kind == DIGEST:
        if row.key.rsplit(":", 1)[1] != week_of(today):
            return "a newer week's digest replaces it"
        found = [(team, rows) for team in person.managed_teams
                 if (rows := [r for r in teams.overdue([team.id], today) if r.person.active])]
        return Digest(person, found) if found else "nothing of their teams is overdue now"
    assignment = db.session.get(Assignment, row.assignment_id) if row.assignment_id else None
    if assignment is None:
        return "the assignment was removed"
    if assignment.completed_at is not None:
        return "the work was completed"
    if row.key.rsplit(":", 1)[1] != assignment.due_date.isoformat():
        return "the due date moved"
    if row.kind == DUE_SOON and assignment.due_date < today:
        return "the due date passed: the overdue reminder replaces it"
    module = content.module(assignment.module_id)
    if module is None:
        return "the module is no longer offered"
    progress = next((p for p in training.my_modules(person, today, (module.id,))), None)
    passed = progress.passed if progress else 0
    return Reminder(person, assignment, module, passed, abs((assignment.due_date - today).days))


def claim(row: SentMail) -> bool:
    """Take a pending reminder for this run: False when another run took it first."""
    taken = db.session.execute(
        update(SentMail).where(SentMail.id == row.id, SentMail.status == SentMail.PENDING,
                               SentMail.tries == row.tries)
        .values(tries=row.tries + 1).execution_options(synchronize_session=False))
    db.session.commit()
    if taken.rowcount != 1:
        return False
    db.session.refresh(row)
    return True


def sent(row: SentMail) -> None:
    row.status, row.sent_at, row.last_error = SentMail.SENT, utcnow(), ""
    db.session.commit()


def failed(row: SentMail, error: str) -> None:
    row.last_error = error[:1000]  # stays pending: the next run tries again
    db.session.commit()


def dropped(row: SentMail, why: str) -> None:
    row.status, row.last_error = SentMail.DROPPED, why
    db.session.commit()

"""HR's organisation-wide reports, aggregated in SQL: completion, overdue, scores, principles.

Each table is a query; the page shows it and the CSV export streams the same rows.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, case, func, literal, select

from trainer.extensions import db
from trainer.models import Assignment, Attempt, Department, Team, User
from trainer.store import assignments, content, training

NO_TEAM, NO_DEPARTMENT = "(no team)", "(no department)"
BUCKETS = 10  # score histogram: 0-9, 10-19, ..., 90-100


@dataclass(frozen=True)
class Filters:
    """What HR narrows a report to. Dates: assignments due, and attempts finished, in range."""

    date_from: date | None = None
    date_to: date | None = None
    department_id: int | None = None
    team_id: int | None = None
    module_id: str | None = None

    def people(self) -> Select:
        """The ids of the people the report covers (deactivated people included)."""
        query = select(User.id).outerjoin(Team, Team.id == User.team_id)
        if self.department_id is not None:
            query = query.where(Team.department_id == self.department_id)
        if self.team_id is not None:
            query = query.where(User.team_id == self.team_id)
        return query

    def finished_between(self) -> tuple[datetime | None, datetime | None]:
        since = datetime.combine(self.date_from, time.min) if self.date_from else None
        until = datetime.combine(self.date_to + timedelta(days=1), time.min) \
            if self.date_to else None
        return since, until

    def scenario_ids(self) -> tuple[str, ...] | None:
        module = content.module(self.module_id) if self.module_id else None
        return module.scenarios if module else None


def _assignments(filters: Filters) -> Select:
    query = (select().select_from(Assignment).join(User, User.id == Assignment.user_id)
             .outerjoin(Team, Team.id == User.team_id)
             .outerjoin(Department, Department.id == Team.department_id))
    if filters.department_id is not None:
        query = query.where(Team.department_id == filters.department_id)
    if filters.team_id is not None:
        query = query.where(User.team_id == filters.team_id)
    if filters.module_id:
        query = query.where(Assignment.module_id == filters.module_id)
    if filters.date_from:
        query = query.where(Assignment.due_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Assignment.due_date <= filters.date_to)
    return query


@dataclass(frozen=True)
class CompletionRow:
    labels: tuple[str, ...]  # (department,), (department, team) or (module title,)
    assigned: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int

    @property
    def label(self) -> str:
        return " / ".join(self.labels)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.assigned) if self.assigned else 0


COMPLETION_HEADERS = ["assigned", "completed", "in progress", "not started", "overdue",
                      "completed %"]


def completion(filters: Filters, by: str, today: date) -> list[CompletionRow]:
    """Assignments counted by status, per department, team or module."""
    status = assignments.status_of(today)
    department = func.coalesce(Department.name, literal(NO_DEPARTMENT))
    labels = {
        "department": (department,),
        "team": (department, func.coalesce(Team.name, literal(NO_TEAM))),
        "module": (Assignment.module_id,),
    }[by]

    def count(value: str):
        return func.sum(case((status == value, 1), else_=0))

    query = (_assignments(filters)
             .add_columns(*labels, func.count(), count(assignments.COMPLETED),
                          count(assignments.IN_PROGRESS), count(assignments.NOT_STARTED),
                          count(assignments.OVERDUE))
             .group_by(*labels).order_by(*labels))
    rows = []
    for row in db.session.execute(query):
        *names, assigned, completed, in_progress, not_started, overdue = row
        if by == "module":
            module = content.module(names[0])
            names = [module.title if module else names[0]]
        rows.append(CompletionRow(tuple(names), assigned, int(completed),
                                  int(in_progress), int(not_started), int(overdue)))
    return rows


OVERDUE_HEADERS = ["name", "email", "department", "team", "module", "due date", "days overdue"]


def overdue(filters: Filters, today: date, limit: int | None = None) -> Iterator[tuple]:
    """Every open assignment past its due date, oldest first; streamed for the export."""
    query = (_assignments(filters)
             .add_columns(User.name, User.email, Department.name, Team.name,
                          Assignment.module_id, Assignment.due_date)
             .where(Assignment.completed_at.is_(None), Assignment.due_date < today)
             .order_by(Assignment.due_date, User.name, Assignment.id))
    if limit:
        query = query.limit(limit)
    for name, email, department, team, module_id, due in db.session.execute(
            query.execution_options(yield_per=2000)):
        yield (name, email, department or NO_DEPARTMENT, team or NO_TEAM, module_id,
               due.isoformat(), (today - due).days)


def overdue_count(filters: Filters, today: date) -> int:
    return db.session.scalar(_assignments(filters).add_columns(func.count()).where(
        Assignment.completed_at.is_(None), Assignment.due_date < today))


SCORE_HEADERS = ["score range", "finished attempts"]


def score_histogram(filters: Filters) -> list[tuple[str, int]]:
    """Finished attempts in the period by score, in ten bands."""
    band = case((Attempt.percent >= 100, BUCKETS - 1), else_=Attempt.percent // 10)
    query = (select(band, func.count()).where(Attempt.status == Attempt.FINISHED,
                                              Attempt.user_id.in_(filters.people()))
             .group_by(band))
    since, until = filters.finished_between()
    if since:
        query = query.where(Attempt.finished_at >= since)
    if until:
        query = query.where(Attempt.finished_at < until)
    if filters.scenario_ids() is not None:
        query = query.where(Attempt.scenario_id.in_(filters.scenario_ids()))
    counts = {int(b): n for b, n in db.session.execute(query)}
    return [(f"{b * 10}-{b * 10 + 9 if b < BUCKETS - 1 else 100}%", counts.get(b, 0))
            for b in range(BUCKETS)]


PRINCIPLE_HEADERS = ["principle", "earned", "best paths earned", "score %",
                     "finished attempts"]


def principles(filters: Filters) -> list[training.PrincipleResult]:
    since, until = filters.finished_between()
    return training.principle_results(filters.people(), since, until, filters.scenario_ids())


def table(name: str, filters: Filters, today: date) -> tuple[list[str], Iterator[tuple]]:
    """One report table as headers and rows, for the CSV export."""
    if name in ("department", "team", "module"):
        label = ["department", "team"] if name == "team" else [name]
        rows = completion(filters, name, today)
        return label + COMPLETION_HEADERS, (
            (*r.labels, r.assigned, r.completed, r.in_progress,
             r.not_started, r.overdue, r.percent) for r in rows)
    if name == "overdue":
        return OVERDUE_HEADERS, overdue(filters, today)
    if name == "scores":
        return SCORE_HEADERS, iter(score_histogram(filters))
    if name == "principles":
        return PRINCIPLE_HEADERS, ((r.principle.name, r.earned, r.best, r.percent, r.attempts)
                                   for r in principles(filters))
    raise KeyError(name)


TABLES = ("department", "team", "module", "overdue", "scores", "principles")

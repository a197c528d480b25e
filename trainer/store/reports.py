"""HR's organisation-wide reports, aggregated in SQL: completion, overdue, scores, principles.

Each table is a query; the page shows it and the CSV export streams the same rows.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

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

    @property
    def by_people(self) -> bool:
        return self.department_id is not None or self.team_id is not None

    def people(self) -> Select | None:
        """The ids of the people the report covers (deactivated people included); None when
        it covers everyone, so the queries need no test per row."""
        if not self.by_people:
            return None
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


def _assignments(filters: Filters, people: bool = False, names: bool = False) -> Select:
    """Assignments under the filters; joined to their person (`people`) and to the team and
    department names (`names`) only when asked or filtered on, since every join costs a
    lookup per assignment."""
    query = select().select_from(Assignment)
    if people or names or filters.by_people:
        query = query.join(User, User.id == Assignment.user_id)
    if names or filters.department_id is not None:
        query = query.outerjoin(Team, Team.id == User.team_id)
    if names:
        query = query.outerjoin(Department, Department.id == Team.department_id)
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
    return completions(filters, today)[by]


def completions(filters: Filters, today: date) -> dict[str, list[CompletionRow]]:
    """The three completion tables: assignments counted per team and per module in SQL (each
    a single pass over an index, no sort), then added up per department here."""
    names = {team_id: (department, team) for team_id, department, team in db.session.execute(
        select(Team.id, Department.name, Team.name).join(Department))}
    by_department: dict[tuple, list[int]] = {}
    by_team: dict[tuple, list[int]] = {}
    for team_id, *counts in _counted(filters, User.team_id, today):
        department, team = names.get(team_id, (NO_DEPARTMENT, NO_TEAM))
        for totals, labels in ((by_department, (department,)), (by_team, (department, team))):
            row = totals.setdefault(labels, [0] * 5)
            for i, number in enumerate(counts):
                row[i] += number
    by_module = {(module_id,): counts for module_id, *counts in
                 _counted(filters, Assignment.module_id, today)}
    return {by: [CompletionRow(_titled(labels) if by == "module" else labels, *counts)
                 for labels, counts in sorted(rows.items())]
            for by, rows in (("department", by_department), ("team", by_team),
                             ("module", by_module))}


def _counted(filters: Filters, key, today: date) -> Iterator[tuple]:
    """Per `key`: assigned, completed, in progress, not started, overdue. Counted with a
    filter per status rather than grouped by status, which would sort the assignments."""
    query = (_assignments(filters, people=key is User.team_id)
             .add_columns(key, func.count(), *assignments.status_counts(today)).group_by(key))
    for value, assigned, completed, in_progress, overdue in db.session.execute(query):
        yield value, assigned, completed, in_progress, \
            assigned - completed - in_progress - overdue, overdue


def _titled(labels: tuple[str]) -> tuple[str]:
    module = content.module(labels[0])
    return (module.title if module else labels[0],)


# The page's column names and the export's are the same words, in the same order.
OVERDUE_HEADERS = ["Name", "Email", "Department", "Team", "Module", "Due", "Days late"]


def overdue(filters: Filters, today: date, limit: int | None = None) -> Iterator[tuple]:
    """Every open assignment past its due date, oldest first; streamed for the export."""
    query = (_assignments(filters, names=True)
             .add_columns(User.name, User.email, Department.name, Team.name,
                          Assignment.module_id, Assignment.due_date)
             .where(Assignment.completed_at.is_(None), Assignment.due_date < today)
             .order_by(Assignment.due_date, User.name, Assignment.id))
    if limit:
        query = query.limit(limit)
    titles = {m.id: m.title for m in content.modules()}  # as every page names a module
    for name, email, department, team, module_id, due in db.session.execute(
            query.execution_options(yield_per=2000)):
        yield (name, email, department or NO_DEPARTMENT, team or NO_TEAM,
               titles.get(module_id, module_id), due.isoformat(), (today - due).days)


def overdue_total(tables: dict[str, list[CompletionRow]]) -> int:
    """How many assignments are overdue, from completions(): each one is in exactly one
    module row, so no second pass over the assignments is needed."""
    return sum(row.overdue for row in tables["module"])


SCORE_HEADERS = ["score range", "finished attempts"]


def score_histogram(filters: Filters) -> list[tuple[str, int]]:
    """Finished attempts in the period by score, in ten bands: counted per percent in SQL
    (in the order of ix_attempts_scores, so without a sort), put in bands here."""
    query = (select(Attempt.percent, func.count()).where(Attempt.status == Attempt.FINISHED)
             .group_by(Attempt.percent))
    if filters.people() is not None:
        query = query.where(Attempt.user_id.in_(filters.people()))
    since, until = filters.finished_between()
    if since:
        query = query.where(Attempt.finished_at >= since)
    if until:
        query = query.where(Attempt.finished_at < until)
    if filters.scenario_ids() is not None:
        query = query.where(Attempt.scenario_id.in_(filters.scenario_ids()))
    counts = [0] * BUCKETS
    for percent, number in db.session.execute(query):
        band = _band(percent)
        if 0 <= band < BUCKETS:
            counts[band] += number
    return [(f"{b * 10}-{b * 10 + 9 if b < BUCKETS - 1 else 100}%", counts[b])
            for b in range(BUCKETS)]


def _band(percent: int | None) -> int:
    """The band of a score: tens, with 100 (and anything above) in the top band."""
    if percent is None:
        return -1
    return BUCKETS - 1 if percent >= 100 else int(percent / 10)  # truncated, as SQL divides


PRINCIPLE_HEADERS = ["principle", "points gained", "points at stake", "score %",
                     "finished attempts"]


def principles(filters: Filters) -> list[training.PrincipleResult]:
    since, until = filters.finished_between()
    return training.principle_results(filters.people(), since, until, filters.scenario_ids())


def _completion_table(by: str):
    def table(filters: Filters, today: date) -> tuple[list[str], Iterator[tuple]]:
        label = ["department", "team"] if by == "team" else [by]
        return label + COMPLETION_HEADERS, (
            (*r.labels, r.assigned, r.completed, r.in_progress, r.not_started, r.overdue,
             r.percent) for r in completion(filters, by, today))
    return table


def _principle_table(filters: Filters, _today: date) -> tuple[list[str], Iterator[tuple]]:
    return PRINCIPLE_HEADERS, ((r.principle.name, r.earned, r.best,
                                r.percent if r.best > 0 else "", r.attempts)
                               for r in principles(filters))


# Every report table HR can download: name -> (filters, today) -> (headers, rows). A table
# added here is exported at /reports/<name>.csv and checked by the export tests.
REPORTS: dict[str, Callable[[Filters, date], tuple[list[str], Iterator[tuple]]]] = {
    "department": _completion_table("department"),
    "team": _completion_table("team"),
    "module": _completion_table("module"),
    "overdue": lambda filters, today: (OVERDUE_HEADERS, overdue(filters, today)),
    "scores": lambda filters, _today: (SCORE_HEADERS, iter(score_histogram(filters))),
    "principles": _principle_table,
}
TABLES = tuple(REPORTS)


def table(name: str, filters: Filters, today: date) -> tuple[list[str], Iterator[tuple]]:
    """One report table as headers and rows, for the CSV export (KeyError: no such table)."""
    return REPORTS[name](filters, today)


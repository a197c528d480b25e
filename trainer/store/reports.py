"""HR's organisation-wide reports, aggregated in SQL: completion, overdue, scores, principles,
completions and scores per month, and who is certified on a day.

Each table is a query; the page shows it and the CSV export streams the same rows.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, cast, extract, func, select

from trainer.extensions import db
from trainer.models import Assignment, Attempt, Completion, Department, Team, User
from trainer.store import assignments, content, training
from trainer.store.completions import certified

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
    as_of: date | None = None  # the day "certified" is counted on; None: today

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
    # What the row is about, for the page's links: the department's id, the team's or the
    # module's (None: no team or department). Not a figure, so rows compare without it.
    id: int | str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return " / ".join(self.labels)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.assigned) if self.assigned else 0


COMPLETION_HEADERS = [_l("assigned"), _l("completed"), _l("in progress"), _l("not started"),
                      _l("overdue"), _l("completed %")]


def completion(filters: Filters, by: str, today: date) -> list[CompletionRow]:
    """Assignments counted by status, per department, team or module."""
    return completions(filters, today)[by]


def completions(filters: Filters, today: date) -> dict[str, list[CompletionRow]]:
    """The three completion tables: assignments counted per team and per module in SQL (each
    a single pass over an index, no sort), then added up per department here."""
    names = {team_id: (department, team, department_id) for team_id, department, team,
             department_id in db.session.execute(
                 select(Team.id, Department.name, Team.name, Department.id).join(Department))}
    by_department: dict[tuple, list[int]] = {}
    by_team: dict[tuple, list[int]] = {}
    ids: dict[tuple, int | str | None] = {}  # labels -> the id of what they name
    for team_id, *counts in _counted(filters, User.team_id, today):
        department, team, department_id = names.get(team_id, (NO_DEPARTMENT, NO_TEAM, None))
        ids[department,] = department_id
        ids[department, team] = team_id
        for totals, labels in ((by_department, (department,)), (by_team, (department, team))):
            row = totals.setdefault(labels, [0] * 5)
            for i, number in enumerate(counts):
                row[i] += number
    by_module = {(module_id,): counts for module_id, *counts in
                 _counted(filters, Assignment.module_id, today)}
    ids.update({labels: labels[0] for labels in by_module})
    curriculum = {m.id: place for place, m in enumerate(content.modules())}
    in_order = {"department": sorted, "team": sorted,  # modules in curriculum order
                "module": lambda items: sorted(items, key=lambda item: (
                    curriculum.get(item[0][0], len(curriculum)), item[0][0]))}
    return {by: [CompletionRow(_titled(labels) if by == "module" else labels, *counts,
                               id=ids[labels])
                 for labels, counts in in_order[by](rows.items())]
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
OVERDUE_HEADERS = [_l("Name"), _l("Email"), _l("Department"), _l("Team"), _l("Module"), _l("Due"),
                   _l("Days late")]


@dataclass(frozen=True)
class OverdueRow:
    """An overdue assignment as the page lists it: its cells (as OVERDUE_HEADERS) and the
    person's id for the link to them, which the export leaves out."""

    user_id: int
    cells: tuple


def overdue(filters: Filters, today: date, limit: int | None = None) -> Iterator[tuple]:
    """Every open assignment past its due date, oldest first; streamed for the export."""
    return (row.cells for row in _overdue_rows(filters, today, limit))


def overdue_page(filters: Filters, today: date, page: int, per_page: int) -> list[OverdueRow]:
    """One page of the overdue list (pages numbered from 1), in the export's order."""
    return list(_overdue_rows(filters, today, per_page, (page - 1) * per_page))


def _overdue_rows(filters: Filters, today: date, limit: int | None = None,
                  offset: int = 0) -> Iterator[OverdueRow]:
    query = (_assignments(filters, names=True)
             .add_columns(User.id, User.name, User.email, Department.name, Team.name,
                          Assignment.module_id, Assignment.due_date)
             .where(Assignment.completed_at.is_(None), Assignment.due_date < today)
             .order_by(Assignment.due_date, User.name, Assignment.id))
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    titles = {m.id: m.title for m in content.modules()}  # as every page names a module
    for user_id, name, email, department, team, module_id, due in db.session.execute(
            query.execution_options(yield_per=2000)):
        yield OverdueRow(user_id, (name, email, department or NO_DEPARTMENT, team or NO_TEAM,
                                   titles.get(module_id, module_id), due.isoformat(),
                                   (today - due).days))


def overdue_total(tables: dict[str, list[CompletionRow]]) -> int:
    """How many assignments are overdue, from completions(): each one is in exactly one
    module row, so no second pass over the assignments is needed."""
    return sum(row.overdue for row in tables["module"])


SCORE_HEADERS = [_l("score range"), _l("finished attempts")]


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


PRINCIPLE_HEADERS = [_l("principle"), _l("points gained"), _l("points at stake"), _l("score %"),
                     _l("finished attempts")]


def principles(filters: Filters) -> list[training.PrincipleResult]:
    since, until = filters.finished_between()
    return training.principle_results(filters.people(), since, until, filters.scenario_ids())


MONTHLY_HEADERS = [_l("month"), _l("completions"), _l("people who completed"),
                   _l("average score %")]
MAX_MONTHS = 120  # a longer period shows its last ten years: a table, not a ledger


@dataclass(frozen=True)
class MonthRow:
    month: date  # its first day
    completions: int  # completed rounds of assignments (the completions history)
    people: int  # how many people completed something
    average: int | None  # the mean score of the attempts finished then; None: none were

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


def monthly_period(filters: Filters, today: date) -> tuple[date, date]:
    """The days the monthly table covers: the filters' period, by default the twelve
    calendar months up to today (or up to its end), at most MAX_MONTHS months."""
    end = filters.date_to or today
    earliest = _add_months(end.replace(day=1), 1 - MAX_MONTHS)
    start = filters.date_from or _add_months(end.replace(day=1), -11)
    return max(start, earliest), end


def monthly(filters: Filters, today: date) -> list[MonthRow]:
    """Per calendar month of the period: completions, people who completed, and the average
    score of attempts finished; months with nothing are there with zeros. Grouped by year and
    month in SQL with EXTRACT, which SQLAlchemy writes for each database (strftime on SQLite
    only), so each count is one pass over its rows in the period."""
    start, end = monthly_period(filters, today)
    if start > end:  # a period backwards holds no month
        return []
    since, until = datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1),
                                                                       time.min)
    done = _by_month(Completion.completed_at, func.count(),
                     func.count(Completion.user_id.distinct()))
    done = done.where(Completion.completed_at >= since, Completion.completed_at < until)
    scored = _by_month(Attempt.finished_at, func.sum(Attempt.percent), func.count(Attempt.percent))
    scored = scored.where(Attempt.status == Attempt.FINISHED, Attempt.finished_at >= since,
                          Attempt.finished_at < until)
    if filters.people() is not None:
        done = done.where(Completion.user_id.in_(filters.people()))
        scored = scored.where(Attempt.user_id.in_(filters.people()))
    if filters.module_id:
        done = done.where(Completion.module_id == filters.module_id)
    if filters.scenario_ids() is not None:
        scored = scored.where(Attempt.scenario_id.in_(filters.scenario_ids()))
    counts = {(year, month): (number, people)
              for year, month, number, people in db.session.execute(done)}
    scores = {(year, month): (total, number)
              for year, month, total, number in db.session.execute(scored)}
    rows = []
    month = start.replace(day=1)
    while month <= end:
        number, people = counts.get((month.year, month.month), (0, 0))
        total, scored_count = scores.get((month.year, month.month), (0, 0))
        rows.append(MonthRow(month, number, people, _half_up(total, scored_count)))
        month = _add_months(month, 1)
    return rows


def _by_month(moment, *aggregates) -> Select:
    year, month = (cast(extract(part, moment), Integer) for part in ("year", "month"))
    return select(year, month, *aggregates).group_by(year, month)


def _half_up(total, count: int) -> int | None:
    """total / count rounded half up, in whole numbers (no float, whatever SUM returns)."""
    return (2 * int(total) + count) // (2 * count) if count else None


def _add_months(first_day: date, months: int) -> date:
    index = first_day.year * 12 + first_day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


CERTIFIED_HEADERS = [_l("module"), _l("people certified"), _l("on")]  # the day, kept in the file


@dataclass(frozen=True)
class CertifiedRow:
    module_id: str
    label: str
    people: int


def certified_on(filters: Filters, today: date) -> list[CertifiedRow]:
    """Per module (every module of the curriculum, or the one filtered on), how many of the
    people covered are certified on the filters' day (as_of, by default today): completed by
    then and not run out. A module since removed is listed by its id when someone holds it."""
    pairs = certified(filters.as_of or today, filters.people(), filters.module_id).subquery()
    counts = dict(db.session.execute(select(pairs.c.module_id, func.count())
                                     .group_by(pairs.c.module_id)).all())
    modules = [m for m in content.modules() if filters.module_id in (None, m.id)]
    known = {m.id for m in modules}
    return [CertifiedRow(m.id, m.title, counts.get(m.id, 0)) for m in modules] + \
        [CertifiedRow(module_id, module_id, counts[module_id])
         for module_id in sorted(counts) if module_id not in known]


def _completion_table(by: str):
    def table(filters: Filters, today: date) -> tuple[list[str], Iterator[tuple]]:
        label = [_l("department"), _l("team")] if by == "team" else [
            {"department": _l("department"), "module": _l("module")}[by]]
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
    "monthly": lambda filters, today: (MONTHLY_HEADERS, (
        (r.label, r.completions, r.people, "" if r.average is None else r.average)
        for r in monthly(filters, today))),
    "certified": lambda filters, today: (CERTIFIED_HEADERS, (
        (r.label, r.people, (filters.as_of or today).isoformat())
        for r in certified_on(filters, today))),
}
TABLES = tuple(REPORTS)


def table(name: str, filters: Filters, today: date) -> tuple[list[str], Iterator[tuple]]:
    """One report table as headers and rows, for the CSV export (KeyError: no such table)."""
    return REPORTS[name](filters, today)


"""What managers follow: a team's matrix, its overdue work, and the choices it makes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, selectinload

from trainer.extensions import db
from trainer.models import (
    ADMIN,
    HR,
    MANAGER,
    Assignment,
    Attempt,
    Department,
    ScenarioVersion,
    Step,
    Team,
    User,
    team_managers,
)
from trainer.store import assignments, content


def is_lead_of_all(user: User) -> bool:
    """HR and administrators see every team and person."""
    return bool({HR, ADMIN} & user.roles)


def visible_team_ids(viewer: User) -> Select:
    """The teams a viewer may follow: all for HR and admins, their own for managers."""
    if is_lead_of_all(viewer):
        return select(Team.id)
    return select(team_managers.c.team_id).where(team_managers.c.user_id == viewer.id)


def can_see_person(viewer: User, person: User) -> bool:
    """Oneself always; a manager their teams' members; HR and admins everyone."""
    if person.id == viewer.id or is_lead_of_all(viewer):
        return True
    return person.team_id is not None and MANAGER in viewer.roles \
        and team_for(viewer, person.team_id) is not None


def person_for(viewer: User, user_id: int) -> User | None:
    """The person if the viewer may follow them; nobody else's is ever returned."""
    person = db.session.get(User, user_id)
    return person if person is not None and can_see_person(viewer, person) else None


def visible_teams(viewer: User) -> list[Team]:
    # The team list shows each team's department, managers and size: loaded here in three
    # statements, not three per team.
    return list(db.session.scalars(
        select(Team).join(Department).where(Team.id.in_(visible_team_ids(viewer)))
        .options(contains_eager(Team.department), selectinload(Team.managers),
                 selectinload(Team.members))
        .order_by(Department.name, Team.name)))


def team_for(viewer: User, team_id: int) -> Team | None:
    """The team if the viewer may follow it; nobody else's is ever returned."""
    return db.session.scalar(select(Team).where(Team.id == team_id,
                                                Team.id.in_(visible_team_ids(viewer))))


@dataclass(frozen=True)
class Cell:
    status: str
    passed: int
    of: int
    average_best: int | None  # mean of best scores over the module's scenarios played


@dataclass(frozen=True)
class Matrix:
    people: list[User]  # in the order asked for: by name, or by a module's status or score
    module_ids: list[str]
    cells: dict[tuple[int, str], Cell]  # (user id, module id) -> cell; absent: not assigned
    sort: str = "name"  # as sorted: name, status or score
    sort_module: str | None = None  # the module sorted on (status and score)


SORTS = ("name", "status", "score")
# Sorted by status, the most urgent first; a module not assigned comes last.
STATUS_ORDER = (assignments.OVERDUE, assignments.RENEWAL_DUE, assignments.NOT_STARTED,
                assignments.IN_PROGRESS, assignments.COMPLETED)


def matrix(team: Team, today: date, sort: str = "name",
           sort_module: str | None = None) -> Matrix:
    """People x assigned modules, with status and scores; a fixed number of queries. Sorted
    by name, or by their status or average best score (lowest first, none last) in one of
    the modules shown; anything else sorts by name."""
    people = list(db.session.scalars(select(User).where(User.team_id == team.id)
                                     .order_by(User.name)))
    ids = [p.id for p in people]
    rows = db.session.execute(
        select(Assignment.user_id, Assignment.module_id, assignments.status_of(today),
               Assignment.round_started_at)
        .where(Assignment.user_id.in_(ids))).all()
    results = assignments.scenario_results(ids)
    renewals = assignments.round_results(  # a renewal counts its own round only
        [(user_id, module_id, since) for user_id, module_id, _, since in rows if since])
    cells = {}
    for user_id, module_id, status, round_started in rows:
        module = content.module(module_id)
        if module is None:
            continue
        counted = results if round_started is None else renewals[user_id, module_id]
        found = [counted[user_id, s] for s in module.scenarios if (user_id, s) in counted]
        scores = [result.best_percent for result in found]
        passed = sum(result.passed for result in found)
        cells[user_id, module_id] = Cell(status, passed, len(module.scenarios),
                                         round(sum(scores) / len(scores)) if scores else None)
    assigned = {module_id for _, module_id in cells}
    module_ids = [m.id for m in content.modules() if m.id in assigned]  # curriculum order
    if sort not in SORTS[1:] or sort_module not in module_ids:
        return Matrix(people, module_ids, cells)
    return Matrix(_sorted(people, cells, sort, sort_module), module_ids, cells, sort,
                  sort_module)


def _sorted(people: list[User], cells: dict, sort: str, module_id: str) -> list[User]:
    """People (already by name, which breaks ties: the sort is stable) by their cell in a
    module: status by urgency, or average best score from the lowest; not assigned, or no
    score yet, last."""
    def key(person: User) -> tuple:
        cell = cells.get((person.id, module_id))
        if sort == "status":
            return (len(STATUS_ORDER) if cell is None else STATUS_ORDER.index(cell.status),)
        score = cell.average_best if cell else None
        return (score is None, score or 0)
    return sorted(people, key=key)


def matrix_table(found: Matrix) -> tuple[list[str], list[tuple]]:
    """The matrix as headers and rows for the CSV export: person, email, then per module
    (by its title, in curriculum order) status, scenarios passed of all, average best."""
    titles = {m.id: m.title for m in content.modules()}
    headers = [_l("Person"), _l("Email")]  # as the page and the overdue export name them
    for module_id in found.module_ids:
        title = titles.get(module_id, module_id)
        headers += [_("%(title)s: status", title=title), _("%(title)s: passed", title=title),
                    _("%(title)s: average best", title=title)]
    rows = []
    for person in found.people:
        row = [person.name, person.email]
        for module_id in found.module_ids:
            cell = found.cells.get((person.id, module_id))
            # "2 of 3", not "2/3", which a spreadsheet would read as a date.
            row += ([cell.status, f"{cell.passed} of {cell.of}", cell.average_best]
                    if cell else ["not assigned", "", ""])
        rows.append(tuple(row))
    return headers, rows


@dataclass(frozen=True)
class OverdueRow:
    person: User
    module_id: str
    due_date: date
    days: int
    renewal: bool = False  # a completion that ran out and was not renewed in time


def overdue(team_ids, today: date) -> list[OverdueRow]:
    rows = db.session.execute(
        select(User, Assignment.module_id, Assignment.due_date, Assignment.round_started_at)
        .join(Assignment, Assignment.user_id == User.id)
        .where(User.team_id.in_(team_ids), Assignment.completed_at.is_(None),
               Assignment.due_date < today)
        .order_by(Assignment.due_date, User.name)).all()
    return [OverdueRow(user, module_id, due, (today - due).days, round_started is not None)
            for user, module_id, due, round_started in rows]


def person_attempts(person: User) -> list[Attempt]:
    # Each row shows its scenario version's title: loaded together, not one per version.
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == person.id)
                                   .options(selectinload(Attempt.version))
                                   .order_by(Attempt.started_at.desc(), Attempt.id.desc())))


def attempt_of_person(person: User, attempt_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).filter_by(id=attempt_id, user_id=person.id))


@dataclass(frozen=True)
class OptionCount:
    choice_id: str
    text: str
    points: int  # the option's total weight
    lost: int  # points it gives away against the best option at its decision: > 0, a slip
    times: int


@dataclass(frozen=True)
class DecisionCounts:
    node_id: str
    situation: str
    options: list[OptionCount]

    @property
    def total(self) -> int:
        return sum(option.times for option in self.options)


def choice_counts(team: Team, scenario_id: str) -> list[DecisionCounts]:
    """At each decision of the current version of a scenario, how often the team picked each
    option (earlier versions may number their options differently, so they are left out)."""
    scenario = content.current(scenario_id)
    if scenario is None:
        return []
    this_version = select(ScenarioVersion.id).filter_by(scenario_id=scenario_id,
                                                        version=scenario.version)
    counts = {}
    for node_id, choice_id, times in db.session.execute(
            select(Step.node_id, Step.choice_id, func.count())
            .join(Attempt, Attempt.id == Step.attempt_id)
            .join(User, User.id == Attempt.user_id)
            .where(User.team_id == team.id, Attempt.version_id.in_(this_version))
            .group_by(Step.node_id, Step.choice_id)):
        counts[node_id, choice_id] = times
    decisions = []
    for node in scenario.nodes.values():
        if not node.choices:
            continue
        # The best on offer whatever the state: options shown only under a condition are
        # compared with the best of those always shown, when there are any.
        always = [c.points for c in node.choices if c.condition is None]
        best = max(always or [c.points for c in node.choices])
        options = [OptionCount(c.id, c.text, c.points, max(0, best - c.points),
                               counts.get((node.id, c.id), 0)) for c in node.choices]
        if any(o.times for o in options):
            options.sort(key=lambda o: -o.times)
            decisions.append(DecisionCounts(node.id, node.text, options))
    return decisions


def assign_targets(viewer: User, team: Team | None) -> list[tuple[str, str]]:
    """What the assign form offers: a team and its members, or (HR, admins) whole
    departments and teams."""
    if team is not None:
        members = [(f"user:{p.id}", p.name) for p in team.members if p.active]
        return [(f"team:{team.id}", f"The whole team: {team.name}"), *members]
    targets = []
    if is_lead_of_all(viewer):
        targets += [(f"department:{d.id}", f"Department: {d.name}") for d in
                    db.session.scalars(select(Department).order_by(Department.name))]
    targets += [(f"team:{t.id}", f"Team: {t.department.name} / {t.name}")
                for t in visible_teams(viewer)]
    return targets


def resolve_target(viewer: User, target: str) -> list[User] | None:
    """The active people a target names, or None if the viewer may not assign to it."""
    kind, _, raw_id = target.partition(":")
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):  # fits a BIGINT
        return None
    target_id = int(raw_id)
    if kind == "user":
        person = db.session.get(User, target_id)
        ok = person is not None and person.active and person.team_id is not None \
            and team_for(viewer, person.team_id) is not None
        return [person] if ok else None
    if kind == "team":
        team = team_for(viewer, target_id)
        return [p for p in team.members if p.active] if team else None
    if kind == "department" and is_lead_of_all(viewer) \
            and db.session.get(Department, target_id) is not None:
        return list(db.session.scalars(
            select(User).join(Team, Team.id == User.team_id)
            .where(Team.department_id == target_id, User.active.is_(True))))
    return None

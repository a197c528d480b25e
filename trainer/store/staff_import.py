"""Importing staff from a CSV exported by the HR system: check every row, preview, then apply.

Keyed on email: importing the same file twice changes nothing. Every row is checked before the
first write, and while any row is bad nothing is written. Roles in the file are added, never
taken away (an admin may have granted more). Only an administrator edits administrators on the
people pages, so an importer who is not one may not change an administrator, nor name a
manager of a team that an administrator belongs to or manages.

A checked file is written in batches of BATCH rows, each its own short transaction, so that
other writers (players' choices) take SQLite's one write lock between them. A process that
dies between two batches leaves the import partly written; importing the file again completes
it, since it is keyed on email: the people already written are found (with their onboarding),
the rest are created, and missing manager links are added.

Between its preview and its confirmation an uploaded file waits in the database:
trainer/store/staff_uploads.py.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import insert, select, union, update

from trainer.extensions import db
from trainer.models import (
    ADMIN,
    EMPLOYEE,
    MANAGER,
    ROLES,
    Assignment,
    Department,
    Team,
    User,
    UserRole,
    team_managers,
)
from trainer.store import content, org

COLUMNS = ("name", "email", "department", "team", "manager_email", "role", "start_date")
REQUIRED = ("name", "email", "department", "team")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")  # and day/month/year when only one reading exists
ONBOARDING = "onboarding"
ONBOARDING_DAYS = 14
MAX_NAME = 120  # the longest name of a person, department or team the database keeps
FIRST_YEAR, LAST_YEAR = 1900, 2200  # start dates outside these are typing mistakes
BATCH = 500  # rows written per transaction: a few milliseconds of SQLite's write lock
PAUSE = 0.005  # seconds between batches, for a writer waiting on the lock to take it
LOOKUP = 5000  # emails per query, well under every database's limit of bound parameters
SNIFF = 512  # bytes looked at to tell UTF-16 text without a byte-order mark


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Row:
    line: int
    name: str
    email: str
    department: str
    team: str
    manager_email: str
    roles: set[str]
    start_date: date | None
    action: str = ""  # create, update or unchanged
    changes: list[str] = field(default_factory=list)

    @property
    def team_key(self) -> tuple[str, str]:
        return self.department, self.team


@dataclass(frozen=True)
class KnownPerson:
    """Someone the file names who is in the database already, as the import reads them."""

    id: int
    name: str
    team_id: int | None
    start_date: date | None
    active: bool
    roles: frozenset[str]


@dataclass(frozen=True)
class KnownTeam:
    id: int
    department: str
    name: str
    managers: frozenset[str]  # their emails
    has_admin: bool  # an administrator is a member or a manager


@dataclass
class Known:
    """What the database holds that a file's rows are compared with, read in a few queries."""

    people: dict[str, KnownPerson] = field(default_factory=dict)  # by email
    departments: dict[str, int] = field(default_factory=dict)  # id by name
    teams: dict[tuple[str, str], KnownTeam] = field(default_factory=dict)

    def team(self, team_id: int | None) -> KnownTeam | None:
        return self._teams_by_id.get(team_id)

    @cached_property
    def _teams_by_id(self) -> dict[int, KnownTeam]:
        return {team.id: team for team in self.teams.values()}


@dataclass
class Plan:
    rows: list[Row]
    errors: list[RowError]
    known: Known = field(default_factory=Known, repr=False)  # what apply() writes against

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(row.action == action for row in self.rows)

    @property
    def new_teams(self) -> list[tuple[str, str]]:
        """The (department, team) pairs the import will create."""
        return sorted({row.team_key for row in self.rows if row.team and
                       row.team_key not in self.known.teams})


def read_file(raw: bytes, by: User | None = None) -> Plan:
    """read() for a file as it came: its encoding is checked first."""
    text, problem = decode(raw)
    return Plan([], [problem]) if problem else read(text, by)


def decode(raw: bytes) -> tuple[str, RowError | None]:
    """The file's text: UTF-8 (with a byte-order mark or without) or UTF-16 with its
    byte-order mark, which says which it is; otherwise why not, on the line it goes wrong."""
    codec, name = "utf-8-sig", "UTF-8"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec, name = "utf-16", "UTF-16"
    elif _utf16_without_bom(raw[:SNIFF]):
        return "", RowError(1, "the file is UTF-16 text: save it as CSV UTF-8 and import "
                               "that file")
    try:
        return raw.decode(codec), None
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].decode(codec, errors="replace").count("\n") + 1
        return "", RowError(line, f"the file is not {name} text from here on (byte "
                                  f"{raw[exc.start]:#04x}): save it as CSV UTF-8")


def _utf16_without_bom(head: bytes) -> bool:
    # Text in UTF-16 has a zero byte in every other place (the high byte of each Latin
    # letter); UTF-8 text has none at all.
    pairs = len(head) // 2
    return pairs >= 2 and 2 * max(head[0::2].count(0), head[1::2].count(0)) >= pairs


def read(text: str, by: User | None = None) -> Plan:
    """Check a CSV file's text against the columns, itself and the database, for the person
    importing it (`by`; None: the command line, with an administrator's power)."""
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return Plan([], [RowError(1, f"the first line cannot be read as CSV ({exc})")])
    if not header:
        return Plan([], [RowError(1, "the file is empty; the first line must name the columns")])
    names = [h.strip().lower().replace(" ", "_") for h in header]
    problem = _header_problem(names)
    if problem:
        return Plan([], [RowError(1, problem)])
    rows, seen = [], {}
    for line, values in _records(reader, errors):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            errors.append(RowError(line, f"{len(values)} values, but the header names "
                                         f"{len(names)} columns"))
            continue
        row = _row(line, dict(zip(names, (v.strip() for v in values), strict=True)), errors)
        if row is None:
            continue
        if row.email in seen:
            errors.append(RowError(line, f"{row.email} is also on line {seen[row.email]}"))
            continue
        seen[row.email] = line
        rows.append(row)
    if not rows and not errors:
        errors.append(RowError(2, "the file has no people rows, only the line naming the "
                                  "columns"))
    known = _known(rows)
    _check_managers(rows, known, errors)
    _check_grants(rows, _may_grant(by), known, errors)
    for row in rows:
        _plan(row, known)
    if not _is_administrator(by):
        _check_administrators(rows, known, errors)
    return Plan(rows, sorted(errors, key=lambda e: e.line), known)


def _header_problem(names: list[str]) -> str | None:
    if len(names) == 1 and "\t" in names[0]:
        return "the columns are separated by tabs: save the file as CSV UTF-8 (commas)"
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h for h in names if h not in COLUMNS]
    if not missing and not unknown:
        return None
    wrong = (f"missing column(s): {', '.join(missing)}" if missing else "") + \
            ("; " if missing and unknown else "") + \
            (f"unknown column(s): {', '.join(unknown)}" if unknown else "")
    return f"{wrong}. Expected: {', '.join(COLUMNS)}"


def _records(reader, errors: list[RowError]):
    """Each record with the physical line it starts on (a quoted cell may hold line breaks);
    a file the csv module cannot read past some line gives one error there."""
    end = reader.line_num
    try:
        for values in reader:
            yield end + 1, values
            end = reader.line_num
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, f"cannot be read as CSV ({exc}); "
                                                "the rest of the file was not read"))


def _row(line: int, cells: dict[str, str], errors: list[RowError]) -> Row | None:
    bad = [f"'{name}' is empty" for name in REQUIRED if not cells[name]]
    bad += [f"'{name}' holds a NUL character" for name, value in cells.items() if "\x00" in value]
    bad += [f"'{name}' is longer than {MAX_NAME} characters" for name in ("name", "department",
                                                                        "team")
            if len(cells[name]) > MAX_NAME]
    email = cells["email"]
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            bad.append(f"'{cells['email']}' is not a valid email address ({exc})")
    manager = cells["manager_email"].lower()
    roles = {r.strip().lower() for r in cells["role"].replace(",", ";").split(";") if r.strip()}
    unknown = roles - set(ROLES)
    if unknown:
        bad.append(f"unknown role '{', '.join(sorted(unknown))}' (roles: {', '.join(ROLES)})")
    start = None
    if cells["start_date"]:
        start, ambiguous = _date(cells["start_date"])
        if ambiguous:
            bad.append(ambiguous)
        elif start is None:
            bad.append(f"start date '{cells['start_date']}' is not a date like 2026-03-31")
        elif not FIRST_YEAR <= start.year <= LAST_YEAR:  # 9999-12-31 + onboarding overflows
            bad.append(f"start date '{cells['start_date']}' is not between the years "
                       f"{FIRST_YEAR} and {LAST_YEAR}")
    for message in bad:
        errors.append(RowError(line, message))
    if bad:
        return None
    return Row(line, cells["name"], email, cells["department"], cells["team"], manager,
               roles or {EMPLOYEE}, start)


SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _date(text: str) -> tuple[date | None, str]:
    """The date, or None; and why a date that could be read two ways was refused. 03/04/2026
    is 3 April to most of Europe and 4 March in the United States: it is refused, while
    25/03/2026 and 03/25/2026 can each be read only one way."""
    slashed = SLASHED.fullmatch(text)
    if slashed:
        first, second, year = (int(part) for part in slashed.groups())
        if first <= 12 and second <= 12 and first != second:
            return None, (f"start date '{text}' could be {first} {_MONTH[second]} or "
                          f"{second} {_MONTH[first]}; write it as {year}-{second:02d}-"
                          f"{first:02d} or {year}-{first:02d}-{second:02d}")
        day, month = (first, second) if first > 12 or first == second else (second, first)
        try:
            return date(year, month, day), ""
        except ValueError:
            return None, ""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), ""
        except ValueError:
            continue
    return None, ""


_MONTH = dict(enumerate(("", "January", "February", "March", "April", "May", "June", "July",
                         "August", "September", "October", "November", "December")))


def _known(rows: list[Row]) -> Known:
    """The people the rows name (as themselves or as managers) and every team, in a few
    queries however long the file is."""
    if not rows:
        return Known()
    emails = {row.email for row in rows} | {row.manager_email for row in rows} - {""}
    known = Known(people=_known_people(sorted(emails)))
    managers: dict[int, set[str]] = {}
    for team_id, email in db.session.execute(
            select(team_managers.c.team_id, User.email)
            .join(User, User.id == team_managers.c.user_id)):
        managers.setdefault(team_id, set()).add(email)
    admins = select(UserRole.user_id).where(UserRole.role == ADMIN)
    with_admin = set(db.session.scalars(union(
        select(User.team_id).where(User.id.in_(admins), User.team_id.is_not(None)),
        select(team_managers.c.team_id).where(team_managers.c.user_id.in_(admins)))))
    for department_id, department, team_id, team in db.session.execute(
            select(Department.id, Department.name, Team.id, Team.name)
            .outerjoin(Team, Team.department_id == Department.id)):
        known.departments[department] = department_id
        if team_id is not None:
            known.teams[department, team] = KnownTeam(
                team_id, department, team, frozenset(managers.get(team_id, ())),
                team_id in with_admin)
    return known


def _known_people(emails: list[str]) -> dict[str, KnownPerson]:
    found: dict[str, tuple] = {}
    roles: dict[str, set[str]] = {}
    for start in range(0, len(emails), LOOKUP):
        for email, *person, role in db.session.execute(
                select(User.email, User.id, User.name, User.team_id, User.start_date,
                       User.active, UserRole.role)
                .outerjoin(UserRole, UserRole.user_id == User.id)
                .where(User.email.in_(emails[start:start + LOOKUP]))):
            found[email] = tuple(person)
            roles.setdefault(email, set()).update({role} - {None})
    return {email: KnownPerson(*person, frozenset(roles[email]))
            for email, person in found.items()}


def _is_administrator(by: User | None) -> bool:
    return by is None or ADMIN in by.roles


def _may_grant(by: User | None) -> frozenset[str]:
    """HR may import people too, but only an administrator makes administrators."""
    return frozenset(ROLES) if _is_administrator(by) else frozenset(ROLES) - {ADMIN}


def _check_managers(rows: list[Row], known: Known, errors: list[RowError]) -> None:
    people = {row.email for row in rows} | known.people.keys()
    for row in rows:
        if row.manager_email and row.manager_email not in people:
            errors.append(RowError(row.line, f"manager {row.manager_email} is neither in the "
                                             "file nor a known person"))
        elif row.manager_email == row.email:
            errors.append(RowError(row.line, "a person cannot be their own manager"))


def _check_grants(rows: list[Row], may_grant: frozenset[str], known: Known,
                  errors: list[RowError]) -> None:
    for row in rows:
        beyond = row.roles - may_grant
        if beyond and row.email in known.people:
            beyond -= known.people[row.email].roles
        if beyond:
            errors.append(RowError(row.line, "only an administrator may grant the role(s): "
                                             + ", ".join(sorted(beyond))))


def _check_administrators(rows: list[Row], known: Known, errors: list[RowError]) -> None:
    """For an importer who is not an administrator: the rows may not change an administrator,
    nor add a manager to a team that an administrator belongs to or manages."""
    admins = {email for email, person in known.people.items() if ADMIN in person.roles}
    for row in rows:
        if row.email in admins:
            changes = _changes(row, known.people[row.email], known)
            if changes:
                errors.append(RowError(row.line, f"{row.email} is an administrator: only an "
                                                 "administrator may change their name, team, "
                                                 f"roles or start date ({'; '.join(changes)})"))
        if not row.manager_email or _is_managed_by(row, known):
            continue
        team = known.teams.get(row.team_key)
        if team is not None and team.has_admin:
            errors.append(RowError(row.line, f"{team.department} / {team.name} has an "
                                             "administrator as a member or manager: only an "
                                             "administrator may name its managers"))
        if row.manager_email in admins:
            errors.append(RowError(row.line, f"{row.manager_email} is an administrator: only "
                                             "an administrator may make them a team's manager"))


def _plan(row: Row, known: Known) -> None:
    person = known.people.get(row.email)
    if person is None:
        row.action = "create"
        return
    row.changes = _changes(row, person, known)
    if row.manager_email and not _is_managed_by(row, known):
        row.changes.append(f"manager: {row.manager_email}")
    row.action = "update" if row.changes else "unchanged"
    if not person.active:  # a note, not a change: importing again must still say unchanged
        row.changes.append("deactivated: stays deactivated (reactivate by hand)")


def _changes(row: Row, person: KnownPerson, known: Known) -> list[str]:
    """What the row changes in the person's name, team, roles and start date."""
    changes = []
    if person.name != row.name:
        changes.append(f"name: {person.name} → {row.name}")
    team = known.team(person.team_id)
    if team is None or (team.department, team.name) != row.team_key:
        where = f"{team.department} / {team.name}" if team else "no team"
        changes.append(f"team: {where} → {row.department} / {row.team}")
    if not row.roles <= person.roles:
        changes.append(f"roles: add {', '.join(sorted(row.roles - person.roles))}")
    if row.start_date and person.start_date != row.start_date:
        changes.append(f"start date: {person.start_date or 'none'} → {row.start_date}")
    return changes


def _is_managed_by(row: Row, known: Known) -> bool:
    """The row's manager manages the row's team already."""
    team = known.teams.get(row.team_key)
    return team is not None and row.manager_email in team.managers


@dataclass(frozen=True)
class Applied:
    created: int
    updated: int
    unchanged: int
    onboarded: int


def apply(plan: Plan, onboarding: bool, today: date, by: User | None = None) -> Applied:
    """Write a checked plan in short transactions (see the module's docstring). New hires
    may get the onboarding module."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    known, by_id = plan.known, by.id if by is not None else None
    teams = _make_teams(plan.rows, known)
    ids = {email: person.id for email, person in known.people.items()}
    module = content.module(ONBOARDING) if onboarding else None
    onboarded = 0
    for start in range(0, len(plan.rows), BATCH):
        batch = plan.rows[start:start + BATCH]
        onboarded += _write_people(batch, known, teams, ids, module, today, by_id)
        _end_batch()
    links, roles = _manager_links(plan.rows, known, teams, ids)
    for table, values in ((team_managers, links), (UserRole, roles)):
        for start in range(0, len(values), BATCH):
            db.session.execute(insert(table), values[start:start + BATCH])
            _end_batch()
    # The statements above went past the session's objects: anything it holds is reloaded.
    db.session.expire_all()
    return Applied(plan.count("create"), plan.count("update"), plan.count("unchanged"),
                   onboarded)


def _end_batch() -> None:
    db.session.commit()
    time.sleep(PAUSE)


def _make_teams(rows: list[Row], known: Known) -> dict[tuple[str, str], int]:
    """Team ids by (department, team) name for every row, new departments and teams made."""
    departments = dict(known.departments)
    teams = {key: team.id for key, team in known.teams.items()}
    new = sorted({row.department for row in rows} - departments.keys())
    for start in range(0, len(new), BATCH):
        departments.update(db.session.execute(
            insert(Department).returning(Department.name, Department.id),
            [{"name": name} for name in new[start:start + BATCH]]).all())
        _end_batch()
    new_teams = sorted({row.team_key for row in rows} - teams.keys())
    names = {department_id: name for name, department_id in departments.items()}
    for start in range(0, len(new_teams), BATCH):
        for team_id, department_id, name in db.session.execute(
                insert(Team).returning(Team.id, Team.department_id, Team.name),
                [{"department_id": departments[department], "name": name}
                 for department, name in new_teams[start:start + BATCH]]):
            teams[names[department_id], name] = team_id
        _end_batch()
    return teams


def _write_people(rows: list[Row], known: Known, teams: dict, ids: dict[str, int], module,
                  today: date, by_id: int | None) -> int:
    """Create and update the batch's people with their roles, onboarding the new ones; how
    many were onboarded. `ids` learns the new people's ids."""
    creates = [row for row in rows if row.action == "create"]
    updates = [row for row in rows if row.action == "update"]
    roles = []
    if creates:
        ids.update(db.session.execute(insert(User).returning(User.email, User.id), [
            {"name": row.name, "email": row.email, "team_id": teams[row.team_key],
             "start_date": row.start_date, "session_token": org.new_session_token()}
            for row in creates]).all())
        roles += [{"user_id": ids[row.email], "role": role}
                  for row in creates for role in sorted(row.roles)]
    if updates:
        db.session.execute(update(User), [
            {"id": ids[row.email], "name": row.name, "team_id": teams[row.team_key],
             "start_date": row.start_date or known.people[row.email].start_date}
            for row in updates])
        roles += [{"user_id": ids[row.email], "role": role} for row in updates
                  for role in sorted(row.roles - known.people[row.email].roles)]
    if roles:
        db.session.execute(insert(UserRole), roles)
    if module is None or not creates:
        return 0
    # People made by this import have no attempts yet: their onboarding is not started.
    db.session.execute(insert(Assignment), [
        {"user_id": ids[row.email], "module_id": module.id, "assigned_by_id": by_id,
         "due_date": max(row.start_date or today, today) + timedelta(days=ONBOARDING_DAYS)}
        for row in creates])
    return len(creates)


def _manager_links(rows: list[Row], known: Known, teams: dict,
                   ids: dict[str, int]) -> tuple[list[dict], list[dict]]:
    """The team_managers rows and the manager roles the file adds."""
    linked = {(team.id, email) for team in known.teams.values() for email in team.managers}
    links, managers = [], set()
    for row in rows:
        if not row.manager_email:
            continue
        managers.add(row.manager_email)
        pair = (teams[row.team_key], row.manager_email)
        if pair not in linked:
            linked.add(pair)
            links.append({"team_id": pair[0], "user_id": ids[row.manager_email]})
    has_role = {row.email for row in rows if MANAGER in row.roles} | \
        {email for email, person in known.people.items() if MANAGER in person.roles}
    return links, [{"user_id": ids[email], "role": MANAGER}
                   for email in sorted(managers - has_role)]

"""Importing staff from a CSV exported by the HR system: check every row, preview, then apply.

Keyed on email: importing the same file twice changes nothing. While any row is bad, nothing
is written. Roles in the file are added, never taken away (an admin may have granted more).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from trainer.extensions import db
from trainer.models import EMPLOYEE, MANAGER, ROLES, User
from trainer.store import assignments, content, org

COLUMNS = ("name", "email", "department", "team", "manager_email", "role", "start_date")
REQUIRED = ("name", "email", "department", "team")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
ONBOARDING = "onboarding"
ONBOARDING_DAYS = 14
MAX_NAME = 120  # the longest name of a person, department or team the database keeps
FIRST_YEAR, LAST_YEAR = 1900, 2200  # start dates outside these are typing mistakes


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


@dataclass
class Plan:
    rows: list[Row]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(row.action == action for row in self.rows)


def read(text: str, may_grant: frozenset[str] = frozenset(ROLES)) -> Plan:
    """Check a CSV file's text against the columns, itself and the database; `may_grant`
    are the roles the person importing may give someone who does not have them yet."""
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return Plan([], [RowError(1, f"the first line cannot be read as CSV ({exc})")])
    if not header:
        return Plan([], [RowError(1, "the file is empty; the first line must name the columns")])
    names = [h.strip().lower().replace(" ", "_") for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h for h in names if h not in COLUMNS]
    if missing or unknown:
        wrong = (f"missing column(s): {', '.join(missing)}" if missing else "") + \
                ("; " if missing and unknown else "") + \
                (f"unknown column(s): {', '.join(unknown)}" if unknown else "")
        return Plan([], [RowError(1, f"{wrong}. Expected: {', '.join(COLUMNS)}")])
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
    _check_managers(rows, errors)
    _check_grants(rows, may_grant, errors)
    if not errors:
        for row in rows:
            _plan(row)
    return Plan(rows, sorted(errors, key=lambda e: e.line))


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
        start = _date(cells["start_date"])
        if start is None:
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


def _date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _check_managers(rows: list[Row], errors: list[RowError]) -> None:
    in_file = {row.email for row in rows}
    wanted = {row.manager_email for row in rows if row.manager_email} - in_file
    known = set(db.session.scalars(select(User.email).where(User.email.in_(wanted))))
    for row in rows:
        if row.manager_email and row.manager_email not in in_file | known:
            errors.append(RowError(row.line, f"manager {row.manager_email} is neither in the "
                                             "file nor a known person"))
        elif row.manager_email == row.email:
            errors.append(RowError(row.line, "a person cannot be their own manager"))


def _check_grants(rows: list[Row], may_grant: frozenset[str], errors: list[RowError]) -> None:
    for row in rows:
        beyond = row.roles - may_grant
        if beyond:
            user = org.user_by_email(row.email)
            beyond -= user.roles if user else set()
        if beyond:
            errors.append(RowError(row.line, "only an administrator may grant the role(s): "
                                             + ", ".join(sorted(beyond))))


def _plan(row: Row) -> None:
    user = org.user_by_email(row.email)
    if user is None:
        row.action = "create"
        return
    team = user.team
    if user.name != row.name:
        row.changes.append(f"name: {user.name} → {row.name}")
    if team is None or team.name != row.team or team.department.name != row.department:
        where = f"{team.department.name} / {team.name}" if team else "no team"
        row.changes.append(f"team: {where} → {row.department} / {row.team}")
    if not row.roles <= user.roles:
        row.changes.append(f"roles: add {', '.join(sorted(row.roles - user.roles))}")
    if row.start_date and user.start_date != row.start_date:
        row.changes.append(f"start date: {user.start_date} → {row.start_date}")
    if row.manager_email and _manages(row.manager_email, team, row) is False:
        row.changes.append(f"manager: {row.manager_email}")
    row.action = "update" if row.changes else "unchanged"
    if not user.active:  # a note, not a change: importing again must still say unchanged
        row.changes.append("deactivated: stays deactivated (reactivate by hand)")


def _manages(manager_email: str, team, row: Row) -> bool:
    if team is None or team.name != row.team or team.department.name != row.department:
        return False
    return any(m.email == manager_email for m in team.managers)


@dataclass(frozen=True)
class Applied:
    created: int
    updated: int
    unchanged: int
    onboarded: int


def apply(plan: Plan, onboarding: bool, today: date, by: User | None = None) -> Applied:
    """Write a checked plan in one transaction. New hires may get the onboarding module."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    users: dict[str, User] = {}
    for row in plan.rows:
        team = org.team_named(org.department_named(row.department), row.team)
        user = org.user_by_email(row.email)
        if user is None:
            user = org.create_user(row.name, row.email, row.roles, team=team,
                                   start_date=row.start_date)
        elif row.action == "update":
            user.name, user.team = row.name, team
            org.set_roles(user, user.roles | row.roles)
            user.start_date = row.start_date or user.start_date
        users[row.email] = user
    for row in plan.rows:
        if row.manager_email:
            manager = users.get(row.manager_email) or org.user_by_email(row.manager_email)
            team = users[row.email].team
            if manager not in team.managers:
                team.managers.append(manager)
            if MANAGER not in manager.roles:
                org.set_roles(manager, manager.roles | {MANAGER})
    db.session.flush()
    onboarded = 0
    module = content.module(ONBOARDING)
    if onboarding and module is not None:
        hires = [users[row.email] for row in plan.rows if row.action == "create"]
        for hire in hires:
            due = max(hire.start_date or today, today) + timedelta(days=ONBOARDING_DAYS)
            onboarded += assignments.assign(module, [hire], due, by, commit=False).created
    db.session.commit()  # the whole import is one transaction
    return Applied(plan.count("create"), plan.count("update"), plan.count("unchanged"),
                   onboarded)

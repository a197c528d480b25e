"""The organisation: departments, teams, people, their roles and passwords."""
from __future__ import annotations

import secrets
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from trainer.extensions import db
from trainer.models import ADMIN, MANAGER, ROLES, Department, Team, User, UserRole, utcnow

MIN_PASSWORD = 10


def normal_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normal_email(email)))


def department_named(name: str) -> Department:
    department = db.session.scalar(select(Department).where(Department.name == name))
    if department is None:
        department = Department(name=name)
        db.session.add(department)
        db.session.flush()
    return department


def team_named(department: Department, name: str) -> Team:
    team = db.session.scalar(select(Team).filter_by(department_id=department.id, name=name))
    if team is None:
        team = Team(name=name, department_id=department.id)
        db.session.add(team)
        db.session.flush()
    return team


def create_user(name: str, email: str, roles: set[str], team: Team | None = None,
                password: str | None = None, start_date: date | None = None) -> User:
    """A new person; without a password they cannot sign in until an admin sets one."""
    user = User(name=name.strip(), email=normal_email(email), team=team, start_date=start_date,
                session_token=new_session_token())
    set_roles(user, roles)
    if password:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_roles(user: User, roles: set[str]) -> None:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
    keep = [row for row in user.role_rows if row.role in roles]
    user.role_rows = keep + [UserRole(role=role) for role in sorted(roles - user.roles)]


def set_managed_teams(user: User, team_ids: list[int]) -> None:
    user.managed_teams = list(db.session.scalars(select(Team).where(Team.id.in_(team_ids))))
    if team_ids and MANAGER not in user.roles:
        set_roles(user, user.roles | {MANAGER})


def hash_password(password: str) -> str:
    # scrypt by default (Werkzeug's modern KDF); tests may choose a cheaper setting.
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return _("A password needs at least %(num)d characters.", num=MIN_PASSWORD)
    return None


def check_password(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        # Same work either way, so response time does not tell whether the account exists.
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(user.password_hash, password)


_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def set_password(user: User, password: str) -> None:
    """A new password ends every session of this person (the token in their cookies changes)."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def new_session_token() -> str:
    """What a person's session cookies must carry; a new one ends every older session."""
    return secrets.token_hex(16)


def end_sessions(user: User) -> None:
    user.session_token = new_session_token()


def session_user(user_id: str, token: str) -> User | None:
    """The person a session cookie names, while it is still theirs: active, and holding the
    token they have now (signing out everywhere or a new password changes it)."""
    # Every request asks this; the roles are read when a page needs them (a choice does not).
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or not token or token != user.session_token:
        return None
    return user


def sign_out_everywhere(user: User) -> None:
    end_sessions(user)
    db.session.commit()


def change_password(user: User, password: str) -> None:
    """One's own new password: every other session of theirs ends."""
    set_password(user, password)
    db.session.commit()


def deactivate(user: User) -> None:
    """They can no longer sign in; their history stays in every report."""
    user.active = False
    user.deactivated_at = utcnow()
    end_sessions(user)
    db.session.commit()


def reactivate(user: User) -> None:
    user.active = True
    user.deactivated_at = None
    db.session.commit()


# --- the administrator's units of work: each checks, writes and commits, or says why not ----

def add_person(name: str, email: str, roles: set[str], team_id: int | None,
               password: str | None, manages: list[int]) -> tuple[User | None, str | None]:
    """A new person, or why not (the email is taken)."""
    if user_by_email(email):
        return None, _("Someone already has this email.")
    team = db.session.get(Team, team_id) if team_id else None
    person = create_user(name, email, roles, team=team, password=password)
    set_managed_teams(person, manages)
    db.session.commit()
    return person, None


def add_team(department: str, name: str) -> Team:
    team = team_named(department_named(department.strip()), name.strip())
    db.session.commit()
    return team


def save_person(person: User, by: User, name: str, email: str, team_id: int | None,
                roles: set[str], manages: list[int]) -> tuple[str, str] | None:
    """Save a person's details, or (field, why not): an email someone else has, or an
    administrator taking away their own administrator role."""
    other = user_by_email(email)
    if other is not None and other.id != person.id:
        return "email", _("Someone else already has this email.")
    if person.id == by.id and ADMIN not in roles:
        return "roles", _("You cannot take away your own administrator role.")
    person.name, person.email = name.strip(), normal_email(email)
    person.team_id = team_id or None
    set_roles(person, roles)
    set_managed_teams(person, manages)
    db.session.commit()
    return None


def reset_password(person: User, password: str) -> None:
    """An administrator's new password for someone: their sessions end."""
    set_password(person, password)
    db.session.commit()


def make_admin(email: str, name: str, password: str) -> User:
    """The first administrator of a deployment (or an existing person made one)."""
    user = user_by_email(email)
    if user is None:
        user = create_user(name, email, {ADMIN}, password=password)
    else:
        set_roles(user, user.roles | {ADMIN})
        set_password(user, password)
    db.session.commit()
    return user


def all_teams() -> list[Team]:
    # Shown as "department / team": the department comes in the same statement.
    return list(db.session.scalars(
        select(Team).join(Department).options(contains_eager(Team.department))
        .order_by(Department.name, Team.name)))


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


PEOPLE_PER_PAGE = 25


def people(search: str = "", page: int = 1,
           per_page: int = PEOPLE_PER_PAGE) -> tuple[list[User], int]:
    """One page of people by name, matching `search` in the name or email as typed (a % or
    _ in it is that character, not a wildcard), and how many match in all."""
    query = select(User)
    if search:
        typed = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_")
        pattern = f"%{typed}%"
        query = query.where(func.lower(User.name).like(pattern, escape="\\")
                            | User.email.like(pattern, escape="\\"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    found = db.session.scalars(query.order_by(User.name, User.id)
                               .offset((page - 1) * per_page).limit(per_page))
    return list(found), total


def person(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def set_language(user: User, language: str | None) -> None:
    """The person's own language for their pages and mail; None: as their browser asks."""
    user.language = language
    db.session.commit()

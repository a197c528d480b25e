"""The database tables: the organisation, people and roles, assignments, attempts and steps."""
from __future__ import annotations

from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


EMPLOYEE, MANAGER, HR, ADMIN = "employee", "manager", "hr", "admin"
AUTHOR = "author"  # writes, previews and publishes scenarios in the browser
ROLES = (EMPLOYEE, MANAGER, HR, AUTHOR, ADMIN)

team_managers = Table(
    "team_managers", db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Department(db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    teams: Mapped[list[Team]] = relationship(back_populates="department", order_by="Team.name")


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("department_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)

    department: Mapped[Department] = relationship(back_populates="teams")
    members: Mapped[list[User]] = relationship(back_populates="team", order_by="User.name",
                                               foreign_keys="User.team_id")
    managers: Mapped[list[User]] = relationship(secondary=team_managers,
                                                back_populates="managed_teams",
                                                order_by="User.name")


class User(UserMixin, db.Model):
    """A person: an employee who plays, and possibly a manager, HR or an administrator."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    start_date: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(5))  # None: as the browser asks
    # Changes on sign-out everywhere, password change and deactivation: old sessions end.
    session_token: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None]

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    managed_teams: Mapped[list[Team]] = relationship(secondary=team_managers,
                                                     back_populates="managers",
                                                     order_by="Team.name")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        # The token makes every older session cookie of this person invalid when it changes.
        return f"{self.id}:{self.session_token}"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)


class Assignment(db.Model):
    """A module someone must complete by a date; one per person and module."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),
                      # HR's completion counts per module and per person (so per team) are
                      # read from these alone: everything status_of needs is in them.
                      Index("ix_assignments_module_status", "module_id", "due_date",
                            "completed_at", "started_at"),
                      Index("ix_assignments_user_status", "user_id", "due_date",
                            "completed_at", "started_at", "module_id"),
                      # HR's overdue list and count: open assignments in due-date order.
                      Index("ix_assignments_due_open", "due_date", "completed_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # Recertification (a module with renew_after_months): the day the current completion
    # runs out, which becomes the due date when the renewal opens (trainer.store.renewals).
    renew_on: Mapped[date | None]
    # The day the renewal opens: RENEWAL_NOTICE_DAYS before renew_on, but never in the first
    # half of the completion's validity (a one-month renewal with 30 days' notice).
    renewal_opens_on: Mapped[date | None]
    # When the renewal now open began: only attempts from then on count towards it. None in
    # the first round.
    round_started_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])

    @property
    def renewal(self) -> bool:
        """This round is a renewal of an earlier completion."""
        return self.round_started_at is not None


class Completion(db.Model):
    """One completed round of an assignment, kept for good: the history HR reports over time
    read, and the certificate the learner prints (its token is the public verification
    address's secret part)."""

    __tablename__ = "completions"
    __table_args__ = (UniqueConstraint("assignment_id", "completed_at"),
                      Index("ix_completions_completed", "completed_at", "module_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(100))
    module_title: Mapped[str] = mapped_column(String(200))  # as it was named then
    completed_at: Mapped[datetime]
    valid_until: Mapped[date | None]  # None: never needs renewing
    # Scenario id -> [title, best percent] of the round's passed attempts, as certified.
    scores: Mapped[dict] = mapped_column(JSON)
    token: Mapped[str] = mapped_column(String(43), unique=True)

    user: Mapped[User] = relationship()


class DueDateChange(db.Model):
    """A due date moved by a manager or HR, kept so that lateness is not forgotten when an
    overdue assignment gets a new date."""

    __tablename__ = "due_date_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    old_due: Mapped[date]
    new_due: Mapped[date]
    days_overdue: Mapped[int]  # how late the assignment was when its date moved (0: not late)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by: Mapped[User | None] = relationship()


class SentMail(db.Model):
    """A message the reminders owe someone, from the moment it is due until a mail server
    accepts it: `key` names it (kind, assignment or manager, due date or week), so the same
    reminder is never made twice, and an unsent one is tried again by the next run."""

    __tablename__ = "sent_mail"
    PENDING, SENT, DROPPED = "pending", "sent", "dropped"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    tries: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class ScenarioVersion(db.Model):
    """The exact text of a scenario file as it was when someone played it."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(12))
    file: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200))
    # The whole scenario file: read only when an old version must be parsed again.
    source: Mapped[str] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Draft(db.Model):
    """A scenario file an author uploaded or edited in the browser, not yet published: kept
    with the validator's verdict of its last save."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(100), default="")  # "" until it parses
    file: Mapped[str] = mapped_column(String(255))  # the name it was uploaded under
    source: Mapped[str] = mapped_column(Text)
    problems: Mapped[int] = mapped_column(default=0)  # how many the validator found
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    author: Mapped[User | None] = relationship()


class Publication(db.Model):
    """A scenario version put in front of learners from the browser, in place of the file in
    scenarios/ (trainer.store.authoring). The newest row per scenario is what plays; a
    rollback is a new row naming an earlier version, so the history stays whole."""

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_scenario", "scenario_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    # None for a withdrawal: a scenario published here (no file holds it) taken off the list.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_versions.id"))
    kind: Mapped[str] = mapped_column(String(12))  # "publish", "rollback" or "withdraw"
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[ScenarioVersion | None] = relationship()
    published_by: Mapped[User | None] = relationship()


class Attempt(db.Model):
    """One play-through of one scenario version by one person."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_user_scenario", "user_id", "scenario_id", "started_at"),
                      Index("ix_attempts_scenario_status", "scenario_id", "status"),
                      # The score histogram reads finished attempts from this index alone.
                      Index("ix_attempts_finished", "status", "finished_at", "percent",
                            "user_id"),
                      # The score histogram counts per percent in this index's order.
                      Index("ix_attempts_scores", "status", "percent", "finished_at",
                            "scenario_id", "user_id"),
                      # One unfinished attempt per person and scenario, however starts overlap.
                      Index("uq_attempts_one_open", "user_id", "scenario_id", unique=True,
                            sqlite_where=text("status = 'in_progress'"),
                            postgresql_where=text("status = 'in_progress'")))
    IN_PROGRESS, FINISHED, ABANDONED = "in_progress", "finished", "abandoned"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scenario_id: Mapped[str] = mapped_column(String(100))
    version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    seed: Mapped[int]  # fixes the shown order of options for this attempt
    state: Mapped[dict] = mapped_column(JSON)  # the engine's PlayState.to_dict()
    step_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=IN_PROGRESS)
    ending_node: Mapped[str | None] = mapped_column(String(100))
    ending_kind: Mapped[str | None] = mapped_column(String(8))
    # The score (trainer.engine.score): points gained above the worst option at each decision
    # faced, of the most that could be gained there; percent = points / best_points.
    points: Mapped[int | None]
    best_points: Mapped[int | None]
    percent: Mapped[int | None]
    by_principle: Mapped[dict | None] = mapped_column(JSON)  # weights earned per principle
    scoring: Mapped[str | None] = mapped_column(String(20))  # the model that scored it
    pass_mark: Mapped[int | None]  # the scenario's pass mark when it was scored
    passed: Mapped[bool | None]  # pass mark reached and not a bad ending
    # The percentage under the first scoring model (a share of the best path's points), kept
    # readable for attempts finished before the per-decision model.
    legacy_percent: Mapped[int | None]
    feedback: Mapped[str] = mapped_column(String(12), default="immediate",
                                          server_default="immediate")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    version: Mapped[ScenarioVersion] = relationship()
    steps: Mapped[list[Step]] = relationship(order_by="Step.index", back_populates="attempt")

    @property
    def finished(self) -> bool:
        return self.status == self.FINISHED


class AttemptPrinciple(db.Model):
    """A finished attempt's result on one principle: the points gained above the worst
    option at the decisions that touched it (`earned`), and the most that could be gained
    there (`best`). Kept as rows so reports can aggregate in SQL: Σearned / Σbest is a share
    from 0 to 100%.
    """

    __tablename__ = "attempt_principles"
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"),
                                            primary_key=True)
    principle_id: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    earned: Mapped[int]
    best: Mapped[int]


class PrincipleTotal(db.Model):
    """The attempt_principles rows added up per principle, scenario and day finished (UTC).

    Kept by database triggers (migration 3f8b2c6d9e14) on every insert, update and delete of
    attempt_principles and every change of an attempt's finished_at or scenario_id; the app
    never writes it. HR's reports read it instead of every result row. Only attempts with a
    finished_at are counted; a key whose results all went elsewhere stays with zeros.
    """

    __tablename__ = "principle_totals"
    # SQLite: rows stored in key order, so a report reads them without a lookup per row.
    __table_args__ = {"sqlite_with_rowid": False}
    principle_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    finished_on: Mapped[date] = mapped_column(primary_key=True)
    earned: Mapped[int]
    best: Mapped[int]
    attempts: Mapped[int]


class Step(db.Model):
    """One choice made in an attempt, with a copy of what was shown and chosen."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("attempt_id", "index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    index: Mapped[int]  # 0 for the first choice of the attempt
    node_id: Mapped[str] = mapped_column(String(100))
    node_text: Mapped[str] = mapped_column(Text)
    choice_id: Mapped[str] = mapped_column(String(20))
    choice_text: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str] = mapped_column(Text)
    weights: Mapped[dict] = mapped_column(JSON)
    values_before: Mapped[dict] = mapped_column(JSON)
    values_after: Mapped[dict] = mapped_column(JSON)
    shown_position: Mapped[int]  # 1-based place of the chosen option as it was shown
    options_shown: Mapped[int]
    # The decision as scored: the best option on offer and the points of the best and the
    # worst (the chosen option's are the sum of `weights`).
    best_choice_id: Mapped[str | None] = mapped_column(String(20))
    best_points: Mapped[int | None]
    worst_points: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="steps")

    @property
    def points(self) -> int:
        """What this choice scored over all principles it touches (the engine's Choice.points)."""
        return sum(self.weights.values())

    @property
    def is_best(self) -> bool:
        """The choice was worth as much as the best option on offer at its decision."""
        return self.best_points is None or self.points >= self.best_points


class StaffUpload(db.Model):
    """A staff file between its preview and its confirmation, kept for the person who
    uploaded it (trainer.store.staff_import): the confirm form sends back only the token."""

    __tablename__ = "staff_uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[bytes]  # the file as uploaded (bytes: a BLOB, BYTEA on PostgreSQL)


class Branding(db.Model):
    """The organisation's name, logo and accent colour (one row, trainer.store.branding),
    shown in the header of every page."""

    __tablename__ = "branding"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    accent: Mapped[str] = mapped_column(String(7), default="")  # "#rrggbb", or "" for ours
    logo: Mapped[bytes | None]  # sanitised SVG or checked PNG
    logo_type: Mapped[str] = mapped_column(String(20), default="")
    version: Mapped[int] = mapped_column(default=0)  # in the logo's address: caches renew
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

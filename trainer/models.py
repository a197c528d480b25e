"""The database tables: people, stored scenario versions, attempts and their steps."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    """An employee who plays scenarios (sign-in and roles come with accounts)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScenarioVersion(db.Model):
    """The exact text of a scenario file as it was when someone played it."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(12))
    file: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attempt(db.Model):
    """One play-through of one scenario version by one person."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_user_scenario", "user_id", "scenario_id", "started_at"),)
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
    points: Mapped[int | None]
    best_points: Mapped[int | None]
    percent: Mapped[int | None]
    by_principle: Mapped[dict | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    version: Mapped[ScenarioVersion] = relationship()
    steps: Mapped[list[Step]] = relationship(order_by="Step.index", back_populates="attempt")

    @property
    def finished(self) -> bool:
        return self.status == self.FINISHED


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="steps")

"""Completions: every completed round of an assignment, kept for good. They are the history
HR's reports over time count, the certificates learners print and anyone can verify, and,
for modules that must be renewed, the rounds that open again when a completion runs out."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from trainer.engine import Module
from trainer.extensions import db
from trainer.models import Assignment, Attempt, Completion, utcnow
from trainer.store import content


def record(assignment: Assignment, module: Module, results: dict) -> Completion:
    """Keep the round the assignment just completed (`results`: the round's scenario results
    by (user id, scenario id)), and set when it runs out and when its renewal opens."""
    when = assignment.completed_at
    _set_renewal(assignment, module, when.date())
    completion = Completion(
        assignment_id=assignment.id, user_id=assignment.user_id, module_id=module.id,
        module_title=module.title, completed_at=when, valid_until=assignment.renew_on,
        scores={sid: [_title(sid), results[assignment.user_id, sid].best_percent]
                for sid in module.scenarios if (assignment.user_id, sid) in results},
        token=new_token())
    db.session.add(completion)
    return completion


def new_token() -> str:
    """The secret part of a certificate's public address: 192 random bits."""
    return secrets.token_urlsafe(24)


def _title(scenario_id: str) -> str:
    scenario = content.current(scenario_id)
    return scenario.title if scenario else scenario_id


def _set_renewal(assignment: Assignment, module: Module, completed: date) -> None:
    assignment.renew_on = module.renew_on(completed)
    assignment.renewal_opens_on = None if assignment.renew_on is None else opens_on(
        completed, assignment.renew_on, current_app.config["RENEWAL_NOTICE_DAYS"])


def opens_on(completed: date, renew_on: date, notice_days: int) -> date:
    """When a renewal opens: `notice_days` before the completion runs out, but not in the
    first half of its validity (a one-month renewal does not open the day it is done)."""
    return max(renew_on - timedelta(days=notice_days),
               completed + (renew_on - completed) / 2)


def open_renewals(today: date) -> int:
    """Open a new round for every completion whose renewal opens by today: the assignment is
    due again on the day the completion runs out, and only attempts finished from now on
    count. One statement, so processes doing it at once cannot open a round twice; the count
    opened."""
    now = utcnow()
    result = db.session.execute(
        update(Assignment)
        .where(Assignment.completed_at.is_not(None), Assignment.renewal_opens_on.is_not(None),
               Assignment.renewal_opens_on <= today)
        .values(due_date=Assignment.renew_on, renew_on=None, renewal_opens_on=None,
                completed_at=None, started_at=None, round_started_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


@dataclass(frozen=True)
class Certificate:
    """A completion as its certificate shows it."""

    completion: Completion
    person: str
    module_title: str
    scores: list[tuple[str, int | None]]  # (scenario title, best score in the round)

    @property
    def completed_on(self) -> date:
        return self.completion.completed_at.date()

    def valid_on(self, day: date) -> bool:
        until = self.completion.valid_until
        return until is None or day <= until


def certificate(completion: Completion) -> Certificate:
    """The certificate of a completion; a completion recorded before certificates existed
    gets its module's title and the round's scores from the attempts, once."""
    if not completion.module_title or not completion.scores:
        _fill_in(completion)
    return Certificate(completion, completion.user.name, completion.module_title,
                       [(title, percent) for title, percent in completion.scores.values()])


def _fill_in(completion: Completion) -> None:
    module = content.module(completion.module_id)
    completion.module_title = completion.module_title or (
        module.title if module else completion.module_id)
    if not completion.scores and module is not None:
        best = dict(db.session.execute(
            select(Attempt.scenario_id, func.max(Attempt.percent))
            .where(Attempt.user_id == completion.user_id, Attempt.passed.is_(True),
                   Attempt.scenario_id.in_(module.scenarios),
                   Attempt.finished_at <= completion.completed_at)
            .group_by(Attempt.scenario_id)).all())
        completion.scores = {sid: [_title(sid), best.get(sid)] for sid in module.scenarios}
    db.session.commit()


def of_person(user_id: int) -> list[Completion]:
    """A person's completions, newest first: their certificates."""
    return list(db.session.scalars(select(Completion).where(Completion.user_id == user_id)
                                   .order_by(Completion.completed_at.desc(),
                                             Completion.id.desc())))


def by_id(completion_id: int) -> Completion | None:
    """A completion; the view checks that the viewer may see its person."""
    return db.session.get(Completion, completion_id)


def by_token(token: str) -> Completion | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Completion).where(Completion.token == token))


def latest(assignment_id: int) -> Completion | None:
    return db.session.scalar(select(Completion).where(Completion.assignment_id == assignment_id)
                             .order_by(Completion.completed_at.desc()).limit(1))


def certified(day: date, user_ids=None, module_id: str | None = None):
    """The completions that certify someone on `day`: completed by then and not run out. A
    query of (user id, module id), at most one row per pair."""
    end_of_day = datetime.combine(day + timedelta(days=1), datetime.min.time())
    query = (select(Completion.user_id, Completion.module_id)
             .where(Completion.completed_at < end_of_day,
                    or_(Completion.valid_until.is_(None), Completion.valid_until >= day))
             .distinct())
    if user_ids is not None:
        query = query.where(Completion.user_id.in_(user_ids))
    if module_id is not None:
        query = query.where(Completion.module_id == module_id)
    return query


def moved(assignment: Assignment, when: datetime | None, module: Module) -> None:
    """The demo's history is moved back in time: its completion moves with it."""
    if when is None:
        return
    completion = latest(assignment.id)
    if completion is not None:
        completion.completed_at = when
        _set_renewal(assignment, module, when.date())
        completion.valid_until = assignment.renew_on


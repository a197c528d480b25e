"""Attempts and steps in the database: starting, recording choices, finishing, summaries."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from trainer.engine import (
    SCORING_MODEL,
    PlayError,
    PlayState,
    Scenario,
    apply_choice,
    available_choices,
    decision,
    is_finished,
    passes,
    score,
    shown_order,
    start,
)
from trainer.extensions import db
from trainer.models import Attempt, AttemptPrinciple, Step, User, utcnow
from trainer.store import assignments, content
from trainer.store.rescore import principle_rows


class StaleChoice(Exception):
    """A choice sent from a page that no longer shows the attempt's current situation."""


@dataclass(frozen=True)
class ScenarioProgress(assignments.Standing):
    """One person's record on one scenario."""

    attempts: int = 0
    latest_percent: int | None = None


def attempt_of(user: User, attempt_id: int) -> Attempt | None:
    """The attempt if it belongs to this person; nobody else's is ever returned."""
    found = db.session.get(Attempt, attempt_id)
    return found if found is not None and found.user_id == user.id else None


def open_attempt(user: User, scenario_id: str) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).filter_by(user_id=user.id, scenario_id=scenario_id,
                                  status=Attempt.IN_PROGRESS)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc()).limit(1))


def open_attempts(user_id: int) -> dict[str, int]:
    """Scenario id -> the person's unfinished attempt at it (the database holds one each)."""
    return dict(db.session.execute(
        select(Attempt.scenario_id, func.max(Attempt.id))
        .where(Attempt.user_id == user_id, Attempt.status == Attempt.IN_PROGRESS)
        .group_by(Attempt.scenario_id)).all())


def start_attempt(user: User, scenario: Scenario) -> Attempt:
    """A new attempt on the current version; an unfinished one is marked abandoned.

    The database holds one unfinished attempt per person and scenario: when two starts
    overlap (a double click, two tabs) and the other one's attempt is stored first, this
    start answers with that attempt instead of a second one."""
    # Read before the first write: on SQLite a write holds the one write lock until commit.
    feedback = assignments.feedback_mode(user.id, scenario.id)
    for _ in range(3):
        db.session.execute(
            update(Attempt).where(Attempt.user_id == user.id,
                                  Attempt.scenario_id == scenario.id,
                                  Attempt.status == Attempt.IN_PROGRESS)
            .values(status=Attempt.ABANDONED))
        attempt = Attempt(user_id=user.id, scenario_id=scenario.id,
                          version_id=content.version_id(scenario),
                          seed=secrets.randbits(31), state=start(scenario).to_dict(),
                          feedback=feedback)
        db.session.add(attempt)
        try:
            db.session.flush()
        except IntegrityError:  # uq_attempts_one_open: an overlapping start stored its own
            db.session.rollback()
            other = open_attempt(user, scenario.id)
            if other is not None:
                return other
            continue  # that one has ended meanwhile: start again
        assignments.on_attempt(attempt)
        db.session.commit()
        return attempt
    raise RuntimeError(f"could not start {scenario.id}: other starts kept overlapping")


def last_step(attempt: Attempt) -> Step | None:
    """The latest choice of an attempt, whose feedback the play page shows."""
    if attempt.step_count == 0:
        return None
    return db.session.scalar(select(Step).where(Step.attempt_id == attempt.id)
                             .order_by(Step.index.desc()).limit(1))


def play_state(attempt: Attempt) -> PlayState:
    return PlayState.from_dict(attempt.state)


def options(attempt: Attempt, scenario: Scenario):
    """The options on offer now, in the order this attempt shows them."""
    state = play_state(attempt)
    return shown_order(available_choices(scenario, state), attempt.seed, state.node)


# Built once; the keys of the parameters they run with name the columns written. Only one
# request can move an attempt from a given step: this guarded update decides which.
_MOVE_ATTEMPT = (Attempt.__table__.update()
                 .where(Attempt.id == bindparam("attempt"),
                        Attempt.step_count == bindparam("from_step"),
                        Attempt.status == Attempt.IN_PROGRESS))
_INSERT_STEP = Step.__table__.insert()
_INSERT_RESULTS = AttemptPrinciple.__table__.insert()


def record_choice(attempt: Attempt, step_index: int, choice_id: str) -> Step:
    """Apply a choice made at step `step_index`, store the step, finish if it ended.

    Raises StaleChoice when the attempt has moved on (a repeat or a second tab):
    nothing is recorded then. Raises PlayError for an option not on offer.
    """
    if attempt.status != Attempt.IN_PROGRESS or step_index != attempt.step_count:
        raise StaleChoice
    scenario = content.scenario_of(attempt.version_id)
    before = play_state(attempt)
    after = apply_choice(scenario, before, choice_id)
    node = scenario.nodes[before.node]
    choice = node.choice(choice_id)
    shown = options(attempt, scenario)
    judged = decision(available_choices(scenario, before), choice, node.id)  # file order
    fields = {"attempt_id": attempt.id, "index": step_index, "node_id": node.id,
              "node_text": node.text, "choice_id": choice.id, "choice_text": choice.text,
              "feedback": choice.feedback, "weights": dict(choice.weights),
              "values_before": dict(before.values), "values_after": dict(after.values),
              "shown_position": shown.index(choice) + 1, "options_shown": len(shown),
              "best_choice_id": judged.best.id,
              "best_points": judged.best.points, "worst_points": judged.worst.points,
              "created_at": utcnow()}
    values = {"state": after.to_dict(), "step_count": step_index + 1}
    results = []
    if is_finished(scenario, after):
        result = score(scenario, list(after.path))
        values.update(_result(scenario, after, result))
        results = principle_rows(attempt.id, result)
    # The hot path of a training drive. Everything is worked out before the first write: on
    # SQLite a write holds the database's only write lock until the commit. The statements
    # go straight to the session's connection; `attempt` is brought up to date below.
    connection = db.session.connection()
    moved = connection.execute(_MOVE_ATTEMPT, {"attempt": attempt.id, "from_step": step_index,
                                               **values})
    if moved.rowcount != 1:
        db.session.rollback()
        raise StaleChoice
    try:
        connection.execute(_INSERT_STEP, fields)
        if results:
            connection.execute(_INSERT_RESULTS, results)
        for name, value in values.items():  # what the guarded update wrote, without a reload
            set_committed_value(attempt, name, value)
        if attempt.finished:
            assignments.on_attempt(attempt)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise StaleChoice from None
    return Step(**fields)  # the row as stored, for the page to show (not in the session)


def _result(scenario: Scenario, state: PlayState, result) -> dict:
    ending = scenario.nodes[state.node].ending
    pass_mark = content.library().pass_mark(scenario.id)
    return {"status": Attempt.FINISHED, "finished_at": utcnow(), "ending_node": state.node,
            "ending_kind": ending.kind, "points": result.gained,
            "best_points": result.possible, "percent": result.percent,
            "by_principle": result.by_principle, "scoring": SCORING_MODEL,
            "pass_mark": pass_mark, "passed": passes(result.percent, ending.kind, pass_mark)}


def progress_by_scenario(user: User) -> dict[str, ScenarioProgress]:
    """Per scenario id: attempts, results, latest finished score, the attempt to resume."""
    counts = db.session.execute(
        select(Attempt.scenario_id, func.count())
        .where(Attempt.user_id == user.id).group_by(Attempt.scenario_id)).all()
    results = assignments.scenario_results([user.id])
    latest = {}
    for scenario_id, percent in db.session.execute(
            select(Attempt.scenario_id, Attempt.percent)
            .where(Attempt.user_id == user.id, Attempt.status == Attempt.FINISHED)
            .order_by(Attempt.finished_at, Attempt.id)):
        latest[scenario_id] = percent
    open_ids = open_attempts(user.id)
    return {sid: ScenarioProgress(results.get((user.id, sid)), open_ids.get(sid), total,
                                  latest.get(sid))
            for sid, total in counts}


PAST_SHOWN = 10  # the newest finished attempts a scenario's page lists


def past_attempts(user: User, scenario_id: str, limit: int = PAST_SHOWN) -> list[Attempt]:
    """The person's newest finished attempts at a scenario, newest first (a page that listed
    them all would grow with every play-through)."""
    return list(db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.scenario_id == scenario_id,
                              Attempt.status == Attempt.FINISHED)
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(limit)))


__all__ = ["PlayError", "StaleChoice", "ScenarioProgress", "attempt_of", "open_attempt",
           "start_attempt", "options", "play_state", "last_step", "record_choice",
           "progress_by_scenario", "past_attempts"]

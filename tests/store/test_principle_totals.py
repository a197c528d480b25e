"""principle_totals, kept by database triggers, always equals the attempt_principles rows
added up, whoever writes them: the play path, the demo, plain inserts, updates and deletes."""
import random
from collections import Counter
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from conftest import TEST_DATABASE_URL, TODAY
from small_content import SCENARIO_IDS
from sqlalchemy import delete, inspect, select, text, update

from trainer import schema
from trainer.engine import available_choices
from trainer.extensions import db
from trainer.models import EMPLOYEE, Attempt, AttemptPrinciple, PrincipleTotal, Step, User
from trainer.store import content, demo, org, progress, training

SEED = 20261124
BEFORE = "5c1e7a9d2b40"  # the revision before principle_totals
WITH_TOTALS = "3f8b2c6d9e14"  # the revision that made them
RETIRED_PRINCIPLE = "retired-principle"


@pytest.fixture
def app(small_app):
    return small_app


def results_added_up() -> Counter:
    """(principle, scenario, day) -> [earned, best, attempts], counted here from the rows."""
    totals = Counter()
    for pid, scenario_id, finished_at, earned, best in db.session.execute(
            select(AttemptPrinciple.principle_id, Attempt.scenario_id, Attempt.finished_at,
                   AttemptPrinciple.earned, AttemptPrinciple.best)
            .join(Attempt, Attempt.id == AttemptPrinciple.attempt_id)
            .where(Attempt.finished_at.is_not(None))):
        key = (pid, scenario_id, finished_at.date())
        totals[key + ("earned",)] += earned
        totals[key + ("best",)] += best
        totals[key + ("attempts",)] += 1
    return +totals  # zeros dropped


def rollup() -> Counter:
    totals = Counter()
    for row in db.session.scalars(select(PrincipleTotal)):
        key = (row.principle_id, row.scenario_id, row.finished_on)
        for name in ("earned", "best", "attempts"):
            totals[key + (name,)] = getattr(row, name)
    return +totals


def assert_rollup_is_right(after: str) -> None:
    db.session.expire_all()  # bulk statements went past the objects in the session
    assert rollup() == results_added_up(), f"after {after}"


# --- the writers -------------------------------------------------------------------------------

def _moment(rng: random.Random) -> datetime:
    """A time in the last days, often on a day's first or last second."""
    day = TODAY - timedelta(days=rng.randint(0, 6))
    return datetime.combine(day, time()) + timedelta(
        seconds=rng.choice([0, 86399, rng.randrange(86400)]))


def _principles() -> list[str]:
    return [*content.library().principles, RETIRED_PRINCIPLE]


def play(rng, people, attempts) -> None:
    """Through the play path: record_choice finishes the attempt and writes its results."""
    scenario = content.current(rng.choice(SCENARIO_IDS))
    attempt = progress.start_attempt(rng.choice(people), scenario)
    while not attempt.finished:
        choices = available_choices(scenario, progress.play_state(attempt))
        progress.record_choice(attempt, attempt.step_count, rng.choice(choices).id)
    attempts.append(attempt.id)


def insert(rng, people, attempts) -> None:
    """Plain inserts: an attempt (sometimes with no finished_at) and its results at once."""
    scenario_id = rng.choice(SCENARIO_IDS)
    attempt = Attempt(user_id=rng.choice(people).id, scenario_id=scenario_id,
                      version_id=content.version_row(content.current(scenario_id)).id,
                      seed=0, state={}, status=Attempt.FINISHED,
                      finished_at=_moment(rng) if rng.random() < 0.85 else None)
    db.session.add(attempt)
    db.session.flush()
    db.session.add_all(AttemptPrinciple(attempt_id=attempt.id, principle_id=pid,
                                        earned=rng.randint(-4, 6), best=rng.randint(0, 6))
                       for pid in rng.sample(_principles(), rng.randint(1, 4)))
    attempts.append(attempt.id)


def insert_as_then(rng, people, attempts) -> None:
    """insert(), with only the columns the tables had before principle_totals."""
    scenario_id = rng.choice(SCENARIO_IDS)
    version_id = content.version_row(content.current(scenario_id)).id
    finished_at = _moment(rng) if rng.random() < 0.85 else None
    attempt_id = db.session.execute(text(
        "INSERT INTO attempts (user_id, scenario_id, version_id, seed, state, step_count, "
        "status, started_at, finished_at) VALUES (:user, :scenario, :version, 0, '{}', 0, "
        "'finished', :started, :finished) RETURNING id"),
        {"user": rng.choice(people).id, "scenario": scenario_id, "version": version_id,
         "started": datetime(2026, 1, 1), "finished": finished_at}).scalar_one()
    for pid in rng.sample(_principles(), rng.randint(1, 4)):
        db.session.execute(text(
            "INSERT INTO attempt_principles (attempt_id, principle_id, earned, best) "
            "VALUES (:a, :p, :e, :b)"),
            {"a": attempt_id, "p": pid, "e": rng.randint(-4, 6), "b": rng.randint(0, 6)})
    attempts.append(attempt_id)


def add_result(rng, people, attempts) -> None:
    """One more result for an attempt that has others already."""
    attempt_id = rng.choice(attempts)
    taken = set(db.session.scalars(select(AttemptPrinciple.principle_id)
                                   .where(AttemptPrinciple.attempt_id == attempt_id)))
    free = [pid for pid in _principles() if pid not in taken]
    if free:
        db.session.add(AttemptPrinciple(attempt_id=attempt_id, principle_id=rng.choice(free),
                                        earned=rng.randint(-3, 3), best=rng.randint(0, 3)))


def move_in_time(rng, people, attempts) -> None:
    """To another day, within its day, or to and from no finished_at at all."""
    attempt = db.session.get(Attempt, rng.choice(attempts))
    if attempt.finished_at is not None and rng.random() < 0.3:
        attempt.finished_at += timedelta(seconds=rng.choice([-1, 1]))  # maybe over midnight
    else:
        attempt.finished_at = _moment(rng) if rng.random() < 0.9 else None


def change_scenario(rng, people, attempts) -> None:
    db.session.get(Attempt, rng.choice(attempts)).scenario_id = rng.choice(SCENARIO_IDS)


def change_result(rng, people, attempts) -> None:
    result = rng.choice(db.session.scalars(select(AttemptPrinciple)).all())
    result.earned, result.best = rng.randint(-5, 5), rng.randint(0, 5)
    if rng.random() < 0.3:  # under another principle, when the attempt has not got it
        taken = set(db.session.scalars(select(AttemptPrinciple.principle_id)
                                       .where(AttemptPrinciple.attempt_id == result.attempt_id)))
        free = [pid for pid in _principles() if pid not in taken]
        if free:
            result.principle_id = rng.choice(free)


def change_results_at_once(rng, people, attempts) -> None:
    """One statement over many rows (PostgreSQL counts them per statement)."""
    db.session.execute(update(AttemptPrinciple)
                       .where(AttemptPrinciple.principle_id == rng.choice(_principles()))
                       .values(earned=AttemptPrinciple.earned + rng.choice([-2, 1, 3]),
                               best=AttemptPrinciple.best + 1))


def move_attempts_at_once(rng, people, attempts) -> None:
    db.session.execute(update(Attempt).where(Attempt.scenario_id == rng.choice(SCENARIO_IDS))
                       .values(scenario_id=rng.choice(SCENARIO_IDS)))


def delete_result(rng, people, attempts) -> None:
    db.session.delete(rng.choice(db.session.scalars(select(AttemptPrinciple)).all()))


def delete_results_at_once(rng, people, attempts) -> None:
    db.session.execute(delete(AttemptPrinciple).where(
        AttemptPrinciple.principle_id == rng.choice(_principles()),
        AttemptPrinciple.earned < rng.randint(-2, 3)))


def delete_attempts(rng, people, attempts) -> None:
    """Attempts go with their steps; their results go by the foreign key's cascade."""
    gone = rng.sample(attempts, min(len(attempts) - 1, rng.randint(1, 3)))
    db.session.execute(delete(Step).where(Step.attempt_id.in_(gone)))
    db.session.execute(delete(Attempt).where(Attempt.id.in_(gone)))
    attempts[:] = [a for a in attempts if a not in gone]


WRITERS = [play, insert, add_result, move_in_time, change_scenario, change_result,
           change_results_at_once, move_attempts_at_once, delete_result,
           delete_results_at_once, delete_attempts]


def make_people(count: int = 4) -> list[User]:
    people = [org.create_user(f"Player {n}", f"player{n}@example.com", {EMPLOYEE})
              for n in range(count)]
    db.session.commit()
    return people


def random_history(rng: random.Random, steps: int) -> None:
    """Every kind of write, in random order, with the rollup checked after each."""
    people, attempts = make_people(), []
    for _ in range(6):
        play(rng, people, attempts)
        insert(rng, people, attempts)
    db.session.commit()
    assert_rollup_is_right("the first attempts")
    for step in range(steps):
        writer = WRITERS[step % len(WRITERS)] if step < len(WRITERS) else rng.choice(WRITERS)
        writer(rng, people, attempts)
        db.session.commit()
        assert_rollup_is_right(f"step {step}: {writer.__name__}")


# --- the checks --------------------------------------------------------------------------------

def test_the_rollup_equals_the_results_added_up_after_every_kind_of_write(app):
    with app.app_context():
        random_history(random.Random(SEED), steps=120)
        assert rollup(), "the history left nothing to count"


def test_a_rolled_back_change_leaves_the_rollup_as_it_was(app):
    rng = random.Random(SEED + 1)
    with app.app_context():
        people, attempts = make_people(), []
        for _ in range(3):
            insert(rng, people, attempts)
        db.session.commit()
        before = rollup()
        db.session.execute(update(Attempt).values(finished_at=datetime(2020, 1, 1)))
        db.session.execute(delete(AttemptPrinciple))
        db.session.rollback()
        assert rollup() == before == results_added_up()


def _expected(since, until, scenario_ids) -> list[tuple]:
    """(principle, earned, best, attempts) of everyone's results in range, counted here."""
    sums = {}
    for pid, scenario_id, finished_at, earned, best in db.session.execute(
            select(AttemptPrinciple.principle_id, Attempt.scenario_id, Attempt.finished_at,
                   AttemptPrinciple.earned, AttemptPrinciple.best)
            .join(Attempt, Attempt.id == AttemptPrinciple.attempt_id)
            .where(Attempt.finished_at.is_not(None))):
        if (since is None or finished_at >= since) and (until is None or finished_at < until) \
                and (scenario_ids is None or scenario_id in scenario_ids):
            total = sums.setdefault(pid, [0, 0, 0])
            total[0], total[1], total[2] = total[0] + earned, total[1] + best, total[2] + 1
    return sorted((pid, *total) for pid, total in sums.items())


def _found(results) -> list[tuple]:
    return sorted((r.principle.id, r.earned, r.best, r.attempts) for r in results)


def _bound(rng: random.Random) -> datetime | None:
    if rng.random() < 0.3:
        return None
    midnight = datetime.combine(TODAY - timedelta(days=rng.randint(-1, 7)), time())
    # Mostly whole days, as the reports ask; sometimes a time of day (read from the rows).
    return midnight if rng.random() < 0.8 else midnight + timedelta(hours=rng.randint(1, 23))


def test_everyones_principle_results_equal_the_live_query_for_any_filter(app):
    rng = random.Random(SEED + 2)
    with app.app_context():
        random_history(rng, steps=30)
        everyone = select(User.id)  # a people filter: the results are read row by row
        for _ in range(60):
            since, until = _bound(rng), _bound(rng)
            scenario_ids = tuple(rng.sample(SCENARIO_IDS, rng.randint(1, 3))) \
                if rng.random() < 0.5 else None
            expected = _expected(since, until, scenario_ids)
            where = (since, until, scenario_ids)
            assert _found(training.principle_results(None, *where)) == expected, where
            assert _found(training.principle_results(everyone, *where)) == expected, where


def test_the_demo_keeps_the_rollup_right_while_moving_its_history_back(tmp_path):
    from conftest import make_app

    app = make_app(tmp_path)  # the shipped scenarios, which the demo plays
    with app.app_context():
        demo.load(TODAY)
        assert rollup() == results_added_up()
        days = {key[2] for key in rollup()}
        assert len(days) > 10, "the demo's history is spread over the last weeks"
        db.engine.dispose()


# --- the migration -----------------------------------------------------------------------------

def _triggers_and_functions() -> set[str]:
    if db.engine.dialect.name == "postgresql":
        query = """SELECT tgname FROM pg_trigger WHERE tgname LIKE 'principle_totals%'
                   UNION SELECT proname FROM pg_proc WHERE proname LIKE 'principle_totals%'"""
    else:
        query = """SELECT name FROM sqlite_master
                   WHERE type = 'trigger' AND name LIKE 'principle_totals%'"""
    return set(db.session.scalars(text(query)))


def test_upgrading_fills_the_rollup_from_existing_results_and_downgrading_removes_it(app):
    rng = random.Random(SEED + 3)
    with app.app_context():
        assert len(_triggers_and_functions()) == (7 if TEST_DATABASE_URL else 5)
        # People are made at the newest revision (the model has columns later than BEFORE);
        # only their ids are used below it.
        people, attempts = [SimpleNamespace(id=p.id) for p in make_people()], []
        db.session.commit()
        schema.downgrade(db.engine, BEFORE)
        assert "principle_totals" not in inspect(db.engine).get_table_names()
        assert _triggers_and_functions() == set()
        for _ in range(8):  # written with no trigger about, as before the upgrade
            insert_as_then(rng, people, attempts)
        db.session.commit()
        schema.upgrade(db.engine, WITH_TOTALS)
        assert rollup() == results_added_up()
        assert rollup(), "nothing was there to count"

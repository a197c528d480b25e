"""Moving stored history to per-decision scoring: a database filled by the previous release
(tests/data/release-demo.json.gz) is upgraded, and every figure is checked against the engine."""
from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import SCENARIOS, TEST_DATABASE_URL
from sqlalchemy import Date, DateTime, MetaData, create_engine, insert, inspect, select, text

from trainer import schema
from trainer.engine import SCORING_MODEL, load_library, parse_scenario, passes, score
from trainer.store.rescore import rescore_all

RELEASE = json.loads(gzip.open(Path(__file__).parent.parent / "data" / "release-demo.json.gz",
                               "rt", encoding="utf-8").read())
ORDER = ["departments", "teams", "users", "user_roles", "team_managers", "assignments",
         "scenario_versions", "attempts", "steps", "attempt_principles"]
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not ON_POSTGRES, reason="set TRAINER_TEST_DATABASE_URL to a PostgreSQL URL"))])
def release_engine(request, tmp_path):
    """A database at the previous release's revision holding that release's demo data."""
    url = TEST_DATABASE_URL if request.param == "postgresql" \
        else f"sqlite:///{tmp_path / 'release.db'}"
    engine = create_engine(url)
    assert inspect(engine).get_table_names() == []
    schema.upgrade(engine, RELEASE["revision"])
    meta = MetaData()
    meta.reflect(engine)
    with engine.begin() as connection:
        for name in ORDER:
            table = meta.tables[name]
            rows = [_typed(table, row) for row in RELEASE["tables"][name]]
            if rows:
                connection.execute(insert(table), rows)
    yield engine
    engine.dispose()


def _typed(table, row: dict) -> dict:
    out = {}
    for key, value in row.items():
        kind = table.c[key].type
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        out[key] = value
    return out


def snapshot(connection) -> dict:
    tables = ("attempts", "steps", "attempt_principles", "principle_totals", "assignments")
    return {name: sorted(tuple(str(v) for v in row)
                         for row in connection.execute(text(f"SELECT * FROM {name}")))
            for name in tables}


def test_the_upgrade_rescores_every_attempt_and_loses_nothing(release_engine):
    old = {row["id"]: row for row in RELEASE["tables"]["attempts"]}
    schema.upgrade(release_engine)
    library = load_library(SCENARIOS)
    with release_engine.connect() as connection:
        versions = {row.id: parse_scenario(row.source, row.file)[0] for row in
                    connection.execute(text("SELECT id, source, file FROM scenario_versions"))}
        steps: dict[int, list] = {}
        for step in connection.execute(text(
                "SELECT attempt_id, node_id, choice_id, best_points, worst_points, weights "
                "FROM steps ORDER BY attempt_id, \"index\"")):
            steps.setdefault(step.attempt_id, []).append(step)
        attempts = connection.execute(text(
            "SELECT id, user_id, version_id, scenario_id, status, ending_kind, percent, "
            "points, best_points, scoring, legacy_percent, pass_mark, passed FROM attempts")).all()
        assert len(attempts) == len(old)
        finished = [a for a in attempts if a.status == "finished"]
        assert finished
        for attempt in finished:
            scenario = versions[attempt.version_id]
            result = score(scenario, [(s.node_id, s.choice_id) for s in steps[attempt.id]])
            mark = library.pass_mark(attempt.scenario_id)
            assert (attempt.scoring, attempt.percent, attempt.points, attempt.best_points) \
                == (SCORING_MODEL, result.percent, result.gained, result.possible)
            assert attempt.legacy_percent == old[attempt.id]["percent"]  # nothing lost
            assert attempt.pass_mark == mark
            assert bool(attempt.passed) == passes(result.percent, attempt.ending_kind, mark)
        assert all(s.best_points is not None and s.worst_points <= sum(
            json.loads(s.weights).values() if isinstance(s.weights, str) else s.weights.values())
            <= s.best_points for rows in steps.values() for s in rows)
        # The scores moved: the old model's "share of the longest best path" is gone.
        assert any(a.percent != a.legacy_percent for a in finished)
        _assert_totals_match_results(connection)
        _assert_completion_follows_passes(connection, library)


def _assert_totals_match_results(connection) -> None:
    recount = Counter()
    for principle_id, scenario_id, finished_at, earned, best in connection.execute(text(
            "SELECT r.principle_id, a.scenario_id, a.finished_at, r.earned, r.best "
            "FROM attempt_principles r JOIN attempts a ON a.id = r.attempt_id")):
        key = (principle_id, scenario_id, str(finished_at)[:10])  # the UTC day
        recount[key + ("earned",)] += earned
        recount[key + ("best",)] += best
        assert 0 <= earned <= best
    totals = Counter()
    for principle_id, scenario_id, day, earned, best in connection.execute(text(
            "SELECT principle_id, scenario_id, finished_on, earned, best FROM principle_totals")):
        totals[(principle_id, scenario_id, str(day)[:10], "earned")] += earned
        totals[(principle_id, scenario_id, str(day)[:10], "best")] += best
    assert +totals == +recount


def _assert_completion_follows_passes(connection, library) -> None:
    passed = {(user_id, scenario_id) for user_id, scenario_id in connection.execute(text(
        "SELECT user_id, scenario_id FROM attempts WHERE passed"))}
    changed = 0
    old = {row["id"]: row["completed_at"] for row in RELEASE["tables"]["assignments"]}
    for assignment_id, user_id, module_id, completed_at in connection.execute(text(
            "SELECT id, user_id, module_id, completed_at FROM assignments")):
        module = library.modules[module_id]
        assert (completed_at is not None) == all((user_id, sid) in passed
                                                 for sid in module.scenarios)
        changed += (completed_at is None) != (old[assignment_id] is None)
    assert changed  # the demo's history has completions the new model does not grant


def test_rescoring_twice_changes_nothing(release_engine):
    schema.upgrade(release_engine)
    library = load_library(SCENARIOS)
    with release_engine.begin() as connection:
        before = snapshot(connection)
        rescore_all(connection, library)
    with release_engine.connect() as connection:
        assert snapshot(connection) == before


def test_downgrading_puts_the_first_models_percentages_back(release_engine):
    schema.upgrade(release_engine)
    schema.downgrade(release_engine, RELEASE["revision"])
    with release_engine.connect() as connection:
        percents = dict(connection.execute(select(text("id"), text("percent"))
                                           .select_from(text("attempts"))).all())
    assert percents == {row["id"]: row["percent"] for row in RELEASE["tables"]["attempts"]}

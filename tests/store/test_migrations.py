"""Migrations: an empty database upgraded to head has exactly the models' schema, and back."""
import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory
from conftest import TEST_DATABASE_URL
from sqlalchemy import create_engine, inspect

from trainer import schema
from trainer.cli import main
from trainer.extensions import db

HEAD = ScriptDirectory(str(schema.MIGRATIONS)).get_current_head()
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="set TRAINER_TEST_DATABASE_URL to a PostgreSQL URL")

# One process that starts the migration and waits for "go" on stdin, so several start at once.
UPGRADER = """
import sys
from sqlalchemy import create_engine
from trainer import schema
engine = create_engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
print(schema.upgrade(engine))
"""


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine():
    engine = create_engine(TEST_DATABASE_URL)
    assert inspect(engine).get_table_names() == []  # conftest empties it after every test
    yield engine
    engine.dispose()


def assert_matches_the_models(engine) -> None:
    with engine.connect() as connection:
        assert schema.current_revision(connection) == HEAD
        assert schema.differences(connection) == []


def test_upgrading_an_empty_sqlite_database_gives_exactly_the_models(sqlite_engine):
    assert schema.upgrade(sqlite_engine) == HEAD
    assert_matches_the_models(sqlite_engine)


@needs_postgres
def test_upgrading_an_empty_postgresql_database_gives_exactly_the_models(postgres_engine):
    assert schema.upgrade(postgres_engine) == HEAD
    assert_matches_the_models(postgres_engine)


def test_downgrading_to_base_and_upgrading_again_works_on_sqlite(sqlite_engine):
    schema.upgrade(sqlite_engine)
    assert schema.downgrade(sqlite_engine, "base") is None
    assert inspect(sqlite_engine).get_table_names() == ["alembic_version"]
    assert schema.upgrade(sqlite_engine) == HEAD
    assert_matches_the_models(sqlite_engine)


def test_upgrading_twice_changes_nothing(sqlite_engine):
    schema.upgrade(sqlite_engine)
    assert schema.upgrade(sqlite_engine) == HEAD
    assert_matches_the_models(sqlite_engine)


def test_a_database_made_by_create_all_before_migrations_is_adopted_with_its_data(sqlite_engine):
    # Such a database has the first revision's tables and no record of any revision.
    schema.upgrade(sqlite_engine, schema.FIRST_REVISION)
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")
        connection.exec_driver_sql("INSERT INTO departments (name) VALUES ('Sales')")
    assert schema.upgrade(sqlite_engine) == HEAD
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT name FROM departments").all() == [("Sales",)]


def test_a_failed_migration_on_sqlite_leaves_no_half_made_tables(sqlite_engine):
    with pytest.raises(RuntimeError), schema.locked(sqlite_engine) as connection:
        connection.exec_driver_sql("CREATE TABLE half_made (id INTEGER)")
        raise RuntimeError("the next step of the migration fails")
    assert inspect(sqlite_engine).get_table_names() == []


def test_the_app_migrates_its_database_when_it_starts(app):
    with app.app_context():
        assert_matches_the_models(db.engine)


def test_db_upgrade_command_prints_the_revision(app):
    result = app.test_cli_runner().invoke(main, ["db-upgrade"])
    assert result.exit_code == 0, result.output
    assert f"revision {HEAD} (head)" in result.output


def test_db_revision_command_writes_nothing_when_the_models_match(app):
    before = sorted((schema.MIGRATIONS / "versions").glob("*.py"))
    result = app.test_cli_runner().invoke(main, ["db-revision", "-m", "no change"])
    written = sorted(set((schema.MIGRATIONS / "versions").glob("*.py")) - set(before))
    for path in written:  # a model change without its migration: fail, but leave no file
        path.unlink()
    assert result.exit_code == 0, result.output
    assert "no revision written" in result.output, "models differ from the migrations"
    assert written == []


def start_upgraders_at_once(url: str, count: int) -> list[subprocess.CompletedProcess]:
    processes = [subprocess.Popen([sys.executable, "-c", UPGRADER, url], text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for _ in range(count)]
    for process in processes:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    return [(process.wait(timeout=60), process.stdout.read(), process.stderr.read())
            for process in processes]


@pytest.mark.parametrize("where", ["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def test_processes_starting_at_once_migrate_the_database_once(where, tmp_path):
    url = TEST_DATABASE_URL if where == "postgresql" else f"sqlite:///{tmp_path / 'shared.db'}"
    for code, out, err in start_upgraders_at_once(url, 4):
        assert code == 0, err
        assert out.strip() == HEAD
    engine = create_engine(url)
    assert_matches_the_models(engine)
    engine.dispose()


def test_a_database_at_the_newest_revision_is_not_locked_to_find_that_out(sqlite_engine):
    """Workers starting while another process writes must not queue for the write lock."""
    import sqlite3
    import time

    schema.upgrade(sqlite_engine)
    writer = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock meanwhile
    try:
        began = time.monotonic()
        assert schema.upgrade(sqlite_engine) == HEAD
        assert time.monotonic() - began < 2  # a locked path would wait for busy_timeout
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_attempts_left_open_by_overlapping_starts_are_closed_but_the_newest(sqlite_engine):
    schema.upgrade(sqlite_engine, "3f8b2c6d9e14")  # before one open attempt was enforced
    with sqlite_engine.begin() as connection:
        run = connection.exec_driver_sql
        run("INSERT INTO users (id, name, email, active, session_token, created_at) "
            "VALUES (1, 'Ann', 'ann@example.com', 1, 't', '2026-01-01')")
        run("INSERT INTO scenario_versions (id, scenario_id, version, file, title, source, "
            "created_at) VALUES (1, 's', 'v1', 's.md', 'S', '', '2026-01-01')")
        for attempt_id, scenario_id in ((1, "s"), (2, "s"), (3, "s"), (4, "t")):
            run("INSERT INTO attempts (id, user_id, scenario_id, version_id, seed, state, "
                "step_count, status, started_at) VALUES "
                f"({attempt_id}, 1, '{scenario_id}', 1, 0, '{{}}', 0, 'in_progress', "
                "'2026-01-01')")
    assert schema.upgrade(sqlite_engine) == HEAD
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT id, status FROM attempts ORDER BY id").all() \
            == [(1, "abandoned"), (2, "abandoned"), (3, "in_progress"), (4, "in_progress")]


def test_assignments_completed_before_certificates_get_their_completion_row(sqlite_engine):
    schema.upgrade(sqlite_engine, "9d2f4b7a1c30")  # the revision before completions
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (id, name, email, active, session_token, created_at) "
            "VALUES (1, 'Ann', 'ann@example.com', 1, '', '2026-01-01 00:00:00')")
        connection.exec_driver_sql(
            "INSERT INTO assignments (user_id, module_id, due_date, assigned_at, completed_at) "
            "VALUES (1, 'onboarding', '2026-02-01', '2026-01-01 00:00:00', "
            "'2026-01-20 10:00:00'), (1, 'first-contact', '2026-02-01', "
            "'2026-01-01 00:00:00', NULL)")
    assert schema.upgrade(sqlite_engine) == HEAD
    with sqlite_engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT user_id, module_id, completed_at, valid_until, length(token) "
            "FROM completions").all()
    assert rows == [(1, "onboarding", "2026-01-20 10:00:00.000000", None, 32)]

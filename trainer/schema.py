"""The database schema's history: Alembic revisions in trainer/migrations, applied at start."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

import trainer.models  # noqa: F401  (every table registers itself on the metadata)
from trainer.extensions import db

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed number will do: every process that upgrades a PostgreSQL database takes this lock.
_LOCK_KEY = 7_164_023_517
# Databases made by db.create_all() before there were migrations hold this revision's schema.
FIRST_REVISION = "1700ed09d6c1"
# SQLite's busy_timeout: while a process upgrades (others wait that long), and for requests.
MIGRATION_WAIT_MS, REQUEST_WAIT_MS = 600_000, 5_000


def upgrade(engine: Engine, target: str = "head") -> str | None:
    """Bring the database to the newest revision (or `target`); return where it is now.

    Every process runs this at start: a database already at the newest revision is seen as
    such without taking the lock, so workers starting together do not queue behind it."""
    if target == "head":
        with engine.connect() as connection:
            now = current_revision(connection)
        if now is not None and now == head_revision():
            return now
    with locked(engine) as connection:
        config = alembic_config(connection)
        if _made_before_migrations(connection):
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, target)
        return current_revision(connection)


def downgrade(engine: Engine, target: str) -> str | None:
    with locked(engine) as connection:
        command.downgrade(alembic_config(connection), target)
        return current_revision(connection)


def new_revision(engine: Engine, message: str, empty: bool = False) -> Path | None:
    """Write a revision for what the models have and the database lacks; None when nothing
    differs (unless `empty` asks for a blank one, e.g. for a data migration)."""
    with engine.connect() as connection:
        if not empty and not differences(connection):
            return None
        script = command.revision(alembic_config(connection), message=message,
                                  autogenerate=not empty)
        return Path(script.path)


def differences(connection: Connection) -> list:
    """What Alembic's autogenerate sees between the models and the database ([] when equal)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def head_revision() -> str | None:
    """The newest revision among the migration scripts."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _made_before_migrations(connection: Connection) -> bool:
    tables = inspect(connection).get_table_names()
    return "users" in tables and "alembic_version" not in tables


def alembic_config(connection: Connection) -> Config:
    """Alembic's settings, made in code: no alembic.ini, the scripts travel in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Percent signs are doubled for the config parser; files sort by date.
    config.set_main_option("file_template",
                           "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection  # read by migrations/env.py
    return config


@contextmanager
def locked(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction, which no other process can be migrating at once.

    PostgreSQL: a transaction-level advisory lock, released at commit; a process that waits
    for it then finds the work done. SQLite: see _sqlite_immediate.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            with _sqlite_immediate(connection):
                yield connection
            return
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": _LOCK_KEY})
            yield connection


@contextmanager
def _sqlite_immediate(connection: Connection) -> Iterator[None]:
    # pysqlite runs DDL outside any transaction unless told otherwise; BEGIN IMMEDIATE makes
    # the whole upgrade one transaction holding the file's write lock, so a second process
    # waits (busy_timeout) and then finds the work done. Foreign keys are off meanwhile because
    # batch mode rebuilds tables (dropping one with them on would cascade deletes), and are
    # checked before commit instead.
    connection.execution_options(isolation_level="AUTOCOMMIT")
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    # Migrating a large database takes longer than a request may wait for a lock.
    connection.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"the migration left rows with broken foreign keys: {broken[:5]}")
        connection.exec_driver_sql("COMMIT")
    except BaseException:
        connection.exec_driver_sql("ROLLBACK")
        raise
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.exec_driver_sql(f"PRAGMA busy_timeout={REQUEST_WAIT_MS}")

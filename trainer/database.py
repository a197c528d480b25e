"""The database connection: how every new SQLite connection of the app is set up."""
from __future__ import annotations

import sqlite3
import time

from sqlalchemy import Engine, event

from trainer import schema


def configure(engine: Engine) -> None:
    """Set SQLite's pragmas on each new connection of this engine (PostgreSQL needs none)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and a writer work at once; SQLite leaves foreign keys off by default.
    cursor = dbapi_connection.cursor()
    # First: the pragmas below may wait too.
    cursor.execute(f"PRAGMA busy_timeout={schema.REQUEST_WAIT_MS}")
    _set_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    # Sync the WAL at every commit: NORMAL (some builds' WAL default) survives a killed
    # process but may lose the last commits in a power cut.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _set_wal(cursor) -> None:
    """Switch to WAL; while another process holds a fresh database's lock, SQLite answers
    'locked' at once instead of waiting, so try again for a while."""
    for attempt in range(50):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.1)

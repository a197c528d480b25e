"""How release-demo.json.gz was made: the demo organisation loaded by an earlier release (run
with that release's checkout first on PYTHONPATH), every table dumped as JSON.

    PYTHONPATH=<release checkout> python tests/data/fill_release_db.py out.json.gz

The file holds the rows the release wrote, scores by its own model included, so the
migration tests start from exactly what a database of that release holds."""
from __future__ import annotations

import gzip
import json
import sys
import tempfile
from datetime import date, datetime

from sqlalchemy import inspect, select

from trainer import create_app, schema
from trainer.extensions import db
from trainer.store import demo

TODAY = date(2026, 11, 27)
SKIPPED = {"alembic_version", "principle_totals"}  # the revision is recorded apart; the
# totals are made again by the triggers from the rows they add up


def _plain(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def main(out: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/release.db",
                          "SECRET_KEY": "release", "TODAY": TODAY})
        with app.app_context():
            demo.load(TODAY)
            with db.engine.connect() as connection:
                revision = schema.current_revision(connection)
                tables = {}
                for name in inspect(connection).get_table_names():
                    if name in SKIPPED:
                        continue
                    table = db.metadata.tables[name]
                    rows = connection.execute(select(table)).mappings().all()
                    tables[name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
            db.engine.dispose()
    with gzip.open(out, "wt", encoding="utf-8") as file:
        json.dump({"revision": revision, "today": TODAY.isoformat(), "tables": tables}, file)


if __name__ == "__main__":
    main(sys.argv[1])

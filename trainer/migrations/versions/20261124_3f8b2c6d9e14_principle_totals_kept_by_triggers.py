"""principle totals kept by triggers

HR's principle report added up every attempt_principles row (1.4 million in the benchmark's
organisation). principle_totals holds those sums per principle, scenario and UTC day finished,
kept by triggers so that every writer (the app, the demo, bulk loads, tests, a hand-typed
UPDATE) keeps it right without knowing of it:

- a result inserted, deleted or updated adds to or takes from its attempt's key;
- an attempt whose finished_at moves to another day or whose scenario_id changes takes its
  results from the old key to the new one; a deleted attempt takes them away before its
  results go (by cascade, when their attempt can no longer be looked up).

Only attempts with a finished_at count. A key that loses all its results keeps a row of zeros:
every change is then the same upsert of (signed) sums, and readers skip what adds up to none.

SQLite fires its triggers per row. PostgreSQL counts results per statement from transition
tables, so a COPY of a million rows is one grouped upsert; attempts are handled per row, and
only when the key really changes (the WHEN clause, so the play path's updates cost nothing).

A later migration that rebuilds attempts or attempt_principles in SQLite batch mode (copy
and swap) loses these triggers with the old table and must create them again.

Revision ID: 3f8b2c6d9e14
Revises: 5c1e7a9d2b40
Create Date: 2026-11-24 23:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '3f8b2c6d9e14'
down_revision = '5c1e7a9d2b40'
branch_labels = None
depends_on = None

TOTALS = ("INSERT INTO principle_totals "
          "(principle_id, scenario_id, finished_on, earned, best, attempts)")
ADD = """ON CONFLICT (principle_id, scenario_id, finished_on) DO UPDATE SET
    earned = principle_totals.earned + excluded.earned,
    best = principle_totals.best + excluded.best,
    attempts = principle_totals.attempts + excluded.attempts"""
TRIGGERS = {  # name: table
    "principle_totals_on_insert": "attempt_principles",
    "principle_totals_on_update": "attempt_principles",
    "principle_totals_on_delete": "attempt_principles",
    "principle_totals_on_attempt_move": "attempts",
    "principle_totals_on_attempt_delete": "attempts",
}
FUNCTIONS = ("principle_totals_count_results", "principle_totals_move_attempt")


def upgrade() -> None:
    op.create_table(
        "principle_totals",
        sa.Column("principle_id", sa.String(length=100), nullable=False),
        sa.Column("scenario_id", sa.String(length=100), nullable=False),
        sa.Column("finished_on", sa.Date(), nullable=False),
        sa.Column("earned", sa.Integer(), nullable=False),
        sa.Column("best", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("principle_id", "scenario_id", "finished_on",
                                name=op.f("pk_principle_totals")),
        sqlite_with_rowid=False,  # SQLite keeps the rows in key order: read with no lookups
    )
    statements = _postgresql() if op.get_bind().dialect.name == "postgresql" else _sqlite()
    for statement in statements:
        op.execute(statement)
    # The results already there; date() is a function in SQLite and a cast in PostgreSQL.
    op.execute(f"""{TOTALS}
        SELECT r.principle_id, a.scenario_id, date(a.finished_at),
               sum(r.earned), sum(r.best), count(*)
        FROM attempt_principles AS r JOIN attempts AS a ON a.id = r.attempt_id
        WHERE a.finished_at IS NOT NULL
        GROUP BY r.principle_id, a.scenario_id, date(a.finished_at)""")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for name in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("principle_totals")


def _sqlite_results(row: str, sign: str) -> str:
    """Add (sign "") or take away (sign "-") one result row, under its attempt's key."""
    return f"""{TOTALS}
        SELECT {row}.principle_id, a.scenario_id, date(a.finished_at),
               {sign}{row}.earned, {sign}{row}.best, {sign}1
        FROM attempts AS a WHERE a.id = {row}.attempt_id AND a.finished_at IS NOT NULL
        {ADD};"""


def _sqlite_attempt(row: str, sign: str) -> str:
    """Add or take away all results of one attempt, under its (OLD or NEW) key."""
    return f"""{TOTALS}
        SELECT r.principle_id, {row}.scenario_id, date({row}.finished_at),
               {sign}r.earned, {sign}r.best, {sign}1
        FROM attempt_principles AS r WHERE r.attempt_id = {row}.id
          AND {row}.finished_at IS NOT NULL
        {ADD};"""


def _sqlite() -> list[str]:
    return [
        f"""CREATE TRIGGER principle_totals_on_insert AFTER INSERT ON attempt_principles
        BEGIN {_sqlite_results("NEW", "")} END""",
        f"""CREATE TRIGGER principle_totals_on_update AFTER UPDATE ON attempt_principles
        BEGIN {_sqlite_results("OLD", "-")} {_sqlite_results("NEW", "")} END""",
        f"""CREATE TRIGGER principle_totals_on_delete AFTER DELETE ON attempt_principles
        BEGIN {_sqlite_results("OLD", "-")} END""",
        f"""CREATE TRIGGER principle_totals_on_attempt_move
        AFTER UPDATE OF finished_at, scenario_id ON attempts
        WHEN OLD.scenario_id IS NOT NEW.scenario_id
          OR date(OLD.finished_at) IS NOT date(NEW.finished_at)
        BEGIN {_sqlite_attempt("OLD", "-")} {_sqlite_attempt("NEW", "")} END""",
        # Before: a cascade deletes the results after the attempt, when its key is gone.
        f"""CREATE TRIGGER principle_totals_on_attempt_delete BEFORE DELETE ON attempts
        BEGIN {_sqlite_attempt("OLD", "-")} END""",
    ]


def _postgresql_results(rows: str, sign: str) -> str:
    # Sorted, so that transactions adding to the same keys lock them in the same order.
    return f"""{TOTALS}
            SELECT r.principle_id, a.scenario_id, a.finished_at::date,
                   {sign}sum(r.earned), {sign}sum(r.best), {sign}count(*)
            FROM {rows} AS r JOIN attempts AS a ON a.id = r.attempt_id
            WHERE a.finished_at IS NOT NULL
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            {ADD};"""


def _postgresql_attempt(row: str, sign: str) -> str:
    return f"""{TOTALS}
            SELECT r.principle_id, {row}.scenario_id, {row}.finished_at::date,
                   {sign}r.earned, {sign}r.best, {sign}1
            FROM attempt_principles AS r WHERE r.attempt_id = {row}.id
            ORDER BY r.principle_id
            {ADD};"""


def _postgresql() -> list[str]:
    # CREATE OR REPLACE: a test database whose tables were dropped (not downgraded) still
    # holds the functions, and must migrate again from the start.
    return [
        f"""CREATE OR REPLACE FUNCTION principle_totals_count_results() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {_postgresql_results("old_rows", "-")}
            END IF;
            IF TG_OP <> 'DELETE' THEN {_postgresql_results("new_rows", "")}
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER principle_totals_on_insert AFTER INSERT ON attempt_principles
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION principle_totals_count_results()""",
        """CREATE TRIGGER principle_totals_on_update AFTER UPDATE ON attempt_principles
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION principle_totals_count_results()""",
        """CREATE TRIGGER principle_totals_on_delete AFTER DELETE ON attempt_principles
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION principle_totals_count_results()""",
        f"""CREATE OR REPLACE FUNCTION principle_totals_move_attempt() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.finished_at IS NOT NULL THEN {_postgresql_attempt("OLD", "-")}
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.finished_at IS NOT NULL THEN
                {_postgresql_attempt("NEW", "")}
            END IF;
            RETURN OLD;
        END $$""",
        """CREATE TRIGGER principle_totals_on_attempt_move
        AFTER UPDATE OF finished_at, scenario_id ON attempts FOR EACH ROW
        WHEN (OLD.scenario_id IS DISTINCT FROM NEW.scenario_id
              OR OLD.finished_at::date IS DISTINCT FROM NEW.finished_at::date)
        EXECUTE FUNCTION principle_totals_move_attempt()""",
        # Before: a cascade deletes the results after the attempt, when its key is gone.
        """CREATE TRIGGER principle_totals_on_attempt_delete BEFORE DELETE ON attempts
        FOR EACH ROW EXECUTE FUNCTION principle_totals_move_attempt()""",
    ]

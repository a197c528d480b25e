"""per-decision scoring: every stored attempt re-scored, every completion recomputed

Each decision is now scored on its own: the option chosen against the best and the worst on
offer at that moment (trainer.engine.score). Steps keep the best option and the best and worst
points of their decision; attempts keep the model that scored them, the pass mark, the verdict
(passed: the mark reached and not a bad ending), the feedback mode they were played in, and the
percentage of the first model (legacy_percent) so nothing is lost. Every stored attempt is
re-scored from its stored steps and its stored scenario version, with today's pass marks from
the scenarios folder; principle results are rewritten (the principle_totals triggers follow);
each assignment is completed exactly when every scenario of its module has a passed attempt.

Columns are added in place (ALTER TABLE ... ADD COLUMN), so SQLite keeps the triggers of
3f8b2c6d9e14. Downgrading drops the new columns and puts the first model's percentages back.

Revision ID: c4a9e2f61b37
Revises: d5e8a1c3f702
Create Date: 2026-11-28 06:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4a9e2f61b37'
down_revision = 'd5e8a1c3f702'
branch_labels = None
depends_on = None

ATTEMPT_COLUMNS = (
    sa.Column("scoring", sa.String(length=20), nullable=True),
    sa.Column("pass_mark", sa.Integer(), nullable=True),
    sa.Column("passed", sa.Boolean(), nullable=True),
    sa.Column("legacy_percent", sa.Integer(), nullable=True),
    sa.Column("feedback", sa.String(length=12), server_default="immediate", nullable=False),
)
STEP_COLUMNS = (
    sa.Column("best_choice_id", sa.String(length=20), nullable=True),
    sa.Column("best_points", sa.Integer(), nullable=True),
    sa.Column("worst_points", sa.Integer(), nullable=True),
)


def upgrade() -> None:
    for column in ATTEMPT_COLUMNS:
        op.add_column("attempts", column)
    for column in STEP_COLUMNS:
        op.add_column("steps", column)
    from trainer.config import scenarios_dir
    from trainer.engine import load_library
    from trainer.store.rescore import rescore_all

    rescore_all(op.get_bind(), load_library(scenarios_dir()))


def downgrade() -> None:
    op.execute("UPDATE attempts SET percent = legacy_percent WHERE legacy_percent IS NOT NULL")
    for table, columns in (("attempts", ATTEMPT_COLUMNS), ("steps", STEP_COLUMNS)):
        for column in columns:
            # Dropped in place, not by batch mode's copy and swap, which would lose triggers.
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")

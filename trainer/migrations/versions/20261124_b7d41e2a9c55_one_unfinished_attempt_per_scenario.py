"""one unfinished attempt per person and scenario

Revision ID: b7d41e2a9c55
Revises: 3f8b2c6d9e14
Create Date: 2026-11-24 23:30:00.000000
"""
from alembic import op
from sqlalchemy import text

revision = 'b7d41e2a9c55'
down_revision = '3f8b2c6d9e14'
branch_labels = None
depends_on = None

OPEN = text("status = 'in_progress'")


def upgrade() -> None:
    # Starts that overlapped before this may have left several open: the newest stays open.
    op.execute("""
        UPDATE attempts SET status = 'abandoned'
        WHERE status = 'in_progress' AND EXISTS (
            SELECT 1 FROM attempts AS newer
            WHERE newer.user_id = attempts.user_id
              AND newer.scenario_id = attempts.scenario_id
              AND newer.status = 'in_progress' AND newer.id > attempts.id)
    """)
    op.create_index('uq_attempts_one_open', 'attempts', ['user_id', 'scenario_id'],
                    unique=True, sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index('uq_attempts_one_open', table_name='attempts')

"""indexes for the HR reports

Revision ID: a8eef06c4fa0
Revises: 1700ed09d6c1
Create Date: 2026-11-24 21:46:08.464362
"""
import sqlalchemy as sa
from alembic import op

revision = 'a8eef06c4fa0'
down_revision = '1700ed09d6c1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_due_open', ['due_date', 'completed_at'], unique=False)

    with op.batch_alter_table('attempt_principles', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_principles_totals', ['principle_id', 'earned', 'best'], unique=False)

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_finished', ['status', 'finished_at', 'percent', 'user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_finished')

    with op.batch_alter_table('attempt_principles', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_principles_totals')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_due_open')

"""covering indexes for the completion report

Revision ID: 5c1e7a9d2b40
Revises: a8eef06c4fa0
Create Date: 2026-11-24 23:20:00.000000
"""
from alembic import op

revision = '5c1e7a9d2b40'
down_revision = 'a8eef06c4fa0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        # Replaced by ix_assignments_module_status, which starts with the same columns.
        batch_op.drop_index('ix_assignments_module_due')
        batch_op.create_index('ix_assignments_module_status',
                              ['module_id', 'due_date', 'completed_at', 'started_at'], unique=False)
        batch_op.create_index('ix_assignments_user_status',
                              ['user_id', 'due_date', 'completed_at', 'started_at', 'module_id'],
                              unique=False)

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_scores',
                              ['status', 'percent', 'finished_at', 'scenario_id', 'user_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_scores')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_user_status')
        batch_op.drop_index('ix_assignments_module_status')
        batch_op.create_index('ix_assignments_module_due', ['module_id', 'due_date'], unique=False)

"""drop the index the principle totals replaced

Revision ID: d5e8a1c3f702
Revises: b7d41e2a9c55
Create Date: 2026-11-24 23:40:00.000000

HR's principle figures are read from principle_totals (kept by triggers); nothing reads
ix_attempt_principles_totals any more, and every finished attempt paid for keeping it.
"""
from alembic import op

revision = 'd5e8a1c3f702'
down_revision = 'b7d41e2a9c55'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_attempt_principles_totals', table_name='attempt_principles')


def downgrade() -> None:
    op.create_index('ix_attempt_principles_totals', 'attempt_principles',
                    ['principle_id', 'earned', 'best'], unique=False)

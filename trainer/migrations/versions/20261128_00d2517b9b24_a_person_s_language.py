"""a person's language

The interface's language each person chose on their account page (none: as their browser asks).
One nullable column.

Revision ID: 00d2517b9b24
Revises: da951416bf14
Create Date: 2026-11-28 12:28:02.991441
"""
import sqlalchemy as sa
from alembic import op

revision = '00d2517b9b24'
down_revision = 'da951416bf14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')


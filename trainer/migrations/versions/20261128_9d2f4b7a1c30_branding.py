"""branding: the organisation's name, logo and accent colour

One row, written from the administrator's branding page. A new table only.

Revision ID: 9d2f4b7a1c30
Revises: 6eb3cda92771
Create Date: 2026-11-28 18:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '9d2f4b7a1c30'
down_revision = '6eb3cda92771'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("accent", sa.String(length=7), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branding")),
    )


def downgrade() -> None:
    op.drop_table("branding")

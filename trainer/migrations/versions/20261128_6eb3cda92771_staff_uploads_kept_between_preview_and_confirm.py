"""staff uploads kept between preview and confirm

A staff file is kept in the database from its preview until its confirmation (or for an hour),
for the person who uploaded it, so the confirm form sends back a token instead of the whole
file (which, near the request limit, no longer fitted in the request). A new table only: no
table is rebuilt, so SQLite keeps the triggers of 3f8b2c6d9e14.

Revision ID: 6eb3cda92771
Revises: c4a9e2f61b37
Create Date: 2026-11-28 12:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '6eb3cda92771'
down_revision = 'c4a9e2f61b37'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_staff_uploads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_uploads")),
        sa.UniqueConstraint("token", name=op.f("uq_staff_uploads_token")),
    )
    op.create_index(op.f("ix_staff_uploads_user_id"), "staff_uploads", ["user_id"])


def downgrade() -> None:
    op.drop_table("staff_uploads")  # its index goes with it

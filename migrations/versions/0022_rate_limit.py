"""Rate-limit windows in the database, shared by every worker and host (RATELIMIT_STORAGE_URI = "database://")

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limit_window",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_window")),
    )
    with op.batch_alter_table("rate_limit_window") as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_window_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("rate_limit_window") as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_window_expires_at"))
    op.drop_table("rate_limit_window")

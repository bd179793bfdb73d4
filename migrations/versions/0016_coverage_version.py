"""Coverage version: one row whose random stamp changes with every change of the touch counts or the roster, so
the coverage caches (``coverage/cache.py``) are invalidated exactly

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "coverage_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_version")),
    )
    op.bulk_insert(table, [{"id": 1, "stamp": secrets.token_hex(16)}])


def downgrade():
    op.drop_table("coverage_version")

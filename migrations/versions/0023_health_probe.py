"""The health probe's one row, which /healthz updates and commits so that a database refusing writes is noticed

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08

"""

import sqlalchemy as sa
from alembic import op

from parkportal.timeutil import utcnow

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "health_probe",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_probe")),
    )
    op.bulk_insert(table, [{"id": 1, "checked_at": utcnow().replace(tzinfo=None)}])  # UTC, as UTCDateTime stores


def downgrade():
    op.drop_table("health_probe")

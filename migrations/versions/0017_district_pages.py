"""District pages: the issued findings counted by area, level and status, and the enterprises affected per area,
kept for the checkups page (backfilled from the issued findings)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "checkup_area_enterprise",
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_checkup_area_enterprise_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("area", "enterprise_id", name=op.f("pk_checkup_area_enterprise")),
    )
    op.create_table(
        "checkup_area_count",
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("enterprises", sa.Integer(), nullable=False),
        sa.CheckConstraint("enterprises >= 0", name=op.f("ck_checkup_area_count_enterprises")),
        sa.PrimaryKeyConstraint("area", name=op.f("pk_checkup_area_count")),
    )
    op.create_table(
        "checkup_finding_count",
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.CheckConstraint("findings >= 0", name=op.f("ck_checkup_finding_count_findings")),
        sa.PrimaryKeyConstraint("area", "level", "status", name=op.f("pk_checkup_finding_count")),
    )
    op.execute(
        "INSERT INTO checkup_finding_count (area, level, status, findings) SELECT area, level, status, count(*) "
        "FROM checkup_finding WHERE issued_in IS NOT NULL GROUP BY area, level, status"
    )
    op.execute(
        "INSERT INTO checkup_area_enterprise (area, enterprise_id) "
        "SELECT DISTINCT area, enterprise_id FROM checkup_finding WHERE issued_in IS NOT NULL"
    )
    op.execute(
        "INSERT INTO checkup_area_count (area, enterprises) "
        "SELECT area, count(*) FROM checkup_area_enterprise GROUP BY area"
    )


def downgrade():
    op.drop_table("checkup_finding_count")
    op.drop_table("checkup_area_count")
    op.drop_table("checkup_area_enterprise")

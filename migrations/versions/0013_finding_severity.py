"""Checkup findings keep their level's rank (high 0, medium 1, low 2), so an index serves the park's list "most
serious and oldest first" instead of sorting every open finding; the counts by area and level read an index alone;
and findings keep their enterprise, so "enterprises affected per
area" is counted from an index instead of joining every finding to its checkup and booking

Revision ID: 0013
Revises: 0010
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None

SEVERITY_SQL = "CASE level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END"


def upgrade():
    op.add_column("checkup_finding", sa.Column("severity", sa.Integer(), nullable=True))
    op.add_column("checkup_finding", sa.Column("enterprise_id", sa.Integer(), nullable=True))
    op.execute(f"UPDATE checkup_finding SET severity = {SEVERITY_SQL}")
    op.execute(
        "UPDATE checkup_finding SET enterprise_id = (SELECT appointment.enterprise_id FROM checkup"
        " JOIN appointment ON appointment.id = checkup.appointment_id WHERE checkup.id = checkup_finding.checkup_id)"
    )
    with op.batch_alter_table("checkup_finding") as batch_op:
        batch_op.alter_column("severity", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("enterprise_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_checkup_finding_enterprise_id_enterprise"), "enterprise", ["enterprise_id"], ["id"]
        )
        batch_op.create_index(
            "ix_checkup_finding_area_enterprise", ["area", "enterprise_id", "issued_in"], unique=False
        )
        batch_op.create_check_constraint("severity", f"severity = {SEVERITY_SQL}")
        batch_op.create_index(
            "ix_checkup_finding_status_severity", ["status", "severity", "issued_at", "id"], unique=False
        )
        batch_op.create_index("ix_checkup_finding_severity", ["severity", "issued_at", "id"], unique=False)
        batch_op.drop_index("ix_checkup_finding_open")
        batch_op.create_index("ix_checkup_finding_open", ["status", "level", "area", "issued_in"], unique=False)


def downgrade():
    with op.batch_alter_table("checkup_finding") as batch_op:
        batch_op.drop_index("ix_checkup_finding_open")
        batch_op.create_index("ix_checkup_finding_open", ["status", "level", "area"], unique=False)
        batch_op.drop_index("ix_checkup_finding_area_enterprise")
        batch_op.drop_constraint(batch_op.f("fk_checkup_finding_enterprise_id_enterprise"), type_="foreignkey")
        batch_op.drop_column("enterprise_id")
        batch_op.drop_index("ix_checkup_finding_severity")
        batch_op.drop_index("ix_checkup_finding_status_severity")
        batch_op.drop_constraint(op.f("ck_checkup_finding_severity"), type_="check")
        batch_op.drop_column("severity")

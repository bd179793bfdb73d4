"""District scale. Compilations keep their figures (downloads by enterprises, printed copies, enterprises reached,
with one reach row per compilation and enterprise), filled here from the logs. Checkup findings keep their level's
rank (high 0, medium 1, low 2), so an index serves the park's list "most serious and oldest first" instead of sorting
every open finding; the counts by area and level read an index alone; and findings keep their enterprise, so
"enterprises affected per area" is counted from an index instead of joining every finding to its checkup and booking.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SEVERITY_SQL = "CASE level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END"


def upgrade():
    with op.batch_alter_table("compilation") as batch_op:
        for column in ("downloads_count", "printed_count", "reached_count"):
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "compilation_reach",
        sa.Column("compilation_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["compilation_id"],
            ["compilation.id"],
            name=op.f("fk_compilation_reach_compilation_id_compilation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_compilation_reach_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("compilation_id", "enterprise_id", name=op.f("pk_compilation_reach")),
    )
    op.create_index("ix_compilation_reach_enterprise_id", "compilation_reach", ["enterprise_id"], unique=False)
    op.create_index("ix_enterprise_name", "enterprise", ["name", "id"], unique=False)
    op.execute(
        "INSERT INTO compilation_reach (compilation_id, enterprise_id)"
        " SELECT compilation_id, enterprise_id FROM download WHERE enterprise_id IS NOT NULL"
        " UNION SELECT compilation_id, enterprise_id FROM printed_copy"
    )
    op.execute(
        "UPDATE compilation SET"
        " downloads_count = (SELECT count(*) FROM download"
        " WHERE download.compilation_id = compilation.id AND download.enterprise_id IS NOT NULL),"
        " printed_count = (SELECT coalesce(sum(copies), 0) FROM printed_copy"
        " WHERE printed_copy.compilation_id = compilation.id),"
        " reached_count = (SELECT count(*) FROM compilation_reach WHERE compilation_reach.compilation_id = compilation.id)"
    )
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
    op.drop_index("ix_enterprise_name", table_name="enterprise")
    op.drop_index("ix_compilation_reach_enterprise_id", table_name="compilation_reach")
    op.drop_table("compilation_reach")
    with op.batch_alter_table("compilation") as batch_op:
        for column in ("reached_count", "printed_count", "downloads_count"):
            batch_op.drop_column(column)
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

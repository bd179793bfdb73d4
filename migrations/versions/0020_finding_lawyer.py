"""A lawyer's checkup findings read from an index on the finding's own lawyer (kept that of its booking)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkup_finding") as batch_op:
        batch_op.add_column(sa.Column("lawyer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_checkup_finding_lawyer_id_user_account"), "user_account", ["lawyer_id"], ["id"]
        )
    op.execute(
        "UPDATE checkup_finding SET lawyer_id = (SELECT appointment.lawyer_id FROM checkup"
        " JOIN appointment ON appointment.id = checkup.appointment_id WHERE checkup.id = checkup_finding.checkup_id)"
    )
    with op.batch_alter_table("checkup_finding") as batch_op:
        batch_op.create_index(
            "ix_checkup_finding_lawyer_severity", ["lawyer_id", "status", "severity", "issued_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("checkup_finding") as batch_op:
        batch_op.drop_index("ix_checkup_finding_lawyer_severity")
        batch_op.drop_constraint(batch_op.f("fk_checkup_finding_lawyer_id_user_account"), type_="foreignkey")
        batch_op.drop_column("lawyer_id")

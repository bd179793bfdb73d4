"""Checkups: a reported correction can be sent back as not enough (the finding is open again, with why)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkup_finding") as batch_op:
        batch_op.add_column(sa.Column("returned_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("returned_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_checkup_finding_returned_by_id_user_account", "user_account", ["returned_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("checkup_finding") as batch_op:
        batch_op.drop_constraint("fk_checkup_finding_returned_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("returned_by_id")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("returned_note")

"""Checkup bookings newest first, read from indexes on the booking's service and start (the park's list) and on its
lawyer, service and start (a lawyer's list) instead of walking every booking by time

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01

"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appointment") as batch_op:
        batch_op.create_index("ix_appointment_service_start", ["service_type_id", "start_at"], unique=False)
        batch_op.create_index(
            "ix_appointment_lawyer_service_start", ["lawyer_id", "service_type_id", "start_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("appointment") as batch_op:
        batch_op.drop_index("ix_appointment_lawyer_service_start")
        batch_op.drop_index("ix_appointment_service_start")

"""An index for a lawyer's appointments in one status by time (the agenda's "waiting for an outcome")

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointment') as batch_op:
        batch_op.create_index('ix_appointment_lawyer_status_start', ['lawyer_id', 'status', 'start_at'], unique=False)


def downgrade():
    with op.batch_alter_table('appointment') as batch_op:
        batch_op.drop_index('ix_appointment_lawyer_status_start')

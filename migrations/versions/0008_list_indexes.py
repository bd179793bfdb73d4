"""Indexes that serve the lists' filters and order together (district scale, issue 13)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

#: table → (index name, columns): each list's WHERE and ORDER BY in one index.
INDEXES = {
    'appointment': [
        ('ix_appointment_status_start', ['status', 'start_at']),
        ('ix_appointment_lawyer_start', ['lawyer_id', 'start_at']),
        ('ix_appointment_enterprise_start', ['enterprise_id', 'start_at']),
    ],
    'notification': [
        ('ix_notification_user_read', ['user_id', 'read_at']),
        ('ix_notification_user_created', ['user_id', 'created_at']),
    ],
    'audit_log': [
        ('ix_audit_log_action_id', ['action', 'id']),
        ('ix_audit_log_object', ['object_type', 'object_id']),
    ],
}


def upgrade():
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table) as batch_op:
            for name, columns in indexes:
                batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table) as batch_op:
            for name, _columns in indexes:
                batch_op.drop_index(name)

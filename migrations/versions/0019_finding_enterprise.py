"""One enterprise's open checkup findings (the coverage timeline) read from an index on the finding's enterprise

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30

"""
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkup_finding') as batch_op:
        batch_op.create_index('ix_checkup_finding_enterprise_status', ['enterprise_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('checkup_finding') as batch_op:
        batch_op.drop_index('ix_checkup_finding_enterprise_status')

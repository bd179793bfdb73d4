"""Enterprises of one status by name: the roster's "pending first" part and its status filter (replaces the
index on status alone, which it leads with)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprise') as batch_op:
        batch_op.drop_index('ix_enterprise_status')
        batch_op.create_index('ix_enterprise_status_name', ['status', 'name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('enterprise') as batch_op:
        batch_op.drop_index('ix_enterprise_status_name')
        batch_op.create_index('ix_enterprise_status', ['status'], unique=False)

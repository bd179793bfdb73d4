"""One row per signed-in browser, so signing out ends that sign-in for good

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_in_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in')),
    )
    with op.batch_alter_table('sign_in') as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in') as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_user_id'))
    op.drop_table('sign_in')

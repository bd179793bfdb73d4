"""enterprise review: a registration can be returned for correction with a note

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BEFORE = ('pending', 'verified', 'archived')
AFTER = ('pending', 'rejected', 'verified', 'archived')


def _condition(codes):
    return f"status IN ({', '.join(repr(code) for code in codes)})"


def upgrade():
    with op.batch_alter_table('enterprise') as batch:
        batch.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch.drop_constraint(op.f('ck_enterprise_status'), type_='check')
        batch.create_check_constraint('status', _condition(AFTER))


def downgrade():
    op.execute("UPDATE enterprise SET status = 'pending' WHERE status = 'rejected'")
    with op.batch_alter_table('enterprise') as batch:
        batch.drop_constraint(op.f('ck_enterprise_status'), type_='check')
        batch.create_check_constraint('status', _condition(BEFORE))
        batch.drop_column('review_note')

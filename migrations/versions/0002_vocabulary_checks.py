"""CHECK constraints that keep stored codes to the contract's vocabularies

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Frozen copies of the codes as of this revision (a later vocabulary change comes with its own migration).
CHECKS = {
    'appointment': {
        'status': ('requested', 'confirmed', 'completed', 'cancelled', 'declined', 'no_show'),
        'mode': ('onsite', 'video', 'phone'),
    },
    'enterprise': {
        'status': ('pending', 'verified', 'archived'),
        'source': ('self_registered', 'imported'),
    },
    'user_account': {'role': ('enterprise', 'lawyer', 'staff')},
    'availability_exception': {'kind': ('off', 'extra')},
}


def _condition(column, codes):
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


def upgrade():
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for column, codes in columns.items():
                batch.create_check_constraint(column, _condition(column, codes))


def downgrade():
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')

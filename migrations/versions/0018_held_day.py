"""Held days: which 30-minute units of each lawyer's UTC day are held, as a bit mask kept by triggers on
booking_unit (the slot search and the month picker read it instead of the units), backfilled from the units

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

from parkportal.models.booking import HELD_DAY_TRIGGERS

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: The units' masks per lawyer and UTC day, per engine (each unit is its own bit, so a sum is an OR).
BACKFILL = {
    "sqlite": """INSERT INTO held_day (lawyer_id, day, mask)
SELECT lawyer_id, date(unit_start), SUM(1 << (CAST(substr(unit_start, 12, 2) AS INTEGER) * 2
                                          + CAST(substr(unit_start, 15, 2) AS INTEGER) / 30))
FROM booking_unit GROUP BY lawyer_id, date(unit_start)""",
    "postgresql": """INSERT INTO held_day (lawyer_id, day, mask)
SELECT lawyer_id, unit_start::date, bit_or(1::bigint << (extract(hour FROM unit_start)::int * 2
                                                         + extract(minute FROM unit_start)::int / 30))
FROM booking_unit GROUP BY lawyer_id, unit_start::date""",
}


def upgrade():
    op.create_table(
        "held_day",
        sa.Column("lawyer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("mask", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["lawyer_id"], ["user_account.id"], name=op.f("fk_held_day_lawyer_id_user_account")),
        sa.PrimaryKeyConstraint("lawyer_id", "day", name=op.f("pk_held_day")),
        sqlite_with_rowid=False,
    )
    dialect = op.get_bind().dialect.name
    op.execute(BACKFILL[dialect])
    for statement in HELD_DAY_TRIGGERS[dialect]:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in ("held_day_sync", "held_day_lock"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON booking_unit")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in ("held_day_insert", "held_day_delete", "held_day_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("held_day")

"""Touch counts: the touches union counted per enterprise and month or year, and the park's totals of each month
and year (what the coverage dashboard reads), backfilled from the union as ``coverage/touches.py`` defines it

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "touch_count",
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("consultation", sa.Integer(), nullable=False),
        sa.Column("checkup", sa.Integer(), nullable=False),
        sa.Column("event", sa.Integer(), nullable=False),
        sa.Column("download", sa.Integer(), nullable=False),
        sa.Column("printed", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.String(length=10), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("booking_ratings", sa.Integer(), nullable=False),
        sa.Column("booking_rating_total", sa.Integer(), nullable=False),
        sa.Column("event_ratings", sa.Integer(), nullable=False),
        sa.Column("event_rating_total", sa.Integer(), nullable=False),
        sa.CheckConstraint("grain IN ('month', 'year')", name=op.f("ck_touch_count_grain")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_touch_count_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grain", "period", "enterprise_id", name=op.f("pk_touch_count")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("touch_count", schema=None) as batch_op:
        batch_op.create_index(
            "ix_touch_count_enterprise", ["enterprise_id", "grain", "period", "last_day"], unique=False
        )

    op.create_table(
        "touch_topic_count",
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("touches", sa.Integer(), nullable=False),
        sa.CheckConstraint("grain IN ('month', 'year')", name=op.f("ck_touch_topic_count_grain")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_touch_topic_count_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grain", "period", "topic", "enterprise_id", name=op.f("pk_touch_topic_count")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("touch_topic_count", schema=None) as batch_op:
        batch_op.create_index("ix_touch_topic_count_enterprise", ["enterprise_id"], unique=False)

    op.create_table(
        "touch_total",
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("enterprises", sa.Integer(), nullable=False),
        sa.CheckConstraint("grain IN ('month', 'year')", name=op.f("ck_touch_total_grain")),
        sa.CheckConstraint("kind IN ('all', 'channel', 'topic', 'measure')", name=op.f("ck_touch_total_kind")),
        sa.PrimaryKeyConstraint("grain", "period", "kind", "key", name=op.f("pk_touch_total")),
    )

    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index("ix_enterprise_industry_status", ["industry", "status"], unique=False)

    # The backfill: the union as defined today (a later change of the definition comes with a migration that
    # calls rebuild() again).
    from parkportal.coverage import rollup

    rollup.rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_industry_status")
    op.drop_table("touch_total")
    with op.batch_alter_table("touch_topic_count", schema=None) as batch_op:
        batch_op.drop_index("ix_touch_topic_count_enterprise")
    op.drop_table("touch_topic_count")
    with op.batch_alter_table("touch_count", schema=None) as batch_op:
        batch_op.drop_index("ix_touch_count_enterprise")
    op.drop_table("touch_count")

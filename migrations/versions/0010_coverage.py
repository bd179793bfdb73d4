"""Coverage: stated legal needs, API tokens (stored hashed), and covering indexes the touches union reads
appointments, event registrations and downloads of a period by

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_api_token_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["user_account.id"], name=op.f("fk_api_token_revoked_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_token_digest")),
    )
    op.create_table(
        "need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("addressed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "source IN ('profile', 'registration', 'after_service', 'phone', 'visit')", name=op.f("ck_need_source")
        ),
        sa.CheckConstraint("status IN ('open', 'addressed')", name=op.f("ck_need_status")),
        sa.CheckConstraint(
            "topic IN ('company_law', 'contracts', 'labor', 'ip', 'tax', 'safety', 'data_privacy', 'disputes', 'other')",  # noqa: E501
            name=op.f("ck_need_topic"),
        ),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"], name=op.f("fk_need_enterprise_id_enterprise")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_need_recorded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need")),
    )
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_need_enterprise_status", ["enterprise_id", "status"], unique=False)

    # Covering indexes of the touches union (a period's rows read from the index alone).
    op.create_index(
        "ix_appointment_touch", "appointment", ["status", "start_at", "enterprise_id", "service_type_id", "topic"]
    )
    op.create_index(
        "ix_event_registration_touch",
        "event_registration",
        ["event_id", "status", "enterprise_id", "attended_count", "rating"],
    )
    op.create_index("ix_download_touch", "download", ["created_at", "enterprise_id", "compilation_id"])


def downgrade():
    op.drop_index("ix_download_touch", table_name="download")
    op.drop_index("ix_event_registration_touch", table_name="event_registration")
    op.drop_index("ix_appointment_touch", table_name="appointment")

    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index("ix_need_enterprise_status")
        batch_op.drop_index(batch_op.f("ix_need_created_at"))

    op.drop_table("need")
    op.drop_table("api_token")

"""Bookings that lead to a meeting: meeting links, one booking through reschedules (history, SEQUENCE, the
enterprise's agreement), changeable ratings, lawyer titles as codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TITLES = ("senior_partner", "partner", "senior_associate", "associate", "assistant")

#: The Chinese titles typed in before 0008 → their code (anything else becomes no title).
TITLE_CODES = {
    "高级合伙人": "senior_partner",
    "高级合伙人律师": "senior_partner",
    "合伙人": "partner",
    "合伙人律师": "partner",
    "资深律师": "senior_associate",
    "执业律师": "associate",
    "专职律师": "associate",
    "律师": "associate",
    "律师助理": "assistant",
    "实习律师": "assistant",
}
#: The codes back to the words used before (downgrade).
TITLE_WORDS = {
    "senior_partner": "高级合伙人",
    "partner": "合伙人律师",
    "senior_associate": "资深律师",
    "associate": "执业律师",
    "assistant": "律师助理",
}


def _retitle(mapping: dict[str, str], known: tuple[str, ...] | None) -> None:
    """Rewrite lawyer_profile.title through ``mapping``; titles outside it (and ``known``) become NULL."""
    profile = sa.table("lawyer_profile", sa.column("title", sa.String))
    for old, new in mapping.items():
        op.execute(profile.update().where(profile.c.title == old).values(title=new))
    if known is not None:
        op.execute(profile.update().where(profile.c.title.not_in(known)).values(title=None))


def upgrade():
    op.create_table(
        "appointment_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("from_start", sa.DateTime(), nullable=False),
        sa.Column("to_start", sa.DateTime(), nullable=False),
        sa.Column("from_lawyer_id", sa.Integer(), nullable=True),
        sa.Column("to_lawyer_id", sa.Integer(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_appointment_move_appointment_id_appointment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["by_id"], ["user_account.id"], name=op.f("fk_appointment_move_by_id_user_account")),
        sa.ForeignKeyConstraint(
            ["from_lawyer_id"], ["user_account.id"], name=op.f("fk_appointment_move_from_lawyer_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["to_lawyer_id"], ["user_account.id"], name=op.f("fk_appointment_move_to_lawyer_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_move")),
    )
    with op.batch_alter_table("appointment_move") as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_move_appointment_id"), ["appointment_id"], unique=False)
    with op.batch_alter_table("appointment") as batch_op:
        batch_op.add_column(sa.Column("meeting_link", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("awaiting_enterprise", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("appointment") as batch_op:
        batch_op.alter_column("sequence", server_default=None)
        batch_op.alter_column("awaiting_enterprise", server_default=None)
    with op.batch_alter_table("feedback") as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("lawyer_profile") as batch_op:
        batch_op.add_column(sa.Column("video_room", sa.String(length=500), nullable=True))
    _retitle(TITLE_CODES, TITLES)
    with op.batch_alter_table("lawyer_profile") as batch_op:
        batch_op.create_check_constraint("title", "title IN ('" + "', '".join(TITLES) + "')")


def downgrade():
    with op.batch_alter_table("lawyer_profile") as batch_op:
        batch_op.drop_constraint(op.f("ck_lawyer_profile_title"), type_="check")
        batch_op.drop_column("video_room")
    _retitle(TITLE_WORDS, None)
    with op.batch_alter_table("feedback") as batch_op:
        batch_op.drop_column("updated_at")
    with op.batch_alter_table("appointment") as batch_op:
        batch_op.drop_column("awaiting_enterprise")
        batch_op.drop_column("sequence")
        batch_op.drop_column("meeting_link")
    with op.batch_alter_table("appointment_move") as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_move_appointment_id"))
    op.drop_table("appointment_move")

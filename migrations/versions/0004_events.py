"""Events: events with their topics and speakers, and registrations (capacity kept by a CHECK, one per enterprise)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('start_at', sa.DateTime(), nullable=False),
    sa.Column('end_at', sa.DateTime(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('seats_per_enterprise', sa.Integer(), nullable=False),
    sa.Column('registration_deadline', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('arrivals', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("category IN ('lecture', 'training', 'checkup_day', 'consultation_day', 'campaign')", name=op.f('ck_event_category')),
    sa.CheckConstraint("status IN ('draft', 'published', 'cancelled')", name=op.f('ck_event_status')),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_event_capacity')),
    sa.CheckConstraint('seats_per_enterprise >= 1', name=op.f('ck_event_seats_per_enterprise')),
    sa.CheckConstraint('seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)', name=op.f('ck_event_seats_taken')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_event_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_event_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_start_at', ['start_at'], unique=False)
        batch_op.create_index('ix_event_status_start', ['status', 'start_at'], unique=False)

    op.create_table('event_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('names', sa.Text(), nullable=False),
    sa.Column('seats_held', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('attended_count', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('reminder_queued_at', sa.DateTime(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rated_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled', 'attended')", name=op.f('ck_event_registration_status')),
    sa.CheckConstraint('attended_count IS NULL OR attended_count >= 0', name=op.f('ck_event_registration_attended_count')),
    sa.CheckConstraint('attendees >= 1', name=op.f('ck_event_registration_attendees')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_event_registration_rating')),
    sa.CheckConstraint('seats_held >= 0 AND seats_held <= attendees', name=op.f('ck_event_registration_seats_held')),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['user_account.id'], name=op.f('fk_event_registration_checked_in_by_id_user_account')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_event_registration_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_registration_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_event_registration_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registration')),
    sa.UniqueConstraint('event_id', 'enterprise_id', name='uq_event_registration_enterprise')
    )
    with op.batch_alter_table('event_registration', schema=None) as batch_op:
        batch_op.create_index('ix_event_registration_checked_in', ['status', 'checked_in_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registration_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_event_registration_queue', ['event_id', 'status', 'position'], unique=False)

    op.create_table('event_speaker',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_speaker_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lawyer_id'], ['user_account.id'], name=op.f('fk_event_speaker_lawyer_id_user_account')),
    sa.PrimaryKeyConstraint('event_id', 'lawyer_id', name=op.f('pk_event_speaker'))
    )
    op.create_table('event_topic',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.CheckConstraint("topic IN ('company_law', 'contracts', 'labor', 'ip', 'tax', 'safety', 'data_privacy', 'disputes', 'other')", name=op.f('ck_event_topic_topic')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_topic_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'topic', name=op.f('pk_event_topic'))
    )
    with op.batch_alter_table('event_topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_topic_topic'), ['topic'], unique=False)



def downgrade():
    with op.batch_alter_table('event_topic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_topic_topic'))

    op.drop_table('event_topic')
    op.drop_table('event_speaker')
    with op.batch_alter_table('event_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_event_registration_queue')
        batch_op.drop_index(batch_op.f('ix_event_registration_enterprise_id'))
        batch_op.drop_index('ix_event_registration_checked_in')

    op.drop_table('event_registration')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_status_start')
        batch_op.drop_index('ix_event_start_at')

    op.drop_table('event')

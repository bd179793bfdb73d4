"""Legal checkups: questionnaire versions, checkups, findings and issued report revisions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    sa.UniqueConstraint('version', name=op.f('uq_questionnaire_version'))
    )
    op.create_table('checkup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('answers_saved_at', sa.DateTime(), nullable=True),
    sa.Column('answers_finished_at', sa.DateTime(), nullable=True),
    sa.Column('report_status', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('follow_up_reminded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("report_status = 'draft' OR revision > 0", name=op.f('ck_checkup_issued_revision')),
    sa.CheckConstraint("report_status IN ('draft', 'issued')", name=op.f('ck_checkup_report_status')),
    sa.CheckConstraint('answers_finished_at IS NULL OR answers_saved_at IS NOT NULL', name=op.f('ck_checkup_finished_saved')),
    sa.CheckConstraint('revision >= 0', name=op.f('ck_checkup_revision')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_checkup_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_checkup_questionnaire_id_questionnaire')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkup')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_checkup_appointment_id'))
    )
    with op.batch_alter_table('checkup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkup_follow_up_on'), ['follow_up_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkup_questionnaire_id'), ['questionnaire_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkup_report_status'), ['report_status'], unique=False)

    op.create_table('checkup_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkup_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=32), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('recommendation', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('issued_in', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('correction_note', sa.Text(), nullable=True),
    sa.Column('corrected_at', sa.DateTime(), nullable=True),
    sa.Column('corrected_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("area IN ('company_law', 'contracts', 'labor', 'ip', 'tax', 'safety', 'data_privacy', 'disputes', 'other')", name=op.f('ck_checkup_finding_area')),
    sa.CheckConstraint("level IN ('high', 'medium', 'low')", name=op.f('ck_checkup_finding_level')),
    sa.CheckConstraint("status <> 'confirmed' OR confirmed_at IS NOT NULL", name=op.f('ck_checkup_finding_confirmed_when')),
    sa.CheckConstraint("status = 'open' OR corrected_at IS NOT NULL", name=op.f('ck_checkup_finding_corrected_when')),
    sa.CheckConstraint("status = 'open' OR issued_in IS NOT NULL", name=op.f('ck_checkup_finding_correct_issued_only')),
    sa.CheckConstraint("status IN ('open', 'corrected', 'confirmed')", name=op.f('ck_checkup_finding_status')),
    sa.ForeignKeyConstraint(['checkup_id'], ['checkup.id'], name=op.f('fk_checkup_finding_checkup_id_checkup')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_checkup_finding_confirmed_by_id_user_account')),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['user_account.id'], name=op.f('fk_checkup_finding_corrected_by_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_checkup_finding_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkup_finding'))
    )
    with op.batch_alter_table('checkup_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkup_finding_checkup_id'), ['checkup_id'], unique=False)
        batch_op.create_index('ix_checkup_finding_open', ['status', 'level', 'area'], unique=False)

    op.create_table('checkup_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkup_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('number >= 1', name=op.f('ck_checkup_revision_number')),
    sa.ForeignKeyConstraint(['checkup_id'], ['checkup.id'], name=op.f('fk_checkup_revision_checkup_id_checkup')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_checkup_revision_issued_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkup_revision')),
    sa.UniqueConstraint('checkup_id', 'number', name='uq_checkup_revision_number')
    )


def downgrade():
    op.drop_table('checkup_revision')
    with op.batch_alter_table('checkup_finding', schema=None) as batch_op:
        batch_op.drop_index('ix_checkup_finding_open')
        batch_op.drop_index(batch_op.f('ix_checkup_finding_checkup_id'))

    op.drop_table('checkup_finding')
    with op.batch_alter_table('checkup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkup_report_status'))
        batch_op.drop_index(batch_op.f('ix_checkup_questionnaire_id'))
        batch_op.drop_index(batch_op.f('ix_checkup_follow_up_on'))

    op.drop_table('checkup')
    op.drop_table('questionnaire')

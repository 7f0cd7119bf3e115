"""Calendar sync: secret subscription feeds, counsellors' external calendars (busy times in)
and CalDAV targets (appointments out). New tables only; reviewed after autogenerate.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 00:07:33
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('caldav_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('username', sa.String(length=200), nullable=True),
    sa.Column('password', sa.String(length=500), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counsellor_id'], ['counsellors.id'], name=op.f('fk_caldav_targets_counsellor_id_counsellors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caldav_targets')),
    sa.UniqueConstraint('counsellor_id', name=op.f('uq_caldav_targets_counsellor_id'))
    )
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=True),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('shows_client_details', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'counsellor') = (counsellor_id IS NOT NULL)", name=op.f('ck_calendar_feeds_counsellor_iff_counsellor_feed')),
    sa.CheckConstraint("kind IN ('counsellor', 'organisation')", name=op.f('ck_calendar_feeds_kind')),
    sa.ForeignKeyConstraint(['counsellor_id'], ['counsellors.id'], name=op.f('fk_calendar_feeds_counsellor_id_counsellors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_calendar_feeds_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_counsellor_id'), ['counsellor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_feeds_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('external_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('username', sa.String(length=200), nullable=True),
    sa.Column('password', sa.String(length=500), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('etag', sa.String(length=500), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('succeeded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('ics', 'caldav')", name=op.f('ck_external_calendars_kind')),
    sa.ForeignKeyConstraint(['counsellor_id'], ['counsellors.id'], name=op.f('fk_external_calendars_counsellor_id_counsellors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_calendars'))
    )
    with op.batch_alter_table('external_calendars', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_calendars_counsellor_id'), ['counsellor_id'], unique=False)

    op.create_table('external_busy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_external_busy_end_after_start')),
    sa.ForeignKeyConstraint(['calendar_id'], ['external_calendars.id'], name=op.f('fk_external_busy_calendar_id_external_calendars'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counsellor_id'], ['counsellors.id'], name=op.f('fk_external_busy_counsellor_id_counsellors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_busy'))
    )
    with op.batch_alter_table('external_busy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_busy_calendar_id'), ['calendar_id'], unique=False)
        batch_op.create_index('ix_external_busy_counsellor_start', ['counsellor_id', 'start_at'], unique=False)



def downgrade():
    with op.batch_alter_table('external_busy', schema=None) as batch_op:
        batch_op.drop_index('ix_external_busy_counsellor_start')
        batch_op.drop_index(batch_op.f('ix_external_busy_calendar_id'))

    op.drop_table('external_busy')
    with op.batch_alter_table('external_calendars', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_calendars_counsellor_id'))

    op.drop_table('external_calendars')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_counsellor_id'))

    op.drop_table('calendar_feeds')
    op.drop_table('caldav_targets')

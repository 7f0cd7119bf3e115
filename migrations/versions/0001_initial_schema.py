"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 20:58:57.303508

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=64), nullable=False),
    sa.Column('region', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('retention_days > 0', name=op.f('ck_organisations_retention_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    op.create_table('services',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('interpreter_extra_minutes', sa.Integer(), nullable=False),
    sa.Column('offers_in_person', sa.Boolean(), nullable=False),
    sa.Column('offers_phone', sa.Boolean(), nullable=False),
    sa.Column('offers_video', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('buffer_minutes >= 0', name=op.f('ck_services_buffer')),
    sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 480', name=op.f('ck_services_duration')),
    sa.CheckConstraint('interpreter_extra_minutes >= 0', name=op.f('ck_services_interpreter_extra')),
    sa.CheckConstraint('offers_in_person OR offers_phone OR offers_video', name=op.f('ck_services_some_channel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    op.create_table('service_translations',
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('what_to_bring', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_translations_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'locale', name=op.f('pk_service_translations'))
    )
    op.create_table('towns',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('district_code', sa.String(length=8), nullable=False),
    sa.Column('district', sa.String(length=120), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=False),
    sa.Column('base_office_id', sa.String(length=64), nullable=True),
    sa.Column('lat', sa.Double(), nullable=False),
    sa.Column('lon', sa.Double(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('island', sa.String(length=32), nullable=True),
    sa.Column('in_iq_atlas', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_towns_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_towns'))
    )
    with op.batch_alter_table('towns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_towns_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('locations',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('town', sa.String(length=120), nullable=False),
    sa.Column('town_id', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('office', 'mobile')", name=op.f('ck_locations_kind')),
    sa.CheckConstraint('lat IS NULL OR (lat BETWEEN -90 AND 90)', name=op.f('ck_locations_lat_range')),
    sa.CheckConstraint('lon IS NULL OR (lon BETWEEN -180 AND 180)', name=op.f('ck_locations_lon_range')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_locations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['town_id'], ['towns.id'], name=op.f('fk_locations_town_id_towns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('id', 'organisation_id', name=op.f('uq_locations_id_organisation_id'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(organisation_id IS NULL) <> (location_id IS NULL)', name=op.f('ck_closures_one_scope')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_closures_end_after_start')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_closures_location_id_locations')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_closures_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closures_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closures_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('counsellors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('home_location_id', sa.String(length=64), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['home_location_id', 'organisation_id'], ['locations.id', 'locations.organisation_id'], name='fk_counsellors_home_location_same_org'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_counsellors_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counsellors')),
    sa.UniqueConstraint('email', name=op.f('uq_counsellors_email')),
    sa.UniqueConstraint('id', 'organisation_id', name=op.f('uq_counsellors_id_organisation_id'))
    )
    with op.batch_alter_table('counsellors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counsellors_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_absences_end_after_start')),
    sa.ForeignKeyConstraint(['counsellor_id'], ['counsellors.id'], name=op.f('fk_absences_counsellor_id_counsellors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absences'))
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absences_counsellor_id'), ['counsellor_id'], unique=False)
        batch_op.create_index('ix_absences_end_at', ['end_at'], unique=False)

    op.create_table('counsellor_languages',
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('language_code', sa.String(length=16), nullable=False),
    sa.CheckConstraint('length(language_code) BETWEEN 2 AND 16', name=op.f('ck_counsellor_languages_code_length')),
    sa.ForeignKeyConstraint(['counsellor_id'], ['counsellors.id'], name=op.f('fk_counsellor_languages_counsellor_id_counsellors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('counsellor_id', 'language_code', name=op.f('pk_counsellor_languages'))
    )
    with op.batch_alter_table('counsellor_languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counsellor_languages_language_code'), ['language_code'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=True),
    sa.Column('counsellor_id', sa.Integer(), nullable=True),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('preferred_locale', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role = 'admin' OR organisation_id IS NOT NULL", name=op.f('ck_users_organisation_unless_admin')),
    sa.CheckConstraint("role IN ('admin', 'staff', 'counsellor')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['counsellor_id'], ['counsellors.id'], name=op.f('fk_users_counsellor_id_counsellors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('counsellor_id', name=op.f('uq_users_counsellor_id')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('weekly_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('every_n_weeks', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_weekly_hours_valid_period')),
    sa.CheckConstraint('every_n_weeks BETWEEN 1 AND 12', name=op.f('ck_weekly_hours_every_n_weeks_range')),
    sa.CheckConstraint('start_time < end_time', name=op.f('ck_weekly_hours_start_before_end')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_weekly_hours_weekday_range')),
    sa.ForeignKeyConstraint(['counsellor_id', 'organisation_id'], ['counsellors.id', 'counsellors.organisation_id'], name='fk_weekly_hours_counsellor_same_org', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id', 'organisation_id'], ['locations.id', 'locations.organisation_id'], name='fk_weekly_hours_location_same_org'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_weekly_hours_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_hours'))
    )
    with op.batch_alter_table('weekly_hours', schema=None) as batch_op:
        batch_op.create_index('ix_weekly_hours_counsellor_weekday', ['counsellor_id', 'weekday'], unique=False)
        batch_op.create_index('ix_weekly_hours_location_id', ['location_id'], unique=False)

    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('language_code', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('is_interpreter_needed', sa.Boolean(), nullable=False),
    sa.Column('client_name', sa.String(length=200), nullable=True),
    sa.Column('client_email', sa.String(length=254), nullable=True),
    sa.Column('client_phone', sa.String(length=64), nullable=True),
    sa.Column('consent_version', sa.String(length=32), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('manage_token_hash', sa.String(length=64), nullable=True),
    sa.Column('ical_uid', sa.String(length=255), nullable=False),
    sa.Column('ical_sequence', sa.Integer(), nullable=False),
    sa.Column('booked_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('in_person', 'phone', 'video')", name=op.f('ck_appointments_channel')),
    sa.CheckConstraint("source IN ('online', 'api', 'desk')", name=op.f('ck_appointments_source')),
    sa.CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name=op.f('ck_appointments_cancelled_has_time')),
    sa.CheckConstraint("status IN ('confirmed', 'cancelled', 'attended', 'no_show')", name=op.f('ck_appointments_status')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_appointments_end_after_start')),
    sa.CheckConstraint('ical_sequence >= 0', name=op.f('ck_appointments_sequence_non_negative')),
    sa.ForeignKeyConstraint(['booked_by_user_id'], ['users.id'], name=op.f('fk_appointments_booked_by_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['counsellor_id', 'organisation_id'], ['counsellors.id', 'counsellors.organisation_id'], name='fk_appointments_counsellor_same_org'),
    sa.ForeignKeyConstraint(['location_id', 'organisation_id'], ['locations.id', 'locations.organisation_id'], name='fk_appointments_location_same_org'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_appointments_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_appointments_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    sa.UniqueConstraint('ical_uid', name=op.f('uq_appointments_ical_uid')),
    sa.UniqueConstraint('manage_token_hash', name=op.f('uq_appointments_manage_token_hash')),
    sa.UniqueConstraint('reference', name=op.f('uq_appointments_reference'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_counsellor_start', ['counsellor_id', 'start_at'], unique=False)
        batch_op.create_index('ix_appointments_location_start', ['location_id', 'start_at'], unique=False)
        batch_op.create_index('ix_appointments_organisation_start', ['organisation_id', 'start_at'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_audit_entries_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_entries_org_time', ['organisation_id', 'occurred_at'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=32), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('available_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'caldav')", name=op.f('ck_outbox_messages_channel')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_outbox_messages_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_messages_attempts_non_negative')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_outbox_messages_appointment_id_appointments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_outbox_messages_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_due', ['status', 'available_at'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_due')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_appointment_id'))

    op.drop_table('outbox_messages')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_org_time')
        batch_op.drop_index(batch_op.f('ix_audit_entries_occurred_at'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_organisation_start')
        batch_op.drop_index('ix_appointments_location_start')
        batch_op.drop_index('ix_appointments_counsellor_start')

    op.drop_table('appointments')
    with op.batch_alter_table('weekly_hours', schema=None) as batch_op:
        batch_op.drop_index('ix_weekly_hours_location_id')
        batch_op.drop_index('ix_weekly_hours_counsellor_weekday')

    op.drop_table('weekly_hours')
    op.drop_table('users')
    with op.batch_alter_table('counsellor_languages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counsellor_languages_language_code'))

    op.drop_table('counsellor_languages')
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index('ix_absences_end_at')
        batch_op.drop_index(batch_op.f('ix_absences_counsellor_id'))

    op.drop_table('absences')
    with op.batch_alter_table('counsellors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counsellors_organisation_id'))

    op.drop_table('counsellors')
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closures_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_closures_location_id'))

    op.drop_table('closures')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_locations_organisation_id'))

    op.drop_table('locations')
    with op.batch_alter_table('towns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_towns_organisation_id'))

    op.drop_table('towns')
    op.drop_table('service_translations')
    op.drop_table('services')
    op.drop_table('organisations')

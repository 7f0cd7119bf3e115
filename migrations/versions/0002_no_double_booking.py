"""No double booking, by construction in the database

PostgreSQL: an exclusion constraint refuses two active appointments of one counsellor whose
time ranges overlap (btree_gist supplies the "=" operator class for the integer column).
SQLite: triggers refuse the same; SQLite admits one writer at a time, so the check inside the
trigger and the write it guards cannot interleave with another booking.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 21:20:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Appointments last at most 8 hours (a CHECK on services), so an overlapping one starts less
# than a day earlier; the lower bound lets the (counsellor_id, start_at) index answer instead of
# scanning the counsellor's whole history. SQLite's datetime() output sorts like the stored text.
OVERLAP_CHECK = """
    SELECT RAISE(ABORT, 'appointment_overlap')
    WHERE NEW.status <> 'cancelled' AND EXISTS (
        SELECT 1 FROM appointments AS other
        WHERE other.counsellor_id = NEW.counsellor_id
          AND other.start_at >= datetime(NEW.start_at, '-1 day')
          AND other.start_at < NEW.end_at
          AND other.end_at > NEW.start_at
          AND other.id <> NEW.id
          AND other.status <> 'cancelled'
    );
"""


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap "
            "EXCLUDE USING gist (counsellor_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER tr_appointments_no_overlap_insert BEFORE INSERT ON appointments "
            f"BEGIN {OVERLAP_CHECK} END"
        )
        op.execute(
            "CREATE TRIGGER tr_appointments_no_overlap_update "
            "BEFORE UPDATE OF counsellor_id, start_at, end_at, status ON appointments "
            f"BEGIN {OVERLAP_CHECK} END"
        )
    else:
        raise NotImplementedError(f"no double-booking guard for {dialect}")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("ALTER TABLE appointments DROP CONSTRAINT ex_appointments_no_overlap")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER tr_appointments_no_overlap_insert")
        op.execute("DROP TRIGGER tr_appointments_no_overlap_update")

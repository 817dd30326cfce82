"""people and crews with hours and zones, absences, holds, lifecycle of bookings, ICS tokens

One exclusion constraint now keeps bookings, holds and absences of a crew apart. A row's
`live` range runs from its last write to infinity (to `expires_at` for a hold): an expired
hold therefore overlaps nothing written after its expiry and frees its slot by itself.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE

revision = "0002"
down_revision = "0001"

DEFAULT_HOURS = ('{"mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"], "wed": ["09:00", "18:00"], '
                 '"thu": ["09:00", "18:00"], "fri": ["09:00", "18:00"], "sat": ["09:00", "18:00"], '
                 '"sun": ["09:00", "18:00"]}')


def upgrade():
    op.create_table(
        "staff",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("user_id", sa.BigInteger, unique=True),
        sa.Column("skills", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.add_column("crews", sa.Column("leader_staff_id", sa.BigInteger, sa.ForeignKey("staff.id")))
    op.add_column("crews", sa.Column("zones", ARRAY(sa.Text), nullable=False, server_default="{}"))
    op.add_column("crews", sa.Column("time_zone", sa.Text, nullable=False, server_default="Europe/Moscow"))
    op.add_column("crews", sa.Column("working_hours", JSONB, nullable=False,
                                     server_default=sa.text(f"'{DEFAULT_HOURS}'::jsonb")))
    op.alter_column("crews", "working_hours", server_default=None)
    op.add_column("crews", sa.Column("hours_exceptions", JSONB, nullable=False, server_default="{}"))
    op.add_column("crews", sa.Column("ics_token_hash", sa.Text, unique=True))
    op.create_table(
        "crew_members",
        sa.Column("crew_id", sa.BigInteger, sa.ForeignKey("crews.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("staff_id", sa.BigInteger, sa.ForeignKey("staff.id"), primary_key=True),
    )
    op.create_index("crew_members_staff", "crew_members", ["staff_id"])
    op.create_table(
        "absences",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("staff_id", sa.BigInteger, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("note", sa.Text),
        sa.Column("started_emitted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("ended_emitted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('vacation', 'sick_leave', 'dismissal')", name="absences_kind"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on <= ends_on", name="absences_dates"),
    )
    op.execute("CREATE INDEX absences_due ON absences (starts_on, ends_on) WHERE NOT ended_emitted")

    op.execute("ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap")
    op.alter_column("bookings", "address", nullable=True)
    op.add_column("bookings", sa.Column("kind", sa.Text, nullable=False, server_default="booking"))
    op.add_column("bookings", sa.Column("live", TSTZRANGE, nullable=False,
                                        server_default=sa.text("tstzrange(statement_timestamp(), NULL)")))
    op.alter_column("bookings", "live", server_default=None)
    op.add_column("bookings", sa.Column("expires_at", sa.DateTime(timezone=True)))
    op.add_column("bookings", sa.Column("client_name", sa.Text))
    op.add_column("bookings", sa.Column("client_phone", sa.Text))
    op.add_column("bookings", sa.Column("absence_id", sa.BigInteger, sa.ForeignKey("absences.id")))
    op.add_column("bookings", sa.Column("note", sa.Text))
    op.add_column("bookings", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                                        server_default=sa.func.now()))
    op.create_check_constraint("bookings_kind", "bookings", "kind IN ('booking', 'hold', 'absence')")
    op.create_check_constraint("bookings_status", "bookings",
                               "status IN ('booked', 'completed', 'failed', 'cancelled')")
    op.create_check_constraint("bookings_job_has_address", "bookings", "kind <> 'booking' OR address IS NOT NULL")
    op.create_check_constraint("bookings_hold_expires", "bookings", "kind <> 'hold' OR expires_at IS NOT NULL")
    op.execute(
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
        "(crew_id WITH =, tstzrange(starts_at, ends_at) WITH &&, live WITH &&) WHERE (status <> 'cancelled')"
    )
    op.create_index("bookings_deal", "bookings", ["deal_id"])
    op.create_index("bookings_absence", "bookings", ["absence_id"])


def downgrade():
    op.drop_index("bookings_absence", "bookings")
    op.drop_index("bookings_deal", "bookings")
    op.execute("ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap")
    op.execute("DELETE FROM bookings WHERE kind <> 'booking'")
    for name in ("bookings_hold_expires", "bookings_job_has_address", "bookings_status", "bookings_kind"):
        op.drop_constraint(name, "bookings")
    for column in ("updated_at", "note", "absence_id", "client_phone", "client_name", "expires_at", "live", "kind"):
        op.drop_column("bookings", column)
    op.alter_column("bookings", "address", nullable=False)
    op.execute(
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
        "(crew_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'booked')"
    )
    op.drop_table("absences")
    op.drop_table("crew_members")
    for column in ("ics_token_hash", "hours_exceptions", "working_hours", "time_zone", "zones", "leader_staff_id"):
        op.drop_column("crews", column)
    op.drop_table("staff")

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE

metadata = sa.MetaData()

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text, nullable=False),
    sa.Column("user_id", sa.BigInteger, unique=True),  # the gateway user, when the person logs in
    sa.Column("skills", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# A person who works alone (a measurer) is a crew of one: the crew is what gets booked.
crews = sa.Table(
    "crews",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("skill", sa.Text, nullable=False),
    sa.Column("leader_name", sa.Text, nullable=False),
    sa.Column("leader_phone", sa.Text, nullable=False),
    sa.Column("leader_staff_id", sa.BigInteger, sa.ForeignKey("staff.id")),
    sa.Column("zones", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("time_zone", sa.Text, nullable=False, server_default="Europe/Moscow"),
    sa.Column("working_hours", JSONB, nullable=False),
    sa.Column("hours_exceptions", JSONB, nullable=False, server_default="{}"),
    sa.Column("ics_token_hash", sa.Text, unique=True),
)

crew_members = sa.Table(
    "crew_members",
    metadata,
    sa.Column("crew_id", sa.BigInteger, sa.ForeignKey("crews.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("staff_id", sa.BigInteger, sa.ForeignKey("staff.id"), primary_key=True),
)

absences = sa.Table(
    "absences",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("staff_id", sa.BigInteger, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date),
    sa.Column("note", sa.Text),
    sa.Column("started_emitted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("ended_emitted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Everything that occupies a crew's time: bookings, holds and absences, in one table so one
# exclusion constraint (0002) keeps them apart. `live` is when a row counts: from its last
# write to forever, or to `expires_at` for a hold, so an expired hold collides with nothing
# written after it expired, with no job to clean it up.
bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("crew_id", sa.BigInteger, sa.ForeignKey("crews.id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False, server_default="booking"),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("live", TSTZRANGE, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("deal_id", sa.BigInteger),
    sa.Column("address", sa.Text),
    sa.Column("client_name", sa.Text),
    sa.Column("client_phone", sa.Text),
    sa.Column("absence_id", sa.BigInteger, sa.ForeignKey("absences.id")),
    sa.Column("status", sa.Text, nullable=False, server_default="booked"),
    sa.Column("note", sa.Text),
    # the crew's open request to move the job (0003): set by the crew, cleared when the job is moved
    sa.Column("reschedule_reason", sa.Text),
    sa.Column("reschedule_preferred_date", sa.Date),
    sa.Column("reschedule_requested_at", sa.DateTime(timezone=True)),
    sa.Column("reschedule_requested_by", sa.BigInteger),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),  # 0004
    sa.Column("comment", sa.Text),  # the client's words for the crew (0004)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

import sqlalchemy as sa

metadata = sa.MetaData()

crews = sa.Table(
    "crews",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("skill", sa.Text, nullable=False),
    sa.Column("leader_name", sa.Text, nullable=False),
    sa.Column("leader_phone", sa.Text, nullable=False),
)

# A crew can never be in two places at once: see the exclusion constraint in 0001_initial.
bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("crew_id", sa.BigInteger, sa.ForeignKey("crews.id"), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deal_id", sa.BigInteger),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="booked"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = sa.MetaData()

# Every event reports has applied, kept so that the read models can be rebuilt from scratch.
event_store = sa.Table(
    "event_store",
    metadata,
    sa.Column("position", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("envelope", JSONB, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

leads_by_day = sa.Table(
    "leads_by_day",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("leads", sa.Integer, nullable=False),
)

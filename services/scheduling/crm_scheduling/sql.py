"""SQL pieces shared by the orchestration modules."""
from datetime import timedelta

import sqlalchemy as sa

EXCLUSION_VIOLATION = "23P01"
UNIQUE_VIOLATION = "23505"
NOW = sa.func.statement_timestamp()


def sqlstate(exc: sa.exc.IntegrityError) -> str | None:
    return getattr(exc.orig, "pgcode", None)


def live_forever():
    """A permanent row counts from this write on (see the `bookings` table)."""
    return sa.func.tstzrange(NOW, sa.null())


def live_for(minutes: int):
    """A hold counts from this write until it expires."""
    return sa.func.tstzrange(NOW, NOW + timedelta(minutes=minutes))

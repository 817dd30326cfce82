"""Erasing a person's data where a service keeps copies: masking in place, set-based.

The producer of an erasure event hands every consumer the person's identifiers as transient
data (`Transaction.emit(..., transient=("personal",))`, see `events.TRANSIENT`): consumers need
them to find rows keyed by a phone or an e-mail, and no one keeps them — the relay strips them
from its outbox row once published, and consumers store no copy of such an event. Salted hashes
would not do: a phone number has about 10^10 values, so its hash is reversed by enumeration and
would itself be personal data kept everywhere.

Rows stay (times, channels, statuses, counts); only the text that names the person is masked,
as whole words, and in JSON only in values (keys and structure stay, so stored events still
read). Unique identifiers (phones, e-mails, Telegram ids) are masked wherever they appear; names
only in rows about the person (`about`), since another client may share a name. The database
finds the few rows that may hold a value; Python masks them.
"""
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from marshmallow import fields
from sqlalchemy.dialects.postgresql import JSONB

from crm_chassis.events import Reading
from crm_chassis.tables import outbox, parked_events

MASK = "Данные удалены"


class PersonalReading(Reading):
    """The transient `personal` part of an erasure event: whom to look for."""

    names = fields.List(fields.String(), load_default=list)
    phones = fields.List(fields.String(), load_default=list)  # E.164
    emails = fields.List(fields.String(), load_default=list)
    telegram_ids = fields.List(fields.String(), load_default=list)


@dataclass(frozen=True)
class Personal:
    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    telegram_ids: tuple[str, ...] = ()

    @classmethod
    def read(cls, data: dict) -> "Personal":
        return cls(**{key: tuple(dict.fromkeys(value for value in data.get(key, ()) if value and value.strip()))
                      for key in ("names", "phones", "emails", "telegram_ids")})

    def identifiers(self) -> list[str]:
        """What names the person alone: each phone also as bare digits (`79161234567`)."""
        digits = [re.sub(r"\D", "", phone) for phone in self.phones]
        return _distinct([*self.phones, *digits, *self.emails, *self.telegram_ids])


class ErasureReading(Reading):
    """What every consumer reads of an erasure event: whom, their deals, and the transient
    identifiers; a consumer's readings.py names it for the event it reads."""

    contact_id = fields.Integer(required=True)
    merged_ids = fields.List(fields.Integer(), load_default=list)
    deal_ids = fields.List(fields.Integer(), load_default=list)
    personal = fields.Nested(PersonalReading, load_default=dict)


@dataclass(frozen=True)
class Erasure:
    contact_ids: tuple[int, ...]
    deal_ids: tuple[int, ...]
    personal: Personal

    @classmethod
    def read(cls, data: dict) -> "Erasure":
        """From an event's data as `ErasureReading` loaded it."""
        return cls((data["contact_id"], *data["merged_ids"]), tuple(data["deal_ids"]), Personal.read(data["personal"]))


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if len(value) >= 3))


def pattern(values: list[str]) -> str | None:
    """A case-insensitive PostgreSQL regular expression matching any value anywhere: it picks the
    rows worth a look (`mask_value` decides, in Python, what is masked in them)."""
    if not values:
        return None
    return "|".join(re.escape(value) for value in sorted(set(values), key=len, reverse=True))


def _whole(values: list[str]) -> re.Pattern | None:
    """Each value as a whole word (`Ann` is not masked inside `channel`), longest first (so
    `+7916...` is masked whole, not left as `+` and a mask)."""
    if not values:
        return None
    alternatives = "|".join(re.escape(value) for value in sorted(set(values), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def mask_value(value: Any, values: list[str]) -> Any:
    """The value with every one of `values` masked in its strings; in JSON, only values, never keys."""
    regex = _whole(values)
    return _masked(value, regex) if regex else value


def _masked(value: Any, regex: re.Pattern) -> Any:
    if isinstance(value, str):
        return regex.sub(MASK, value)
    if isinstance(value, dict):
        return {key: _masked(item, regex) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, regex) for item in value]
    return value


def _matches(column: sa.ColumnElement, regex: str) -> sa.ColumnElement:
    return _as_text(column).op("~*")(regex)


def _as_text(column: sa.ColumnElement) -> sa.ColumnElement:
    return sa.cast(column, sa.Text) if isinstance(column.type, JSONB) else column


def mask_column(session, column: sa.Column, values: list[str], where=None) -> int:
    """Mask every value in one text or JSONB column, in the rows `where` selects; how many rows
    changed. The database finds the rows that may hold a value, Python masks them."""
    regex = pattern(values)
    if regex is None:
        return 0
    table = column.table
    keys = list(table.primary_key.columns)
    condition = _matches(column, regex) if where is None else sa.and_(where, _matches(column, regex))
    changed = 0
    for row in session.execute(sa.select(*keys, column).where(condition)).all():
        *key, value = row
        masked = mask_value(value, values)
        if masked != value:
            session.execute(sa.update(table).where(*(k == v for k, v in zip(keys, key)))
                            .values({column.name: masked}))
            changed += 1
    return changed


def text_columns(table: sa.Table) -> list[sa.Column]:
    return [column for column in table.columns if isinstance(column.type, (sa.Text, sa.String, JSONB))]


def mask_table(session, table: sa.Table, erasure: Erasure, about=None) -> None:
    """Mask the person's identifiers in every text column of a table, and their names too in the
    rows about them (`about`, by default `about_person`)."""
    about = about_person(table, erasure) if about is None else about
    for column in text_columns(table):
        if about is not None:
            mask_column(session, column, list(erasure.personal.names), where=about)
        mask_column(session, column, erasure.personal.identifiers())


def about_person(table: sa.Table, erasure: Erasure) -> sa.ColumnElement | None:
    """The rows of a table about the person: by its `contact_id` or `deal_id` column, if it has one."""
    conditions = []
    if "contact_id" in table.c:
        conditions.append(table.c.contact_id.in_(erasure.contact_ids))
    if "deal_id" in table.c and erasure.deal_ids:
        conditions.append(table.c.deal_id.in_(erasure.deal_ids))
    return sa.or_(*conditions) if conditions else None


def envelope_about(column: sa.Column, erasure: Erasure) -> sa.ColumnElement:
    """Events about the person: their contact or deal in the data, or any of their identifiers."""
    data = column["data"]
    conditions = [data["contact_id"].astext.in_([str(i) for i in erasure.contact_ids]),
                  data["deal_id"].astext.in_([str(i) for i in erasure.deal_ids])]
    regex = pattern(erasure.personal.identifiers())
    if regex:
        conditions.append(_matches(column, regex))
    return sa.or_(*conditions)


def scrub_envelopes(session, column: sa.Column, erasure: Erasure) -> None:
    """Mask the person in stored event envelopes (an outbox, parked events, an event store)."""
    mask_column(session, column, list(erasure.personal.names), where=envelope_about(column, erasure))
    mask_column(session, column, erasure.personal.identifiers())


def scrub_plumbing(session, erasure: Erasure, texts: tuple[str, ...] = ()) -> None:
    """The chassis's own copies in a service's database: outbox envelopes (published rows keep
    theirs) and parked events. `texts` are whole texts that were the person's (a message body the
    service masked), masked wherever they appear."""
    for column in (outbox.c.envelope, parked_events.c.envelope):
        scrub_envelopes(session, column, erasure)
        mask_column(session, column, list(texts))

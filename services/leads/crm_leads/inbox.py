"""The communications log as an operator's inbox: newest first, with who it was and counts per category."""
import sqlalchemy as sa

from crm_chassis.scope import visible_ids
from crm_leads.clients import communication_dict, visible_contacts
from crm_leads.domain.sorting import CATEGORIES
from crm_leads.schemas import UNSORTED
from crm_leads.tables import communications, contacts


def _conditions(direction: str | None, channel: str | None, since) -> list:
    found = []
    if visible_ids() is not None:  # only the communications of contacts in the viewer's scope
        found.append(communications.c.contact_id.in_(sa.select(contacts.c.id).where(visible_contacts())))
    if direction is not None:
        found.append(communications.c.direction == direction)
    if channel is not None:
        found.append(communications.c.channel == channel)
    if since is not None:
        found.append(communications.c.occurred_at >= since)
    return found


def _of_category(category: str):
    return communications.c.category.is_(None) if category == UNSORTED else communications.c.category == category


def list_inbox(session, *, category: str | None, direction: str | None, channel: str | None, since,
               limit: int, offset: int) -> dict:
    """A page of the log and, for the same filters but any category, how many fall in each category."""
    where = _conditions(direction, channel, since)
    counts = dict.fromkeys((*CATEGORIES, UNSORTED), 0)
    for found, number in session.execute(
            sa.select(sa.func.coalesce(communications.c.category, UNSORTED), sa.func.count())
            .where(*where).group_by(communications.c.category)):
        counts[found] = number
    if category is not None:
        where.append(_of_category(category))
    rows = session.execute(
        sa.select(communications, contacts.c.name.label("contact_name"), contacts.c.phone.label("contact_phone"),
                  contacts.c.email.label("contact_email"))
        .join(contacts, contacts.c.id == communications.c.contact_id).where(*where)
        .order_by(communications.c.occurred_at.desc(), communications.c.id.desc()).limit(limit).offset(offset)
    ).mappings()
    items = [communication_dict(row) | {"contact": {"id": row["contact_id"], "name": row["contact_name"],
                                                    "phone": row["contact_phone"], "email": row["contact_email"]}}
             for row in rows]
    total = counts[category] if category is not None else sum(counts.values())
    return {"items": items, "total": total, "limit": limit, "offset": offset,
            "counts": {"all": sum(counts.values()), **counts}}

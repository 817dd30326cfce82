"""A user learns what was handed to them: clients and leads (leads' reassignment) or a deal (a new
responsible in deals), in-app, once per event; not when they took it over themselves."""
from crm_chassis.db import Transaction
from crm_notify import delivery


def _by_themselves(change: dict) -> bool:
    return change["by_user_id"] is not None and change["by_user_id"] == change["to_user_id"]


def tell_of_clients(tx: Transaction, moved: dict, envelope: dict, timezone: str) -> dict | None:
    counts = {"companies": len(moved["company_ids"]), "contacts": len(moved["contact_ids"]),
              "leads": len(moved["lead_ids"])}
    if _by_themselves(moved) or not any(counts.values()):
        return None
    return delivery.enqueue(tx, channel="in_app", recipient=f"user:{moved['to_user_id']}",
                            template="ownership_reassigned", data={"reason": moved["reason"], **counts},
                            cause=f"event:{envelope['event_id']}", timezone=timezone)


def tell_of_deal(tx: Transaction, change: dict, envelope: dict, timezone: str) -> dict | None:
    if _by_themselves(change):
        return None
    return delivery.enqueue(tx, channel="in_app", recipient=f"user:{change['to_user_id']}",
                            template="deal_responsible_changed",
                            data={"deal_id": change["deal_id"], "title": change["title"]},
                            cause=f"event:{envelope['event_id']}", deal_id=change["deal_id"], timezone=timezone)

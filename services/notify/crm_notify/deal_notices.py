"""Staff learn at once what deals asks to tell them: in-app, for each user concerned, once per event."""
from crm_chassis.db import Transaction
from crm_notify import delivery

# event type -> (template, who is told)
NOTICES = {
    "deal.notification_requested.v1": ("message", lambda n: n["recipient_user_ids"]),
    "deal.approval_requested.v1": ("deal_approval", lambda n: [n["approver_id"]]),
    "deal.task_overdue.v1": ("deal_task_overdue", lambda n: [n["assignee_id"]]),
}


def tell(tx: Transaction, notice: dict, envelope: dict, timezone: str) -> list[dict]:
    template, recipients = NOTICES[envelope["event_type"]]
    data = {"text": notice["text"]} if template == "message" else {"deal_id": notice["deal_id"], "title": notice["title"]}
    return [
        delivery.enqueue(tx, channel="in_app", recipient=f"user:{user_id}", template=template, data=data,
                         cause=f"event:{envelope['event_id']}", deal_id=notice["deal_id"], timezone=timezone)
        for user_id in recipients(notice) if user_id
    ]

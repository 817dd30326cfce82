"""Comments on deals: mentions notify the people named; a controller's question notifies the owner."""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_deals.deals import Actor, deal_row, log
from crm_deals.events import NotificationRequestedV1
from crm_deals.tables import deal_comments


def comment_dict(row) -> dict:
    return {"id": row["id"], "deal_id": row["deal_id"], "author_id": row["author_id"], "text": row["text"],
            "mentioned_user_ids": list(row["mentioned_user_ids"]), "is_question": row["is_question"],
            "created_at": row["created_at"].isoformat()}


def add(tx: Transaction, deal_id: int, text: str, mentioned: list[int], is_question: bool, actor: Actor) -> dict:
    deal = deal_row(tx.session, deal_id)
    row = tx.session.execute(sa.insert(deal_comments).values(
        deal_id=deal_id, author_id=actor.user_id, text=text, mentioned_user_ids=sorted(set(mentioned)),
        is_question=is_question).returning(*deal_comments.c)).mappings().one()
    log(tx, deal_id, "question_asked" if is_question else "commented", actor, comment_id=row["id"])
    told = set(mentioned) | ({deal["responsible_id"]} if is_question and deal["responsible_id"] else set())
    told.discard(actor.user_id)
    if told:
        prefix = "Вопрос по сделке" if is_question else "Вас упомянули в сделке"
        tx.emit("deal.notification_requested.v1", NotificationRequestedV1().dump({
            "deal_id": deal_id, "recipient_user_ids": sorted(told), "text": f"{prefix} «{deal['title']}»: {text}",
            "rule_id": None}))
    return comment_dict(row)


def for_deal(session, deal_id: int) -> list[dict]:
    rows = session.execute(sa.select(deal_comments).where(deal_comments.c.deal_id == deal_id)
                           .order_by(deal_comments.c.id))
    return [comment_dict(row) for row in rows.mappings()]

"""The staff bot: a user asks for a one-time code, sends it to the bot, and from then on that chat
is theirs and may ask for its deals. Chats that are not linked get no answer at all."""
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_notify import delivery
from crm_notify.domain import bot
from crm_notify.domain import telegram as rules
from crm_notify.tables import telegram_link_codes, telegram_links

LINKED = "Чат привязан к CRM. " + bot.HELP


def issue_code(tx: Transaction, user_id: int, sees_all: bool) -> dict:
    """A fresh code for the user; an earlier unused one stops working."""
    now = datetime.now(UTC)
    code, expires_at = rules.new_code(), rules.expires(now)
    statement = pg_insert(telegram_link_codes).values(code=code, user_id=user_id, expires_at=expires_at,
                                                       sees_all=sees_all)
    tx.session.execute(statement.on_conflict_do_update(
        index_elements=[telegram_link_codes.c.user_id],
        set_={"code": statement.excluded.code, "expires_at": statement.excluded.expires_at,
              "sees_all": statement.excluded.sees_all}))
    return {"code": code, "expires_at": expires_at.isoformat(), "send_to_bot": f"/start {code}"}


def handle_update(tx: Transaction, update_id: int, chat_id: str, text: str, timezone: str) -> dict:
    """What the bot does with a chat's message: link it, or say what a linked chat asks for (the
    service answers it from deals); an unlinked chat gets nothing."""
    code = rules.link_code_in(text)
    claimed = _consume(tx, code) if code else None
    if claimed is not None:
        tx.session.execute(sa.delete(telegram_links).where(telegram_links.c.chat_id == chat_id))
        statement = pg_insert(telegram_links).values(user_id=claimed.user_id, chat_id=chat_id,
                                                     sees_all=claimed.sees_all)
        tx.session.execute(statement.on_conflict_do_update(
            index_elements=[telegram_links.c.user_id],
            set_={"chat_id": statement.excluded.chat_id, "sees_all": statement.excluded.sees_all,
                  "linked_at": sa.func.now()}))
        reply(tx, update_id, chat_id, LINKED, timezone)
        return {"linked": True, "replied": True}
    link = tx.session.execute(sa.select(telegram_links).where(telegram_links.c.chat_id == chat_id)).mappings().first()
    if link is None:
        return {"linked": False, "replied": False}
    query = bot.parse(text)
    return {"linked": True, "replied": False, "user_id": link["user_id"], "sees_all": link["sees_all"],
            "query": query}


def reply(tx: Transaction, update_id: int, chat_id: str, text: str, timezone: str) -> dict:
    return delivery.enqueue(tx, channel="telegram", recipient=chat_id, template="message", data={"text": text},
                            cause=f"telegram-update:{update_id}", timezone=timezone)


def _consume(tx: Transaction, code: str):
    return tx.session.execute(
        sa.delete(telegram_link_codes)
        .where(telegram_link_codes.c.code == code, telegram_link_codes.c.expires_at > sa.func.now())
        .returning(telegram_link_codes.c.user_id, telegram_link_codes.c.sees_all)
    ).first()

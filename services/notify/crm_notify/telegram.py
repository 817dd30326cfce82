"""The staff bot's linking: a user asks for a one-time code, sends it to the bot, and from
then on that chat is theirs. Chats that are not linked get no answer at all."""
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_notify import delivery
from crm_notify.domain import telegram as rules
from crm_notify.tables import telegram_link_codes, telegram_links

LINKED = "Чат привязан к CRM. Команды /deals, /deal N, /overdue и /today появятся в следующей версии."
NOT_YET = "Эта команда пока не работает: бот умеет только привязывать чат."


def issue_code(tx: Transaction, user_id: int) -> dict:
    """A fresh code for the user; an earlier unused one stops working."""
    now = datetime.now(UTC)
    code, expires_at = rules.new_code(), rules.expires(now)
    statement = pg_insert(telegram_link_codes).values(code=code, user_id=user_id, expires_at=expires_at)
    tx.session.execute(statement.on_conflict_do_update(
        index_elements=[telegram_link_codes.c.user_id],
        set_={"code": statement.excluded.code, "expires_at": statement.excluded.expires_at}))
    return {"code": code, "expires_at": expires_at.isoformat(), "send_to_bot": f"/start {code}"}


def handle_update(tx: Transaction, update_id: int, chat_id: str, text: str, timezone: str) -> dict:
    """What the bot does with a chat's message: link it, or answer a linked chat; never an unlinked one."""
    code = rules.link_code_in(text)
    user_id = _consume(tx, code) if code else None
    if user_id is not None:
        tx.session.execute(sa.delete(telegram_links).where(telegram_links.c.chat_id == chat_id))
        statement = pg_insert(telegram_links).values(user_id=user_id, chat_id=chat_id)
        tx.session.execute(statement.on_conflict_do_update(
            index_elements=[telegram_links.c.user_id],
            set_={"chat_id": statement.excluded.chat_id, "linked_at": sa.func.now()}))
        reply = LINKED
    elif _linked_user(tx.session, chat_id) is not None:
        reply = NOT_YET
    else:
        return {"linked": False, "replied": False}
    delivery.enqueue(tx, channel="telegram", recipient=chat_id, template="message", data={"text": reply},
                     cause=f"telegram-update:{update_id}", timezone=timezone)
    return {"linked": True, "replied": True}


def _consume(tx: Transaction, code: str) -> int | None:
    return tx.session.execute(
        sa.delete(telegram_link_codes)
        .where(telegram_link_codes.c.code == code, telegram_link_codes.c.expires_at > sa.func.now())
        .returning(telegram_link_codes.c.user_id)
    ).scalar_one_or_none()


def _linked_user(session, chat_id: str) -> int | None:
    return session.execute(
        sa.select(telegram_links.c.user_id).where(telegram_links.c.chat_id == chat_id)).scalar_one_or_none()

"""Answering a linked chat's command from the live data in deals (an RPC: the answer is needed now)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from nameko.exceptions import RemoteError

from crm_chassis import scope
from crm_notify.domain import bot


def answer(deals, query: bot.Query, user_id: int, sees_all: bool, timezone: str) -> str:
    """Each employee sees their own deals; an admin or head of sales sees everyone's. Deals is asked
    with the linked user as the viewer (the proxy's worker context becomes the call's headers), so it
    decides what the user may see."""
    deals.worker_ctx.data["viewer"] = scope.reader(user_id, None if sees_all else [user_id])
    if query.command == "deal":
        try:
            card = deals.get_deal(deal_id=query.deal_id)
        except RemoteError as exc:
            if exc.exc_type != "NotFound":
                raise
            card = None
        if card is None:
            return f"Сделка №{query.deal_id} не найдена."
        return bot.deal_text(card)
    if query.command == "deals":
        found = deals.list_deals(open_only=True, limit=bot.LIST_LIMIT, **query.filters)
        return bot.deals_text("Открытые сделки", found["items"], found["total"])
    if query.command == "overdue":
        found = deals.list_deals(open_only=True, overdue_tasks=True, limit=bot.LIST_LIMIT)
        return bot.deals_text("Сделки с просроченными задачами", found["items"], found["total"])
    if query.command == "today":
        zone = ZoneInfo(timezone)
        start = datetime.combine(datetime.now(zone).date(), time(), tzinfo=zone)
        found = deals.list_deals(open_only=True, tasks_due_from=start.isoformat(),
                                 tasks_due_to=(start + timedelta(days=1)).isoformat(), limit=bot.LIST_LIMIT)
        return bot.deals_text("Задачи на сегодня по сделкам", found["items"], found["total"])
    return bot.HELP

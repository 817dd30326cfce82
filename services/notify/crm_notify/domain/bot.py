"""The staff bot's commands: what a linked employee asks, and the Russian text it answers with."""
from dataclasses import dataclass, field

from crm_notify.domain.telegram import command

HELP = ("Команды: /deals — мои открытые сделки (фильтры: stage=этап, client=имя), /deal N — сделка, "
        "/overdue — сделки с просроченными задачами, /today — задачи на сегодня.")
LIST_LIMIT = 20


@dataclass(frozen=True)
class Query:
    """What to ask deals for: `deal_id` for a single deal, `filters` for the list of open deals."""

    command: str
    deal_id: int | None = None
    filters: dict = field(default_factory=dict)


def parse(text: str) -> Query:
    """What a chat's message asks for: `/deals stage=contract client=Петров`, `/deal 15`, `/overdue`,
    `/today`; help for anything else."""
    name, argument = command(text)
    if name == "/deal" and argument.isdecimal():
        return Query("deal", deal_id=int(argument))
    if name == "/deals":
        return Query("deals", filters=_deal_filters(argument))
    if name in ("/overdue", "/today"):
        return Query(name[1:])
    return Query("help")


def _deal_filters(argument: str) -> dict:
    """`stage=` and `client=` words; empty values and other words are ignored."""
    filters = {}
    for word in argument.split():
        key, _, value = word.partition("=")
        if key == "stage" and value:
            filters["stage"] = value
        elif key == "client" and value:
            filters["q"] = value
    return filters


def deal_line(deal: dict) -> str:
    return f"№{deal['id']} {deal['title']} — {deal['stage_name']}, {deal['amount']} ₽"


def deals_text(title: str, deals: list[dict], total: int) -> str:
    if not deals:
        return f"{title}: нет."
    lines = [f"{title} ({total}):"] + [deal_line(deal) for deal in deals[:LIST_LIMIT]]
    if total > LIST_LIMIT:
        lines.append(f"…и ещё {total - LIST_LIMIT}")
    return "\n".join(lines)


def deal_text(card: dict) -> str:
    open_tasks = [task for task in card.get("tasks", []) if task["status"] == "open"]
    lines = [deal_line(card), f"Воронка: {card['pipeline']}"]
    lines += [f"Задача: {task['title']} до {task['due_at'][:16].replace('T', ' ')}" for task in open_tasks[:5]]
    return "\n".join(lines)

"""The staff bot answers each employee from the live deals: their own, or everyone's for a head."""
import random
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.e2e.test_notify import telegram_update
from tests.support.system import eventually, provider_records
from tests.support.webhooks import post_telegram


def linked_chat(system, client) -> int:
    chat = random.randint(10**8, 10**9)
    code = client.post("/me/telegram-code").json()["code"]
    assert telegram_update(system, chat, f"/start {code}").json()["handled"] is True
    eventually(lambda: provider_records(system, "telegram", str(chat)))  # the welcome has gone out
    return chat


def ask(system, chat: int, text: str) -> str:
    before = len(provider_records(system, "telegram", str(chat)))
    assert telegram_update(system, chat, text).json()["handled"] is True
    return eventually(lambda: (r := provider_records(system, "telegram", str(chat))) and len(r) > before and r)[-1]["body"]


def test_deals_deal_overdue_and_today_answer_from_live_data(system):
    code = f"bot-{uuid.uuid4().hex[:6]}"
    system.admin.post("/pipelines", json={"code": code, "name": "Бот", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "contract", "name": "Договор"}]})
    mine, other = system.user("manager"), system.user("manager")
    late = mine.post("/deals", json={"pipeline": code, "title": "Окна Петрову", "amount": "12000"}).json()
    soon = mine.post("/deals", json={"pipeline": code, "title": "Двери Сидорову", "amount": "8000"}).json()
    foreign = other.post("/deals", json={"pipeline": code, "title": "Чужая сделка"}).json()
    mine.post(f"/deals/{late['id']}/tasks", json={"title": "Перезвонить",
                                                 "due_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()})
    due = datetime.now(UTC) + timedelta(minutes=5)
    mine.post(f"/deals/{soon['id']}/tasks", json={"title": "Замер", "due_at": due.isoformat()})
    chat = linked_chat(system, mine)

    listed = ask(system, chat, "/deals")
    assert listed.startswith("Открытые сделки (2):")
    assert f"№{late['id']} Окна Петрову — Новая, 12000.00 ₽" in listed and "Чужая" not in listed
    assert ask(system, chat, "/deals client=Двери").splitlines()[1:] == [f"№{soon['id']} Двери Сидорову — Новая, 8000.00 ₽"]
    assert ask(system, chat, f"/deal {foreign['id']}") == f"Сделка №{foreign['id']} не найдена."
    card = ask(system, chat, f"/deal {late['id']}")
    assert card.splitlines()[0] == f"№{late['id']} Окна Петрову — Новая, 12000.00 ₽" and "Перезвонить" in card
    overdue = ask(system, chat, "/overdue")
    assert overdue.splitlines() == ["Сделки с просроченными задачами (1):", f"№{late['id']} Окна Петрову — Новая, 12000.00 ₽"]
    today = ask(system, chat, "/today")
    moscow = ZoneInfo("Europe/Moscow")
    due_today = due.astimezone(moscow).date() == datetime.now(moscow).date()  # not so just before midnight
    assert (f"№{soon['id']} Двери Сидорову" in today) is due_today
    assert ask(system, chat, "/что-то").startswith("Команды:")

    head_chat = linked_chat(system, system.user("head_of_sales"))
    assert "Чужая сделка" in ask(system, head_chat, f"/deal {foreign['id']}")


def test_the_client_bot_and_the_staff_bot_each_take_only_their_own_secret(system):
    """The runner gives each bot its own secret; the staff bot's route refuses the client bot's."""
    client_secret, staff_secret = system.env["TELEGRAM_WEBHOOK_SECRET"], system.env["TELEGRAM_STAFF_WEBHOOK_SECRET"]
    chat = random.randint(10**8, 10**9)
    client_update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": chat},
                                                 "from": {"id": chat, "first_name": "Анна"}, "text": "Здравствуйте"}}
    assert telegram_update(system, chat, "/deals", secret=client_secret).status_code == 403
    assert post_telegram(system, client_update, secret=staff_secret).status_code == 403
    assert telegram_update(system, chat, "/deals", secret=staff_secret).json() == {"ok": True, "handled": False}
    assert post_telegram(system, client_update, secret=client_secret).json() == {"ok": True}

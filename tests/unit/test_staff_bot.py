"""The staff Telegram bot without I/O: what a linked chat's message asks for, and the Russian
text it is answered with."""
import pytest

from crm_notify.domain.bot import HELP, LIST_LIMIT, Query, deal_text, deals_text, parse

HELP_QUERY = Query("help")


@pytest.mark.parametrize("text, expected", [
    ("/deals", Query("deals")),
    ("/deals stage=contract client=Петров", Query("deals", filters={"stage": "contract", "q": "Петров"})),
    ("/deals client=Иванова-Петрова", Query("deals", filters={"q": "Иванова-Петрова"})),
    ("/deals@crm_bot stage=замер", Query("deals", filters={"stage": "замер"})),
    ("  /DEALS   client=петров  ", Query("deals", filters={"q": "петров"})),  # the command in any case
    ("/deals stage= client= manager=Анна покажи", Query("deals")),  # empty values and other words ignored
    ("/deal 15", Query("deal", deal_id=15)),
    ("/deal@crm_bot 0042", Query("deal", deal_id=42)),
    ("/overdue", Query("overdue")),
    ("/today", Query("today")),
    ("/today пожалуйста", Query("today")),  # an argument changes nothing
])
def test_a_command_and_its_arguments_say_what_to_ask_deals_for(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text", [
    "/deal", "/deal abc", "/deal -3", "/deal 1.5", "/deal №15", "/deal 15 16", "/deal ²",
    "/help", "/start", "/start ABCD2345",  # linking a chat is done before a command is read
    "deals", "/сделки", "Привет, покажи мои сделки", "", "   ",
])
def test_anything_else_gets_the_help(text):
    assert parse(text) == HELP_QUERY


def test_the_help_names_every_command_and_filter():
    for word in ("/deals", "/deal N", "/overdue", "/today", "stage=", "client="):
        assert word in HELP


DEAL = {"id": 7, "title": "Окна Петрову", "stage_name": "Договор", "amount": "12000.00", "pipeline": "Продажи"}


def test_a_list_of_deals_counts_them_and_says_how_many_more_there_are():
    assert deals_text("Открытые сделки", [], 0) == "Открытые сделки: нет."
    assert deals_text("Открытые сделки", [DEAL], 1) == "Открытые сделки (1):\n№7 Окна Петрову — Договор, 12000.00 ₽"
    many = [{**DEAL, "id": number} for number in range(1, LIST_LIMIT + 1)]
    lines = deals_text("Открытые сделки", many, LIST_LIMIT + 3).splitlines()
    assert lines[0] == f"Открытые сделки ({LIST_LIMIT + 3}):"
    assert lines[1:-1] == [f"№{number} Окна Петрову — Договор, 12000.00 ₽" for number in range(1, LIST_LIMIT + 1)]
    assert lines[-1] == "…и ещё 3"


def test_a_deal_shows_its_pipeline_and_only_its_open_tasks_with_their_due_time():
    tasks = [{"title": "Перезвонить", "status": "open", "due_at": "2026-11-24T15:30:00+03:00"},
             {"title": "Замер", "status": "done", "due_at": "2026-11-23T10:00:00+03:00"}]
    assert deal_text({**DEAL, "tasks": tasks}).splitlines() == [
        "№7 Окна Петрову — Договор, 12000.00 ₽", "Воронка: Продажи", "Задача: Перезвонить до 2026-11-24 15:30"]
    assert deal_text(DEAL).splitlines() == ["№7 Окна Петрову — Договор, 12000.00 ₽", "Воронка: Продажи"]

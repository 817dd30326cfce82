import pytest
from jinja2 import UndefinedError

from crm_notify.rendering import TemplateProblem, check_templates, environment, problems, render

BOOKING = {"crew_name": "Бригада №1", "starts_at": "2026-11-25T07:00:00+00:00",
           "ends_at": "2026-11-25T09:30:00+00:00", "address": "г. Москва, ул. Ленина, д. 1", "deal_id": 15}


def test_the_crew_is_told_the_time_in_the_company_time_zone_and_the_address():
    assert render("crew_new_job", "in_app", BOOKING, "Europe/Moscow") == (
        "Новый выезд для бригады «Бригада №1»: 25.11.2026 10:00–12:30, "
        "адрес: г. Москва, ул. Ленина, д. 1, сделка №15."
    )


def test_a_booking_without_a_deal_says_nothing_of_one():
    text = render("crew_new_job", "in_app", {**BOOKING, "deal_id": None}, "Europe/Moscow")
    assert text.endswith("адрес: г. Москва, ул. Ленина, д. 1.")


def test_missing_data_fails_loudly_rather_than_sending_a_blank():
    with pytest.raises(UndefinedError):
        render("crew_new_job", "in_app", {"crew_name": "Бригада №1"}, "Europe/Moscow")


FULL_BOOKING = {**BOOKING, "booking_id": 3, "crew_id": 1, "leader_name": "Сергей Иванов",
                "leader_phone": "+79005550101", "previous_starts_at": "2026-11-24T07:00:00+00:00",
                "previous_ends_at": None, "reason": "Клиент попросил перенести", "client_name": "Анна Петрова",
                "client_phone": "+79005550202"}


def test_the_crew_leader_gets_the_job_the_client_and_the_time():
    assert render("leader_new_job", "sms", FULL_BOOKING, "Europe/Moscow") == (
        "Новый выезд 25.11.2026 10:00–12:30, адрес: г. Москва, ул. Ленина, д. 1. "
        "Клиент: Анна Петрова, тел. +79005550202. Сделка №15.")


def test_the_client_gets_the_date_and_the_crew_leaders_name_and_phone():
    assert render("client_booked", "sms", FULL_BOOKING, "Europe/Moscow") == (
        "Здравствуйте, Анна Петрова! Мастер приедет 25.11.2026 с 10:00 до 12:30 по адресу: "
        "г. Москва, ул. Ленина, д. 1. Бригадир: Сергей Иванов, тел. +79005550101.")


def test_a_reschedule_says_from_when_to_when_and_why():
    assert render("leader_rescheduled", "sms", FULL_BOOKING, "Europe/Moscow") == (
        "Выезд перенесён с 24.11.2026 10:00 на 25.11.2026 10:00–12:30, адрес: г. Москва, ул. Ленина, д. 1. "
        "Клиент: Анна Петрова, тел. +79005550202. Причина: Клиент попросил перенести.")
    assert render("client_rescheduled", "sms", {**FULL_BOOKING, "client_name": None}, "Europe/Moscow") == (
        "Визит мастера перенесён на 25.11.2026 с 10:00 до 12:30, адрес: г. Москва, ул. Ленина, д. 1. "
        "Бригадир: Сергей Иванов, тел. +79005550101.")


def test_every_shipped_template_uses_only_its_declared_variables():
    assert check_templates() >= 15


def test_a_template_with_an_unknown_variable_is_refused_when_loaded():
    env = environment("UTC")
    assert problems("client_booked.sms.j2", "Мастер: {{ leader_name }}, {{ leader_phnoe }}", env) == [
        "client_booked.sms.j2: unknown variables ['leader_phnoe']"]
    assert problems("nobody.sms.j2", "{{ text }}", env) == ["nobody.sms.j2: no declared variables for template 'nobody'"]
    assert problems("message.fax.j2", "{{ text }}", env) == ["message.fax.j2: unknown channel 'fax'"]
    assert problems("message.sms.j2", "{{ text }}", env) == []


def test_check_templates_fails_the_start_on_a_bad_file(monkeypatch):
    import crm_notify.rendering as rendering

    monkeypatch.setitem(rendering.DECLARED, "client_booked", frozenset({"starts_at"}))
    with pytest.raises(TemplateProblem, match="client_booked.sms.j2: unknown variables"):
        check_templates()


def test_a_hand_over_names_what_moved_and_why():
    assert render("ownership_reassigned", "in_app", {"reason": "отпуск", "companies": 1, "contacts": 2, "leads": 0},
                  "UTC") == "Вам переданы клиенты коллеги (отпуск): компаний — 1, контактов — 2, лидов — 0."
    assert render("deal_responsible_changed", "in_app", {"deal_id": 15, "title": ""}, "UTC") == (
        "Вы теперь ответственный по сделке №15.")

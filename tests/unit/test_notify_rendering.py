import pytest
from jinja2 import UndefinedError

from crm_notify.rendering import render

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

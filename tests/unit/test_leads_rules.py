import pytest

from crm_leads.domain.calls import UnknownStatus, call_status, communication_status, merged_status
from crm_leads.domain.pipeline import MoveRefused, Stage, check_move, missing_fields
from crm_leads.domain.sorting import Incoming, Rule, categorize

RULES = [Rule("spam", channel="call", max_duration_seconds=3), Rule("service_question", keyword="не работает")]


def incoming(**changes) -> Incoming:
    values = dict(channel="call", text="", duration_seconds=60, blocked=False, known_contact=False,
                  has_open_lead=False)
    return Incoming(**{**values, **changes})


@pytest.mark.parametrize("changes, category", [
    ({}, "new_request"),
    ({"blocked": True, "has_open_lead": True}, "spam"),
    ({"duration_seconds": 2}, "spam"),
    ({"duration_seconds": 2, "known_contact": True}, "existing_client"),
    ({"channel": "sms", "text": "У меня НЕ РАБОТАЕТ интернет", "known_contact": True}, "service_question"),
    ({"known_contact": True, "has_open_lead": True}, "open_order"),
    ({"known_contact": True}, "existing_client"),
])
def test_incoming_is_sorted_by_block_list_rules_and_history(changes, category):
    assert categorize(incoming(**changes), RULES) == category


def test_a_rule_without_conditions_matches_nothing():
    assert categorize(incoming(), [Rule("spam")]) == "new_request"


@pytest.mark.parametrize("provider, direction, duration, status", [
    ("completed", "in", 95, "completed"),
    ("completed", "in", 0, "missed"),
    ("no-answer", "in", None, "missed"),
    ("no-answer", "out", None, "no_answer"),
    ("busy", "out", None, "no_answer"),
    ("ANSWERED", "in", 30, "completed"),
    ("NO ANSWER", "in", None, "missed"),
    ("ringing", "in", None, "in_progress"),
    ("failed", "out", None, "failed"),
])
def test_provider_call_statuses_map_to_ours(provider, direction, duration, status):
    assert call_status(provider, direction, duration) == status


def test_messages_are_complete_and_unknown_call_statuses_are_refused():
    assert communication_status("sms", "received", "in", None) == "completed"
    with pytest.raises(UnknownStatus):
        call_status("exploded", "in", None)


def test_repeated_call_events_only_move_forward():
    assert merged_status("in_progress", "completed") == "completed"
    assert merged_status("completed", "in_progress") == "completed"
    assert merged_status("missed", "completed") == "missed"


NEW = Stage("new", "Новый", "open")
WON = Stage("won", "Сконвертирован", "won", ("request_type", "client_type"))
LOST = Stage("lost_expensive", "Отказ: дорого", "lost")


def test_won_needs_its_fields_and_a_business_needs_its_company():
    assert missing_fields(WON, {}) == ["request_type", "client_type"]
    assert missing_fields(WON, {"request_type": "подключение", "client_type": "business"}) == [
        "company_name", "company_category"]
    assert missing_fields(WON, {"request_type": "подключение", "client_type": "private"}) == []


def test_the_gate_refuses_with_what_is_missing():
    with pytest.raises(MoveRefused) as refused:
        check_move(NEW, WON, {"request_type": ""})
    assert refused.value.missing == ["request_type", "client_type"]
    check_move(NEW, LOST, {})  # a lost reason is its own stage: nothing else needed


def test_converted_leads_stay_converted_and_deprecated_stages_take_no_one():
    with pytest.raises(MoveRefused):
        check_move(WON, NEW, {})
    with pytest.raises(MoveRefused):
        check_move(NEW, Stage("legacy:Думает", "Думает", "open", deprecated=True), {})
    with pytest.raises(MoveRefused) as refused:
        check_move(NEW, WON, {"request_type": "x", "client_type": "alien"})
    assert refused.value.missing == ["client_type"]

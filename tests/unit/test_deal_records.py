"""Editing and archiving deals, tasks, stages and jobs, without I/O: what an edit changes, which rules
name a stage, and a client's phone kept in E.164."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from crm_deals.domain.records import custom_field_changes, names_stage, plain
from crm_scheduling.schemas import BookingEditInput


def test_values_compare_as_events_carry_them():
    assert plain({"amount": Decimal("1500"), "due_at": datetime(2026, 11, 24, 12, tzinfo=UTC), "title": "Окна"}) == {
        "amount": "1500.00", "due_at": "2026-11-24T12:00:00+00:00", "title": "Окна"}
    assert plain({"amount": Decimal("1500.00")}) == plain({"amount": Decimal("1500")})


def test_only_the_custom_fields_that_move_are_a_change():
    current = {"service": "Окна", "address": "Лесная, 5"}
    assert custom_field_changes(current, {"service": "Окна"}) == {}
    assert custom_field_changes(current, {"service": "Двери", "address": "Лесная, 5", "floor": None}) == {
        "service": {"from": "Окна", "to": "Двери"}}
    assert custom_field_changes(current, {"address": None}) == {"address": {"from": "Лесная, 5", "to": None}}


@pytest.mark.parametrize("definition, named", [
    ({"pipeline": "sales", "trigger": {"type": "entered_stage", "stage": "offer"}, "actions": []}, True),
    ({"pipeline": "sales", "trigger": {"type": "time_in_stage_exceeded", "stage": "offer", "hours": 2},
      "actions": []}, True),
    ({"pipeline": "sales", "trigger": {"type": "deal_created"}, "actions": [{"type": "move", "stage": "offer"}]}, True),
    ({"pipeline": "sales", "trigger": {"type": "deal_created"},
      "actions": [{"type": "move_by_child_result", "stages": {"won": "offer"}}]}, True),
    ({"pipeline": "other", "trigger": {"type": "deal_created"},
      "actions": [{"type": "move_to_pipeline", "pipeline": "sales", "stage": "offer"}]}, True),
    ({"pipeline": "other", "trigger": {"type": "entered_stage", "stage": "offer"},
      "actions": [{"type": "move", "stage": "offer"}]}, False),  # another pipeline's stage of the same code
    ({"pipeline": "sales", "trigger": {"type": "entered_stage", "stage": "new"},
      "actions": [{"type": "notify", "text": "offer"}]}, False),
])
def test_a_rule_names_a_stage_as_its_trigger_or_a_moves_target(definition, named):
    assert names_stage(definition, "sales", "offer") is named


def test_a_clients_phone_is_kept_in_e164_however_it_is_typed():
    assert BookingEditInput().load({"booking_id": 3, "client_phone": "8 (916) 123-45-67"})["client_phone"] == "+79161234567"
    assert BookingEditInput().load({"booking_id": 3, "client_phone": None})["client_phone"] is None
    with pytest.raises(ValidationError) as refused:
        BookingEditInput().load({"booking_id": 3, "client_phone": "12"})
    assert "client_phone" in refused.value.messages

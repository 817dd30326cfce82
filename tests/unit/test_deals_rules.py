"""Deals' rules in plain Python, no database and no broker: automation rules (validation, triggers,
conditions, a child's result), custom fields and stage gates, payment schedules, documents."""
from decimal import Decimal

import pytest

from crm_deals.domain.automation import (
    ACTIONS, PipelineInfo, Rule, Trigger, condition_holds, matches, stage_for_result, validate_definition,
)
from crm_deals.domain.documents import MAX_BYTES, problems, safe_filename
from crm_deals.domain.fields import FieldError, missing_for_stage, normalize, normalize_all
from crm_deals.domain.payments import ScheduleMismatch, after_payment, check_schedule, difference, invoice_number

PIPELINES = {
    "sales": PipelineInfo({"new": "open", "contract": "open", "connected": "won", "failed": "lost"},
                          {"address", "visit_date"}),
    "connection": PipelineInfo({"scheduled": "open", "done": "won"}, {"address", "crew_note"}),
}


def definition(**changes) -> dict:
    return {"name": "Договор", "pipeline": "sales", "trigger": {"type": "entered_stage", "stage": "contract"},
            "actions": [{"type": "create_linked_deal", "pipeline": "connection", "copy_fields": {"address": "address"}}],
            **changes}


# -- automation rules: validation ---------------------------------------------------------

def test_a_sound_rule_has_no_problems():
    assert validate_definition(definition(), PIPELINES) == {}
    assert validate_definition(definition(
        trigger={"type": "date_field_reached", "field": "visit_date", "days_before": -2},
        conditions=[{"field": "address", "op": "not_empty"}],
        actions=[{"type": "move_by_child_result", "stages": {"won": "connected", "lost": "failed"}},
                 {"type": "request_approval", "title": "Скидка", "approver": 7},
                 {"type": "create_task", "title": "Позвонить", "due_in_hours": 1.5}]), PIPELINES) == {}


def test_a_rule_on_an_unknown_pipeline_is_refused_before_anything_else():
    assert validate_definition(definition(pipeline="nowhere", trigger={}, actions=[]), PIPELINES) == {
        "pipeline": ["unknown pipeline"]}


def test_triggers_name_their_kind_and_what_they_watch_in_this_pipeline():
    unknown = validate_definition(definition(trigger={"type": "deal_reopened"}), PIPELINES)
    assert list(unknown) == ["trigger.type"] and "entered_stage" in unknown["trigger.type"][0]
    assert validate_definition(definition(trigger={"type": "entered_stage"}), PIPELINES) == {
        "trigger.stage": ["required", "not a stage of this pipeline"]}
    assert validate_definition(definition(trigger={"type": "entered_stage", "stage": "scheduled"}), PIPELINES) == {
        "trigger.stage": ["not a stage of this pipeline"]}  # a stage of another pipeline
    assert validate_definition(definition(trigger={"type": "field_changed", "field": "crew_note"}), PIPELINES) == {
        "trigger.field": ["not a field of this pipeline"]}
    assert validate_definition(definition(trigger={"type": "linked_deal_closed", "child_pipeline": "x"}),
                               PIPELINES) == {"trigger.child_pipeline": ["unknown pipeline"]}


@pytest.mark.parametrize("hours, problems", [(True, ["must be a number"]), ("24", ["must be a number"]),
                                             (None, ["required", "must be a number"])])
def test_hours_in_a_stage_must_be_a_number(hours, problems):
    assert validate_definition(definition(trigger={"type": "time_in_stage_exceeded", "stage": "new", "hours": hours}),
                               PIPELINES) == {"trigger.hours": problems}


def test_conditions_name_a_field_of_the_pipeline_and_a_known_operator():
    errors = validate_definition(definition(conditions=[{"field": "address", "op": "contains"},
                                                        {"field": "crew_note", "op": "empty"}]), PIPELINES)
    assert errors == {"conditions.0.op": ["one of: empty, not_empty, eq, ne"],
                      "conditions.1.field": ["not a field of this pipeline"]}


def test_a_rule_needs_actions_and_each_action_its_own_settings():
    assert validate_definition(definition(actions=[]), PIPELINES) == {"actions": ["at least one action"]}
    errors = validate_definition(definition(actions=[
        {"type": "explode"},
        {"type": "move"},
        {"type": "move", "stage": "done"},  # a stage of another pipeline
        {"type": "move_to_pipeline", "pipeline": "connection", "stage": "done"},  # there it is one
        {"type": "move_to_pipeline", "pipeline": "archive", "stage": "done"},
        {"type": "move_by_child_result", "stages": {"won": "done"}},
        {"type": "set_field", "field": "crew_note", "value": "x"},
        {"type": "create_linked_deal", "pipeline": "connection", "copy_fields": {"crew_note": "address"}},
        {"type": "request_booking", "skill": "монтаж", "duration_minutes": 60, "address_field": "crew_note"},
        {"type": "request_approval", "title": "Скидка", "approver": ["boss"]},
        {"type": "create_task", "title": "Позвонить", "due_in_hours": "завтра"},
        {"type": "notify", "text": ""},
    ]), PIPELINES)
    assert errors == {
        "actions.0.type": [f"one of: {', '.join(ACTIONS)}"],
        "actions.1.stage": ["required", "not a stage of that pipeline"],
        "actions.2.stage": ["not a stage of that pipeline"],
        "actions.4.pipeline": ["unknown pipeline"],
        "actions.5.stages.won": ["not a stage of this pipeline"],
        "actions.6.field": ["not a field of this pipeline"],
        "actions.7.copy_fields.crew_note": ["both fields must exist"],
        "actions.8.address_field": ["not a field of this pipeline"],
        "actions.9.approver": ["a user id or responsible"],
        "actions.10.due_in_hours": ["must be a number"],
        "actions.11.text": ["required"],
    }


def test_a_crew_is_booked_at_the_address_field_unless_the_pipeline_has_none():
    booking = {"type": "request_booking", "skill": "монтаж", "duration_minutes": 60}
    assert validate_definition(definition(actions=[booking]), PIPELINES) == {}
    without_address = {"sales": PipelineInfo({"new": "open", "contract": "open"}, {"visit_date"})}
    assert validate_definition(definition(actions=[booking]), without_address) == {
        "actions.0.address_field": ["not a field of this pipeline"]}


# -- automation rules: which change a rule answers ------------------------------------------

def rule(trigger: dict, conditions=(), pipeline="sales") -> Rule:
    return Rule(1, 1, "правило", pipeline, trigger, tuple(conditions), ({"type": "notify", "text": "x"},))


def test_a_rule_answers_its_own_pipeline_and_trigger_kind_only():
    created = rule({"type": "deal_created"})
    assert matches(created, Trigger("deal_created", "sales", 1), {})
    assert not matches(created, Trigger("deal_created", "connection", 1), {})
    assert not matches(created, Trigger("task_completed", "sales", 1), {})


def test_stage_and_field_triggers_watch_one_stage_or_field():
    entered = rule({"type": "entered_stage", "stage": "contract"})
    assert matches(entered, Trigger("entered_stage", "sales", 1, stage="contract", from_stage="new"), {})
    assert not matches(entered, Trigger("entered_stage", "sales", 1, stage="new"), {})
    waited = rule({"type": "time_in_stage_exceeded", "stage": "new", "hours": 2})
    assert not matches(waited, Trigger("time_in_stage_exceeded", "sales", 1, stage="contract"), {})
    changed = rule({"type": "field_changed", "field": "address"})
    assert matches(changed, Trigger("field_changed", "sales", 1, field="address"), {})
    assert not matches(changed, Trigger("field_changed", "sales", 1, field="visit_date"), {})
    dated = rule({"type": "date_field_reached", "field": "visit_date"})
    assert not matches(dated, Trigger("date_field_reached", "sales", 1, field="address"), {})


def test_a_linked_deal_closing_matches_its_child_pipeline_and_the_result_asked_for():
    def closed(result, kind, child_pipeline="connection"):
        return Trigger("linked_deal_closed", "sales", 1, child_pipeline=child_pipeline, child_result=result,
                       child_result_kind=kind)

    any_result = rule({"type": "linked_deal_closed", "child_pipeline": "connection"})
    assert matches(any_result, closed("done", "won"), {})
    assert not matches(any_result, closed("done", "won", child_pipeline="claims"), {})
    by_kind = rule({"type": "linked_deal_closed", "child_pipeline": "connection", "result": "lost"})
    assert matches(by_kind, closed("failed", "lost"), {}) and not matches(by_kind, closed("done", "won"), {})
    by_stage = rule({"type": "linked_deal_closed", "child_pipeline": "connection", "result": "defects"})
    assert matches(by_stage, closed("defects", "lost"), {}) and not matches(by_stage, closed("failed", "lost"), {})


def test_every_condition_must_hold_on_the_deals_fields():
    conditioned = rule({"type": "field_changed", "field": "visit_date"},
                       [{"field": "visit_date", "op": "not_empty"}, {"field": "address", "op": "empty"}])
    trigger = Trigger("field_changed", "sales", 1, field="visit_date")
    assert matches(conditioned, trigger, {"visit_date": "2026-12-01"})
    assert not matches(conditioned, trigger, {"visit_date": "2026-12-01", "address": "ул. Мира, 1"})
    assert not matches(conditioned, trigger, {})


@pytest.mark.parametrize("value, empty", [(None, True), ("", True), ([], True), (0, False), (False, False),
                                          ("0", False), (["a"], False)])
def test_empty_means_absent_blank_or_an_empty_list_but_not_zero_or_false(value, empty):
    values = {} if value is None else {"x": value}
    assert condition_holds({"field": "x", "op": "empty"}, values) is empty
    assert condition_holds({"field": "x", "op": "not_empty"}, values) is not empty


def test_equality_conditions_compare_the_value_exactly():
    assert condition_holds({"field": "tariff", "op": "eq", "value": "100"}, {"tariff": "100"})
    assert not condition_holds({"field": "tariff", "op": "eq", "value": "100"}, {"tariff": 100})
    assert condition_holds({"field": "tariff", "op": "ne", "value": "100"}, {})
    assert condition_holds({"field": "tariff", "op": "eq"}, {})  # no value asked: the field must be absent


def test_a_childs_closing_stage_wins_over_its_kind():
    stages = {"won": "connected", "lost": "failed", "defects": "claims"}
    assert stage_for_result(stages, "defects", "lost") == "claims"
    assert stage_for_result(stages, "no_access", "lost") == "failed"
    assert stage_for_result(stages, None, "won") == "connected"
    assert stage_for_result({"won": "connected"}, "no_access", "lost") is None


# -- custom fields and stage gates -----------------------------------------------------------

@pytest.mark.parametrize("kind, value, stored", [
    ("text", "ул. Мира, 1", "ул. Мира, 1"),
    ("number", 3, 3), ("number", 2.5, 2.5),
    ("money", "1500", "1500.00"), ("money", 99.9, "99.90"), ("money", "-10.5", "-10.50"),
    ("date", "2026-02-28", "2026-02-28"),
    ("list", "B2B", "B2B"), ("user", 7, 7), ("file", "doc-1", "doc-1"),
    ("boolean", False, False),
])
def test_values_are_stored_in_their_types_form(kind, value, stored):
    assert normalize(kind, value, ["B2B", "B2C"]) == stored


@pytest.mark.parametrize("kind", ["text", "number", "money", "date", "list", "user", "file", "boolean"])
def test_none_or_an_empty_string_clears_any_field(kind):
    assert normalize(kind, None) is None and normalize(kind, "") is None


@pytest.mark.parametrize("kind, value, problem", [
    ("text", 5, "must be text"), ("text", "я" * 5001, "at most 5000"),
    ("number", True, "must be a number"), ("number", "3", "must be a number"),
    ("money", "полторы тысячи", "such as 1500.00"), ("money", "10.005", "two decimals"),
    ("money", "Infinity", "two decimals"), ("money", 10**12, "two decimals"),
    ("date", "2026-02-30", "YYYY-MM-DD"), ("date", "завтра", "YYYY-MM-DD"),
    ("list", "VIP", "one of: B2B, B2C"),
    ("user", 0, "user id"), ("user", True, "user id"), ("user", "7", "user id"),
    ("file", 12, "document id"),
    ("boolean", "true", "true or false"), ("boolean", 1, "true or false"),
    ("colour", "red", "unknown field type"),
])
def test_a_value_that_does_not_fit_its_type_is_refused_with_a_reason(kind, value, problem):
    with pytest.raises(FieldError, match=problem):
        normalize(kind, value, ["B2B", "B2C"])


def test_all_values_are_checked_and_each_problem_named_by_its_field():
    definitions = {"amount": {"type": "money"}, "visit_date": {"type": "date"},
                   "segment": {"type": "list", "options": ["B2B"]}}
    normalized, errors = normalize_all(definitions, {"amount": "10", "visit_date": "когда-нибудь",
                                                     "segment": "B2B", "x": 1})
    assert normalized == {"amount": "10.00", "segment": "B2B"}
    assert errors == {"visit_date": ["must be a date YYYY-MM-DD"], "x": ["no such field in this pipeline"]}


def test_a_stage_gate_lists_the_empty_required_fields_in_its_order():
    values = {"address": "ул. Мира, 1", "phone": "", "tags": [], "count": 0, "agreed": False}
    assert missing_for_stage(["tags", "address", "phone", "visit_date", "count", "agreed"], values) == [
        "tags", "phone", "visit_date"]
    assert missing_for_stage([], {}) == []


# -- payment schedules -----------------------------------------------------------------------

def test_a_schedule_must_add_up_to_the_deal_amount_unless_the_difference_is_accepted():
    amounts = [Decimal("500.00"), Decimal("250.50")]
    assert difference(Decimal("1000.00"), amounts) == Decimal("249.50")
    assert check_schedule(Decimal("750.50"), amounts, accept_difference=False) == Decimal("0")
    with pytest.raises(ScheduleMismatch) as under:
        check_schedule(Decimal("1000.00"), amounts, accept_difference=False)
    assert under.value.difference == Decimal("249.50") and "249.50" in str(under.value)
    with pytest.raises(ScheduleMismatch) as over:
        check_schedule(Decimal("700"), amounts, accept_difference=False)
    assert over.value.difference == Decimal("-50.50")
    assert check_schedule(Decimal("1000.00"), amounts, accept_difference=True) == Decimal("249.50")
    assert check_schedule(Decimal("0"), [], accept_difference=False) == Decimal("0")


def test_payments_make_an_invoice_partially_paid_then_paid_and_never_overpaid():
    assert after_payment(Decimal("1000"), Decimal("0"), Decimal("400")) == (Decimal("400"), "partially_paid")
    assert after_payment(Decimal("1000"), Decimal("400"), Decimal("600")) == (Decimal("1000"), "paid")
    with pytest.raises(ValueError, match="only 600 is left"):
        after_payment(Decimal("1000"), Decimal("400"), Decimal("600.01"))
    for nothing in (Decimal("0"), Decimal("-5")):
        with pytest.raises(ValueError, match="positive"):
            after_payment(Decimal("1000"), Decimal("0"), nothing)


def test_invoice_numbers_carry_the_year_and_a_five_digit_sequence():
    assert invoice_number(2026, 7) == "2026-00007"
    assert invoice_number(2027, 123456) == "2027-123456"


# -- documents -------------------------------------------------------------------------------

def test_a_document_of_a_known_type_with_its_extension_and_content_passes():
    assert problems("Договор.PDF", "application/pdf", b"%PDF-1.7 ...") == {}
    assert problems("photo.jpeg", "image/jpeg", b"\xff\xd8\xff\xe0...") == {}
    assert problems("notes.txt", "text/plain", b"anything at all") == {}


def test_a_document_is_refused_for_its_type_its_name_or_content_that_lies():
    assert list(problems("run.exe", "application/x-msdownload", b"MZ")) == ["content_type"]
    assert problems("scan.png", "application/pdf", b"%PDF") == {
        "filename": ["a application/pdf file ends with .pdf"]}
    assert problems("scan.png", "image/png", b"%PDF") == {"file": ["the content is not image/png"]}
    assert problems("empty.txt", "text/plain", b"") == {"file": ["empty"]}
    assert problems("big.txt", "text/plain", b"x" * (MAX_BYTES + 1)) == {"file": ["larger than 10 MiB"]}
    assert problems("big.txt", "text/plain", b"x" * MAX_BYTES) == {}


@pytest.mark.parametrize("given, stored", [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\me\\act.pdf", "act.pdf"), ("a<b>:c?.txt", "a_b__c_.txt"),
    ("line\nbreak.pdf", "line_break.pdf"), (" .hidden. ", "hidden"), ("...", "document"), ("", "document"),
])
def test_a_stored_name_has_no_directories_or_unsafe_characters(given, stored):
    assert safe_filename(given) == stored


def test_a_long_name_keeps_its_end_so_the_extension_survives():
    name = safe_filename("д" * 300 + ".pdf")
    assert len(name) == 120 and name.endswith("д.pdf")

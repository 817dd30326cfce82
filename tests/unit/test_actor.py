"""Who a worker's changes are made by: the gateway's user, else the system, unless a block acts for someone."""
from crm_chassis import context
from crm_chassis.events import EnvelopeSchema, actor, make_envelope


def teardown_function():
    context.clear()


def test_a_users_request_is_the_users_doing():
    context.bind("req-1", None, "7", "manager", "deals.update_deal")
    assert context.current_actor() == {"kind": "user", "id": 7, "label": "user:7", "role": "manager"}


def test_without_a_user_the_system_acts_under_the_entrypoints_name():
    context.bind(None, "corr-1", None, None, "deals.mark_overdue_tasks")
    assert context.current_actor() == {"kind": "system", "id": None, "label": "deals.mark_overdue_tasks"}


def test_a_block_acts_for_a_rule_and_then_the_user_again():
    context.bind("req-1", None, "7", "manager", "deals.move_deal")
    rule = actor("rule", 3, "Замер v2", rule_id=3, rule_version=2)
    with context.acting_as(rule):
        assert context.current_actor() == rule
        with context.acting_as(None):
            assert context.current_actor() == rule
    assert context.current_actor()["kind"] == "user"


def test_the_envelope_carries_its_actor_and_older_envelopes_read_without_one():
    who = actor("import", label="leads.csv")
    envelope = make_envelope("lead.created.v1", {"lead_id": 1}, "leads", None, actor=who)
    assert EnvelopeSchema().load(envelope)["actor"] == {"kind": "import", "id": None, "label": "leads.csv",
                                                        "role": None, "rule_id": None, "rule_version": None}
    older = make_envelope("lead.created.v1", {"lead_id": 1}, "leads", None)
    assert "actor" not in older and EnvelopeSchema().load(older)["actor"] is None

"""The audit trail's reading of events: which records an event is about, what it did, what changed."""
from crm_reports.domain.audit import MASK, entry, masked, split_type


def test_the_record_is_the_entity_before_the_first_dot_and_its_id_by_the_convention():
    found = entry("deal.changed.v1", {"deal_id": 12, "version": 3,
                                      "changes": {"title": {"from": "Окна", "to": "Окна ПВХ"}}})
    assert (found.entity, found.entity_id, found.action) == ("deal", "12", "changed")
    assert found.changes == {"title": {"from": "Окна", "to": "Окна ПВХ"}}
    assert found.subjects == ("deal:12",)


def test_an_event_naming_several_records_is_on_each_of_them():
    converted = entry("lead.converted.v1", {"lead_id": 3, "contact_id": 7, "company_id": None, "deal_id": 12})
    assert converted.subjects == ("lead:3", "contact:7", "deal:12")
    task = entry("deal.task_created.v1", {"deal_id": 12, "task_id": 40, "title": "Позвонить"})
    assert (task.entity, task.entity_id) == ("deal", "12") and "task:40" in task.subjects
    call = entry("communication.recorded.v1", {"communication_id": 5, "contact_id": 7, "lead_id": 3,
                                               "deal_id": None, "company_id": 2})
    assert call.subjects == ("communication:5", "contact:7", "company:2", "lead:3")


def test_events_off_the_convention_name_their_record_through_the_table():
    merged = entry("contact.merged.v1", {"kept_id": 1, "merged_id": 2})
    assert (merged.entity, merged.entity_id) == ("contact", "1") and merged.subjects == ("contact:1", "contact:2")
    moved = entry("ownership.reassigned.v1", {"batch_id": "b-1", "from_user_id": 4, "to_user_id": 5,
                                              "company_ids": [8], "lead_ids": [3, 9], "contact_ids": []})
    assert moved.subjects == ("ownership:b-1", "company:8", "lead:3", "lead:9")
    assert moved.changes["user_id"] == {"from": 4, "to": 5}


def test_from_and_to_pairs_are_changes_and_a_creation_sets_its_values():
    moved = entry("deal.stage_changed.v1", {"deal_id": 1, "from_stage": "new", "to_stage": "won",
                                            "from_pipeline": "sales", "pipeline": "sales"})
    assert moved.changes == {"stage": {"from": "new", "to": "won"}}
    created = entry("company.created.v1", {"company_id": 8, "name": "ООО Ромашка", "category": "A"})
    assert created.changes == {"name": {"from": None, "to": "ООО Ромашка"}, "category": {"from": None, "to": "A"}}


def test_an_event_without_its_id_is_kept_about_nothing_in_particular():
    loaded = entry("configuration.loaded.v1", {"pipelines": ["sales"]})
    assert (loaded.entity, loaded.entity_id, loaded.subjects) == ("configuration", None, ())


def test_the_action_drops_the_version():
    assert split_type("automation_rule.saved.v1") == ("automation_rule", "saved")
    assert split_type("deal.task_completed.v2") == ("deal", "task_completed")


def test_masking_keeps_the_fields_and_hides_every_value():
    assert masked({"phone": {"from": "+79161234567", "to": "+79160000000"}, "email": {"from": None, "to": "a@b.ru"},
                   "name": "Иван"}) == {"phone": {"from": MASK, "to": MASK}, "email": {"from": None, "to": MASK},
                                        "name": MASK}


def test_a_creation_leaves_out_what_it_left_empty():
    created = entry("deal.created.v1", {"deal_id": 3, "title": "Балкон", "lead_id": None, "fields": {}})
    assert created.changes == {"title": {"from": None, "to": "Балкон"}, "fields": {"from": None, "to": {}}}


def test_an_erased_persons_stored_event_keeps_its_ids_and_field_names_only():
    from crm_reports.domain.audit import masked_data

    assert masked_data({"deal_id": 12, "version": 3, "title": "Окна: Иван Петров", "company_ids": [2], "note": None,
                        "changes": {"title": {"from": "Окна", "to": "Окна: Иван Петров"}}}) == {
        "deal_id": 12, "version": 3, "title": MASK, "company_ids": [2], "note": None,
        "changes": {"title": {"from": MASK, "to": MASK}}}

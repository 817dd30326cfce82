"""Erasure's rules without a database: what counts as the person, how text is masked, what an
event keeps of its transient data, and how notify keeps an opt-out."""
from crm_chassis.erasure import MASK, Erasure, ErasureReading, Personal, mask_value, pattern
from crm_chassis.events import make_envelope, without_transient
from crm_leads.domain.erasure import ERASED_NAME, personal_data
from crm_leads.events import EXAMPLES
from crm_notify.domain.messages import erased_opt_out

IVAN = Personal(names=("Иван Петров",), phones=("+79161234567",), emails=("ivan@example.ru",),
                telegram_ids=("123456789",))
EVERYTHING = [*IVAN.identifiers(), *IVAN.names]


def test_a_phone_is_looked_for_in_e164_and_as_bare_digits_and_names_are_not_identifiers():
    assert IVAN.identifiers() == ["+79161234567", "79161234567", "ivan@example.ru", "123456789"]
    assert Personal.read({"names": ["", "  "], "phones": ["+79161234567"]}).names == ()


def test_masking_replaces_the_whole_value_whatever_its_case_and_leaves_the_rest():
    text = "Иван Петров (+79161234567, IVAN@Example.ru) просит перезвонить на 79161234567"
    assert mask_value(text, EVERYTHING) == f"{MASK} ({MASK}, {MASK}) просит перезвонить на {MASK}"
    assert mask_value("Пётр Иванов, +79990000000", EVERYTHING) == "Пётр Иванов, +79990000000"
    assert mask_value(None, EVERYTHING) is None


def test_only_whole_words_are_masked_and_in_json_only_values():
    envelope = {"channel": "sms", "data": {"contact_name": "Ann", "notes": ["Ann Lee", "Joanna"], "n": 3}}
    assert mask_value(envelope, ["Ann"]) == {"channel": "sms", "data": {
        "contact_name": MASK, "notes": [f"{MASK} Lee", "Joanna"], "n": 3}}
    assert mask_value("+791612345678", ["79161234567"]) == "+791612345678"  # another, longer number


def test_the_database_looks_for_values_literally_longest_first():
    assert pattern([]) is None
    assert pattern(["a.b", "a.b.c"]) == r"a\.b\.c|a\.b"
    assert mask_value("a-b a.b", ["a.b"]) == f"a-b {MASK}"


def test_transient_data_travels_in_the_event_but_is_not_kept():
    envelope = make_envelope("contact.erased.v1", {"contact_id": 7, "personal": {"phones": ["+79161234567"]}},
                             "leads", None, transient=("personal",))
    kept = without_transient(envelope)
    assert kept["data"] == {"contact_id": 7} and kept["event_id"] == envelope["event_id"]
    assert "personal" in envelope["data"]  # the published event still carries it
    ordinary = make_envelope("lead.created.v1", {"lead_id": 1}, "leads", None)
    assert "transient" not in ordinary and without_transient(ordinary) == ordinary


def test_every_consumer_reads_the_erasure_with_its_merged_contacts_and_deals():
    erasure = Erasure.read(ErasureReading().load(EXAMPLES["contact.erased.v1"]))
    assert erasure.contact_ids == (7, 19) and erasure.deal_ids == (15,)
    assert erasure.personal.phones == ("+79161234567",) and erasure.personal.names == ("Иван Петров",)


def test_a_contact_and_those_merged_into_it_give_every_name_and_way_to_reach_them():
    people = [{"name": "Иван Петров", "phone": "+79161234567", "email": None, "phone_unparsed": None},
              {"name": "Ваня", "phone": None, "email": "ivan@example.ru", "phone_unparsed": "12-АБВ"},
              {"name": ERASED_NAME, "phone": None, "email": None, "phone_unparsed": None}]
    identities = [("phone", "+79161234567"), ("telegram", "123456789"), ("email", "ivan@example.ru")]
    personal = personal_data(people, identities)
    assert personal.names == ("Иван Петров", "Ваня")
    assert personal.phones == ("+79161234567", "12-АБВ")  # once each, an unparsed one as written
    assert personal.emails == ("ivan@example.ru",) and personal.telegram_ids == ("123456789",)


def test_an_erased_opt_out_is_kept_as_a_hash_that_still_matches_the_address():
    kept = erased_opt_out("+79161234567")
    assert kept.startswith("sha256:") and "9161234567" not in kept
    assert erased_opt_out(" IVAN@example.ru ") == erased_opt_out("ivan@example.ru") != kept

"""Everyday records without I/O: what an edit really changes, stale versions, a contact's ways to
reach it, a company's INN, and the version an edit names at the gateway."""
import warnings

import pytest
from aiohttp.test_utils import make_mocked_request

from crm_chassis.errors import Conflict
from crm_chassis.records import changes, check_version
from crm_gateway.api import expected_version
from crm_gateway.errors import InvalidInput
from crm_leads.domain.records import InvalidRecord, identity_keys, inn_problem, wanted_reach

CONTACT = {"phones": ["+79001234567", "+79007654321"], "emails": ["ivan@example.ru"], "telegram": None}


def test_only_the_fields_that_differ_are_changes():
    current = {"name": "Иван", "category": "C", "responsible_id": 3}
    assert changes(current, {"name": "Иван", "category": "A", "responsible_id": None}) == {
        "category": {"from": "C", "to": "A"}, "responsible_id": {"from": 3, "to": None}}
    assert changes(current, {"name": "Иван"}) == {}


def test_a_stale_version_is_refused_naming_the_current_one():
    check_version(4, None)
    check_version(4, 4)
    with pytest.raises(Conflict) as refused:
        check_version(4, 3)
    assert refused.value.details == {"version": ["changed since you read it; it is now 4"]}


def test_a_new_primary_phone_in_any_format_becomes_e164_and_keeps_the_others():
    reach = wanted_reach(CONTACT, {"phone": "8 (916) 111-22-33"}, "RU")
    assert reach["phones"] == ["+79161112233", "+79007654321"]
    assert reach["emails"] == CONTACT["emails"]


def test_lists_replace_everything_lower_cased_and_without_repeats():
    reach = wanted_reach(CONTACT, {"phones": ["+7 916 111 22 33", "79161112233"], "emails": ["Ivan@Mail.RU"],
                                   "telegram": "ivan_p"}, "RU")
    assert reach == {"phones": ["+79161112233"], "emails": ["ivan@mail.ru"], "telegram": "ivan_p"}
    assert identity_keys(reach) == {("phone", "+79161112233"), ("email", "ivan@mail.ru"), ("telegram", "ivan_p")}


def test_null_removes_the_primary_only():
    assert wanted_reach(CONTACT, {"phone": None, "email": None}, "RU") == {
        "phones": ["+79007654321"], "emails": [], "telegram": None}


@pytest.mark.parametrize("edit, field", [
    ({"phone": "12345"}, "phone"),
    ({"phones": ["+79161112233", "не номер"]}, "phones"),
    ({"phone": "+79161112233", "phones": []}, "phone"),
])
def test_an_invalid_phone_is_refused_by_field(edit, field):
    with pytest.raises(InvalidRecord) as refused:
        wanted_reach(CONTACT, edit, "RU")
    assert list(refused.value.details) == [field]


@pytest.mark.parametrize("inn, problem", [
    ("7707083893", None),          # an organisation (10 digits)
    ("500100732259", None),        # a sole trader (12 digits)
    ("7707083894", "the check digits do not match"),
    ("500100732258", "the check digits do not match"),
    ("77070838", "10 or 12 digits"),
    ("77070838ab", "10 or 12 digits"),
])
def test_an_inn_is_checked_by_its_check_digits(inn, problem):
    assert inn_problem(inn) == problem


def _request(headers=None, body=None):
    request = make_mocked_request("PATCH", "/api/v1/contacts/1", headers=headers or {})
    with warnings.catch_warnings():  # the gateway's string keys, as its wrapper sets them
        warnings.simplefilter("ignore")
        request["body"] = body
    return request


@pytest.mark.parametrize("headers, body, version", [
    ({}, {}, None),
    ({"If-Match": '"3"'}, {}, 3),
    ({"If-Match": 'W/"3"'}, None, 3),
    ({}, {"version": 5}, 5),
    ({"If-Match": '"5"'}, {"version": 5}, 5),
])
def test_an_edit_names_its_version_in_the_body_or_if_match(headers, body, version):
    assert expected_version(_request(headers, body)) == version


@pytest.mark.parametrize("headers, body, field", [
    ({"If-Match": "*"}, {}, "If-Match"),
    ({}, {"version": "5"}, "version"),
    ({"If-Match": '"4"'}, {"version": 5}, "version"),
])
def test_a_malformed_or_contradictory_version_is_a_400(headers, body, field):
    with pytest.raises(InvalidInput) as refused:
        expected_version(_request(headers, body))
    assert field in refused.value.details

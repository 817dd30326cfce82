"""The one search box through the gateway: contacts by phone typed any way, by its last digits and by
e-mail, companies by INN, companies, leads and deals by name, title and number, one list ranked by
score; archived records left out; list filters that take `%` and `_` literally."""
import random
import uuid

import pytest

LETTERS = "бвгджзклмнпрстфхцчшщ"


def unique_word() -> str:
    """A surname-like word no other test uses, so that a name search finds only this test's records."""
    return "Кузне" + "".join(random.choice(LETTERS) for _ in range(6)) + "ова"


def national() -> str:
    """Ten digits that are a Moscow mobile after +7 and a Sacramento number after +1 (exchange 2-9)."""
    return f"916{random.randint(2, 9)}{random.randint(0, 999999):06d}"


def search(client, q: str, **params) -> list[dict]:
    response = client.get("/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def found(results: list[dict], kind: str, record_id: int) -> dict | None:
    return next((line for line in results if (line["type"], line["id"]) == (kind, record_id)), None)


def new_lead(client, **spec) -> dict:
    response = client.post("/leads", json=spec)
    assert response.status_code == 201, response.text
    return response.json()


def new_deal(client, title: str) -> dict:
    code = f"search-{uuid.uuid4().hex[:6]}"
    assert client.post("/pipelines", json={"code": code, "name": f"Воронка {code}", "stages": [
        {"code": "new", "name": "Новая", "kind": "open"}, {"code": "won", "name": "Выиграна", "kind": "won"}]},
    ).status_code == 201
    response = client.post("/deals", json={"pipeline": code, "title": title, "amount": "1000"})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_contact_is_found_by_its_phone_typed_any_way_by_its_last_digits_and_by_email(system):
    digits, surname = national(), unique_word()
    email = f"{surname.lower()}{digits}@mail.ru"
    contact = new_lead(system.admin, name=f"Анна {surname}", phone=f"+7{digits}", email=email)["contact"]
    typed = [f"8 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}", f"+7 ({digits[:3]}) {digits[3:]}",
             f"7{digits}", digits, email.upper()]
    for q in typed:
        first = search(system.admin, q)[0]
        assert (first["type"], first["id"], first["score"]) == ("contact", contact["id"], 1.0), q
        assert first["title"] == f"Анна {surname}" and f"+7{digits}" in first["subtitle"]
    for q in (digits[-4:], f"{digits[-7:-4]}-{digits[-4:-2]}-{digits[-2:]}"):
        line = found(search(system.admin, q, types="contact", limit=100), "contact", contact["id"])
        assert line is not None and line["score"] < 1.0, q


def test_the_exact_phone_ranks_above_a_number_that_only_ends_the_same(system):
    digits = national()
    moscow = new_lead(system.admin, name="Москва", phone=f"+7{digits}")["contact"]
    sacramento = new_lead(system.admin, name="Sacramento", phone=f"+1 {digits}")["contact"]
    assert sacramento["phone"] == f"+1{digits}"
    results = search(system.admin, f"8 {digits}", types="contact")
    assert [(line["id"], line["score"]) for line in results[:2]] == [(moscow["id"], 1.0), (sacramento["id"], 0.9)]


def test_names_and_titles_of_every_kind_with_typos_ranked_by_how_close_they_come(system):
    surname = unique_word()
    lead = new_lead(system.admin, name=f"Ольга {surname}", title=f"Остекление балкона {surname}")
    company = system.admin.post("/companies", json={"name": f"ООО «{surname}»", "category": "B"}).json()
    deal = new_deal(system.admin, f"Окна для {surname[:-1]}ой")
    results = search(system.admin, surname)
    kinds = {(line["type"], line["id"]): line for line in results}
    assert set(kinds) == {("contact", lead["contact"]["id"]), ("lead", lead["id"]), ("company", company["id"]),
                          ("deal", deal["id"])}
    assert results[-1]["type"] == "deal"  # "…ой" is only close to "…ова"
    assert response_counts(system.admin, surname) == {"contact": 1, "company": 1, "lead": 1, "deal": 1}
    typo = surname[:-2] + "фа"  # the last letters mistyped, ё read as е
    assert found(search(system.admin, typo.replace("е", "ё")), "contact", lead["contact"]["id"])
    assert found(search(system.admin, "балкона " + surname[:8]), "lead", lead["id"])  # a word cut short
    only = search(system.admin, surname, types="lead,deal")
    assert {line["type"] for line in only} == {"lead", "deal"}


def response_counts(client, q: str) -> dict:
    return client.get("/search", params={"q": q}).json()["counts"]


def test_a_deal_by_its_number(system):
    deal = new_deal(system.admin, f"Договор {unique_word()}")
    for q in (f"#{deal['id']}", f"№{deal['id']}", str(deal["id"])):
        line = found(search(system.admin, q), "deal", deal["id"])
        assert line is not None and line["score"] == 1.0 and line["title"].startswith(f"#{deal['id']} Договор"), q


def organisation_inn() -> str:
    """A random 10-digit INN with its check digit."""
    digits = [7, 7] + [random.randint(0, 9) for _ in range(7)]
    return "".join(map(str, digits)) + str(sum(w * d for w, d in zip((2, 4, 10, 3, 5, 9, 4, 6, 8), digits)) % 11 % 10)


def test_a_company_by_its_inn(system):
    inn = organisation_inn()
    company = system.admin.post("/companies", json={"name": f"АО {unique_word()}", "category": "A", "inn": inn})
    assert company.status_code == 201, company.text
    first = search(system.admin, inn)[0]
    assert (first["type"], first["id"], first["score"]) == ("company", company.json()["id"], 1.0)
    assert first["subtitle"].startswith(f"ИНН {inn}")


def test_archived_records_are_left_out(system):
    surname = unique_word()
    lead = new_lead(system.admin, name=f"Борис {surname}", title=f"Окна {surname}")
    contact = lead["contact"]
    assert {line["type"] for line in search(system.admin, surname)} == {"contact", "lead"}
    for path in (f"/leads/{lead['id']}/archive", f"/contacts/{contact['id']}/archive"):  # the open lead first
        archived = system.admin.post(path)
        assert archived.status_code == 200, archived.text
    assert search(system.admin, surname) == []
    assert system.admin.post(f"/contacts/{contact['id']}/restore").status_code == 200
    assert [(line["type"], line["id"]) for line in search(system.admin, surname)] == [("contact", contact["id"])]


@pytest.mark.parametrize("params, field", [({"q": ""}, "q"), ({"q": "   "}, "q"), ({"q": "я" * 101}, "q"), ({}, "q"),
                                           ({"q": "Иванов", "types": "contact,user"}, "types"),
                                           ({"q": "Иванов", "limit": "0"}, "limit")])
def test_an_empty_or_too_long_query_is_refused_with_its_field(system, params, field):
    response = system.admin.get("/search", params=params)
    assert response.status_code == 400 and field in response.json()["details"], response.text


def test_staff_who_read_clients_may_search_and_crews_may_not(system):
    for role in ("operator", "controller"):
        assert system.user(role).get("/search", params={"q": "Иванов"}).status_code == 200, role
    assert system.user("crew_member").get("/search", params={"q": "Иванов"}).status_code == 403
    assert system.anonymous().get("/search", params={"q": "Иванов"}).status_code == 401


def test_list_filters_take_percent_and_underscore_literally(system):
    word = unique_word()
    lead = new_lead(system.admin, name=f"100%_{word}", title=f"Скидка 50%_{word}")
    deal = new_deal(system.admin, f"Скидка 30%_{word}")
    contacts = system.admin.get("/contacts", params={"q": f"100%_{word[:4]}", "limit": 500}).json()
    assert lead["contact"]["id"] in [item["id"] for item in contacts["items"]]
    assert all("100%_" in item["name"] for item in contacts["items"])
    every, percent = (system.admin.get("/contacts", params=params).json()["total"] for params in ({}, {"q": "%"}))
    assert 0 < percent < every
    leads = system.admin.get("/leads", params={"q": "50%_", "limit": 500}).json()["items"]
    assert lead["id"] in [item["id"] for item in leads] and all("50%_" in item["title"] for item in leads)
    deals = system.admin.get("/deals", params={"q": "_", "limit": 500}).json()["items"]
    assert deal["id"] in [item["id"] for item in deals] and all("_" in item["title"] for item in deals)

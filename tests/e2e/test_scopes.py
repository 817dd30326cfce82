"""Who may see what: departments and role scopes as data, and the whole role x endpoint matrix.

Two sales departments, A and B, with a manager each; a head of sales in A; an operator, a
controller, a crew member and the admin in no department. Each manager owns a deal, a lead (with
its contact) and a company. The tables below say which manager's records each role reaches; every
endpoint must agree with them: a list holds exactly the reachable records, a card out of scope is a
404, the board counts and sums only what is reachable, reports show only reachable managers' rows.
"""
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.test_scheduling import job, new_crew
from tests.support.system import eventually

TODAY = datetime.now(ZoneInfo("Europe/Moscow")).date().isoformat()
ROLES = ("admin", "head_of_sales", "manager_a", "manager_b", "operator", "controller", "crew_member")

# role: whose records it reads ("a", "b": the managers of departments A and B); None = the endpoint is refused (403)
READS = {
    "admin": {"a", "b"},
    "head_of_sales": {"a"},
    "manager_a": {"a"},
    "manager_b": {"b"},
    "operator": {"a", "b"},
    "controller": {"a", "b"},
    "crew_member": None,
}
# role: whose records it may change; None = the role changes nothing (403)
CHANGES = {
    "admin": {"a", "b"},
    "head_of_sales": {"a"},
    "manager_a": {"a"},
    "manager_b": {"b"},
    "operator": {"a", "b"},
    "controller": None,
    "crew_member": None,
}
# reports are for sales; a manager's are their own numbers whatever their scope
REPORTS = {
    "admin": {"a", "b"},
    "head_of_sales": {"a"},
    "manager_a": {"a"},
    "manager_b": {"b"},
    "operator": None,
    "controller": None,
    "crew_member": None,
}
AMOUNTS = {"a": 100, "b": 1000}


@dataclass
class World:
    clients: dict  # role -> Client
    ids: dict  # role -> user id
    pipeline: str
    deals: dict  # "a"/"b" -> deal
    leads: dict
    companies: dict
    mark: str


def _created(response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def world(system) -> World:
    mark = f"m{uuid.uuid4().hex[:8]}"  # a word: all-digit text is searched as a number or a phone
    clients = {"admin": system.admin, **{role: system.user(role.removesuffix("_a").removesuffix("_b"))
                                         for role in ROLES if role != "admin"}}
    ids = {role: client.get("/me").json()["id"] for role, client in clients.items()}
    sales_a = _created(system.admin.post("/departments", json={"name": f"Продажи A {mark}"}))
    sales_b = _created(system.admin.post("/departments", json={"name": f"Продажи B {mark}"}))
    for department, members in ((sales_a, ["manager_a", "head_of_sales"]), (sales_b, ["manager_b"])):
        put = system.admin.request("PUT", f"/departments/{department['id']}/members",
                                   json={"user_ids": [ids[role] for role in members]})
        assert put.status_code == 200, put.text
    pipeline = f"scopes-{mark}"
    _created(system.admin.post("/pipelines", json={"code": pipeline, "name": f"Воронка {mark}", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "won", "name": "Выиграна", "kind": "won"}]}))
    deals, leads, companies = {}, {}, {}
    for owner in ("a", "b"):
        manager = clients[f"manager_{owner}"]
        deals[owner] = _created(manager.post("/deals", json={
            "pipeline": pipeline, "title": f"Сделка {owner} {mark}", "amount": str(AMOUNTS[owner])}))
        leads[owner] = _created(manager.post("/leads", json={
            "name": f"Клиент {owner} {mark}", "phone": f"+79{random.randint(10**8, 10**9 - 1)}",
            "title": f"Заявка {owner} {mark}", "responsible_id": ids[f"manager_{owner}"]}))
        companies[owner] = _created(system.admin.post("/companies", json={
            "name": f"ООО {owner} {mark}", "category": "A", "responsible_id": ids[f"manager_{owner}"]}))
    return World(clients, ids, pipeline, deals, leads, companies, mark)


def _owners(found_ids: set, records: dict) -> set:
    return {owner for owner, record in records.items() if record["id"] in found_ids}


def _listed(response) -> set | None:
    if response.status_code == 403:
        return None
    assert response.status_code == 200, response.text
    body = response.json()
    return {item["id"] for item in (body["items"] if isinstance(body, dict) else body)}


def _reached(client, path: str, owners: dict, mark: str) -> set | None:
    """Whose records' cards open (200) for this client; None when the role is refused; the others are
    404s that show nothing of the record."""
    reached = set()
    for owner, record in owners.items():
        response = client.get(path.format(record["id"]))
        if response.status_code == 403:
            return None
        assert response.status_code in (200, 404), response.text
        if response.status_code == 200:
            reached.add(owner)
        else:
            assert response.json()["error"] == "not_found" and mark not in response.text
    return reached


@pytest.mark.parametrize("role", ROLES)
def test_deals_list_card_and_board(world, role):
    client, expected = world.clients[role], READS[role]
    listed = _listed(client.get("/deals", params={"pipeline": world.pipeline}))
    assert (None if listed is None else _owners(listed, world.deals)) == expected
    assert _reached(client, "/deals/{}", world.deals, world.mark) == expected
    board = client.get("/deals/board", params={"pipeline": world.pipeline})
    if expected is None:
        assert board.status_code == 403
        return
    new = board.json()["stages"][0]
    assert (new["count"], new["amount"]) == (len(expected), f"{sum(AMOUNTS[o] for o in expected)}.00")
    assert _owners({deal["id"] for deal in new["deals"]}, world.deals) == expected


@pytest.mark.parametrize("role", ROLES)
def test_leads_contacts_companies_and_client_cards(world, role):
    client, expected = world.clients[role], READS[role]
    listed = _listed(client.get("/leads", params={"q": world.mark}))
    assert (None if listed is None else _owners(listed, world.leads)) == expected
    assert _reached(client, "/leads/{}", world.leads, world.mark) == expected
    contacts = {owner: lead["contact"] for owner, lead in world.leads.items()}
    listed = _listed(client.get("/contacts", params={"q": world.mark}))
    assert (None if listed is None else _owners(listed, contacts)) == expected
    assert _reached(client, "/clients/{}", contacts, world.mark) == expected
    assert _reached(client, "/companies/{}", world.companies, world.mark) == expected
    found = set()
    for owner in ("a", "b"):
        listed = _listed(client.get("/companies", params={"responsible_id": world.ids[f"manager_{owner}"]}))
        if listed is None:
            found = None
            break
        found |= _owners(listed, world.companies)
    assert found == expected


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_only_what_the_role_may_see(world, role):
    client, expected = world.clients[role], READS[role]
    response = client.get("/search", params={"q": world.mark, "limit": 100})
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200, response.text
    found = {(line["type"], line["id"]) for line in response.json()["results"]}
    records = {"deal": world.deals, "lead": world.leads, "company": world.companies,
               "contact": {owner: lead["contact"] for owner, lead in world.leads.items()}}
    for kind, by_owner in records.items():
        assert {owner for owner, record in by_owner.items() if (kind, record["id"]) in found} == expected, kind


@pytest.mark.parametrize("role", ROLES)
def test_reports_show_only_reachable_managers(world, role):
    client, expected = world.clients[role], REPORTS[role]
    managers = {world.ids["manager_a"]: "a", world.ids["manager_b"]: "b"}
    # both managers' numbers have reached reports before anyone looks
    eventually(lambda: {r["manager_id"] for r in world.clients["admin"].get("/reports/kpi", params={
        "date_from": TODAY, "date_to": TODAY}).json()["rows"]} >= set(managers))
    eventually(lambda: len([r for r in world.clients["admin"].get("/reports/abc", params={"limit": 100_000}).json()[
        "rows"] if r["company_id"] in {c["id"] for c in world.companies.values()}]) == 2)

    kpi = client.get("/reports/kpi", params={"date_from": TODAY, "date_to": TODAY})
    abc = client.get("/reports/abc", params={"limit": 100_000})
    exported = client.get("/reports/abc", params={"limit": 100_000, "format": "csv"})
    if expected is None:
        assert (kpi.status_code, abc.status_code, exported.status_code) == (403, 403, 403)
        return
    assert {managers[r["manager_id"]] for r in kpi.json()["rows"] if r["manager_id"] in managers} == expected
    company_owner = {company["id"]: owner for owner, company in world.companies.items()}
    assert {company_owner[r["company_id"]] for r in abc.json()["rows"] if r["company_id"] in company_owner} == expected
    text = exported.content.decode("utf-8-sig")
    assert {owner for owner, company in world.companies.items() if company["name"] in text} == expected
    problems = client.get("/reports/problem-orders").json()["rows"]
    deal_owner = {deal["id"]: owner for owner, deal in world.deals.items()}
    assert {deal_owner[r["deal_id"]] for r in problems if r["deal_id"] in deal_owner} == expected


@pytest.mark.parametrize("role", ROLES)
def test_edits_reach_only_changeable_records(world, role):
    client, expected = world.clients[role], CHANGES[role]
    changed = {}
    for owner in ("a", "b"):
        deal, lead, company = world.deals[owner], world.leads[owner], world.companies[owner]
        task = _created(world.clients["admin"].post(f"/deals/{deal['id']}/tasks", json={
            "title": "Задача по сделке", "due_at": "2099-01-01T09:00:00+03:00"}))
        changed[owner] = tuple(response.status_code for response in (
            client.patch(f"/deals/{deal['id']}", json={"title": deal["title"]}),
            client.post(f"/deals/{deal['id']}/archive"),
            client.post(f"/deals/{deal['id']}/restore"),
            client.post(f"/deals/{deal['id']}/tasks", json={"title": "Проверить доступ",
                                                           "due_at": "2099-01-01T09:00:00+03:00"}),
            client.patch(f"/tasks/{task['id']}", json={"title": "Задача по сделке (уточнена)"}),
            client.patch(f"/leads/{lead['id']}", json={"title": lead["title"]}),
            client.patch(f"/contacts/{lead['contact']['id']}", json={"name": lead["contact"]["name"]}),
            client.patch(f"/companies/{company['id']}", json={"name": company["name"]}),
            client.post(f"/companies/{company['id']}/archive"),
            client.post(f"/companies/{company['id']}/restore")))
    if expected is None:
        assert set(changed.values()) == {(403,) * 10}, changed
        return
    assert changed == {owner: (200, 200, 200, 201, 200, 200, 200, 200, 200, 200) if owner in expected
                       else (404,) * 10 for owner in ("a", "b")}


def test_a_deals_responsible_sees_its_client_without_owning_it(world, system):
    manager_a, manager_b = world.clients["manager_a"], world.clients["manager_b"]
    own_pipeline = f"scopes-shared-{world.mark}"  # not the matrix's, whose board sums stay as they are
    _created(system.admin.post("/pipelines", json={"code": own_pipeline, "name": "Общая",
                                                   "stages": [{"code": "new", "name": "Новая"}]}))
    lead = _created(manager_a.post("/leads", json={
        "name": f"Общий клиент {world.mark}", "phone": f"+79{random.randint(10**8, 10**9 - 1)}",
        "responsible_id": world.ids["manager_a"]}))
    contact = lead["contact"]
    assert manager_b.get(f"/clients/{contact['id']}").status_code == 404
    _created(manager_b.post("/deals", json={"pipeline": own_pipeline, "title": f"Сделка B с клиентом A {world.mark}",
                                            "contact_id": contact["id"]}))
    card = eventually(lambda: (r := manager_b.get(f"/clients/{contact['id']}")).status_code == 200 and r.json())
    assert card["name"] == f"Общий клиент {world.mark}"
    assert contact["id"] in {c["id"] for c in manager_b.get("/contacts", params={"q": "Общий клиент"}).json()["items"]}
    assert manager_b.patch(f"/contacts/{contact['id']}", json={"name": "Чужой"}).status_code == 404  # reads, not owns


def test_a_deal_handed_to_another_department_leaves_the_giver_s_scope(world):
    manager_a, manager_b = world.clients["manager_a"], world.clients["manager_b"]
    deal = _created(manager_a.post("/deals", json={"pipeline": world.pipeline, "title": f"Передача {world.mark}"}))
    handed = manager_a.patch(f"/deals/{deal['id']}", json={"responsible_id": world.ids["manager_b"]})
    assert handed.status_code == 200 and handed.json()["responsible_id"] == world.ids["manager_b"], handed.text
    assert manager_a.get(f"/deals/{deal['id']}").status_code == 404
    assert manager_b.get(f"/deals/{deal['id']}").json()["title"] == f"Передача {world.mark}"
    assert manager_a.patch(f"/deals/{deal['id']}", json={"title": "Вернуть"}).status_code == 404


def test_a_crew_member_sees_their_own_jobs_with_the_client_details_they_need(world, system):
    member = world.clients["crew_member"]
    person = _created(system.admin.post("/staff", json={"full_name": "Пётр Сидоров", "phone": "+79005550303",
                                                       "user_id": world.ids["crew_member"]}))
    own, other = new_crew(system, leader_staff_id=person["id"]), new_crew(system)
    day = date.today() + timedelta(days=9)
    mine = _created(system.admin.post("/bookings", json=job(own, day, "10:00", "11:00",
                                                            deal_id=world.deals["a"]["id"])))
    theirs = _created(system.admin.post("/bookings", json=job(other, day, "10:00", "11:00")))

    listed = member.get("/bookings", params={"date_from": day.isoformat(), "date_to": day.isoformat()}).json()
    assert [(b["id"], b["address"], b["client_name"], b["client_phone"]) for b in listed] == [
        (mine["id"], "г. Москва, ул. Садовая, д. 3, кв. 7", "Анна Смирнова", "+79037654321")]
    assert member.post(f"/bookings/{theirs['id']}/complete", json={"result": "success"}).status_code == 404
    assert member.get(f"/deals/{world.deals['a']['id']}").status_code == 403  # the job's card is enough
    both = system.admin.get("/bookings", params={"date_from": day.isoformat(), "date_to": day.isoformat()}).json()
    assert {mine["id"], theirs["id"]} <= {b["id"] for b in both}


def test_a_pipeline_limited_to_a_department_shows_only_to_it(world, system):
    limited = f"scopes-b-{world.mark}"
    _created(system.admin.post("/pipelines", json={"code": limited, "name": "Только B",
                                                   "stages": [{"code": "new", "name": "Новая"}]}))
    department_b = next(d for d in system.admin.get("/departments").json() if d["name"] == f"Продажи B {world.mark}")
    put = system.admin.request("PUT", f"/pipelines/{limited}/departments", json={"department_ids": [department_b["id"]]})
    assert put.status_code == 200 and put.json()["department_ids"] == [department_b["id"]], put.text
    deal = _created(world.clients["manager_b"].post("/deals", json={"pipeline": limited, "title": "Только для B"}))

    for role, sees in (("manager_b", True), ("controller", True), ("admin", True), ("manager_a", False),
                       ("head_of_sales", False)):
        client = world.clients[role]
        assert (limited in {p["code"] for p in client.get("/pipelines").json()}) is sees, role
        assert client.get("/deals/board", params={"pipeline": limited}).status_code == (200 if sees else 400), role
        assert client.get(f"/deals/{deal['id']}").status_code == (200 if sees else 404), role

    # a deal of department A whose rule opens a linked deal in B's pipeline: A's card does not show it
    sales = f"scopes-sales-{world.mark}"
    _created(system.admin.post("/pipelines", json={"code": sales, "name": "Продажи", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "contract", "name": "Договор"}]}))
    _created(system.admin.post("/automation/rules", json={
        "name": f"Передать в B {world.mark}", "pipeline": sales, "trigger": {"type": "entered_stage", "stage": "contract"},
        "actions": [{"type": "create_linked_deal", "pipeline": limited, "title": "Исполнение: {title}"}]}))
    parent = _created(world.clients["manager_a"].post("/deals", json={"pipeline": sales, "title": "Договор A"}))
    moved = world.clients["manager_a"].post(f"/deals/{parent['id']}/move", json={"stage": "contract"})
    assert moved.status_code == 200 and moved.json()["linked_deals"] == [], moved.text
    [child] = system.admin.get(f"/deals/{parent['id']}").json()["linked_deals"]
    assert child["pipeline"] == limited and world.clients["manager_a"].get(f"/deals/{child['id']}").status_code == 404
    assert system.admin.get(f"/deals/{child['id']}").json()["parent_deal"]["id"] == parent["id"]


def test_departments_are_data_an_admin_keeps(world, system):
    admin, manager = system.admin, world.clients["manager_a"]
    name = f"Рекламации {world.mark}"
    department = _created(admin.post("/departments", json={"name": name}))
    assert (department["version"], department["archived_at"], department["member_ids"]) == (1, None, [])
    assert admin.post("/departments", json={"name": name}).status_code == 409
    assert list(admin.post("/departments", json={"name": ""}).json()["details"]) == ["name"]
    assert manager.post("/departments", json={"name": "Свой отдел"}).status_code == 403

    path = f"/departments/{department['id']}"
    assert admin.get(path).headers["ETag"] == '"1"'
    renamed = admin.patch(path, json={"name": f"Претензии {world.mark}", "version": 1})
    assert renamed.status_code == 200 and renamed.json()["version"] == 2, renamed.text
    stale = admin.patch(path, json={"name": "Устаревшее имя"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["details"] == {"version": ["changed since you read it; it is now 2"]}
    assert admin.patch(path, json={"name": f"Претензии {world.mark}"}).json()["version"] == 2  # nothing changed

    unknown = admin.request("PUT", path + "/members", json={"user_ids": [world.ids["manager_a"], 999_999_999]})
    assert unknown.status_code == 400 and "user_ids" in unknown.json()["details"]
    assert admin.get(path).json()["member_ids"] == []  # nothing half-written
    joined = admin.request("PUT", path + "/members", json={"user_ids": [world.ids["manager_a"]]})
    assert joined.json()["member_ids"] == [world.ids["manager_a"]]
    assert department["id"] in manager.get("/me").json()["department_ids"]
    users = {user["id"]: user for user in admin.get("/users").json()}
    assert department["id"] in users[world.ids["manager_a"]]["department_ids"]
    crew_id = world.ids["crew_member"]
    placed = admin.patch(f"/users/{crew_id}", json={"department_ids": [department["id"]]})
    assert placed.status_code == 200 and placed.json()["department_ids"] == [department["id"]], placed.text
    refused = admin.patch(f"/users/{crew_id}", json={"department_ids": [999_999_999], "full_name": "Другое имя"})
    assert refused.status_code == 400 and "department_ids" in refused.json()["details"]
    assert admin.get(f"/users/{crew_id}").json()["full_name"] != "Другое имя"  # nothing half-written
    assert admin.patch(f"/users/{crew_id}", json={"department_ids": []}).json()["department_ids"] == []

    archived = admin.post(path + "/archive")
    assert archived.status_code == 200 and archived.json()["archived_at"], archived.text
    assert department["id"] not in {d["id"] for d in admin.get("/departments").json()}
    assert department["id"] in {d["id"] for d in admin.get("/departments", params={"archived": "true"}).json()}
    assert admin.post(path + "/archive").status_code == 409
    assert admin.post(path + "/restore").json()["archived_at"] is None
    assert admin.get("/departments/999999999").status_code == 404


def test_role_scopes_are_data_with_the_defaults(system):
    expected = {"admin": ("all", "all"), "head_of_sales": ("department", "department"),
                "manager": ("department", "department"), "operator": ("all", "all"),
                "controller": ("all", "none"), "crew_member": ("own", "own")}
    for role, (read, write) in expected.items():
        assert system.admin.get(f"/roles/{role}/scope").json() == {"role": role, "read": read, "write": write}
    same = system.admin.request("PUT", "/roles/manager/scope", json={"read": "department", "write": "department"})
    assert same.status_code == 200, same.text
    refused = system.admin.request("PUT", "/roles/manager/scope", json={"read": "everything", "write": "own"})
    assert refused.status_code == 400 and "read" in refused.json()["details"]
    assert system.admin.get("/roles/nobody/scope").status_code == 404
    assert system.user("manager").get("/roles/manager/scope").status_code == 403



@pytest.fixture(scope="module")
def funnel_pipeline(world) -> str:
    """A pipeline of its own with one deal of each manager, untouched by the other tests."""
    code = f"funnel-{world.mark}"
    _created(world.clients["admin"].post("/pipelines", json={"code": code, "name": f"Воронка {code}", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "won", "name": "Выиграна", "kind": "won"}]}))
    for owner in ("a", "b"):
        _created(world.clients[f"manager_{owner}"].post("/deals", json={"pipeline": code, "title": f"Сделка {owner}"}))
    return code


@pytest.mark.parametrize("role", ROLES)
def test_funnel_counts_only_reachable_deals(world, funnel_pipeline, role):
    expected = {"admin": 2, "head_of_sales": 1}.get(role)  # the funnel is for the heads of sales
    period = {"pipeline": funnel_pipeline, "date_from": TODAY, "date_to": TODAY}
    eventually(lambda: _entered_first_stage(world.clients["admin"].get("/reports/funnel", params=period)) == 2)
    response = world.clients[role].get("/reports/funnel", params=period)
    if expected is None:
        assert response.status_code == 403
        return
    assert _entered_first_stage(response) == expected


def _entered_first_stage(response) -> int:
    assert response.status_code == 200, response.text
    return next((row["deals"] for row in response.json()["rows"] if row["stage"] == "new"), 0)

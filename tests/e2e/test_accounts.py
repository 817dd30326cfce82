"""Users own their accounts: their password, an admin's reset, the password policy; users as
records an admin edits (with versions), archives and restores."""
import json
import uuid

import sqlalchemy as sa

from crm_gateway.tables import audit_log
from tests.e2e.test_deals import pipeline
from tests.e2e.test_leads import mobile_digits
from tests.support.system import eventually


def new_user(system, role: str = "manager") -> dict:
    """A user as the admin creates them, with the password they were given."""
    login = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    password = f"Крыша-{uuid.uuid4().hex[:10]}"
    response = system.admin.post("/users", json={"login": login, "full_name": f"Сотрудник {login}", "role": role,
                                                 "password": password})
    assert response.status_code == 201, response.text
    return {**response.json(), "password": password}


def log_in(system, login: str, password: str):
    return system.anonymous().post("/auth/login", json={"login": login, "password": password})


def test_a_user_changes_their_own_password_and_every_other_session_ends(system):
    user = new_user(system)
    laptop = system.log_in(user["login"], user["password"])
    phone = system.log_in(user["login"], user["password"])

    wrong = phone.post("/me/password", json={"old_password": "not-my-password", "new_password": "Новый-пароль-2026"})
    assert wrong.status_code == 400
    assert wrong.json()["details"] == {"old_password": ["wrong password"]}
    weak = phone.post("/me/password", json={"old_password": user["password"], "new_password": "qwertyuiop"})
    assert weak.status_code == 400
    assert weak.json()["details"] == {"new_password": ["is one of the most common passwords"]}
    assert laptop.get("/me").status_code == 200 and log_in(system, user["login"], user["password"]).status_code == 200

    changed = phone.post("/me/password", json={"old_password": user["password"], "new_password": "Новый-пароль-2026"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["user"]["id"] == user["id"] and changed.json()["must_change_password"] is False
    assert laptop.get("/me").status_code == 401
    assert phone.get("/me").status_code == 401  # its old token too: the answer carries its fresh one
    fresh = system.anonymous()
    fresh.session.headers["Authorization"] = f"Bearer {changed.json()['token']}"
    assert fresh.get("/me").json()["login"] == user["login"]
    assert log_in(system, user["login"], user["password"]).status_code == 401
    assert log_in(system, user["login"], "Новый-пароль-2026").status_code == 200


def test_after_an_admins_reset_the_temporary_password_only_opens_the_way_to_a_new_one(system):
    user = new_user(system, "operator")
    working = system.log_in(user["login"], user["password"])
    assert system.user("manager").post(f"/users/{user['id']}/password-reset").status_code == 403

    reset = system.admin.post(f"/users/{user['id']}/password-reset")
    assert reset.status_code == 200, reset.text
    temporary = reset.json()["temporary_password"]
    assert len(temporary) >= 16 and reset.json()["user"]["must_change_password"] is True
    assert working.get("/me").status_code == 401
    assert log_in(system, user["login"], user["password"]).status_code == 401

    first = log_in(system, user["login"], temporary)
    assert first.status_code == 200 and first.json()["must_change_password"] is True
    restricted = system.anonymous()
    restricted.session.headers["Authorization"] = f"Bearer {first.json()['token']}"
    assert restricted.get("/me").json()["must_change_password"] is True
    refused = restricted.get("/leads")
    assert refused.status_code == 403 and refused.json()["error"] == "password_change_required"
    same = restricted.post("/me/password", json={"old_password": temporary, "new_password": temporary})
    assert same.json()["details"] == {"new_password": ["must differ from the current password"]}

    chosen = restricted.post("/me/password", json={"old_password": temporary, "new_password": "Мой-пароль-оператора"})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["must_change_password"] is False
    assert restricted.get("/me").status_code == 401
    restricted.session.headers["Authorization"] = f"Bearer {chosen.json()['token']}"
    assert restricted.get("/leads").status_code == 200
    assert log_in(system, user["login"], temporary).status_code == 401


def test_passwords_follow_the_policy_and_a_refused_user_is_not_created(system):
    login = f"policy-{uuid.uuid4().hex[:6]}"
    cases = {"qwertyuiop": ["is one of the most common passwords"],
             "short": ["must be at least 10 characters long"],
             " " * 12: ["must not be only whitespace"],
             f"my-{login.upper()}-pass": ["must not contain the login"]}
    for password, problems in cases.items():
        refused = system.admin.post("/users", json={"login": login, "full_name": "Политика", "role": "operator",
                                                    "password": password})
        assert refused.status_code == 400, refused.text
        assert refused.json()["details"] == {"password": problems}
    assert login not in {user["login"] for user in system.admin.get("/users").json()}


def test_an_admin_edits_a_user_naming_the_version_read_and_a_stale_edit_is_refused(system):
    user = new_user(system)
    read = system.admin.get(f"/users/{user['id']}")
    assert read.headers["ETag"] == '"1"' and read.json()["version"] == 1

    renamed = system.admin.patch(f"/users/{user['id']}", json={"full_name": "Петрова Анна"},
                                 headers={"If-Match": read.headers["ETag"]})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["full_name"], renamed.json()["version"], renamed.headers["ETag"]) == ("Петрова Анна", 2, '"2"')
    stale = system.admin.patch(f"/users/{user['id']}", json={"role": "operator", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["details"] == {"version": ["changed since you read it; it is now 2"]}
    assert system.admin.get(f"/users/{user['id']}").json()["role"] == "manager"

    unchanged = system.admin.patch(f"/users/{user['id']}", json={"full_name": "Петрова Анна", "version": 2})
    assert unchanged.json()["version"] == 2
    bad = system.admin.patch(f"/users/{user['id']}", json={"role": "boss", "full_name": ""})
    assert bad.status_code == 400 and set(bad.json()["details"]) == {"role", "full_name"}
    assert system.admin.patch("/users/999999", json={"full_name": "Никто"}).status_code == 404
    assert system.user("head_of_sales").patch(f"/users/{user['id']}", json={"full_name": "X"}).status_code == 403

    moved = system.admin.patch(f"/users/{user['id']}", json={"role": "operator", "version": 2})
    assert moved.json()["role"] == "operator" and moved.json()["version"] == 3
    directory = {person["id"]: person for person in system.admin.get("/users/directory").json()}
    assert directory[user["id"]] == {"id": user["id"], "full_name": "Петрова Анна", "role": "operator", "active": True}
    assert system.log_in(user["login"], user["password"]).get("/reports/kpi").status_code == 403


def test_the_last_active_admin_stays_an_admin_and_no_admin_archives_or_deactivates_themselves(system):
    me = system.admin.get("/me").json()
    second = new_user(system, "admin")
    stepped_down = system.log_in(second["login"], second["password"]).patch(f"/users/{second['id']}",
                                                                            json={"role": "manager"})
    assert stepped_down.status_code == 200 and stepped_down.json()["role"] == "manager"
    for other in system.admin.get("/users").json():  # admins other tests may have left
        if other["role"] == "admin" and other["active"] and other["id"] != me["id"]:
            assert system.admin.patch(f"/users/{other['id']}", json={"role": "manager"}).status_code == 200

    last = system.admin.patch(f"/users/{me['id']}", json={"role": "manager"})
    assert last.status_code == 409 and last.json()["details"] == {"role": ["the last active admin must stay an admin"]}
    myself = system.admin.post(f"/users/{me['id']}/archive")
    assert myself.status_code == 409 and myself.json()["details"] == {"user_id": ["you cannot archive yourself"]}
    assert system.admin.patch(f"/users/{me['id']}", json={"active": False}).status_code == 409
    assert system.admin.post(f"/users/{me['id']}/dismiss", json={}).status_code == 409
    assert system.admin.get("/me").json()["role"] == "admin"


def test_a_user_still_answering_for_open_work_is_archived_only_after_handing_it_over(system):
    leaving, staying = new_user(system), new_user(system)
    seller = system.log_in(leaving["login"], leaving["password"])
    lead = seller.post("/leads", json={"name": "Клиент уходящего", "phone": f"+{mobile_digits()}",
                                       "responsible_id": leaving["id"]}).json()
    sales = pipeline(system, "archive", [("new", "Новая", "open", []), ("won", "Выиграна", "won", [])])
    deal = seller.post("/deals", json={"pipeline": sales, "title": "Сделка уходящего", "amount": "1000"}).json()
    assert deal["responsible_id"] == leaving["id"]

    refused = system.admin.post(f"/users/{leaving['id']}/archive")
    assert refused.status_code == 409
    details = refused.json()["details"]
    assert details["open_deals"] == [deal["id"]] and details["open_leads"] == [lead["id"]]
    assert "hand it over" in refused.json()["message"]
    assert seller.get("/me").status_code == 200

    handed = system.admin.post(f"/users/{leaving['id']}/dismiss", json={"substitute_id": staying["id"]})
    assert handed.status_code == 200, handed.text
    archived = eventually(lambda: (r := system.admin.post(f"/users/{leaving['id']}/archive")).status_code == 200 and r)
    assert archived.json()["archived_at"] is not None
    assert system.admin.get(f"/deals/{deal['id']}").json()["responsible_id"] == staying["id"]


def test_an_archived_user_cannot_log_in_vanishes_from_pickers_and_comes_back_when_restored(system):
    user = new_user(system, "operator")
    session = system.log_in(user["login"], user["password"])
    stale = system.admin.post(f"/users/{user['id']}/archive", headers={"If-Match": '"7"'})
    assert stale.status_code == 409 and stale.json()["details"] == {"version": ["changed since you read it; it is now 1"]}
    assert system.user("manager").post(f"/users/{user['id']}/archive").status_code == 403

    archived = system.admin.post(f"/users/{user['id']}/archive", headers={"If-Match": '"1"'})
    assert archived.status_code == 200, archived.text
    assert archived.json()["version"] == 2 and archived.json()["archived_at"]
    assert session.get("/me").status_code == 401
    assert log_in(system, user["login"], user["password"]).status_code == 401
    assert user["id"] not in {person["id"] for person in system.admin.get("/users/directory").json()}
    assert user["id"] not in {person["id"] for person in system.admin.get("/users").json()}
    hidden = {person["id"]: person for person in system.admin.get("/users/directory?archived=true").json()}
    assert hidden[user["id"]]["full_name"] == user["full_name"]  # old records still name them
    assert [person["id"] for person in system.admin.get("/users?archived=true").json()].count(user["id"]) == 1
    assert system.admin.get(f"/users/{user['id']}").json()["archived_at"] == archived.json()["archived_at"]

    restored = system.admin.post(f"/users/{user['id']}/restore")
    assert restored.status_code == 200 and restored.json()["archived_at"] is None and restored.json()["version"] == 3
    assert log_in(system, user["login"], user["password"]).status_code == 200
    assert user["id"] in {person["id"] for person in system.admin.get("/users/directory").json()}
    assert system.admin.post("/users/999999/restore").status_code == 404


def test_every_change_to_an_account_is_on_the_audit_log_and_no_password_is(system, infrastructure):
    user = new_user(system)
    admin_id = system.admin.get("/me").json()["id"]
    assert log_in(system, user["login"], "Не-тот-пароль-1").status_code == 401
    session = system.log_in(user["login"], user["password"])
    session.post("/me/password", json={"old_password": "Не-тот-пароль-2", "new_password": "Новый-пароль-2026"})
    changed = session.post("/me/password", json={"old_password": user["password"], "new_password": "Новый-пароль-2026"})
    system.admin.patch(f"/users/{user['id']}", json={"role": "operator", "full_name": "Иванова Ольга"})
    temporary = system.admin.post(f"/users/{user['id']}/password-reset").json()["temporary_password"]
    system.admin.post(f"/users/{user['id']}/archive")
    system.admin.post(f"/users/{user['id']}/restore")
    restricted = log_in(system, user["login"], temporary).json()["token"]
    system.anonymous().post("/auth/logout", headers={"Authorization": f"Bearer {restricted}"})

    engine = sa.create_engine(f"{infrastructure['postgres']}/{infrastructure['db_prefix']}_gateway")
    with engine.connect() as conn:
        entries = conn.execute(sa.select(audit_log).where(audit_log.c.entity == "user",
                                                          audit_log.c.entity_id == str(user["id"]))
                               .order_by(audit_log.c.id)).mappings().all()
    engine.dispose()
    admin, user_id = str(admin_id), str(user["id"])
    assert [(e["action"], e["actor_id"]) for e in entries] == [
        ("created", admin), ("login_failed", None), ("logged_in", user_id), ("password_change_failed", user_id),
        ("password_changed", user_id), ("changed", admin), ("role_changed", admin), ("password_reset", admin),
        ("archived", admin), ("restored", admin), ("logged_in", user_id), ("logged_out", user_id)]
    assert entries[5]["changes"] == {"role": {"from": "manager", "to": "operator"},
                                     "full_name": {"from": user["full_name"], "to": "Иванова Ольга"}}
    written = json.dumps([dict(e, at=None) for e in entries], ensure_ascii=False)
    for secret in (user["password"], "Новый-пароль-2026", "Не-тот-пароль-1", temporary, changed.json()["token"]):
        assert secret not in written

"""Demo data in Russian, loaded through the public API as any client would (idempotent)."""
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml


class Api:
    def __init__(self, base: str):
        self.base = base.rstrip("/") + "/api/v1"
        self.token = None

    def request(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            **(headers or {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def must(self, method: str, path: str, body=None, ok=(200, 201, 409), **kwargs):
        status, payload = self.request(method, path, body, **kwargs)
        if status not in ok:
            raise SystemExit(f"demo data: {method} {path} answered {status}: {payload}")
        return payload


CONFIGURATION = Path(__file__).with_name("demo-configuration.yaml")  # scenario S1's pipelines and rules

USERS = [
    ("manager", "Мария Соколова", "manager"),
    ("operator", "Ольга Кузнецова", "operator"),
    ("crew", "Сергей Иванов", "crew_member"),
]

# departments and who is in them: a manager reads and changes their department's records
DEPARTMENTS = [("Продажи", ["manager"]), ("Производство", ["crew"]), ("Рекламации", []), ("Колл-центр", ["operator"])]

STAFF = [  # the crew leader logs in as `crew` and sees his jobs on «Мои выезды»
    {"full_name": "Сергей Иванов", "phone": "+79005550101", "skills": ["бригадир", "подключение"], "login": "crew"},
    {"full_name": "Дмитрий Попов", "phone": "+79005550102", "skills": ["монтажник", "подключение"]},
    {"full_name": "Андрей Козлов", "phone": "+79005550202", "skills": ["замерщик"]},
]
WEEK_HOURS = {**{day: ["09:00", "18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
              "sat": ["10:00", "16:00"], "sun": None}

FORMS = [
    ("site-main", {"submission_id": "demo-1", "name": "Иван Петров", "phone": "8 (916) 123-45-67",
                   "message": "Хочу подключить интернет в квартиру", "request_type": "подключение"}),
    ("site-okna", {"submission_id": "demo-2", "name": "Анна Смирнова", "phone": "+7 903 765 43 21",
                   "email": "Anna.Smirnova@example.ru", "message": "Нужен замер окон"}),
]


def load_demo(base_url: str, admin_login: str, local: dict) -> None:
    api = Api(base_url)
    session = api.must("POST", "/auth/login", {"login": admin_login, "password": local["admin_password"]}, ok=(200,))
    api.token = session["token"]
    for login, full_name, role in USERS:
        api.must("POST", "/users", {"login": login, "full_name": full_name, "role": role,
                                    "password": local["admin_password"]})
    api.must("POST", "/configuration", yaml.safe_load(CONFIGURATION.read_text(encoding="utf-8")), ok=(200,))
    users = {user["login"]: user for user in api.must("GET", "/users", ok=(200,))}
    for user in users.values():
        if user["role"] == "operator":  # new leads go round robin to operators on duty
            api.must("POST", "/ownership/duty", {"user_id": user["id"], "on_duty": True}, ok=(200,))
    for name, _ in DEPARTMENTS:
        api.must("POST", "/departments", {"name": name})
    department_ids = {d["name"]: d["id"] for d in api.must("GET", "/departments", ok=(200,))}
    for name, logins in DEPARTMENTS:
        api.must("PUT", f"/departments/{department_ids[name]}/members",
                 {"user_ids": [users[login]["id"] for login in logins]}, ok=(200,))
    if not api.must("GET", "/staff", ok=(200,)):
        people = [api.must("POST", "/staff", {key: value for key, value in person.items() if key != "login"}
                           | ({"user_id": users[person["login"]]["id"]} if "login" in person else {}), ok=(201,))
                  for person in STAFF]
        leader, installer, measurer = (person["id"] for person in people)
        api.must("POST", "/crews", {"name": "Бригада подключения №1", "skill": "подключение",
                                    "leader_name": "Сергей Иванов", "leader_phone": "+79005550101",
                                    "leader_staff_id": leader, "member_ids": [leader, installer],
                                    "zones": ["Москва, Север", "Москва, Центр"], "working_hours": WEEK_HOURS})
        api.must("POST", "/crews", {"name": "Замерщик Андрей Козлов", "skill": "замер",
                                    "leader_name": "Андрей Козлов", "leader_phone": "+79005550202",
                                    "leader_staff_id": measurer, "member_ids": [measurer],
                                    "zones": ["Москва, Центр"], "working_hours": WEEK_HOURS})
    for site, form in FORMS:
        raw = json.dumps(form, ensure_ascii=False).encode()
        signature = "sha256=" + hmac.new(local["form_sites"][site].encode(), raw, hashlib.sha256).hexdigest()
        api.must("POST", f"/webhooks/forms/{site}", raw=raw, headers={"X-Signature": signature}, ok=(200, 201))
    leads = api.must("GET", "/leads?limit=1", ok=(200,))
    if leads["total"] and not api.must("GET", "/bookings", ok=(200,)):
        lead = leads["items"][-1]
        address = "г. Москва, ул. Лесная, д. 5, кв. 12"
        deal = api.must("POST", "/deals", {"pipeline": "private", "title": f"Интернет: {lead['contact']['name']}",
                                           "contact_id": lead["contact"]["id"], "amount": "1500.00",
                                           "responsible_id": users["manager"]["id"],  # the manager's to show
                                           "fields": {"address": address, "tariff": "500 Мбит/с"}}, ok=(201,))
        signed = api.must("POST", f"/deals/{deal['id']}/move", {"stage": "contract"}, ok=(200,))
        connection = signed["linked_deals"][0]  # opened by the rule: the crew goes out for this one
        crew = api.must("GET", "/crews", ok=(200,))[0]
        start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
        while start.weekday() == 6:  # the crew does not work on Sundays
            start += timedelta(days=1)
        api.must("POST", "/bookings", {"crew_id": crew["id"], "deal_id": connection["id"],
                                       "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
                                       "address": address,
                                       "client_name": lead["contact"]["name"], "client_phone": lead["contact"]["phone"]})
    print("[crm] demo data loaded: pipelines and automation rules of scenario S1, users in four departments, "
          "staff, a crew and a measurer, leads from two sites, a deal and a booking", flush=True)

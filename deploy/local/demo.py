"""Demo data in Russian, loaded through the public API as any client would (idempotent)."""
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta


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


ADDRESS = {"code": "address", "name": "Адрес подключения", "type": "text"}
TARIFF = {"code": "tariff", "name": "Тариф", "type": "list", "options": ["100 Мбит/с", "500 Мбит/с", "1 Гбит/с"]}
PIPELINES = [
    {"code": "private", "name": "Продажи: частные лица", "client_type": "private", "fields": [ADDRESS, TARIFF],
     "stages": [{"code": "new", "name": "Новая"},
                {"code": "contract", "name": "Договор подписан", "required_fields": ["address", "tariff"]},
                {"code": "connected", "name": "Подключен", "kind": "won"},
                {"code": "failed", "name": "Подключение не удалось", "kind": "lost"}]},
    {"code": "business", "name": "Продажи: юридические лица", "client_type": "business", "fields": [ADDRESS, TARIFF],
     "stages": [{"code": "new", "name": "Новая"}, {"code": "proposal", "name": "Коммерческое предложение"},
                {"code": "contract", "name": "Договор подписан", "required_fields": ["address"]},
                {"code": "connected", "name": "Подключен", "kind": "won"},
                {"code": "failed", "name": "Подключение не удалось", "kind": "lost"}]},
    {"code": "connection", "name": "Подключение", "fields": [ADDRESS],
     "stages": [{"code": "scheduled", "name": "Выезд назначен"}, {"code": "done", "name": "Подключено", "kind": "won"},
                {"code": "failed", "name": "Не удалось", "kind": "lost"}]},
]
# Scenario S1 by configuration alone: a signed contract opens the connection; the crew's result
# closes it; its result moves the sale and tells the manager.
RULES = [
    {"name": f"{sales}: договор подписан — заявка на подключение", "pipeline": sales,
     "trigger": {"type": "entered_stage", "stage": "contract"},
     "actions": [{"type": "create_linked_deal", "pipeline": "connection", "title": "Подключение: {title}",
                  "copy_fields": {"address": "address"}},
                 {"type": "create_task", "title": "Назначить выезд бригады", "due_in_hours": 4}]}
    for sales in ("private", "business")
] + [
    {"name": f"{sales}: итог подключения", "pipeline": sales,
     "trigger": {"type": "linked_deal_closed", "child_pipeline": "connection"},
     "actions": [{"type": "move_by_child_result", "stages": {"won": "connected", "lost": "failed"}},
                 {"type": "notify", "recipients": ["responsible"],
                  "text": "Подключение по сделке «{title}» завершено: {child_result}"}]}
    for sales in ("private", "business")
] + [
    {"name": "Подключение: бригада справилась", "pipeline": "connection", "trigger": {"type": "booking_completed"},
     "actions": [{"type": "move", "stage": "done"}]},
    {"name": "Подключение: бригада не смогла", "pipeline": "connection", "trigger": {"type": "booking_failed"},
     "actions": [{"type": "move", "stage": "failed"}]},
]

USERS = [
    ("manager", "Мария Соколова", "manager"),
    ("operator", "Ольга Кузнецова", "operator"),
    ("crew", "Сергей Иванов", "crew_member"),
]

STAFF = [
    {"full_name": "Сергей Иванов", "phone": "+79005550101", "skills": ["бригадир", "подключение"]},
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
    for pipeline in PIPELINES:
        api.must("POST", "/pipelines", pipeline)
    existing = {rule["name"] for rule in api.must("GET", "/automation/rules", ok=(200,))}
    for rule in RULES:
        if rule["name"] not in existing:
            api.must("POST", "/automation/rules", rule, ok=(201,))
    for user in api.must("GET", "/users", ok=(200,)):
        if user["role"] == "operator":  # new leads go round robin to operators on duty
            api.must("POST", "/ownership/duty", {"user_id": user["id"], "on_duty": True}, ok=(200,))
    if not api.must("GET", "/staff", ok=(200,)):
        people = [api.must("POST", "/staff", person, ok=(201,)) for person in STAFF]
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
    print("[crm] demo data loaded: pipelines and automation rules of scenario S1, users, staff, a crew and a "
          "measurer, leads from two sites, a deal and a booking", flush=True)

"""Erasing a person's data on request (152-FZ, GDPR): through the API, then every database of
the system is searched for what was erased, and the reports count the same."""
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tests.support.system import eventually, provider_records
from tests.support.webhooks import post_hmac, post_twilio

TODAY = datetime.now(ZoneInfo("Europe/Moscow")).date().isoformat()
DATABASES = ("gateway", "leads", "deals", "scheduling", "notify", "reports")
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


def leftovers(infrastructure, needles: list[str]) -> list[str]:
    """Every `database.table.column` of every service database whose text holds a needle."""
    found = []
    patterns = [f"%{needle}%" for needle in needles]
    for name in DATABASES:
        engine = sa.create_engine(f"{infrastructure['postgres']}/{infrastructure['db_prefix']}_{name}",
                                  poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            columns = conn.execute(sa.text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND data_type = ANY(:types)"), {"types": list(TEXT_TYPES)}).all()
            for table, column in columns:
                hits = conn.execute(sa.text(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE ANY(:p)'),
                                    {"p": patterns}).scalar_one()
                if hits:
                    found.append(f"{name}.{table}.{column}: {hits}")
        engine.dispose()
    return found


def leftovers_after(infrastructure, needles: list[str], seconds: float) -> list[str]:
    """`leftovers` once they are gone (events take a moment), or as they still are after `seconds`."""
    deadline = time.monotonic() + seconds
    while (found := leftovers(infrastructure, needles)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


def figures(system, manager) -> dict:
    """What the reports and the inbox count today, as a head of sales would read them."""
    period = {"date_from": TODAY, "date_to": TODAY}
    return {
        "leads_per_day": system.admin.get("/reports/leads-per-day", params=period).json(),
        "kpi": manager.get("/reports/kpi", params=period).json()["rows"],
        "communications": system.admin.get("/communications", params={"limit": 1}).json()["counts"],
        "crew_load": system.admin.get("/reports/crew-load", params=period).json(),
        "delivery": system.admin.get("/reports/delivery", params=period).json(),
    }


def test_an_erased_person_is_gone_from_every_database_and_the_counts_stay(system, infrastructure):
    digits = f"79{random.randint(100000000, 999999999)}"
    phone, email = f"+{digits}", f"zabvenna.{uuid.uuid4().hex[:8]}@mail.ru"
    name = f"Аглая Забвенная-{uuid.uuid4().hex[:6]}"
    address = f"г. Москва, ул. Забытая, д. {random.randint(100, 999)}-{uuid.uuid4().hex[:4]}"
    manager = system.user("manager")

    form = system.post_form("site-main", {"name": name, "phone": f"8 {digits[1:4]} {digits[4:]}", "email": email,
                                          "message": f"Перезвоните {name}, мой телефон {phone}",
                                          "submission_id": uuid.uuid4().hex})
    assert form.status_code in (200, 201), form.text
    contact_id = form.json()["contact"]["id"]
    for sender in (f"whatsapp:{phone}", phone):
        assert post_twilio(system, "/webhooks/twilio/messages", {
            "MessageSid": "SM" + uuid.uuid4().hex, "From": sender, "To": "+74950000000",
            "Body": f"Это {name}, жду замерщика", "ProfileName": name}).status_code == 200
    assert post_hmac(system, "/webhooks/email", {
        "message_id": f"<{uuid.uuid4().hex}@mail.ru>", "from": email.upper(), "to": "okna@firm.ru",
        "subject": f"Счёт для {name}", "text": f"Пришлите счёт. {name}, {phone}"}, "email_secret").status_code == 201
    assert post_twilio(system, "/webhooks/twilio/voice", {
        "CallSid": "CA" + uuid.uuid4().hex, "From": phone, "To": "+74950000000", "CallStatus": "completed",
        "Direction": "inbound", "CallDuration": "61", "RecordingUrl": "https://api.twilio.com/rec/RE77"}).status_code == 200

    pipeline = f"erase-{uuid.uuid4().hex[:6]}"
    assert system.admin.post("/pipelines", json={"code": pipeline, "name": "Окна", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "won", "name": "Выиграна", "kind": "won"}]}).status_code == 201
    deal = manager.post("/deals", json={"pipeline": pipeline, "title": f"Окна для {name}", "amount": "4200",
                                        "contact_id": contact_id}).json()
    assert manager.post(f"/deals/{deal['id']}/tasks", json={
        "title": f"Позвонить {name}: {phone}", "due_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}
    ).status_code == 201
    crew = system.admin.post("/crews", json={"name": f"Бригада {uuid.uuid4().hex[:6]}", "skill": "замер",
                                             "leader_name": "Сергей", "leader_phone": "+79005550303"}).json()
    start = datetime.combine(date.today() + timedelta(days=6), datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    booked = system.user("operator").post("/bookings", json={
        "crew_id": crew["id"], "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
        "address": address, "deal_id": deal["id"], "client_name": name, "client_phone": phone})
    assert booked.status_code == 201, booked.text
    assert eventually(lambda: provider_records(system, "twilio", phone))  # the client got an SMS
    needles = [phone, digits, email, name, address]
    eventually(lambda: all(f"{db}." in " ".join(leftovers(infrastructure, needles)) for db in
                           ("leads", "deals", "scheduling", "notify", "reports")), timeout=30)
    before = eventually(lambda: (f := figures(system, manager)) and f["kpi"] and f["kpi"][0]["deals_created_today"] == "1"
                        and f == figures(system, manager) and f)

    erased = system.admin.post(f"/contacts/{contact_id}/erase", json={"reason": "Запрос клиента по 152-ФЗ"})

    assert erased.status_code == 200, erased.text
    assert erased.json()["contact_id"] == contact_id and erased.json()["reason"] == "Запрос клиента по 152-ФЗ"
    again = system.admin.post(f"/contacts/{contact_id}/erase", json={"reason": "ещё раз"})
    assert (again.status_code, again.json()) == (200, erased.json())
    assert leftovers_after(infrastructure, needles, seconds=30) == []
    assert figures(system, manager) == before
    assert system.admin.post("/admin/reports/rebuild").status_code == 200  # the masked store replays alike
    assert figures(system, manager) == before

    card = system.admin.get(f"/clients/{contact_id}").json()
    assert (card["name"], card["phone"], card["email"], card["identities"]) == ("Данные удалены", None, None, [])
    assert card["erasure"] == erased.json()  # the card says when, why and by whom
    assert len(card["history"]["items"]) == 5  # every communication stays, without its content
    assert {item["body"] for item in card["history"]["items"]} <= {None, "Данные удалены"}
    assert all(item["from"] is None and item["recording_url"] is None for item in card["history"]["items"])
    assert manager.get(f"/deals/{deal['id']}").json()["title"] == "Окна для Данные удалены"

    later = system.post_form("site-main", {"name": "Кто-то новый", "phone": phone})
    assert later.json()["contact"]["id"] != contact_id  # the same number now belongs to a stranger


def test_only_an_admin_erases_a_contact_that_exists_and_says_why(system):
    contact_id = system.post_form("site-main", {"name": "Не стирать", "phone": f"+79{random.randint(10**8, 10**9 - 1)}"}
                                  ).json()["contact"]["id"]
    for role in ("manager", "head_of_sales", "operator"):
        assert system.user(role).post(f"/contacts/{contact_id}/erase", json={"reason": "просьба"}).status_code == 403
    assert system.admin.post("/contacts/999999999/erase", json={"reason": "просьба"}).status_code == 404
    for body in ({}, {"reason": ""}, {"reason": 5}):
        refused = system.admin.post(f"/contacts/{contact_id}/erase", json=body)
        assert refused.status_code == 400 and "reason" in refused.json()["details"], refused.text
    untouched = system.admin.get(f"/clients/{contact_id}").json()
    assert (untouched["name"], untouched["erasure"]) == ("Не стирать", None)

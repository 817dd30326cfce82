"""Reports through the gateway, fed only by events: a manager's KPI row (S2), ABC contact control
(S5), the funnel with its losses and forecast, exports and charts, bad input, and a rebuild that
gives the same numbers."""
import csv
import io
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kombu import Connection, Exchange

from crm_chassis.events import make_envelope
from crm_deals import events as deals_events
from tests.support.system import eventually, runner
from tests.support.webhooks import post_twilio

TODAY = datetime.now(ZoneInfo("Europe/Moscow")).date().isoformat()


def code(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def pipeline(system, stages: list, fields: list = ()) -> str:
    name = code("rep")
    response = system.admin.post("/pipelines", json={
        "code": name, "name": f"Воронка {name}", "fields": list(fields),
        "stages": [{"code": c, "name": c, "kind": k, "required_fields": []} for c, k in stages]})
    assert response.status_code == 201, response.text
    return name


def kpi_row(client, manager_id: int | None = None) -> dict | None:
    params = {"date_from": TODAY, "date_to": TODAY} | ({"manager_id": manager_id} if manager_id else {})
    response = client.get("/reports/kpi", params=params)
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    return rows[0] if rows else None


FITNESS_FIELDS = [{"code": "plans_to_come", "name": "Планирует прийти", "type": "date"},
                  {"code": "membership_end", "name": "Окончание абонемента", "type": "date"},
                  {"code": "service", "name": "Услуга", "type": "text"}]


def test_s2_a_managers_kpi_row_follows_what_they_did_today(system):
    fitness = pipeline(system, [("new", "open"), ("membership_ended", "open"), ("bought", "won"),
                                ("refused", "lost")], FITNESS_FIELDS)
    manager = system.user("manager")
    me = manager.get("/me").json()["id"]
    half_filled = manager.post("/deals", json={"pipeline": fitness, "title": "Абонемент: Орлова", "amount": "700",
                                               "fields": {"service": "Бассейн"}}).json()
    full = manager.post("/deals", json={"pipeline": fitness, "title": "Абонемент: Лебедев", "amount": "1500", "fields": {
        "plans_to_come": TODAY, "membership_end": "2099-12-31", "service": "Тренажёрный зал"}}).json()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert manager.post(f"/deals/{half_filled['id']}/tasks", json={"title": "Позвонить", "due_at": past}).status_code == 201
    task = manager.post(f"/deals/{full['id']}/tasks", json={"title": "Встретить", "due_at": future}).json()
    assert manager.post(f"/tasks/{task['id']}/complete", json={}).status_code == 200
    assert manager.post(f"/deals/{full['id']}/move", json={"stage": "bought"}).status_code == 200

    expected = {"manager_id": me, "day": TODAY, "done_today": "1", "deals_created_today": "2",
                "no_planned_activity": "0", "overdue_deals": "1", "plans_to_come_empty": "1",
                "membership_end_empty": "1", "service_not_set": "0", "membership_ended_wrong": "0",
                "won_sum_month": "1500.00", "in_progress_sum_month": "700.00", "leads_processed_today": "0",
                "total_activity_today": "2"}
    row = eventually(lambda: (r := kpi_row(manager)) and r["won_sum_month"] == "1500.00" and r)
    assert {key: row[key] for key in expected} == expected
    assert row["done_today_change"] is None  # no registry row for yesterday
    assert kpi_row(system.user("head_of_sales"), me)["won_sum_month"] == "1500.00"  # the head sees everyone

    others = manager.get("/reports/kpi", params={"date_from": TODAY, "date_to": TODAY, "manager_id": me + 1000})
    assert others.status_code == 403
    exported = manager.get("/reports/kpi", params={"date_from": TODAY, "date_to": TODAY, "format": "csv"})
    assert exported.headers["Content-Type"].startswith("text/csv")
    header, first = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))[:2]
    assert header[:3] == ["Менеджер", "День", "Сделано сегодня"] and first[:3] == [str(me), TODAY, "1"]
    chart = manager.get("/reports/kpi/chart.svg", params={"date_from": TODAY, "date_to": TODAY})
    assert chart.headers["Content-Type"] == "image/svg+xml" and chart.text.startswith("<svg")
    assert "Динамика показателей" in chart.text
    workbook = manager.get("/reports/kpi", params={"date_from": TODAY, "date_to": TODAY, "format": "xlsx"})
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")


def _call(system, digits: str, status: str, duration: str) -> None:
    response = post_twilio(system, "/webhooks/twilio/voice", {
        "CallSid": "CA" + uuid.uuid4().hex, "From": f"+{digits}", "To": "+74950000000", "CallStatus": status,
        "Direction": "inbound", "CallDuration": duration})
    assert response.status_code == 200, response.text


def _contact_of(system, digits: str) -> int:
    found = eventually(lambda: system.admin.get("/contacts", params={"q": digits[-10:]}).json()["items"])
    return found[0]["id"]


def test_s5_abc_counts_completed_calls_through_the_companys_contacts_and_flags_the_rest(system):
    manager = system.user("manager")
    me = manager.get("/me").json()["id"]
    called, missed = (f"79{random.randint(100000000, 999999999)}" for _ in range(2))
    _call(system, called, "completed", "60")  # before the contact joins the company: still counts
    _call(system, missed, "no-answer", "0")  # a missed call is not a contact
    companies = {}
    for name, category, digits in (("ООО «Контакт»", "A", called), ("ООО «Тишина»", "B", missed)):
        company = system.admin.post("/companies", json={"name": name, "category": category, "responsible_id": me})
        assert company.status_code == 201, company.text
        companies[name] = company.json()["id"]
        linked = system.admin.post(f"/contacts/{_contact_of(system, digits)}/company",
                                   json={"company_id": companies[name]})
        assert linked.status_code == 200, linked.text

    def report():
        response = manager.get("/reports/abc")
        assert response.status_code == 200, response.text
        rows = {row["company_id"]: row for row in response.json()["rows"]}
        return len(rows) == 2 and rows[companies["ООО «Контакт»"]]["last_call"] and response.json()

    body = eventually(report)
    rows = {row["company_id"]: row for row in body["rows"]}
    contacted, silent = rows[companies["ООО «Контакт»"]], rows[companies["ООО «Тишина»"]]
    assert (contacted["category"], contacted["last_call"], contacted["responsible_id"], contacted["overdue"]) == (
        "A", TODAY, me, False)
    assert (silent["last_call"], silent["overdue"]) == (None, True)
    assert body["per_employee"] == [{"responsible_id": me, "companies": 2, "overdue": 1, "overdue_share": 50.0}]
    only_overdue = manager.get("/reports/abc", params={"overdue": "yes"}).json()["rows"]
    assert [row["company_id"] for row in only_overdue] == [companies["ООО «Тишина»"]]
    chart = manager.get("/reports/abc/chart.svg")
    assert chart.text.startswith("<svg") and "50.0% (1 из 2)" in chart.text
    exported = manager.get("/reports/abc", params={"format": "csv"}).content.decode("utf-8-sig").splitlines()
    assert exported[0].split(";")[:3] == ["Компания (ID)", "Название", "Категория"]

    segment = system.admin.post("/reports/segments", json={"name": "A и B просрочены", "kind": "companies",
                                                           "filters": {"responsible_id": me, "overdue": "yes"}})
    assert segment.status_code == 201, segment.text
    clients = system.admin.get(f"/reports/segments/{segment.json()['id']}/clients").json()["rows"]
    assert [(c["company_id"], c["contact_id"]) for c in clients] == [(companies["ООО «Тишина»"],
                                                                      _contact_of(system, missed))]


def test_funnel_losses_forecast_and_a_rebuild_that_gives_the_same_numbers(system):
    sales = pipeline(system, [("new", "open"), ("offer", "open"), ("won", "won"), ("expensive", "lost")])
    # A manager of this test's own, so that its KPI and ABC rows see none of the other tests' work.
    manager = system.user("manager")
    manager_id = manager.get("/me").json()["id"]
    deals = [manager.post("/deals", json={"pipeline": sales, "title": f"Сделка {i}", "amount": "1000"}).json()
             for i in range(4)]
    for deal, stages in zip(deals, (["offer", "won"], ["offer"], ["expensive"], [])):
        for stage in stages:
            assert manager.post(f"/deals/{deal['id']}/move", json={"stage": stage}).status_code == 200
    period = {"pipeline": sales, "date_from": TODAY, "date_to": TODAY}

    def funnel():
        rows = system.admin.get("/reports/funnel", params=period).json()["rows"]
        return len(rows) == 4 and sum(r["deals"] for r in rows) == 8 and rows

    rows = eventually(funnel)
    assert [(r["stage"], r["deals"], r["conversion"]) for r in rows] == [
        ("new", 4, None), ("offer", 2, 50.0), ("won", 1, 50.0), ("expensive", 1, None)]
    losses = system.admin.get("/reports/losses", params=period).json()["rows"]
    assert losses == [{"source": "deal", "reason": "expensive", "count": 1, "share": 100.0}]
    forecast = system.admin.get("/reports/forecast", params={"pipeline": sales}).json()
    assert [(r["stage"], r["deals"], r["probability"], r["weighted"]) for r in forecast["rows"]] == [
        ("new", 1, "0.33", "330.00"), ("offer", 1, "0.67", "670.00")]
    assert system.admin.get("/reports/funnel/chart.svg", params=period).text.startswith("<svg")
    problems = system.admin.get("/reports/problem-orders").json()["rows"]
    assert {deals[1]["id"], deals[3]["id"]} <= {r["deal_id"] for r in problems if "no_next_contact" in r["codes"]}

    views = (("/reports/funnel", period), ("/reports/losses", period), ("/reports/forecast", {"pipeline": sales}),
             ("/reports/abc", {"responsible_id": manager_id}),
             ("/reports/kpi", {"date_from": TODAY, "date_to": TODAY, "manager_id": manager_id}))

    def numbers() -> dict:
        return {path: system.admin.get(path, params=params).json()["rows"] for path, params in views}

    before = eventually(lambda: (first := numbers()) == (time.sleep(0.5) or numbers()) and first)  # settled
    rebuilt = system.admin.post("/admin/reports/rebuild")
    assert rebuilt.status_code == 200 and rebuilt.json()["events_replayed"] >= 11
    after = numbers()
    assert after == before


def test_bad_report_input_is_a_400_naming_the_field(system):
    head = system.user("head_of_sales")
    malformed = head.get("/reports/kpi", params={"date_from": "23.11.2026", "date_to": TODAY})
    assert malformed.status_code == 400 and "date_from" in malformed.json()["details"]
    unknown = head.get("/reports/abc", params={"colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.json()["details"]
    indicator = head.get("/reports/kpi", params={"date_from": TODAY, "date_to": TODAY, "indicators": "happiness"})
    assert indicator.status_code == 400 and "indicators" in indicator.json()["details"]
    segment = head.post("/reports/segments", json={"name": "x", "kind": "deals", "filters": {"colour": "red"}})
    assert segment.status_code == 400 and "filters" in segment.json()["details"]
    assert system.user("operator").get("/reports/abc").status_code == 403


def test_an_event_reports_cannot_read_is_parked_with_its_reason_and_applies_nothing(system, infrastructure):
    deal_id = random.randint(10**9, 2 * 10**9)
    broken = {**deals_events.EXAMPLES["deal.created.v1"], "deal_id": deal_id, "pipeline": code("broken")}
    del broken["amount"]
    envelope = make_envelope("deal.created.v1", broken, "deals", None)
    with Connection(runner("addresses")[1]) as conn:
        conn.Producer(exchange=Exchange("deals.events", type="topic", durable=True), serializer="json").publish(
            envelope, routing_key="deal.created.v1")

    def parked():
        return [event for event in system.admin.get("/admin/parked-events").json()["reports"]
                if event["event_id"] == envelope["event_id"]]

    [event] = eventually(parked)
    assert event["handler"] == "apply_deal_created_v1" and "amount" in event["error"]
    forecast = system.admin.get("/reports/forecast", params={"pipeline": broken["pipeline"]}).json()
    assert forecast["rows"] == []


def test_a_deal_segment_lists_the_clients_whose_membership_ends_within_two_weeks(system):
    fitness = pipeline(system, [("new", "open"), ("bought", "won")], FITNESS_FIELDS)
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    soon, later = [system.admin.post("/deals", json={
        "pipeline": fitness, "title": f"Абонемент {days}", "contact_id": 900000 + days,
        "fields": {"membership_end": (today + timedelta(days=days)).isoformat()}}).json() for days in (10, 30)]
    segment = system.admin.post("/reports/segments", json={
        "name": "Абонемент заканчивается в течение 14 дней", "kind": "deals",
        "filters": {"pipeline": fitness, "membership_ends_within_days": 14}}).json()
    assert segment["id"] in [s["id"] for s in system.admin.get("/reports/segments").json()]

    rows = eventually(lambda: system.admin.get(f"/reports/segments/{segment['id']}/clients").json()["rows"])
    assert [(r["deal_id"], r["contact_id"]) for r in rows] == [(soon["id"], 900010)]
    assert later["id"] not in [r["deal_id"] for r in rows]
    exported = system.admin.get(f"/reports/segments/{segment['id']}/clients", params={"format": "xlsx"})
    assert exported.content.startswith(b"PK") and "segment" in exported.headers["Content-Disposition"]


def test_crew_load_per_day_counts_bookings_and_hours(system):
    crew = system.admin.post("/crews", json={"name": f"Бригада {uuid.uuid4().hex[:6]}", "skill": "замер",
                                             "leader_name": "Олег", "leader_phone": "+79005550102"}).json()
    day = datetime.now(UTC).date() + timedelta(days=4)
    for start_hour, hours in ((7, 2), (10, 1.5)):
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=start_hour)
        booked = system.admin.post("/bookings", json={
            "crew_id": crew["id"], "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat(),
            "address": "г. Москва, ул. Лесная, д. 7"})
        assert booked.status_code == 201, booked.text
    period = {"date_from": day.isoformat(), "date_to": day.isoformat()}

    def row():
        rows = system.admin.get("/reports/crew-load", params=period).json()["rows"]
        return next((r for r in rows if r["crew_id"] == crew["id"] and r["bookings"] == 2), None)

    assert eventually(row) == {"day": day.isoformat(), "crew_id": crew["id"], "crew_name": crew["name"],
                               "bookings": 2, "hours": 3.5}

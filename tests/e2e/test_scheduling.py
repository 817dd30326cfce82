"""Crew scheduling through the gateway, as operators, admins and crew members see it."""
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_chassis.db import Transaction
from crm_scheduling import crews


MOSCOW = ZoneInfo("Europe/Moscow")
HOURS = {day: ["09:00", "18:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=MOSCOW)


def local(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(MOSCOW).strftime("%H:%M")


def new_crew(system, **extra) -> dict:
    skill = f"замер-{uuid.uuid4().hex[:6]}"
    response = system.admin.post("/crews", json={
        "name": f"Замерщик {uuid.uuid4().hex[:6]}", "skill": skill, "leader_name": "Андрей Козлов",
        "leader_phone": "+79005550202", "zones": ["Север"], "working_hours": HOURS, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def job(crew: dict, day: date, start: str, end: str, **extra) -> dict:
    return {"crew_id": crew["id"], "starts_at": at(day, start).isoformat(), "ends_at": at(day, end).isoformat(),
            "address": "г. Москва, ул. Садовая, д. 3, кв. 7", "client_name": "Анна Смирнова",
            "client_phone": "+79037654321", **extra}


def test_an_operator_sees_free_slots_holds_one_and_books_it(system):
    crew = new_crew(system)
    other_zone = new_crew(system, skill=crew["skill"], zones=["Юг"])
    operator = system.user("operator")
    day = date.today() + timedelta(days=5)
    assert operator.post("/bookings", json=job(crew, day, "10:00", "12:00", deal_id=41)).status_code == 201
    query = {"skill": crew["skill"], "zone": "Север", "duration_minutes": 60, "date_from": day.isoformat(),
             "date_to": day.isoformat(), "limit": 3, "buffer_minutes": 30}

    slots = operator.get("/slots", params=query).json()

    assert [(s["crew_name"], local(s["starts_at"]), local(s["ends_at"])) for s in slots] == [
        (crew["name"], "12:30", "13:30"), (crew["name"], "13:00", "14:00"), (crew["name"], "13:30", "14:30")]
    assert all(s["crew_id"] != other_zone["id"] for s in slots)

    held = operator.post("/holds", json={"crew_id": crew["id"], "starts_at": slots[0]["starts_at"],
                                         "ends_at": slots[0]["ends_at"]})
    assert held.status_code == 201, held.text
    assert [local(s["starts_at"]) for s in operator.get("/slots", params=query).json()] == ["14:00", "14:30", "15:00"]
    taken = system.user("operator").post("/bookings", json=job(crew, day, "12:30", "13:30"))
    assert taken.status_code == 409 and taken.json()["message"] == "Бригада уже занята в это время"

    booked = operator.post(f"/holds/{held.json()['id']}/book", json={
        "address": "г. Москва, ул. Лесная, д. 5", "deal_id": 42, "client_name": "Иван Петров",
        "client_phone": "+79161234567"})
    assert booked.status_code == 201, booked.text
    assert (booked.json()["kind"], booked.json()["status"]) == ("booking", "booked")

    released = operator.post("/holds", json={"crew_id": crew["id"], "starts_at": at(day, "16:00").isoformat(),
                                             "ends_at": at(day, "17:00").isoformat()}).json()
    assert operator.post(f"/holds/{released['id']}/release").json()["status"] == "cancelled"
    assert operator.post(f"/holds/{released['id']}/book", json={"address": "г. Москва"}).status_code == 404

    calendar = system.user("head_of_sales").get(f"/crews/{crew['id']}/calendar",
                                                params={"date": day.isoformat()}).json()
    [shown] = calendar["days"]
    assert (local(shown["opens"]), local(shown["closes"])) == ("09:00", "18:00")
    assert [(local(i["starts_at"]), i["deal_id"], i["kind"]) for i in shown["items"]] == [
        ("10:00", 41, "booking"), ("12:30", 42, "booking")]
    week = operator.get(f"/crews/{crew['id']}/calendar", params={"date": day.isoformat(), "days": 7}).json()
    assert len(week["days"]) == 7 and date.fromisoformat(week["days"][0]["date"]).weekday() == 0


def test_fifty_operators_at_one_slot_give_one_booking_and_49_clear_conflicts(system):
    crew = new_crew(system)
    slot = job(crew, date.today() + timedelta(days=6), "11:00", "13:00")
    operators = [system.user("operator") for _ in range(5)]

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda i: operators[i % 5].post("/bookings", json=slot), range(50)))

    assert sorted(a.status_code for a in answers) == [201] + [409] * 49
    conflicts = [a.json() for a in answers if a.status_code == 409]
    assert {(c["error"], c["message"]) for c in conflicts} == {("conflict", "Бригада уже занята в это время")}
    assert len(system.admin.get("/bookings", params={"crew_id": crew["id"]}).json()) == 1


def test_jobs_outside_hours_or_during_an_absence_are_refused_with_the_reason(system):
    person = system.admin.post("/staff", json={"full_name": "Андрей Козлов", "phone": "+79005550202",
                                               "skills": ["замерщик"]}).json()
    crew = new_crew(system, leader_staff_id=person["id"], member_ids=[person["id"]],
                    hours_exceptions={(date.today() + timedelta(days=4)).isoformat(): None})
    operator = system.user("operator")
    day = date.today() + timedelta(days=3)
    before = len(system.admin.get("/bookings", params={"crew_id": crew["id"]}).json())

    late = operator.post("/bookings", json=job(crew, day, "17:30", "19:00"))
    day_off = operator.post("/bookings", json=job(crew, day + timedelta(days=1), "10:00", "11:00"))
    assert late.status_code == 422 and late.json()["message"] == "Выезд вне рабочего времени бригады"
    assert late.json()["details"]["starts_at"] == [
        f"время вне рабочих часов бригады: {['пн', 'вт', 'ср', 'чт', 'пт', 'сб', 'вс'][day.weekday()]} "
        f"{day.strftime('%d.%m.%Y')} 09:00–18:00"]
    assert day_off.status_code == 422 and "нерабочий день" in day_off.json()["details"]["starts_at"][0]

    vacation = system.admin.post("/absences", json={"staff_id": person["id"], "kind": "vacation",
                                                    "starts_on": day.isoformat(),
                                                    "ends_on": (day + timedelta(days=2)).isoformat()})
    assert vacation.status_code == 201, vacation.text
    assert vacation.json()["phase"] == "planned" and not vacation.json()["started_emitted"]
    refused = operator.post("/bookings", json=job(crew, day, "10:00", "11:00"))
    assert refused.status_code == 422 and refused.json()["message"] == "Бригада в это время отсутствует"
    assert refused.json()["details"]["starts_at"] == [
        f"сотрудник бригады отсутствует (отпуск) с {day.strftime('%d.%m.%Y')} по "
        f"{(day + timedelta(days=2)).strftime('%d.%m.%Y')}"]
    assert operator.get("/slots", params={"skill": crew["skill"], "duration_minutes": 60, "date_from": day.isoformat(),
                                          "date_to": (day + timedelta(days=2)).isoformat()}).json() == []
    assert len(system.admin.get("/bookings", params={"crew_id": crew["id"]}).json()) == before

    longer = system.admin.post(f"/crews/{crew['id']}", json={"working_hours": {day: ["08:00", "20:00"] for day in HOURS}})
    assert longer.status_code == 200 and longer.json()["working_hours"]["mon"] == ["08:00", "20:00"]
    assert operator.post("/bookings", json=job(crew, day - timedelta(days=1), "17:30", "19:00")).status_code == 201
    assert operator.post(f"/crews/{crew['id']}", json={"zones": ["Юг"]}).status_code == 403

    bad = system.admin.post("/absences", json={"staff_id": person["id"], "kind": "holiday", "starts_on": "вчера"})
    assert bad.status_code == 400 and set(bad.json()["details"]) == {"kind", "starts_on"}


def test_an_absence_that_starts_today_is_announced_and_collides_with_booked_jobs(system):
    person = system.admin.post("/staff", json={"full_name": "Павел Орлов", "phone": "+79005550303"}).json()
    crew = new_crew(system, member_ids=[person["id"]])
    tomorrow = date.today() + timedelta(days=1)
    booking = system.user("operator").post("/bookings", json=job(crew, tomorrow, "10:00", "11:00")).json()

    sick = system.admin.post("/absences", json={"staff_id": person["id"], "kind": "sick_leave",
                                                "starts_on": date.today().isoformat(),
                                                "ends_on": tomorrow.isoformat()})
    assert sick.status_code == 409 and sick.json()["details"]["booking_ids"] == [booking["id"]]
    assert system.admin.get("/absences", params={"staff_id": person["id"]}).json() == []

    today_only = system.admin.post("/absences", json={"staff_id": person["id"], "kind": "sick_leave",
                                                      "starts_on": date.today().isoformat(),
                                                      "ends_on": date.today().isoformat()})
    assert today_only.status_code == 201, today_only.text
    assert (today_only.json()["phase"], today_only.json()["started_emitted"]) == ("current", True)


def test_reschedule_cancel_and_complete_each_change_the_booking_once(system):
    member = system.user("crew_member")
    person = system.admin.post("/staff", json={"full_name": "Сергей Иванов", "phone": "+79005550101",
                                               "user_id": member.get("/me").json()["id"]}).json()
    crew = new_crew(system, leader_staff_id=person["id"])
    stranger_crew = new_crew(system)
    assert [c["id"] for c in member.get("/crews").json()] == [crew["id"]]  # a crew member sees their own
    assert {crew["id"], stranger_crew["id"]} <= {c["id"] for c in system.admin.get("/crews").json()}
    operator = system.user("operator")
    day = date.today() + timedelta(days=8)
    first = operator.post("/bookings", json=job(crew, day, "09:00", "11:00", deal_id=7)).json()
    second = operator.post("/bookings", json=job(crew, day, "12:00", "13:00")).json()

    moved = operator.post(f"/bookings/{first['id']}/reschedule", json={
        "starts_at": at(day, "14:00").isoformat(), "ends_at": at(day, "16:00").isoformat(), "by": "client",
        "reason": "Клиент будет дома после обеда"})
    assert moved.status_code == 200, moved.text
    assert (local(moved.json()["starts_at"]), moved.json()["note"]) == ("14:00", "Клиент будет дома после обеда")
    onto_busy = operator.post(f"/bookings/{first['id']}/reschedule", json={
        "starts_at": at(day, "12:00").isoformat(), "ends_at": at(day, "13:00").isoformat(), "by": "client",
        "reason": "ещё раз"})
    assert onto_busy.status_code == 409
    back_in_old_slot = operator.post("/bookings", json=job(crew, day, "09:00", "11:00"))
    assert back_in_old_slot.status_code == 201

    assert [b["id"] for b in member.get("/bookings").json()] == [back_in_old_slot.json()["id"], second["id"],
                                                                 first["id"]]
    assert system.admin.get("/bookings", params={"crew_id": stranger_crew["id"]}).json() == []
    assert member.get(f"/crews/{stranger_crew['id']}/calendar", params={"date": day.isoformat()}).status_code == 404
    asked = member.post(f"/bookings/{second['id']}/reschedule", json={
        "starts_at": at(day, "16:30").isoformat(), "ends_at": at(day, "17:30").isoformat(), "by": "client",
        "reason": "Бригада задерживается на предыдущем объекте"})
    assert asked.status_code == 200 and local(asked.json()["starts_at"]) == "16:30"
    assert member.post(f"/bookings/{first['id']}/reschedule", json={
        "starts_at": at(day + timedelta(days=1), "10:00").isoformat(),
        "ends_at": at(day + timedelta(days=1), "11:00").isoformat(), "by": "crew", "reason": "x"}).status_code == 200
    failed = member.post(f"/bookings/{first['id']}/complete", json={"result": "failure",
                                                                   "failure_reason": "Дом не подключён"})
    assert failed.status_code == 200 and failed.json()["status"] == "failed"
    assert member.post(f"/bookings/{first['id']}/complete", json={"result": "success"}).status_code == 409
    assert member.post(f"/bookings/{second['id']}/complete", json={"result": "failure"}).status_code == 400
    assert member.post(f"/bookings/{second['id']}/cancel", json={"reason": "нет"}).status_code == 403

    cancelled = operator.post(f"/bookings/{second['id']}/cancel", json={"reason": "Клиент отказался"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert operator.post("/bookings", json=job(crew, day, "12:00", "13:00")).status_code == 201
    assert operator.post(f"/bookings/{second['id']}/cancel", json={"reason": "ещё раз"}).status_code == 409


def test_a_crew_calendar_is_an_ics_feed_behind_a_secret_link(system):
    crew = new_crew(system)
    day = date.today() + timedelta(days=2)
    system.user("operator").post("/bookings", json=job(crew, day, "10:00", "12:00", deal_id=99))
    operator = system.user("operator")
    assert operator.post(f"/crews/{crew['id']}/ics-link").status_code == 403

    link = system.admin.post(f"/crews/{crew['id']}/ics-link").json()["url"]
    feed = requests.get(link, timeout=30)

    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    text = feed.text.replace("\r\n ", "")
    assert "SUMMARY:Выезд: Анна Смирнова" in text
    assert "LOCATION:г. Москва\\, ул. Садовая\\, д. 3\\, кв. 7" in text
    assert f"DTSTART:{at(day, '10:00').astimezone(ZoneInfo('UTC')).strftime('%Y%m%dT%H%M%SZ')}" in text
    assert "Сделка №99" in text

    wrong = requests.get(link[:-4] + "xxxx", timeout=30)
    assert wrong.status_code == 404 and "Анна" not in wrong.text
    system.admin.post(f"/crews/{crew['id']}/ics-link")
    assert requests.get(link, timeout=30).status_code == 404


def test_scheduling_endpoints_are_documented_and_bad_input_changes_nothing(system):
    paths = system.admin.get("/openapi.json").json()["paths"]
    assert {"/api/v1/slots", "/api/v1/holds", "/api/v1/holds/{hold_id}/book", "/api/v1/calendars/crew.ics",
            "/api/v1/bookings/{booking_id}/reschedule", "/api/v1/crews/{crew_id}/calendar"} <= set(paths)
    bad_hours = system.admin.post("/crews", json={"name": "x", "skill": "y", "leader_name": "z",
                                                  "leader_phone": "+79000000000",
                                                  "working_hours": {**HOURS, "mon": ["18:00", "09:00"]}})
    assert bad_hours.status_code == 400 and "working_hours" in bad_hours.json()["details"]
    assert "x" not in [c["name"] for c in system.admin.get("/crews").json()]
    slots = system.admin.get("/slots", params={"skill": "a", "duration_minutes": 5, "date_from": "2026-01-10",
                                               "date_to": "2026-01-01"})
    assert slots.status_code == 400 and set(slots.json()["details"]) >= {"duration_minutes"}


def test_an_expired_hold_frees_its_slot_with_no_job_running(system, infrastructure):
    crew = new_crew(system)
    slot = job(crew, date.today() + timedelta(days=9), "15:00", "16:00")
    first, second = system.user("operator"), system.user("operator")
    held = first.post("/holds", json={key: slot[key] for key in ("crew_id", "starts_at", "ends_at")}).json()
    assert second.post("/bookings", json=slot).status_code == 409

    # Five minutes pass: the hold's expiry moves into the past, as the clock would move it.
    engine = sa.create_engine(f"{infrastructure['postgres']}/{infrastructure['db_prefix']}_scheduling")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE bookings SET expires_at = now() - interval '1 second', "
                             "live = tstzrange(lower(live) - interval '6 minutes', now() - interval '1 second') "
                             "WHERE id = :id"),
                     {"id": held["id"]})
    engine.dispose()

    assert second.post("/bookings", json=slot).status_code == 201
    late = first.post(f"/holds/{held['id']}/book", json={"address": "г. Москва, ул. Лесная, д. 5"})
    assert late.status_code == 409 and late.json()["message"].startswith("Время брони истекло")


def test_the_timer_announces_an_absence_once_when_its_days_come(system, infrastructure):
    member = system.user("crew_member")
    user_id = member.get("/me").json()["id"]
    person = system.admin.post("/staff", json={"full_name": "Ольга Белова", "phone": "+79005550404",
                                               "user_id": user_id}).json()
    first, last = date.today() + timedelta(days=20), date.today() + timedelta(days=21)
    absence = system.admin.post("/absences", json={"staff_id": person["id"], "kind": "vacation",
                                                   "starts_on": first.isoformat(), "ends_on": last.isoformat()}).json()
    engine = sa.create_engine(f"{infrastructure['postgres']}/{infrastructure['db_prefix']}_scheduling")

    def tick(today: date) -> int:
        """What the service's timer does, on the day given."""
        with Session(engine) as session, session.begin():
            return crews.emit_due_absences(Transaction(session, "scheduling"), today)

    def announced() -> list[tuple[str, dict]]:
        """The timer's announcements of this absence (its creation has an event of its own, for the audit)."""
        with engine.connect() as conn:
            return [(row.event_type, row.envelope["data"]) for row in conn.execute(sa.text(
                "SELECT event_type, envelope FROM outbox WHERE envelope->'data'->>'absence_id' = :id"
                " AND event_type IN ('absence.started.v1', 'absence.ended.v1') ORDER BY id"),
                {"id": str(absence["id"])})]

    try:
        tick(first - timedelta(days=1))
        assert announced() == []
        tick(first)
        tick(first)
        assert [event for event, _ in announced()] == ["absence.started.v1"]
        assert system.admin.get("/absences", params={"staff_id": person["id"]}).json()[0]["started_emitted"]
        tick(last)
        tick(last + timedelta(days=1))
        tick(last + timedelta(days=2))
        events = announced()
        assert [event for event, _ in events] == ["absence.started.v1", "absence.ended.v1"]
        assert events[1][1] == {"absence_id": absence["id"], "staff_id": person["id"], "user_id": user_id,
                                "full_name": "Ольга Белова", "kind": "vacation", "starts_on": first.isoformat(),
                                "ends_on": last.isoformat()}
    finally:
        engine.dispose()

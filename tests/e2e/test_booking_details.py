"""A job's client details edited by the operator: the phone as people type it is kept in E.164, the
crew's jobs, calendar and ICS feed show the new details, a stale version is refused."""
from datetime import date, timedelta

import requests

from tests.e2e.test_scheduling import job, new_crew


def test_an_operator_corrects_the_clients_phone_and_the_crew_sees_it(system):
    crew = new_crew(system)
    operator = system.user("operator")
    day = date.today() + timedelta(days=3)
    booked = operator.post("/bookings", json=job(crew, day, "10:00", "12:00", client_phone="8 (903) 765-43-21"))
    assert booked.status_code == 201, booked.text
    assert (booked.json()["client_phone"], booked.json()["version"]) == ("+79037654321", 1)

    edited = operator.patch(f"/bookings/{booked.json()['id']}", headers={"If-Match": '"1"'}, json={
        "client_phone": "8 (916) 123-45-67", "client_name": "Анна Петрова", "comment": "Домофон не работает"})

    assert edited.status_code == 200, edited.text
    assert edited.headers["ETag"] == '"2"'
    jobs = operator.get("/bookings", params={"crew_id": crew["id"]}).json()
    assert [(j["client_phone"], j["client_name"], j["comment"], j["version"]) for j in jobs] == [
        ("+79161234567", "Анна Петрова", "Домофон не работает", 2)]
    calendar = operator.get(f"/crews/{crew['id']}/calendar", params={"date": day.isoformat(), "days": 1}).json()
    assert [item["client_phone"] for item in calendar["days"][0]["items"]] == ["+79161234567"]
    feed = requests.get(system.admin.post(f"/crews/{crew['id']}/ics-link").json()["url"], timeout=30).text
    feed = feed.replace("\r\n ", "")
    assert "Телефон: +79161234567" in feed and "Комментарий: Домофон не работает" in feed and "+79037654321" not in feed

    stale = operator.patch(f"/bookings/{booked.json()['id']}", json={"address": "ул. Новая, 1", "version": 1})
    assert stale.status_code == 409 and stale.json()["details"] == {"version": ["changed since you read it; it is now 2"]}
    for body, field in (({"client_phone": "12"}, "client_phone"), ({"address": ""}, "address"),
                        ({"comment": "x" * 2001}, "comment")):
        refused = operator.patch(f"/bookings/{booked.json()['id']}", json={**body, "client_name": "Кто-то"})
        assert refused.status_code == 400 and field in refused.json()["details"], refused.text
    unchanged = operator.get("/bookings", params={"crew_id": crew["id"]}).json()[0]
    assert (unchanged["client_name"], unchanged["version"]) == ("Анна Петрова", 2)
    assert operator.patch("/bookings/999999999", json={"comment": "нет"}).status_code == 404
    assert system.user("crew_member").patch(f"/bookings/{booked.json()['id']}", json={"comment": "нет"}).status_code == 403

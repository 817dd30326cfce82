"""Campaigns to clients rather than raw addresses: a list of clients or a saved segment; STOP ends it."""
import random
import uuid

from tests.support.system import eventually, provider_records
from tests.support.webhooks import post_twilio


def client(system, name: str) -> tuple[int, str]:
    phone = f"+79{random.randint(10**8, 10**9 - 1)}"
    lead = system.admin.post("/leads", json={"name": name, "phone": phone}).json()
    return lead["contact"]["id"], phone


def campaign(system, **target) -> dict:
    response = system.user("head_of_sales").post("/campaigns", json={
        "name": "Акция", "channel": "sms", "text": "Скидка 20% на подключение до конца месяца",
        "idempotency_key": uuid.uuid4().hex, **target})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_campaign_to_clients_reaches_their_phones_and_a_stop_reply_ends_it(system):
    (first, first_phone), (second, second_phone) = client(system, "Клиент Один"), client(system, "Клиент Два")
    no_phone = system.admin.post("/leads", json={"name": "Без телефона", "email": f"{uuid.uuid4().hex[:8]}@ya.ru"}
                                 ).json()["contact"]["id"]
    sent = campaign(system, contact_ids=[first, second, no_phone])
    assert sent["clients_without_address"] == 1
    for phone in (first_phone, second_phone):
        assert eventually(lambda: provider_records(system, "twilio", phone))[0]["body"] == \
            "Скидка 20% на подключение до конца месяца"

    stop = post_twilio(system, "/webhooks/twilio/messages", {
        "MessageSid": "SM" + uuid.uuid4().hex, "From": first_phone, "To": "+74950000000", "Body": "СТОП"})
    assert stop.status_code == 200
    again = campaign(system, contact_ids=[first, second])
    eventually(lambda: len(provider_records(system, "twilio", second_phone)) == 2)
    statuses = eventually(lambda: (c := system.user("head_of_sales").get(f"/campaigns/{again['id']}").json())
                          and c)
    assert len(provider_records(system, "twilio", first_phone)) == 1
    assert "opted_out" in str(statuses)


def test_a_campaign_to_a_saved_segment(system):
    code = f"seg-{uuid.uuid4().hex[:6]}"
    system.admin.post("/pipelines", json={"code": code, "name": "Сегмент", "stages": [{"code": "new", "name": "Новая"}]})
    contact, phone = client(system, "Клиент Сегмента")
    system.admin.post("/deals", json={"pipeline": code, "title": "Сделка в сегменте", "contact_id": contact})
    segment = system.admin.post("/reports/segments", json={"name": f"Все из {code}", "kind": "deals",
                                                           "filters": {"pipeline": code}})
    assert segment.status_code == 201, segment.text
    eventually(lambda: system.admin.get(f"/reports/segments/{segment.json()['id']}/clients").json()["rows"])
    sent = campaign(system, segment_id=segment.json()["id"])
    assert sent["clients_without_address"] == 0
    assert eventually(lambda: provider_records(system, "twilio", phone))[0]["body"].startswith("Скидка 20%")


def test_delivery_rates_per_channel_follow_what_providers_report(system):
    from datetime import UTC, datetime, timedelta

    from tests.support.system import provider_fault

    good, bad = client(system, "Дойдёт"), client(system, "Не дойдёт")
    provider_fault(system, bad[1], 400, code=21211, message="Invalid 'To' Phone Number")
    today = datetime.now(UTC).date()
    period = {"date_from": (today - timedelta(days=1)).isoformat(), "date_to": (today + timedelta(days=1)).isoformat()}
    before = {r["channel"]: r for r in system.admin.get("/reports/delivery", params=period).json()["rows"]}.get(
        "sms", {"messages": 0, "failed": 0})
    campaign(system, contact_ids=[good[0], bad[0]])
    after = eventually(lambda: (r := {row["channel"]: row for row in system.admin.get(
        "/reports/delivery", params=period).json()["rows"]}.get("sms")) and r["failed"] > before["failed"] and r)
    assert after["messages"] >= before["messages"] + 2
    csv = system.admin.get("/reports/delivery", params={**period, "format": "csv"})
    assert csv.text.lstrip("\ufeff").splitlines()[0].startswith("Канал;Сообщений;Доставлено")

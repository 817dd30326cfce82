"""Notifications end to end, through the gateway, with the fake providers recording what the
real client libraries sent: the SMS a person gets, its recipient, its status on the deal card."""
import random
import uuid
from datetime import UTC, date, datetime, timedelta

from crm_chassis.events import make_envelope
from crm_scheduling.events import EXAMPLES as SCHEDULING_EXAMPLES
from tests.support.live import listening
from tests.support.system import (
    eventually, provider_fault, provider_outcome, provider_records, publish_event, twilio_callback,
)


def phone() -> str:
    return f"+79{random.randint(100000000, 999999999)}"


def deal_id() -> int:
    return random.randint(10**9, 10**12)


def deal_messages(system, deal: int) -> list[dict]:
    response = system.admin.get(f"/deals/{deal}/messages")
    assert response.status_code == 200, response.text
    return response.json()


def send(client, **message):
    return client.post("/messages", json={"idempotency_key": uuid.uuid4().hex, **message})


def one_record(system, provider: str, to: str) -> dict:
    return eventually(lambda: provider_records(system, provider, to))[0]


def test_a_booking_texts_the_crew_leader_the_job_and_shows_on_the_deal_card(system):
    leader = phone()
    crew = system.admin.post("/crews", json={"name": f"Бригада {uuid.uuid4().hex[:6]}", "skill": "подключение",
                                             "leader_name": "Сергей", "leader_phone": leader}).json()
    start = datetime.combine(date.today() + timedelta(days=5), datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    deal = deal_id()
    booked = system.user("operator").post("/bookings", json={
        "crew_id": crew["id"], "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
        "address": "г. Москва, ул. Садовая, д. 7", "deal_id": deal})
    assert booked.status_code == 201, booked.text

    sms = one_record(system, "twilio", leader)
    assert sms["body"] == (f"Новый выезд {(start + timedelta(hours=3)).strftime('%d.%m.%Y %H:%M')}–13:00, "
                           f"адрес: г. Москва, ул. Садовая, д. 7. Сделка №{deal}.")
    assert sms["sender"] == system.env["TWILIO_SMS_FROM"] and sms["channel"] == "sms"
    assert sms["status_callback"] == f"{system.env['GATEWAY_PUBLIC_URL']}/api/v1/webhooks/twilio/status"
    card = eventually(lambda: [m for m in deal_messages(system, deal) if m["provider_id"]])
    assert [(m["channel"], m["recipient"], m["status"], m["provider_id"]) for m in card] == [
        ("sms", leader, "queued", sms["sid"])]
    assert {m["channel"] for m in deal_messages(system, deal)} == {"in_app", "sms"}


def test_signed_status_callbacks_move_the_message_forward_and_forged_ones_change_nothing(system):
    to, deal = phone(), deal_id()
    assert send(system.admin, channel="sms", to=to, text="Ваш договор готов", deal_id=deal).status_code == 201
    sid = one_record(system, "twilio", to)["sid"]
    eventually(lambda: deal_messages(system, deal)[0]["status"] == "queued")

    forged = twilio_callback(system, {"MessageSid": sid, "MessageStatus": "delivered"}, token="guessed")
    assert forged.status_code == 403
    tampered = twilio_callback(system, {"MessageSid": sid, "MessageStatus": "sent"})
    unsigned = system.anonymous().post("/webhooks/twilio/status", data={"MessageSid": sid, "MessageStatus": "failed"})
    assert unsigned.status_code == 403 and tampered.status_code == 200
    assert deal_messages(system, deal)[0]["status"] == "sent"

    delivered = twilio_callback(system, {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": "AC1"})
    late = twilio_callback(system, {"MessageSid": sid, "MessageStatus": "sent"})
    assert delivered.json()["status"] == "delivered" and late.json()["status"] == "delivered"
    assert deal_messages(system, deal)[0]["status"] == "delivered"
    assert twilio_callback(system, {"MessageSid": "SM" + "0" * 32, "MessageStatus": "sent"}).status_code == 404


def test_twilio_reports_delivery_through_the_gateway_and_the_deal_card_shows_it(system):
    delivered, unreachable, deal = phone(), phone(), deal_id()
    provider_outcome(system, delivered, ["sent", "delivered"])
    provider_outcome(system, unreachable, ["sent", "undelivered"])
    assert send(system.admin, channel="sms", to=delivered, text="Мастер выехал", deal_id=deal).status_code == 201
    assert send(system.admin, channel="sms", to=unreachable, text="Мастер выехал", deal_id=deal).status_code == 201
    card = eventually(lambda: (c := {m["recipient"]: m for m in deal_messages(system, deal)})
                      and {m["status"] for m in c.values()} == {"delivered", "undelivered"} and c)
    assert card[delivered]["error"] is None
    assert card[unreachable]["error"] == "provider error 30003"
    callbacks = provider_records(system, "twilio-callback", delivered)
    assert [(r["status"], r["answer"]) for r in callbacks] == [("sent", 200), ("delivered", 200)]


def booking_event(event_type: str, **changes) -> dict:
    data = {**SCHEDULING_EXAMPLES[event_type], "booking_id": random.randint(10**6, 10**9), **changes}
    return make_envelope(event_type, data, "scheduling", None)


def test_a_reschedule_tells_both_sides_once_however_often_it_is_delivered(system):
    leader, client, deal = phone(), phone(), deal_id()
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(hour=7, minute=0, second=0, microsecond=0)
    created = booking_event("booking.rescheduled.v1", leader_phone=leader, client_phone=client, deal_id=deal)
    created = make_envelope("booking.created.v1", {**created["data"], "starts_at": starts.isoformat(),
                                                   "ends_at": (starts + timedelta(hours=2)).isoformat()},
                            "scheduling", None)
    publish_event(system, created)
    eventually(lambda: len(provider_records(system, "twilio", client)) == 1)
    reminder = eventually(lambda: [m for m in deal_messages(system, deal) if m["template"] == "client_reminder"])
    assert reminder[0]["status"] == "pending"

    moved_to = starts + timedelta(days=1)
    moved = make_envelope("booking.rescheduled.v1", {
        **created["data"], "starts_at": moved_to.isoformat(), "ends_at": (moved_to + timedelta(hours=2)).isoformat(),
        "previous_starts_at": starts.isoformat(), "reason": "Клиент попросил перенести"}, "scheduling", None)
    for _ in range(3):
        publish_event(system, moved)  # the broker redelivers; the relay republishes after a crash

    local = moved_to.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Moscow"))
    to_client = eventually(lambda: (r := provider_records(system, "twilio", client)) and len(r) == 2 and r)[1]
    assert to_client["body"] == (f"Иван Петров, визит мастера перенесён на {local:%d.%m.%Y} с 10:00 до 12:00, "
                                 f"адрес: г. Москва, ул. Ленина, д. 1, кв. 5. Бригадир: Сергей Иванов, "
                                 f"тел. {leader}.")
    to_leader = eventually(lambda: (r := provider_records(system, "twilio", leader)) and len(r) == 2 and r)[1]
    assert to_leader["body"].startswith(f"Выезд перенесён с {starts.astimezone(local.tzinfo):%d.%m.%Y %H:%M} на ")
    assert to_leader["body"].endswith("Причина: Клиент попросил перенести.")
    reminders = [(m["status"], m["send_at"][:10]) for m in deal_messages(system, deal)
                 if m["template"] == "client_reminder"]
    assert reminders == [("cancelled", (starts - timedelta(days=1)).date().isoformat()),
                         ("pending", starts.date().isoformat())]
    assert len(provider_records(system, "twilio", client)) == 2 and len(provider_records(system, "twilio", leader)) == 2


def test_a_bad_number_fails_with_the_providers_reason_and_the_next_message_still_goes(system):
    bad, good, deal = phone(), phone(), deal_id()
    provider_fault(system, bad, 400, code=21211, message=f"The 'To' number {bad} is not a valid phone number.")
    assert send(system.admin, channel="sms", to=bad, text="Первое", deal_id=deal).status_code == 201
    assert send(system.admin, channel="sms", to=good, text="Второе", deal_id=deal).status_code == 201

    assert one_record(system, "twilio", good)["body"] == "Второе"
    failed = eventually(lambda: (m := deal_messages(system, deal)[0])["status"] == "failed" and m)
    assert failed["error"] == f"21211: Unable to create record: The 'To' number {bad} is not a valid phone number."
    assert failed["attempts"] == 1 and provider_records(system, "twilio", bad) == []


def test_a_provider_outage_is_retried_and_the_message_goes_out_once(system):
    to, deal = phone(), deal_id()
    provider_fault(system, to, 503, code=20500, message="Service unavailable", times=1)
    assert send(system.admin, channel="sms", to=to, text="Повтор", deal_id=deal).status_code == 201
    message = eventually(lambda: (m := deal_messages(system, deal)[0])["status"] == "queued" and m, timeout=20)
    assert message["attempts"] == 2 and message["error"] is None
    assert [r["body"] for r in provider_records(system, "twilio", to)] == ["Повтор"]


def test_whatsapp_that_cannot_be_delivered_falls_back_to_sms(system):
    to, deal = phone(), deal_id()
    provider_fault(system, f"whatsapp:{to}", 400, code=63003, message="Channel could not find To address")
    assert send(system.admin, channel="whatsapp", to=to, text="Замер завтра в 10:00", deal_id=deal).status_code == 201
    sms = one_record(system, "twilio", to)
    assert (sms["channel"], sms["body"]) == ("sms", "Замер завтра в 10:00")
    statuses = eventually(lambda: (s := [(m["channel"], m["status"]) for m in deal_messages(system, deal)])
                          and s[-1][1] == "queued" and s)
    assert statuses == [("whatsapp", "failed"), ("sms", "queued")]


def test_an_email_goes_through_smtp_and_telegram_through_the_bot_api(system):
    address = f"client-{uuid.uuid4().hex[:8]}@example.ru"
    assert send(system.admin, channel="email", to=address, subject="Счёт №12",
                text="Счёт во вложении к договору.").status_code == 201
    mail = one_record(system, "smtp", address)
    assert (mail["subject"], mail["body"], mail["sender"]) == ("Счёт №12", "Счёт во вложении к договору.",
                                                               system.env["SMTP_FROM"])
    chat = str(random.randint(10**6, 10**9))
    assert send(system.admin, channel="telegram", to=chat, text="Сделка №7: оплачено").status_code == 201
    assert one_record(system, "telegram", chat)["body"] == "Сделка №7: оплачено"


def test_a_repeated_request_sends_once(system):
    to = phone()
    message = {"channel": "sms", "to": to, "text": "Один раз", "idempotency_key": uuid.uuid4().hex}
    first, again = system.admin.post("/messages", json=message), system.admin.post("/messages", json=message)
    assert first.json()["id"] == again.json()["id"]
    eventually(lambda: provider_records(system, "twilio", to))
    assert len(provider_records(system, "twilio", to)) == 1


def test_a_campaign_goes_to_each_recipient_once_and_skips_opt_outs(system):
    manager = system.user("manager")
    stays, leaves = phone(), phone()
    assert manager.post("/opt-outs", json={"channel": "sms", "address": leaves}).status_code == 201
    campaign = {"name": "Скидка на продление", "channel": "sms", "text": "Продлите абонемент со скидкой 10%",
                "recipients": [{"address": stays}, {"address": leaves}, {"address": stays}],
                "idempotency_key": uuid.uuid4().hex}
    created = manager.post("/campaigns", json=campaign)
    assert created.status_code == 201, created.text
    assert manager.post("/campaigns", json=campaign).json()["id"] == created.json()["id"]
    report = eventually(lambda: (r := manager.get(f"/campaigns/{created.json()['id']}").json())
                        ["counts"].get("queued") == 1 and r)
    assert report["counts"] == {"queued": 1, "opted_out": 1}
    assert [r["body"] for r in provider_records(system, "twilio", stays)] == ["Продлите абонемент со скидкой 10%"]
    assert provider_records(system, "twilio", leaves) == []


def test_bad_input_is_refused_with_details_and_sends_nothing(system):
    operator = system.user("operator")
    not_a_phone = send(operator, channel="sms", to="8 900 не номер", text="x")
    no_channel = send(operator, channel="fax", to=phone(), text="x")
    bad_key = send(operator, channel="sms", to=phone(), text="x", idempotency_key="a|b")
    bad_recipient = system.admin.post("/campaigns", json={"name": "x", "channel": "email", "text": "x",
                                                          "recipients": [{"address": "nope"}], "idempotency_key": "k"})
    assert not_a_phone.status_code == 400 and "to" in not_a_phone.json()["details"]
    assert no_channel.status_code == 400 and "channel" in no_channel.json()["details"]
    assert bad_key.status_code == 400 and "idempotency_key" in bad_key.json()["details"]
    assert bad_recipient.status_code == 400 and "recipients" in bad_recipient.json()["details"]
    assert system.user("crew_member").post("/messages", json={}).status_code == 403
    assert operator.post("/campaigns", json={}).status_code == 403


def telegram_update(system, chat: int, text: str, secret: str | None = None):
    update = {"update_id": random.randint(1, 10**9),
              "message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}, "text": text}}
    return system.anonymous().post("/webhooks/telegram", json=update, headers={
        "X-Telegram-Bot-Api-Secret-Token": secret or system.env["TELEGRAM_STAFF_WEBHOOK_SECRET"]})


def test_an_employee_links_a_telegram_chat_once_and_unlinked_chats_get_nothing(system):
    chat, stranger = random.randint(10**6, 10**9), random.randint(10**6, 10**9)
    manager = system.user("manager")
    code = manager.post("/me/telegram-code").json()["code"]

    assert telegram_update(system, chat, f"/start {code}", secret="guessed").status_code == 403
    assert telegram_update(system, stranger, "/deals").json() == {"ok": True, "handled": False}
    linked = telegram_update(system, chat, f"/start {code}")
    assert linked.status_code == 200 and linked.json()["handled"] is True
    assert one_record(system, "telegram", str(chat))["body"].startswith("Чат привязан к CRM.")
    assert telegram_update(system, stranger, f"/start {code}").json()["handled"] is False  # used once
    assert telegram_update(system, chat, "/deals").json()["handled"] is True
    eventually(lambda: len(provider_records(system, "telegram", str(chat))) == 2)
    assert provider_records(system, "telegram", str(stranger)) == []


def test_a_membership_reminder_is_scheduled_days_before_the_end_at_ten_company_time(system):
    deal, ends_on = deal_id(), date.today() + timedelta(days=30)
    reminder = {"channel": "sms", "to": phone(), "client_name": "Ольга", "ends_on": ends_on.isoformat(),
                "days_before": 3, "deal_id": deal}
    first = system.admin.post("/reminders/membership", json=reminder)
    assert first.status_code == 201, first.text
    assert system.admin.post("/reminders/membership", json=reminder).json()["id"] == first.json()["id"]
    (message,) = deal_messages(system, deal)
    assert message["status"] == "pending"
    assert message["send_at"] == f"{ends_on - timedelta(days=3)}T07:00:00+00:00"  # 10:00 in Moscow
    assert message["body"] == (f"Ольга, ваш абонемент заканчивается {ends_on:%d.%m.%Y} (через 3 дн.). "
                               f"Продлите его на ресепшене или ответьте на это сообщение.")


def test_a_colleagues_message_arrives_live_on_the_open_stream(system):
    manager, controller = system.user("manager"), system.user("controller")
    manager_id = manager.get("/me").json()["id"]
    listener, received = listening(system, manager)
    sent = controller.post("/notifications", json={
        "user_id": manager_id, "text": "Срочно перезвоните клиенту", "idempotency_key": uuid.uuid4().hex})
    assert sent.status_code == 201
    listener.join(20)
    assert received and received[0]["id"] == sent.json()["id"]
    assert received[0]["body"] == "Тест controller: Срочно перезвоните клиенту"
    assert received[0]["recipient"] == f"user:{manager_id}"

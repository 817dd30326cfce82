"""Notify's rules without I/O: quiet hours, idempotency keys, the message state machine,
retries, rate limits and who is told what about a booking."""
from datetime import UTC, datetime, time

import pytest

from crm_notify.domain import messages as m
from crm_notify.domain.plans import Planned, booking_messages, supersedes_reminders
from crm_notify.domain.quiet_hours import QuietHours, send_time
from crm_notify.domain.ratelimit import RateLimits

MSK = "Europe/Moscow"
NIGHT = QuietHours.parse("21:00-09:00")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("due, expected", [
    ("2026-11-24T10:00", "2026-11-24T10:00"),  # 13:00 in Moscow: goes now
    ("2026-11-24T17:59", "2026-11-24T17:59"),  # 20:59: still allowed
    ("2026-11-24T18:00", "2026-11-25T06:00"),  # 21:00: waits for 09:00 tomorrow
    ("2026-11-24T22:30", "2026-11-25T06:00"),  # 01:30 local, already tomorrow: 09:00 that day
    ("2026-11-25T05:59", "2026-11-25T06:00"),  # 08:59: one minute to wait
    ("2026-11-25T06:00", "2026-11-25T06:00"),  # 09:00 sharp: goes
])
def test_messages_due_in_quiet_hours_wait_for_the_morning(due, expected):
    assert send_time(utc(due), NIGHT, MSK) == utc(expected)


def test_a_window_inside_one_day_and_no_window():
    lunch = QuietHours.parse("13:00-14:00")
    assert lunch.contains(time(13, 30)) and not lunch.contains(time(14, 0))
    assert send_time(utc("2026-11-24T10:15"), lunch, MSK) == utc("2026-11-24T11:00")
    assert QuietHours.parse("") is None
    assert send_time(utc("2026-11-24T20:00"), None, MSK) == utc("2026-11-24T20:00")


@pytest.mark.parametrize("text", ["21:00", "09:00-09:00", "25:00-09:00"])
def test_malformed_quiet_hours_are_refused(text):
    with pytest.raises(ValueError):
        QuietHours.parse(text)


def test_the_idempotency_key_is_the_cause_channel_recipient_and_template():
    key = m.idempotency_key("event:42", "sms", "+79005550101", "leader_new_job")
    assert key == m.idempotency_key("event:42", "sms", "+79005550101", "leader_new_job")
    others = {m.idempotency_key("event:43", "sms", "+79005550101", "leader_new_job"),
              m.idempotency_key("event:42", "whatsapp", "+79005550101", "leader_new_job"),
              m.idempotency_key("event:42", "sms", "+79005550102", "leader_new_job"),
              m.idempotency_key("event:42", "sms", "+79005550101", "client_booked")}
    assert key not in others and len(others) == 4
    for bad in ("", "a|b"):
        with pytest.raises(ValueError):
            m.idempotency_key(bad, "sms", "+79005550101", "x")


@pytest.mark.parametrize("current, new, allowed", [
    ("pending", "sending", True), ("sending", "queued", True), ("queued", "sent", True),
    ("sent", "delivered", True), ("delivered", "read", True), ("sending", "pending", True),
    ("queued", "failed", True), ("sent", "undelivered", True), ("pending", "cancelled", True),
    ("pending", "opted_out", True),
    ("delivered", "sent", False), ("sent", "queued", False), ("failed", "delivered", False),
    ("undelivered", "delivered", False), ("queued", "pending", False), ("sent", "cancelled", False),
    ("cancelled", "sending", False),
])
def test_a_message_only_moves_forward(current, new, allowed):
    assert m.can_move(current, new) is allowed


def test_callbacks_arrive_out_of_order_and_twice_and_change_only_what_is_new():
    assert m.after_callback("queued", "sent") == "sent"
    assert m.after_callback("sent", "queued") is None  # late
    assert m.after_callback("delivered", "delivered") is None  # repeated
    assert m.after_callback("sent", "undelivered") == "undelivered"
    assert m.after_callback("queued", "receiving") is None  # not about outbound messages
    with pytest.raises(m.IllegalTransition):
        m.can_move("lost", "sent")


def test_transient_errors_are_retried_with_growing_delays_then_fail():
    flaky = m.SendError("503: unavailable", transient=True)
    delays = [m.after_error(flaky, attempt) for attempt in range(1, m.MAX_ATTEMPTS + 1)]
    assert [status for status, _ in delays] == ["pending"] * (m.MAX_ATTEMPTS - 1) + ["failed"]
    waits = [delay for _, delay in delays[:-1]]
    assert waits == sorted(waits) and waits[0] == m.FIRST_RETRY_SECONDS
    assert m.after_error(m.SendError("21211: invalid 'To'", transient=False), 1) == ("failed", None)
    assert m.http_error_is_transient(503) and m.http_error_is_transient(429)
    assert not m.http_error_is_transient(400) and not m.http_error_is_transient(404)


def test_rate_limits_space_messages_per_channel():
    now = [100.0]
    limits = RateLimits(RateLimits.parse("sms=2, email=10"), lambda: now[0])
    assert [limits.wait("sms") for _ in range(3)] == [0.0, 0.5, 1.0]
    assert limits.wait("email") == 0.0 and limits.wait("telegram") == 0.0
    now[0] = 102.0  # idle time is not saved up into a burst
    assert limits.wait("sms") == 0.0 and limits.wait("sms") == 0.5
    assert limits.batch("sms", 0.5) == 1 and limits.batch("email", 0.5) == 5
    with pytest.raises(ValueError):
        RateLimits.parse("sms")
    with pytest.raises(ValueError):
        RateLimits({"sms": 0}, lambda: 0.0)


BOOKING = {"booking_id": 3, "crew_id": 1, "leader_phone": "+79005550101", "client_phone": "+79005550202",
           "starts_at": "2026-11-25T07:00:00+00:00"}


def test_a_new_booking_tells_the_crew_the_leader_and_the_client_and_reminds_the_client_the_day_before():
    planned = booking_messages("created", BOOKING, utc("2026-11-20T10:00"))
    assert planned == [
        Planned("in_app", "crew:1", "crew_new_job"),
        Planned("sms", "+79005550101", "leader_new_job"),
        Planned("sms", "+79005550202", "client_booked"),
        Planned("sms", "+79005550202", "client_reminder", due=utc("2026-11-24T07:00")),
    ]


def test_only_what_the_data_allows_is_sent():
    without_client = {key: value for key, value in BOOKING.items() if key != "client_phone"}
    assert [p.template for p in booking_messages("created", without_client, utc("2026-11-20T10:00"))] == [
        "crew_new_job", "leader_new_job"]
    too_late = booking_messages("rescheduled", BOOKING, utc("2026-11-24T12:00"))
    assert [p.template for p in too_late] == ["leader_rescheduled", "client_rescheduled"]
    assert [p.template for p in booking_messages("cancelled", BOOKING, utc("2026-11-20T10:00"))] == [
        "leader_cancelled", "client_cancelled"]


def test_link_codes_are_read_from_the_start_command_only():
    from crm_notify.domain import telegram

    code = telegram.new_code()
    assert len(code) == telegram.CODE_LENGTH and set(code) <= set(telegram.CODE_ALPHABET)
    assert telegram.link_code_in(f"/start {code}") == code
    assert telegram.link_code_in(f"/start@crm_bot {code.lower()}") == code
    assert telegram.link_code_in(f"/link {code}") == code
    for text in (f"/deals {code}", "/start", "/start ABC", f"{code}", "/start 0OOOOOOO"):
        assert telegram.link_code_in(text) is None, text
    assert telegram.command("/deal@crm_bot 15") == ("/deal", "15")
    assert telegram.expires(utc("2026-11-24T10:00")) == utc("2026-11-24T10:15")


def test_a_membership_reminder_goes_days_before_the_end_at_ten_company_time():
    from datetime import date

    from crm_notify.domain.plans import membership_reminder_due

    due = membership_reminder_due(date(2026, 12, 31), 3, MSK)
    assert due.astimezone(UTC) == utc("2026-12-28T07:00")


def test_edited_client_details_only_write_the_clients_reminder_again():
    edited = {**BOOKING, "client_phone": "+79161234567"}
    assert booking_messages("changed", edited, utc("2026-11-20T10:00")) == [
        Planned("sms", "+79161234567", "client_reminder", due=utc("2026-11-24T07:00"))]
    assert booking_messages("changed", edited, utc("2026-11-24T12:00")) == []  # too late to remind
    assert supersedes_reminders("changed") and not supersedes_reminders("created")

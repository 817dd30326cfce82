"""Scheduling rules without I/O: working hours, absences, free slots."""
from datetime import UTC, date, datetime, timedelta

from crm_scheduling.domain import absences
from crm_scheduling.domain.availability import Busy, Crew, free_slots
from crm_scheduling.domain.hours import DEFAULT_WORKING_HOURS, WorkingHours

WEEKDAYS_ONLY = {**DEFAULT_WORKING_HOURS, "sat": None, "sun": None}
MONDAY = date(2026, 11, 23)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def moscow_hours(**exceptions) -> WorkingHours:
    return WorkingHours.from_spec("Europe/Moscow", WEEKDAYS_ONLY, exceptions)


def slots(crews, first=MONDAY, last=MONDAY, minutes=60, buffer=30, step=30, not_before=None, limit=5):
    found = free_slots(crews, first, last, timedelta(minutes=minutes), timedelta(minutes=buffer),
                       timedelta(minutes=step), not_before or utc(MONDAY, 0), limit)
    return [(s.crew_id, s.starts_at.strftime("%a %H:%M")) for s in found]


def test_working_hours_are_local_time_and_refusals_say_why():
    hours = moscow_hours(**{"2026-11-24": ["10:00", "14:00"], "2026-11-25": None})
    assert hours.window_on(MONDAY) == (utc(MONDAY, 6), utc(MONDAY, 15))  # 09:00-18:00 in Moscow
    assert hours.refusal(utc(MONDAY, 6), utc(MONDAY, 8)) is None
    assert hours.refusal(utc(MONDAY, 14), utc(MONDAY, 16)) == "время вне рабочих часов бригады: пн 23.11.2026 09:00–18:00"
    tuesday, wednesday, saturday = (MONDAY + timedelta(days=n) for n in (1, 2, 5))
    assert hours.refusal(utc(tuesday, 6), utc(tuesday, 8)) == "время вне рабочих часов бригады: вт 24.11.2026 10:00–14:00"
    assert hours.refusal(utc(wednesday, 7), utc(wednesday, 8)) == "25.11.2026 — нерабочий день бригады"
    assert hours.refusal(utc(saturday, 7), utc(saturday, 8)) == "28.11.2026 — нерабочий день бригады"


def test_a_job_that_runs_past_midnight_local_time_is_refused():
    hours = WorkingHours.from_spec("Europe/Moscow", {**DEFAULT_WORKING_HOURS, "mon": ["20:00", "23:59"]})
    assert hours.refusal(utc(MONDAY, 20), utc(MONDAY, 21, 30)) is not None


def test_slots_skip_jobs_with_a_travel_buffer_but_absences_without_one():
    crew = Crew(1, moscow_hours(), (Busy(utc(MONDAY, 7), utc(MONDAY, 9), travel=True),))  # 10:00-12:00 Moscow
    assert slots([crew], limit=3) == [(1, "Mon 09:30"), (1, "Mon 10:00"), (1, "Mon 10:30")]  # 06:00 ends too close
    off = Crew(2, moscow_hours(), (Busy(utc(MONDAY, 7), utc(MONDAY, 9), travel=False),))
    assert slots([off], limit=3) == [(2, "Mon 06:00"), (2, "Mon 09:00"), (2, "Mon 09:30")]


def test_slots_come_earliest_first_across_crews_and_never_in_the_past():
    busy_morning = Crew(1, moscow_hours(), (Busy(utc(MONDAY, 6), utc(MONDAY, 8), travel=True),))
    free = Crew(2, moscow_hours(), ())
    assert slots([busy_morning, free], not_before=utc(MONDAY, 6, 10), limit=3) == [
        (2, "Mon 06:30"), (2, "Mon 07:00"), (2, "Mon 07:30")]
    assert slots([busy_morning, free], not_before=utc(MONDAY, 8, 10), limit=3) == [
        (1, "Mon 08:30"), (2, "Mon 08:30"), (1, "Mon 09:00")]


def test_slots_skip_days_off_and_stop_at_the_end_of_the_range():
    crew = Crew(1, moscow_hours(**{"2026-11-24": None}), ())
    found = slots([crew], first=MONDAY, last=MONDAY + timedelta(days=6), minutes=540, limit=10)
    assert found == [(1, "Mon 06:00"), (1, "Wed 06:00"), (1, "Thu 06:00"), (1, "Fri 06:00")]


def test_a_job_longer_than_the_free_gap_finds_no_slot_in_it():
    crew = Crew(1, moscow_hours(), (Busy(utc(MONDAY, 7), utc(MONDAY, 13), travel=True),))  # gaps: 1 h, 2 h
    assert slots([crew], minutes=150, buffer=0) == []
    assert slots([crew], minutes=120, buffer=0) == [(1, "Mon 13:00")]


def test_absences_block_whole_local_days_and_announce_start_and_end_once():
    starts, ends = absences.blocked_range(date(2026, 12, 1), date(2026, 12, 14), "Europe/Moscow")
    assert (starts, ends) == (datetime(2026, 11, 30, 21, tzinfo=UTC), datetime(2026, 12, 14, 21, tzinfo=UTC))
    assert absences.blocked_range(date(2026, 12, 1), None, "Europe/Moscow")[1].year == 2100
    first, last = date(2026, 12, 1), date(2026, 12, 14)
    assert absences.due_events(first, last, date(2026, 11, 30), False, False) == []
    assert absences.due_events(first, last, first, False, False) == ["absence.started.v1"]
    assert absences.due_events(first, last, last, True, False) == []
    assert absences.due_events(first, last, date(2026, 12, 15), True, False) == ["absence.ended.v1"]
    assert absences.due_events(first, last, date(2026, 12, 20), False, False) == [
        "absence.started.v1", "absence.ended.v1"]
    assert absences.due_events(first, None, date(2030, 1, 1), True, False) == []
    assert absences.refusal("sick_leave", first, last) == (
        "сотрудник бригады отсутствует (больничный) с 01.12.2026 по 14.12.2026")

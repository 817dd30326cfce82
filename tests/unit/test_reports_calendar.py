from datetime import UTC, date, datetime

from crm_reports.domain.calendar import local_day


def test_a_late_evening_in_utc_is_already_tomorrow_in_moscow():
    assert local_day(datetime(2026, 11, 23, 22, 30, tzinfo=UTC), "Europe/Moscow") == date(2026, 11, 24)


def test_the_same_moment_is_still_today_in_kaliningrad_until_midnight_there():
    assert local_day(datetime(2026, 11, 23, 21, 30, tzinfo=UTC), "Europe/Kaliningrad") == date(2026, 11, 23)

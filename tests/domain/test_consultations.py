"""When a consultation may be held and when its reminders fall."""

from datetime import UTC, datetime, timedelta

from handlers.domain.consultations import DAY_BEFORE, TWO_HOURS, reminders, time_problem

NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)


def test_a_time_must_be_ahead_and_within_a_year() -> None:
    assert time_problem(NOW, NOW) == "past"
    assert time_problem(NOW + timedelta(minutes=1), NOW) is None
    assert time_problem(NOW + timedelta(days=366), NOW) is None
    assert time_problem(NOW + timedelta(days=366, seconds=1), NOW) == "too_far"


def test_reminders_fall_the_day_before_and_two_hours_before_if_still_ahead() -> None:
    at = NOW + timedelta(days=3)
    assert reminders(at, NOW) == [
        (DAY_BEFORE, at - timedelta(days=1)),
        (TWO_HOURS, at - timedelta(hours=2)),
    ]
    assert reminders(NOW + timedelta(hours=3), NOW) == [(TWO_HOURS, NOW + timedelta(hours=1))]
    assert reminders(NOW + timedelta(hours=2), NOW) == []

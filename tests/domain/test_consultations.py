"""When a consultation may be held."""

from datetime import UTC, datetime, timedelta

from handlers.domain.consultations import time_problem

NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)


def test_a_time_must_be_ahead_and_within_a_year() -> None:
    assert time_problem(NOW, NOW) == "past"
    assert time_problem(NOW + timedelta(minutes=1), NOW) is None
    assert time_problem(NOW + timedelta(days=366), NOW) is None
    assert time_problem(NOW + timedelta(days=366, seconds=1), NOW) == "too_far"

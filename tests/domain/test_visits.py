"""The booking rules in plain Python: which slots are offered, and when a reminder is due."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.domain.visits import day_slots, has_room, is_offered, offered_days, reminder_at

ZONE = ZoneInfo("Asia/Shanghai")


def test_the_days_offered_are_the_next_five_working_days() -> None:
    # National Day: 1-7 October off; Saturday 10 October worked in their place (调休).
    assert offered_days(date(2026, 9, 30)) == [
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
        date(2026, 10, 13),
    ]


def test_a_slot_is_offered_by_the_points_day_not_utcs() -> None:
    friday_nine = datetime(2026, 11, 27, 9, tzinfo=ZONE)
    thursday_at_the_points = datetime(2026, 11, 26, 15, 59, tzinfo=UTC)  # 23:59 there
    friday_at_the_points = datetime(2026, 11, 26, 16, tzinfo=UTC)  # still Thursday in UTC
    assert is_offered(friday_nine, thursday_at_the_points, ZONE)
    assert not is_offered(friday_nine, friday_at_the_points, ZONE), "Friday is today there"


def test_a_day_has_six_office_hour_slots() -> None:
    slots = day_slots(date(2026, 11, 30), ZONE)
    assert [slot.strftime("%H:%M") for slot in slots] == [
        "09:00",
        "10:00",
        "11:00",
        "14:00",
        "15:00",
        "16:00",
    ]


def test_a_slot_has_room_until_its_places_are_taken() -> None:
    assert has_room(1, 2) and not has_room(2, 2)


def test_the_reminder_is_the_day_before_unless_that_has_passed() -> None:
    slot = datetime(2026, 11, 30, 2, tzinfo=UTC)
    assert reminder_at(slot, slot - timedelta(days=2)) == slot - timedelta(days=1)
    assert reminder_at(slot, slot - timedelta(days=1)) is None

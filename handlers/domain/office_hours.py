"""When offices receive people: China's working days and the usual public-office hours.

Working days are Monday to Friday less the public holidays, plus the weekend days worked in
their place (调休), from the ``holidays`` library's calendar (the State Council's schedule where
published; for a year not yet announced, the holidays by rule without the swapped weekends).
"""

from datetime import date, time, timedelta

import holidays

__all__ = ["OFFICE_SLOTS", "working_days"]

OFFICE_SLOTS = (time(9), time(10), time(11), time(14), time(15), time(16))
"""Hourly starts within the usual public-office hours (9:00-12:00, 14:00-17:00)."""

CHINA = holidays.country_holidays("CN")
"""Fills in each year on first use."""


def working_days(today: date, count: int) -> list[date]:
    """The next ``count`` working days after ``today``."""
    days: list[date] = []
    day = today
    while len(days) < count:
        day += timedelta(days=1)
        if CHINA.is_working_day(day):
            days.append(day)
    return days

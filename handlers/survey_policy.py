"""When surveys are asked: how long after a resolution, in which hours, how often reminded.

Workers are asked only in the asking hours (default 09:00–20:00 in the configured time zone):
a question that falls due at night waits for the morning. The defaults below are the
settings the README lists; ``HandlerConfig.surveys`` carries them. It lives outside the
``surveys`` package so the configuration can name it without importing every survey module.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["SurveyPolicy"]


@dataclass(frozen=True, slots=True)
class SurveyPolicy:
    return_visit_after: timedelta = timedelta(hours=24)
    """RETURN_VISIT_DELAY_HOURS: from the resolution to the return visit (回访)."""
    rebound_check_after: timedelta = timedelta(days=30)
    """REBOUND_CHECK_DAYS: from the resolution to the anti-rebound check (防反弹)."""
    opens: time = time(9)
    closes: time = time(20)
    """QUIET_HOURS (09:00-20:00): the local hours in which workers may be asked; opens < closes."""
    reminder_after: timedelta = timedelta(hours=48)
    """SURVEY_REMINDER_HOURS: silence after a question (or reminder) before the next one."""
    max_reminders: int = 2
    """SURVEY_MAX_REMINDERS: after the last one goes unanswered, the survey is unanswered."""

    def next_opening(self, at: datetime, zone: ZoneInfo) -> datetime:
        """``at`` itself inside the asking hours, else the moment they next open."""
        local = at.astimezone(zone)
        if self.opens <= local.time() < self.closes:
            return at
        day = local.date() if local.time() < self.opens else local.date() + timedelta(days=1)
        return datetime.combine(day, self.opens, zone).astimezone(UTC)

"""A seven-party consultation (七方会商) as the rules see it: when it may be held, when both
sides are reminded of it, and when the worker is asked whether the agreed money arrived."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from handlers.domain.errors import N_, Stale
from handlers.domain.ids import CaseId, ConsultationId, StaffId

__all__ = [
    "DAY_BEFORE",
    "LONGEST_WAIT",
    "PAST",
    "PAYMENT_CHECK",
    "REMINDERS",
    "TOO_FAR_AHEAD",
    "TWO_HOURS",
    "ConsultationRecord",
    "TimeRefused",
    "ensure_acceptable_time",
    "payment_check_at",
    "subject_of",
    "time_problem",
]

LONGEST_WAIT = timedelta(days=366)
"""No consultation, and no payment agreed at one, is further ahead than this: anything
planned further ahead is a typo in the year."""
PAST = N_("That time has already passed. Please choose a time in the future.")
TOO_FAR_AHEAD = N_("That is more than a year away. Please check the date.")
"""A date for a meeting or a payment that no case waits for."""

DAY_BEFORE = "consultation_day_before"
TWO_HOURS = "consultation_2h"
REMINDERS = {DAY_BEFORE: timedelta(days=1), TWO_HOURS: timedelta(hours=2)}
"""The due work reminding the worker and the department, and how long before it falls."""
PAYMENT_CHECK = "payment_check"
PAYMENT_ASKED_AT = time(18)
"""The evening of the deadline: the money had the whole day to arrive."""

TimeProblem = Literal["past", "too_far"]


@dataclass(frozen=True, slots=True)
class ConsultationRecord:
    """A consultation: when, where, who takes part, the worker's answer, and the outcome."""

    id: ConsultationId
    case_id: CaseId
    scheduled_at: datetime
    place: str
    parties: tuple[Mapping[str, Any], ...]
    """Each party's ``role``, and its ``name`` and ``contact`` if given."""
    created_by: StaffId
    worker_attends: bool | None = None
    agreed_amount_fen: int | None = None
    payment_due: date | None = None
    outcome_notes: str | None = None
    outcome_at: datetime | None = None


class TimeRefused(Stale):
    """The consultation's time has passed (or is too far ahead) by the time it is scheduled."""

    def __init__(self, problem: TimeProblem) -> None:
        super().__init__(PAST if problem == "past" else TOO_FAR_AHEAD)
        self.problem = problem


def time_problem(moment: datetime, now: datetime) -> TimeProblem | None:
    """Why a consultation cannot be held at ``moment``, if it cannot."""
    if moment <= now:
        return "past"
    if moment > now + LONGEST_WAIT:
        return "too_far"
    return None


def ensure_acceptable_time(moment: datetime, now: datetime) -> None:
    problem = time_problem(moment, now)
    if problem is not None:
        raise TimeRefused(problem)


def payment_check_at(payment_due: date, zone: ZoneInfo, now: datetime) -> datetime:
    """When the worker is asked whether the money agreed for ``payment_due`` arrived."""
    return max(datetime.combine(payment_due, PAYMENT_ASKED_AT, zone), now)


def subject_of(consultation_id: ConsultationId) -> str:
    """What the consultation's due work (reminders, payment check) is about."""
    return f"consultation:{consultation_id}"

"""The day-before reminder of a visit: planned with the booking, dropped with its cancelling."""

from handlers.domain.visits import Visit
from handlers.ports_visits import VisitBook

__all__ = ["REMINDER", "reminder_subject", "visit_to_remind"]

REMINDER = "visit_reminder"
"""The due work's kind."""


def reminder_subject(visit_id: int) -> str:
    return f"visit:{visit_id}"


async def visit_to_remind(subject: str, visits: VisitBook) -> Visit | None:
    """The visit a reminder due for ``subject`` is about, if it is still booked: a cancelled
    visit is never reminded of, even by a reminder planned before the cancelling dropped it."""
    prefix, _, number = subject.partition(":")
    if prefix != "visit" or not (number.isascii() and number.isdigit()):
        return None
    visit = await visits.find(int(number))
    return visit if visit is not None and visit.booked else None

"""What to do when a due task falls due, by kind: every kind, listed in ``build_due_work``.

A handler gets a bare ``Unit`` (no update behind it) and the task row; like any handler it
decides and sends, and never commits.
"""

from collections.abc import Awaitable, Callable

from handlers import book_visit, lost_groups, retention
from handlers.context import Unit
from handlers.staff import consultation_invite, deadlines, digest, payment_check, weekly_report
from handlers.surveys import delivery
from storage.models import DueTask
from storage.people import LOST_GROUP
from storage.surveys import SURVEY_TASK

__all__ = ["DueHandler", "build_due_work"]

DueHandler = Callable[[Unit, DueTask], Awaitable[None]]


def build_due_work() -> dict[str, DueHandler]:
    """The one list of due work: the kind a task is scheduled with → what does it."""
    return {
        deadlines.REMINDER: deadlines.remind_department,
        deadlines.DEADLINE: deadlines.mark_overdue,
        digest.DIGEST: digest.send_digest,
        weekly_report.WEEKLY_REPORT: weekly_report.send_weekly_report,
        consultation_invite.DAY_BEFORE: consultation_invite.remind_the_day_before,
        consultation_invite.TWO_HOURS: consultation_invite.remind_two_hours_before,
        payment_check.PAYMENT_CHECK: payment_check.ask_about_payment,
        SURVEY_TASK: delivery.take_turn,
        book_visit.REMINDER: book_visit.remind_of_visit,
        LOST_GROUP: lost_groups.tell_admins,
        retention.RETENTION: retention.forget_past_their_time,
    }

"""What a worker's "not paid" or low rating sets off (跟踪问效): the case goes back to work.

"Only part" or "not yet" reopens the case with a new deadline; the department gets the alert
again with its buttons, the county's leaders are told, and the worker hears who acts by when.
A rating of 2 or less goes to the supervisors (纪委监委) to review how the case was handled.
"""

from datetime import timedelta

from handlers.case_card import CaseView, case_card, send_alert
from handlers.context import Unit
from handlers.formatting import N_, department_name, format_date
from handlers.i18n import translator
from handlers.notify import tell_worker
from handlers.replies import SendMessage, escape
from handlers.staff.deadlines import plan_deadlines
from storage.cases import add_case_event
from storage.models import CaseStatus
from storage.surveys import cancel_scheduled_surveys

__all__ = ["LOW_RATING", "forward_comment", "reopen_case", "review_low_rating"]

LOW_RATING = 2
REOPENED = {
    "partly": N_(
        "🔁 Case {number} is reopened: the worker says only part of the money has arrived. "
        "New deadline: {deadline}."
    ),
    "none": N_(
        "🔁 Case {number} is reopened: the worker says the money has not arrived. "
        "New deadline: {deadline}."
    ),
}
WORKER_REOPENED = N_(
    "We are sorry the money has not all reached you. Your case {number} is open again: "
    "{department} must act on it by {deadline}. We will tell you here what happens."
)
REVIEW = N_(
    "⭐ Case {number}: the worker rated how the case was handled {rating} out of 5. Please "
    "review it."
)
COMMENTED = N_("💬 Case {number}: the worker's comment on a low rating: {comment}")


async def reopen_case(unit: Unit, view: CaseView, paid: str, actor: str) -> None:
    """Back to work with a fresh deadline; the surveys of the old resolution not yet asked
    are cancelled (the next resolution plans its own)."""
    case, department = view.case, view.department
    assert case.id is not None
    days = department.deadline_days or unit.config.case_deadline_days
    before = {
        "status": case.status,
        "outcome": case.outcome,
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        "deadline_at": case.deadline_at.isoformat(),
    }
    case.status, case.outcome, case.resolved_at = CaseStatus.REOPENED, None, None
    case.anonymised_at = None  # open again: anonymised anew once it closes
    case.deadline_at, case.overdue_at = unit.now + timedelta(days=days), None
    unit.session.add(case)
    after = {"status": case.status, "deadline_at": case.deadline_at.isoformat()}
    await add_case_event(
        unit.session,
        case,
        actor=actor,
        kind="reopened",
        at=unit.now,
        data={"before": before, "after": after, "paid": paid},
    )
    await cancel_scheduled_surveys(unit.session, case.id)
    await plan_deadlines(unit, case)
    deadline = format_date(case.deadline_at, unit.config.zone)
    _ = translator(unit.config.default_language)
    reason = _(REOPENED[paid]).format(number=case.number, deadline=deadline)
    unit.send(SendMessage(department.chat_id, reason))
    await send_alert(unit, view)
    lead_chat = unit.config.routing.lead_chat_for(case.county)
    if lead_chat is not None:
        unit.send(SendMessage(lead_chat, reason + "\n\n" + case_card(unit, view)))
    await tell_worker(
        unit,
        case,
        WORKER_REOPENED,
        department=lambda t: escape(department_name(department, t.language)),
        deadline=deadline,
    )


def review_low_rating(unit: Unit, view: CaseView, rating: int) -> None:
    _ = translator(unit.config.default_language)
    text = _(REVIEW).format(number=view.case.number, rating=rating)
    to_supervisors(unit, text + "\n\n" + case_card(unit, view))


def forward_comment(unit: Unit, view: CaseView, comment: str) -> None:
    """A comment that explains a low rating follows it to the supervisors."""
    _ = translator(unit.config.default_language)
    to_supervisors(unit, _(COMMENTED).format(number=view.case.number, comment=escape(comment)))


def to_supervisors(unit: Unit, text: str) -> None:
    chat = unit.config.routing.supervisor_chat_id
    if chat is not None:
        unit.send(SendMessage(chat, text))

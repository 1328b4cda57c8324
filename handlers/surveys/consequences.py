"""What a worker's "not paid" or low rating sets off (跟踪问效): the case goes back to work.

"Only part" or "not yet" reopens the case with a new deadline; the department gets the alert
again with its buttons, the county's leaders are told, and the worker hears who acts by when.
A rating of 2 or less goes to the supervisors (纪委监委) to review how the case was handled.
"""

from handlers.case_card import CaseView, case_card, send_alert
from handlers.context import Unit
from handlers.formatting import N_, department_name, format_date
from handlers.i18n import translator
from handlers.notify import tell_worker
from handlers.replies import SendMessage, escape
from handlers.staff.deadlines import plan_deadlines
from handlers.usecases import reopen_case as reopening

__all__ = ["announce_reopened", "forward_comment", "reopen_case", "review_low_rating"]

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
    """Back to work with a fresh deadline (``handlers.usecases.reopen_case``), announced."""
    assert view.case.id is not None
    request = reopening.ReopenCase(view.case.id, paid, unit.now, unit.config.case_deadline_days)
    ports = unit.ports
    await reopening.reopen_case(actor, request, ports.cases, ports.surveys, ports.trail)
    await announce_reopened(unit, view, paid)


async def announce_reopened(unit: Unit, view: CaseView, paid: str) -> None:
    """The reopened case's deadline planned; its department gets the alert again, its leads
    and its worker hear why and by when."""
    case, department = view.case, view.department
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

"""The buttons on a case alert: ``case:<id>:<verb>``.

Each press is decided by a use case (``handlers.usecases``), which checks again that the case
exists, is still open, and the presser may act on it now, with the case locked while it
changes; this module draws what happened. Actions that need more (a note, a transfer, a
resolution, a rejection) continue in the presser's private chat (``case_forms``).
"""

import logging

from handlers import callbacks
from handlers.case_card import CASE, load_case, refresh_alert
from handlers.context import Context
from handlers.domain.errors import NotAllowed, Stale
from handlers.domain.ids import CaseId
from handlers.domain.permissions import ensure_can_press
from handlers.escalation import escalate
from handlers.formatting import N_, department_name
from handlers.i18n import translator
from handlers.notify import tell_worker
from handlers.parsing import format_phone
from handlers.replies import SendMessage, escape
from handlers.staff.actor import Actor, actor_of, status_named
from handlers.staff.case_forms import start_form
from handlers.staff.consultation import start_consultation
from handlers.staff.evidence import send_evidence
from handlers.usecases.accept_case import Acceptance, accept_case
from handlers.usecases.changes import NO_CASE
from handlers.usecases.view_contact import ContactRequest, view_contact

__all__ = ["on_case_press"]

log = logging.getLogger(__name__)

FORMS = ("note", "transfer", "resolve", "reject")
VERBS = ("accept", "contact", "evidence", "escalate", "consult", *FORMS)


async def on_case_press(ctx: Context) -> None:
    case_id, verb = parse(ctx)
    actor = await actor_of(ctx)
    with status_named(ctx._):
        if verb == "accept":
            await accept(ctx, actor, case_id)
        elif verb == "contact":
            await show_contact(ctx, actor, case_id)
        elif verb == "escalate":
            await escalate_by_hand(ctx, actor, case_id)
        else:
            await open_case_press(ctx, actor, case_id, verb)


async def open_case_press(ctx: Context, actor: Actor, case_id: CaseId, verb: str) -> None:
    """Evidence, a consultation, and the forms: checked here, decided later (or never)."""
    view = await load_case(ctx.session, case_id, lock=True)
    if view is None:
        raise Stale(NO_CASE)
    ensure_can_press(actor, view.case, verb)
    if verb == "evidence":
        await send_evidence(ctx, actor, view)
    elif verb == "consult":
        await start_consultation(ctx, view)
    else:
        await start_form(ctx, actor, view, verb)


def parse(ctx: Context) -> tuple[CaseId, str]:
    """The case and verb of a press; anything this bot could not have drawn is refused."""
    try:
        raw_id, verb = callbacks.unpack(ctx.event.callback_data, prefix=CASE, size=2)
    except callbacks.CallbackDataError:
        log.warning("refused malformed case button from user %s", ctx.event.user_id)
        raise NotAllowed(N_("This button is not valid.")) from None
    if verb not in VERBS:
        log.warning("refused unknown case button %r from user %s", verb, ctx.event.user_id)
        raise NotAllowed(N_("This button is not valid."))
    try:
        return CaseId(callbacks.parse_id(raw_id)), verb
    except callbacks.CallbackDataError:
        log.warning("refused case button with no case id from user %s", ctx.event.user_id)
        raise Stale(NO_CASE) from None


async def accept(ctx: Context, actor: Actor, case_id: CaseId) -> None:
    ports = ctx.ports
    accepted = await accept_case(
        actor, Acceptance(case_id, ctx.now), cases=ports.cases, trail=ports.trail
    )
    view = await load_case(ctx.session, case_id)
    assert view is not None
    await refresh_alert(ctx, view)
    await tell_worker(
        ctx,
        view.case,
        N_(
            "Your case {number} has been taken up by {department}. {officer} is handling it "
            "and may contact you."
        ),
        department=lambda _: escape(department_name(view.department, _.language)),
        officer=escape(accepted.officer),
    )
    ctx.answer(ctx._("You have taken case {number}.").format(number=accepted.case.number))


async def show_contact(ctx: Context, actor: Actor, case_id: CaseId) -> None:
    """The worker's full contact, privately, and on the record: every view is an event."""
    ports = ctx.ports
    shown = await view_contact(
        actor, ContactRequest(case_id, ctx.now), cases=ports.cases, trail=ports.trail
    )
    _ = translator(ctx.config.default_language)
    text = _("Contact for case {number}: {name}, {phone}").format(
        number=shown.case.number, name=escape(shown.name), phone=format_phone(shown.phone)
    )
    chat = actor.staff.chat_id if actor.staff else actor.user_id
    ctx.send(SendMessage(chat, text, private=True))
    ctx.answer(ctx._("I have sent you the contact in a private message."))


async def escalate_by_hand(ctx: Context, actor: Actor, case_id: CaseId) -> None:
    escalated = await escalate(ctx, actor, case_id, ["manual"])
    number = escalated.case.number
    ctx.answer(ctx._("Case {number} was escalated to the leads.").format(number=number))

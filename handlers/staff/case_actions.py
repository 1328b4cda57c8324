"""The buttons on a case alert: ``case:<id>:<verb>``.

Each press is checked again here — the case exists, is still open, and the presser may act
on it now — and the case row is locked while it changes. One-press actions happen at once;
those that need more (a note, a transfer, a resolution, a rejection) continue in the
presser's private chat (``case_forms``).
"""

import logging
from dataclasses import replace

from handlers import callbacks
from handlers.case_card import CASE, CaseView, load_case, refresh_alert
from handlers.context import Context
from handlers.domain.errors import NotAllowed, Stale
from handlers.escalation import escalate
from handlers.formatting import N_, department_name
from handlers.i18n import translator
from handlers.notify import tell_worker
from handlers.parsing import format_phone
from handlers.registry import press
from handlers.replies import SendMessage, escape
from handlers.staff.actor import Actor, actor_of, ensure_can_press
from handlers.staff.audit import record_change
from handlers.staff.case_forms import start_form
from handlers.staff.consultation import start_consultation
from handlers.staff.evidence import send_evidence
from storage.cases import add_case_event
from storage.models import CaseStatus

__all__ = ["on_case_press"]

log = logging.getLogger(__name__)

FORMS = ("note", "transfer", "resolve", "reject")
VERBS = ("accept", "contact", "evidence", "escalate", "consult", *FORMS)
NO_CASE = N_("This case no longer exists; nothing changed.")
"""For a case id that names no case, whether stale or forged (out of range, not a number)."""


@press(CASE)
async def on_case_press(ctx: Context) -> None:
    case_id, verb = parse(ctx)
    view = await load_case(ctx.session, case_id, lock=True)
    if view is None:
        raise Stale(NO_CASE)
    actor = await actor_of(ctx)
    ensure_can_press(actor, view.case, verb, ctx._)
    if verb == "accept":
        await accept(ctx, actor, view)
    elif verb == "contact":
        await show_contact(ctx, actor, view)
    elif verb == "evidence":
        await send_evidence(ctx, actor, view)
    elif verb == "escalate":
        await escalate_by_hand(ctx, actor, view)
    elif verb == "consult":
        await start_consultation(ctx, view)
    else:
        await start_form(ctx, actor, view, verb)


def parse(ctx: Context) -> tuple[int, str]:
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
        return callbacks.parse_id(raw_id), verb
    except callbacks.CallbackDataError:
        log.warning("refused case button with no case id from user %s", ctx.event.user_id)
        raise Stale(NO_CASE) from None


async def accept(ctx: Context, actor: Actor, view: CaseView) -> None:
    case = view.case
    if actor.staff is None or actor.staff.id is None:
        raise NotAllowed(N_("Join as staff (/join) before taking cases."))
    if case.assignee_id is not None:
        raise Stale(N_("This case has already been taken; nothing changed."))
    before = {"status": case.status, "assignee": None}
    case.assignee_id = actor.staff.id
    if case.status in (CaseStatus.RECEIVED, CaseStatus.REOPENED):
        case.status = CaseStatus.IN_PROGRESS
    ctx.session.add(case)
    after = {"status": case.status, "assignee": actor.staff.id}
    await record_change(ctx, actor, case, "accepted", before, after)
    view = replace(view, case=case, assignee=actor.staff)
    await refresh_alert(ctx, view)
    await tell_worker(
        ctx,
        case,
        N_(
            "Your case {number} has been taken up by {department}. {officer} is handling it "
            "and may contact you."
        ),
        department=lambda _: escape(department_name(view.department, _.language)),
        officer=escape(actor.name),
    )
    ctx.answer(ctx._("You have taken case {number}.").format(number=case.number))


async def show_contact(ctx: Context, actor: Actor, view: CaseView) -> None:
    """The worker's full contact, privately, and on the record: every view is an event."""
    case = view.case
    _ = translator(ctx.config.default_language)
    await add_case_event(
        ctx.session, case, actor=actor.label, kind="contact_viewed", at=ctx.now, data={}
    )
    text = _("Contact for case {number}: {name}, {phone}").format(
        number=case.number,
        name=escape(case.reporter_name),
        phone=format_phone(case.reporter_phone),
    )
    chat = actor.staff.chat_id if actor.staff else actor.user_id
    ctx.send(SendMessage(chat, text, private=True))
    ctx.answer(ctx._("I have sent you the contact in a private message."))


async def escalate_by_hand(ctx: Context, actor: Actor, view: CaseView) -> None:
    if view.case.escalated_at is not None:
        raise Stale(N_("This case has already been escalated; nothing changed."))
    await escalate(ctx, view, ["manual"], actor.label)
    ctx.answer(ctx._("Case {number} was escalated to the leads.").format(number=view.case.number))

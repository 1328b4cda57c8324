"""A scheduled consultation: the worker's invitation and answer, and the reminders.

The worker is asked whether they will attend (``cons:<id>:yes|no``); only the case's own
worker can answer. The worker and the department chat are reminded the day before and two
hours before; the department's reminders carry the button that records the outcome.
"""

import logging
from typing import Any

from handlers import callbacks
from handlers.case_card import OPEN_STATUSES, CaseView, load_case
from handlers.context import Context, Keyboard, Unit
from handlers.domain.consultations import DAY_BEFORE, TWO_HOURS, ConsultationRecord
from handlers.domain.errors import NotAllowed, Stale
from handlers.domain.permissions import StaffMember
from handlers.formatting import N_
from handlers.i18n import Translator, translator
from handlers.meeting_time import format_when
from handlers.notify import to_worker
from handlers.replies import Button, SendMessage, escape
from handlers.staff.actor import actor_of
from handlers.staff.consultation_card import consultation_details
from handlers.staff.consultation_outcome import begin_outcome
from handlers.staff.worker_answer import ensure_own_worker, pressed_consultation, record_answer
from storage.models import Consultation, DueTask

__all__ = ["CONSULT", "DAY_BEFORE", "TWO_HOURS", "invite"]

log = logging.getLogger(__name__)

CONSULT = "cons"
Meeting = Consultation | ConsultationRecord
"""A consultation as its row (the reminders read it) or as scheduled (the invitation)."""


async def invite(
    ctx: Context, staff: StaffMember, view: CaseView, consultation: ConsultationRecord
) -> bool:
    """Invite the worker and tell the department; whether the worker could be invited in
    chat."""
    case = view.case
    invited = await to_worker(ctx, case, lambda _: invitation(ctx, consultation, case.number, _))
    _ = translator(ctx.config.default_language)
    head = _("🤝 Seven-party consultation on case {number}, scheduled by {name}.").format(
        number=case.number, name=escape(staff.name)
    )
    body = consultation_details(
        ctx, consultation.scheduled_at, consultation.place, consultation.parties, _
    )
    ctx.send(
        SendMessage(
            view.department.chat_id, f"{head}\n\n{body}\n\n{attendance(_, consultation, invited)}"
        )
    )
    return invited


def invitation(
    unit: Unit, consultation: Meeting, number: str, _: Translator
) -> tuple[str, Keyboard]:
    text = _(
        "🤝 You are invited to a seven-party consultation on your case {number}.\n\n"
        "{details}\n\n"
        "The departments, the employer, the contractors and the workers meet to settle the "
        "facts and agree how and when you will be paid. Will you attend?"
    ).format(number=number, details=worker_details(unit, consultation, _))
    return text, attendance_buttons(consultation, _)


def worker_details(unit: Unit, consultation: Meeting, _: Translator) -> str:
    return consultation_details(
        unit, consultation.scheduled_at, consultation.place, consultation.parties, _, contacts=False
    )


def attendance_buttons(consultation: Meeting, _: Translator) -> Keyboard:
    def button(label: str, answer: str) -> Button:
        return Button(label, callbacks.pack(CONSULT, consultation.id or 0, answer))

    return ((button(_("✅ I will attend"), "yes"), button(_("❌ I cannot attend"), "no")),)


def outcome_button(consultation: Meeting, _: Translator) -> Button:
    data = callbacks.pack(CONSULT, consultation.id or 0, "outcome")
    return Button(_("📋 Record the outcome"), data)


def attendance(_: Translator, consultation: Meeting, on_telegram: bool) -> str:
    """The worker's answer, as the department reads it."""
    if not on_telegram:
        return _(
            "The worker cannot be reached in chat (not on Telegram, or blocked the bot): please "
            "invite them by phone."
        )
    if consultation.worker_attends is None:
        return _("The worker has not answered the invitation yet.")
    if consultation.worker_attends:
        return _("The worker will attend.")
    return _("The worker cannot attend.")


async def on_consultation_press(ctx: Context) -> None:
    """The worker answers the invitation; staff press "Record the outcome" on a reminder."""
    consultation, verb = await pressed(ctx)
    view = await load_case(ctx.session, consultation.case_id, lock=True)
    assert view is not None
    if verb == "outcome":
        await begin_outcome(ctx, await actor_of(ctx), view, consultation)
        return
    ensure_own_worker(ctx, view.case)
    if consultation.outcome_at is not None or consultation.scheduled_at <= ctx.now:
        raise Stale(N_("This consultation has already taken place."))
    await record_attendance(ctx, view, consultation, verb == "yes")


async def pressed(ctx: Context) -> tuple[Consultation, str]:
    consultation, verb = await pressed_consultation(ctx, CONSULT)
    if consultation is None or verb not in ("yes", "no", "outcome"):
        log.warning(
            "refused consultation button %r from user %s",
            ctx.event.callback_data,
            ctx.event.user_id,
        )
        raise NotAllowed(N_("This button is not valid."))
    return consultation, verb


async def record_attendance(
    ctx: Context, view: CaseView, consultation: Consultation, attends: bool
) -> None:
    before = consultation.worker_attends
    if not await record_answer(
        ctx, view.case, consultation, "consultation_attendance", before, attends
    ):
        return
    consultation.worker_attends = attends
    ctx.session.add(consultation)
    if attends:
        ctx.reply(ctx._("Thank you. We have told the department that you will attend."))
    else:
        ctx.reply(
            ctx._(
                "Thank you. We have told the department that you cannot attend; they may "
                "contact you about another time."
            )
        )
    _ = translator(ctx.config.default_language)
    when = format_when(consultation.scheduled_at, ctx.config.zone, _)
    message = (
        _("🤝 Case {number}: the worker will attend the consultation on {when}.")
        if attends
        else _("🤝 Case {number}: the worker cannot attend the consultation on {when}.")
    )
    ctx.send(
        SendMessage(view.department.chat_id, message.format(number=view.case.number, when=when))
    )


async def remind_the_day_before(unit: Unit, task: DueTask) -> None:
    await remind(
        unit,
        task.data,
        worker=N_("⏰ Reminder: the seven-party consultation on your case {number} is tomorrow."),
        department=N_("⏰ Tomorrow: seven-party consultation on case {number}."),
    )


async def remind_two_hours_before(unit: Unit, task: DueTask) -> None:
    await remind(
        unit,
        task.data,
        worker=N_(
            "⏰ Reminder: the seven-party consultation on your case {number} starts in two hours."
        ),
        department=N_("⏰ In two hours: seven-party consultation on case {number}."),
    )


async def remind(unit: Unit, data: dict[str, Any], *, worker: str, department: str) -> None:
    """Remind both sides, unless the consultation or its case is gone or finished."""
    consultation = await unit.session.get(Consultation, data.get("consultation", 0))
    if consultation is None or consultation.outcome_at is not None:
        return
    view = await load_case(unit.session, consultation.case_id)
    if view is None or view.case.status not in OPEN_STATUSES:
        return
    number = view.case.number

    def for_worker(_: Translator) -> tuple[str, Keyboard]:
        text = _(worker).format(number=number) + "\n\n" + worker_details(unit, consultation, _)
        asked = consultation.worker_attends is None
        return text, attendance_buttons(consultation, _) if asked else ()

    on_telegram = await to_worker(unit, view.case, for_worker)
    _ = translator(unit.config.default_language)
    details = consultation_details(
        unit, consultation.scheduled_at, consultation.place, consultation.parties, _
    )
    text = "\n\n".join(
        (_(department).format(number=number), details, attendance(_, consultation, on_telegram))
    )
    unit.send(SendMessage(view.department.chat_id, text, ((outcome_button(consultation, _),),)))

"""Recording what a consultation agreed: the amount, the payment deadline, notes.

Staff start it with ``/outcome NUMBER`` or the button on a consultation reminder once the
meeting time has come; the form runs in their private chat (``flow = consultation_outcome``).
The deadline becomes a payment check that asks the worker whether the money arrived.
"""

from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from handlers.case_card import CaseView, load_case
from handlers.context import Context
from handlers.domain.consultations import LONGEST_WAIT, TOO_FAR_AHEAD
from handlers.domain.errors import Stale
from handlers.domain.ids import ConsultationId
from handlers.explanations import TYPE_OR_PRESS, explain
from handlers.formatting import N_, format_amount, yuan_to_fen
from handlers.i18n import Translator
from handlers.meeting_time import format_day, format_when, parse_when, pressed_date
from handlers.notify import to_worker
from handlers.parsing import ParseError, parse_amount, parse_free_text
from handlers.replies import Button, SendMessage, escape
from handlers.staff.actor import Actor, actor_of, ensure_can_act, ensure_staff
from handlers.staff.private_form import PrivateForm, close_form, closed_if_refused, staff_translator
from handlers.usecases.record_outcome import ALREADY_RECORDED, Outcome, record_outcome
from storage.conversations import save_conversation
from storage.models import Case, Consultation

__all__ = ["FLOW", "begin_outcome"]

FLOW = "consultation_outcome"
DEADLINE_CHOICES = (7, 14, 30)
"""Payment deadlines offered as buttons, in days from today."""
FORM = PrivateForm(FLOW, prefix="conso")
button = FORM.button


async def outcome_command(ctx: Context) -> None:
    actor = await actor_of(ctx)
    ensure_staff(actor)
    number = ctx.event.args.strip().upper()
    case = (await ctx.session.exec(select(Case).where(Case.number == number))).first()
    if case is None or case.id is None:
        ctx.reply(
            ctx._("Which case? Send /outcome with the case number, e.g. /outcome DX-2026-000042.")
        )
        return
    view = await load_case(ctx.session, case.id, lock=True)
    assert view is not None
    statement = (
        select(Consultation)
        .where(col(Consultation.case_id) == case.id, col(Consultation.outcome_at).is_(None))
        .order_by(col(Consultation.scheduled_at))
    )
    await begin_outcome(ctx, actor, view, (await ctx.session.exec(statement)).first())


async def begin_outcome(
    ctx: Context, actor: Actor, view: CaseView, consultation: Consultation | None
) -> None:
    """Open the form, if ``actor`` may act on the case and the meeting has taken place."""
    ensure_can_act(actor, view.case)
    number = view.case.number
    if consultation is None:
        raise Stale(
            N_("No consultation on case {number} is waiting for its outcome."), number=number
        )
    if consultation.outcome_at is not None:
        raise Stale(ALREADY_RECORDED)
    if consultation.scheduled_at > ctx.now:
        raise Stale(
            N_("The consultation on case {number} is on {when}; record its outcome after it."),
            number=number,
            when=format_when(consultation.scheduled_at, ctx.config.zone, ctx._),
        )
    data = {"consultation": consultation.id, "number": number}
    chat = await FORM.open(ctx, actor, "amount", data)
    ask(ctx, chat, "amount", data)


def ask(ctx: Context, chat: int, step: str, data: dict[str, Any], problem: str = "") -> None:
    _ = staff_translator(ctx)
    rows: list[tuple[Button, ...]] = []
    if step == "amount":
        text = _(
            "What did the consultation on case {number} agree? Type the amount to be paid, in "
            "yuan (e.g. 150000 or 15万), or tap “No agreement”."
        ).format(number=data["number"])
        rows.append((button(_("No agreement reached"), step, "none"),))
    elif step == "due":
        text = _("By what date must it be paid? Choose, or type a date (e.g. 2026-12-20).")
        today = ctx.local_now.date()
        days = [today + timedelta(days=n) for n in DEADLINE_CHOICES]
        rows.append(tuple(button(format_day(d, _), step, d.strftime("%Y%m%d")) for d in days))
    elif step == "notes":
        text = _("Any notes on what was agreed? Type them, or skip.")
        rows.append((button(_("Skip"), step, "skip"),))
    else:
        text = review(ctx, data, _)
        rows.append((button(_("✅ Record the outcome"), step, "ok"),))
    FORM.send_question(ctx, chat, step, text, rows, back=step != "amount", problem=problem)


def review(ctx: Context, data: dict[str, Any], _: Translator) -> str:
    head = "<b>" + _("Outcome of the consultation on case {number}") + "</b>"
    return "\n".join([head.format(number=data["number"]), summary(data, _), "", _("Record it?")])


def summary(data: dict[str, Any], _: Translator) -> str:
    if data.get("amount_fen") is None:
        lines = [_("No agreement was reached.")]
    else:
        lines = [
            _("Agreed amount: {amount}").format(amount=format_amount(data["amount_fen"], _)),
            _("To be paid by: {date}").format(date=data["due"]),
        ]
    if data.get("notes"):
        lines.append(_("Notes: {notes}").format(notes=escape(data["notes"])))
    return "\n".join(lines)


async def take(ctx: Context, value: str | None, text: str | None) -> None:
    data, step = ctx.conversation.data, ctx.conversation.step or "amount"
    if value == "back":
        go(ctx, previous(step, data), data)
    elif step == "review" and value == "ok":
        await record(ctx, data)
    else:
        problem = read_answer(ctx, step, data, value, text)
        if problem:
            ask(ctx, ctx.event.chat_id, step, data, problem)
        else:
            go(ctx, following(step, data), data)


def read_answer(
    ctx: Context, step: str, data: dict[str, Any], value: str | None, text: str | None
) -> str | None:
    """Store the answer to ``step`` in ``data``; the problem, if it cannot be taken."""
    _ = staff_translator(ctx)
    try:
        if step == "amount" and value == "none":
            data["amount_fen"] = None
        elif step == "amount" and text is not None:
            data["amount_fen"] = yuan_to_fen(parse_amount(text))
        elif step == "due" and (value or text):
            return read_deadline(ctx, data, value, text)
        elif step == "notes" and value == "skip":
            data["notes"] = None
        elif step == "notes" and text is not None:
            data["notes"] = parse_free_text(text, 2000)
        else:
            return _(TYPE_OR_PRESS)
    except ParseError as error:
        return explain(_, "amount" if step == "amount" else "text", error)
    return None


def read_deadline(
    ctx: Context, data: dict[str, Any], value: str | None, text: str | None
) -> str | None:
    _ = staff_translator(ctx)
    today = ctx.local_now.date()
    try:
        day = pressed_date(value) if value else parse_when(text or "", today).day
    except ParseError:
        day = None
    if day is None:
        return _("I could not read a date. Examples: 2026-12-20, 12月20日, next Friday.")
    if day < today:
        return _("That date has passed. Please give a date from today on.")
    if day > today + LONGEST_WAIT:
        return _(TOO_FAR_AHEAD)
    data["due"] = day.isoformat()
    return None


def following(step: str, data: dict[str, Any]) -> str:
    if step == "amount":
        return "notes" if data.get("amount_fen") is None else "due"
    return {"due": "notes", "notes": "review"}[step]


def previous(step: str, data: dict[str, Any]) -> str:
    if step == "notes":
        return "amount" if data.get("amount_fen") is None else "due"
    return {"review": "notes", "due": "amount"}.get(step, "amount")


def go(ctx: Context, step: str, data: dict[str, Any]) -> None:
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=FLOW, step=step, data=data)
    ask(ctx, ctx.event.chat_id, step, data)


async def record(ctx: Context, data: dict[str, Any]) -> None:
    """Record it if the presser still may, then tell both sides."""
    amount_fen = data.get("amount_fen")
    request = Outcome(
        ConsultationId(data["consultation"]),
        amount_fen,
        date.fromisoformat(data["due"]) if amount_fen is not None else None,
        data.get("notes"),
        ctx.now,
        ctx.config.zone,
    )
    actor = await actor_of(ctx)
    ports = ctx.ports
    with closed_if_refused(ctx):
        recorded = await record_outcome(
            actor, request, cases=ports.cases, consultations=ports.consultations, trail=ports.trail
        )
    view = await load_case(ctx.session, recorded.case.id)
    assert view is not None
    await tell_worker_outcome(ctx, view, data)
    _ = staff_translator(ctx)
    head = _("📋 Outcome of the consultation on case {number}, recorded by {name}:").format(
        number=view.case.number, name=escape(actor.name)
    )
    ctx.send(SendMessage(view.department.chat_id, f"{head}\n{summary(data, _)}"))
    close_form(ctx, _("Recorded. The worker and the department have been told."))


async def tell_worker_outcome(ctx: Context, view: CaseView, data: dict[str, Any]) -> None:
    number, amount_fen = view.case.number, data.get("amount_fen")

    def message(_: Translator) -> tuple[str, tuple[()]]:
        if amount_fen is None:
            text = _(
                "📋 The consultation on your case {number} ended without an agreement. The "
                "department keeps working on your case and will tell you what happens next."
            ).format(number=number)
        else:
            text = _(
                "📋 The consultation on your case {number} agreed that you will be paid "
                "{amount} by {date}. On that day we will ask you whether the money has arrived."
            ).format(number=number, amount=format_amount(amount_fen, _), date=data["due"])
        return text, ()

    await to_worker(ctx, view.case, message)

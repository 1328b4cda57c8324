"""On the payment deadline agreed at a consultation, ask the worker whether the money arrived.

The answer is recorded on the case and the department is told. What a "not yet" leads to
(reopening the case) belongs to the return-visit work; here it is recorded and reported.
"""

import logging

from sqlmodel import col, select

from handlers import callbacks
from handlers.case_card import load_case
from handlers.context import Context, Keyboard, Unit
from handlers.domain.consultations import PAYMENT_CHECK
from handlers.domain.errors import NotAllowed, Stale
from handlers.formatting import N_, format_amount
from handlers.i18n import Translator, translator
from handlers.notify import to_worker
from handlers.replies import Button, SendMessage
from handlers.staff.worker_answer import ensure_own_worker, pressed_consultation, record_answer
from handlers.surveys.consequences import reopen_case
from storage.models import CaseEvent, CaseStatus, Consultation, DueTask

__all__ = ["PAYMENT_CHECK"]

log = logging.getLogger(__name__)

PREFIX = "paycheck"
REOPEN_AS = {"part": "partly", "no": "none"}
"""A resolved case whose agreed money did not (all) arrive goes back to work, as after a
return visit answered the same way."""
CHOICES = {"yes": N_("✅ Yes, all of it"), "part": N_("➗ Only part"), "no": N_("❌ Not yet")}
REPORTS = {
    "yes": N_(
        "💰 Case {number}: the worker says the money agreed at the consultation has arrived."
    ),
    "part": N_(
        "💰 Case {number}: the worker says only part of the money agreed at the consultation "
        "has arrived."
    ),
    "no": N_(
        "💰 Case {number}: the worker says the money agreed at the consultation has not arrived."
    ),
}


async def ask_about_payment(unit: Unit, task: DueTask) -> None:
    consultation = await unit.session.get(Consultation, task.data.get("consultation", 0))
    if consultation is None or consultation.payment_due is None:
        return
    view = await load_case(unit.session, consultation.case_id)
    if view is None or view.case.status == CaseStatus.REJECTED:
        return
    amount_fen, payment_due = consultation.agreed_amount_fen or 0, consultation.payment_due

    def question(_: Translator) -> tuple[str, Keyboard]:
        text = _(
            "💰 The consultation on your case {number} agreed that {amount} would be paid to "
            "you by {date}. Has the agreed money arrived?"
        ).format(
            number=view.case.number,
            amount=format_amount(amount_fen, _),
            date=payment_due.isoformat(),
        )
        return text, (tuple(answer_button(consultation, key, _) for key in CHOICES),)

    asked = await to_worker(unit, view.case, question)
    _ = translator(unit.config.default_language)
    if asked:
        text = _(
            "💰 Case {number}: the payment agreed at the consultation ({amount}) was due on "
            "{date}. The worker has been asked whether it arrived."
        )
    else:
        text = _(
            "💰 Case {number}: the payment agreed at the consultation ({amount}) was due on "
            "{date}. The worker cannot be reached in chat (not on Telegram, or blocked the bot): "
            "please call them to check."
        )
    values = {"amount": format_amount(amount_fen, _), "date": payment_due.isoformat()}
    unit.send(SendMessage(view.department.chat_id, text.format(number=view.case.number, **values)))


def answer_button(consultation: Consultation, key: str, _: Translator) -> Button:
    return Button(_(CHOICES[key]), callbacks.pack(PREFIX, consultation.id or 0, key))


async def on_payment_answer(ctx: Context) -> None:
    """Only the case's own worker answers; the same answer twice is recorded once."""
    consultation, answer = await pressed_consultation(ctx, PREFIX)
    if consultation is None or answer not in CHOICES:
        log.warning("refused payment check button from user %s", ctx.event.user_id)
        raise NotAllowed(N_("This button is not valid."))
    view = await load_case(ctx.session, consultation.case_id, lock=True)
    assert view is not None
    ensure_own_worker(ctx, view.case)
    if consultation.payment_due is None:
        raise Stale(N_("This button is no longer active."))
    before = await last_answer(ctx, consultation)
    if not await record_answer(ctx, view.case, consultation, PAYMENT_CHECK, before, answer):
        return
    if answer != "yes" and view.case.status == CaseStatus.RESOLVED:
        await reopen_case(ctx, view, REOPEN_AS[answer], f"worker:{ctx.event.user_id}")
        return
    if answer == "yes":
        ctx.reply(ctx._("Thank you! We are glad the money has arrived."))
    else:
        ctx.reply(
            ctx._("Thank you for telling us. The department has been told and will follow up.")
        )
    _ = translator(ctx.config.default_language)
    report = _(REPORTS[answer]).format(number=view.case.number)
    ctx.send(SendMessage(view.department.chat_id, report))
    lead_chat = ctx.config.routing.lead_chat_for(view.case.county)
    if answer != "yes" and lead_chat is not None:
        ctx.send(SendMessage(lead_chat, report))


async def last_answer(ctx: Context, consultation: Consultation) -> str | None:
    statement = (
        select(CaseEvent)
        .where(col(CaseEvent.case_id) == consultation.case_id, CaseEvent.kind == PAYMENT_CHECK)
        .order_by(col(CaseEvent.id).desc())
    )
    for event in (await ctx.session.exec(statement)).all():
        if event.data.get("consultation") == consultation.id:
            answer: str | None = event.data.get("after")
            return answer
    return None

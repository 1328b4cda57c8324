"""A worker's rights over their data (PIPL arts. 44–47): ``/mydata`` sends them a copy of all
the bot holds about them; ``/deletemydata`` (after a confirmation) deletes what no open case
needs and says what was kept and why.

The copy is a plain text file in the worker's language, readable on any phone. It is an upload,
so the outbox forgets it once delivered. Neither command writes personal data to the log or the
audit trail: the log names the worker's row, the trail holds counts.
"""

import logging
from datetime import datetime
from typing import Any

from handlers import callbacks
from handlers.case_card import OUTCOME_NAMES
from handlers.context import Context
from handlers.domain.errors import NotAllowed, Stale
from handlers.formatting import N_, STATUS_NAMES, department_name, format_amount
from handlers.i18n import Translator
from handlers.menu import main_menu_buttons
from handlers.parsing import format_phone
from handlers.replies import Button, SendDocument, Upload, plain
from handlers.report_arrears.flow import FLOW as REPORT
from handlers.report_arrears.steps import STEPS
from handlers.staff.timeline import KINDS
from handlers.surveys.record import worker_actor
from storage.conversations import save_conversation
from storage.models import VisitBooking, Worker
from storage.personal_data import HeldCase, erase_worker_data, held_cases, visits_of
from storage.retention import forget_chat

__all__ = ["PREFIX"]

log = logging.getLogger(__name__)

PREFIX = "mydata"
"""Buttons of the deletion's confirmation: ``mydata:yes`` and ``mydata:no``."""
PRIVATE_ONLY = N_("Please send this command in a private chat with the bot.")
NONE = N_("none")


async def send_my_data(ctx: Context) -> None:
    worker = private_worker(ctx)
    assert worker.id is not None
    cases = await held_cases(ctx.session, worker.id)
    visits = await visits_of(ctx.session, worker.id)
    text = "\n".join(document(ctx, worker, cases, visits)) + "\n"
    day = ctx.local_now.date().isoformat()
    upload = Upload(f"my-data-{day}.txt", text.encode("utf-8"))
    caption = ctx._("Everything the bot holds about you. To delete it, send /deletemydata.")
    ctx.send(SendDocument(ctx.event.chat_id, upload, caption))
    log.info("sent worker %s a copy of their data (%s cases)", worker.id, len(cases))


async def ask_to_delete(ctx: Context) -> None:
    private_worker(ctx)
    _ = ctx._
    ctx.reply(
        _(
            "Delete your data? Your closed cases lose your name, phone, what happened and "
            "evidence files; your draft report, past visit bookings and (with no case open) "
            "your name and phone are deleted. Figures without your name stay. An open case is "
            "kept until it is closed, then anonymised."
        ),
        (
            (
                Button(_("🗑 Yes, delete my data"), callbacks.pack(PREFIX, "yes")),
                Button(_("↩️ No, keep it"), callbacks.pack(PREFIX, "no")),
            ),
        ),
    )


async def on_confirmation(ctx: Context) -> None:
    worker = private_worker(ctx)
    try:
        (answer,) = callbacks.unpack(ctx.event.callback_data, prefix=PREFIX, size=1)
    except callbacks.CallbackDataError:
        answer = ""
    if answer not in ("yes", "no"):
        log.warning("refused malformed callback data from user %s", ctx.event.user_id)
        raise Stale(N_("This button is no longer active."))
    _ = ctx._
    ctx.answer()
    if answer == "no":
        ctx.reply(_("Nothing was deleted."), main_menu_buttons(ctx))
        return
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
    erasure = await erase_worker_data(ctx.session, worker, worker_actor(ctx), ctx.now)
    await forget_chat(ctx.session, ctx.event.chat_id, ctx.now)
    log.info("deleted the data of worker %s on their request", worker.id)
    lines = [
        _(
            "Your data is deleted: your draft, the bot's copies of this chat's messages (the chat "
            "on your phone stays), past visit bookings deleted: {visits}, closed cases "
            "anonymised: {cases}."
        ).format(visits=erasure.visits_deleted, cases=erasure.anonymised)
    ]
    if erasure.open_numbers:
        lines.append(
            _(
                "Kept: your open cases {numbers}, with your name and phone, because the "
                "department needs them to get your wages paid. Each is anonymised once it is "
                "closed."
            ).format(numbers=", ".join(erasure.open_numbers))
        )
    if erasure.visits_kept:
        lines.append(
            _(
                "Kept: visit bookings still to come ({count}), so that the reception point "
                "expects you. Cancel them with the buttons of the booking if you will not go."
            ).format(count=erasure.visits_kept)
        )
    ctx.reply("\n\n".join(lines), main_menu_buttons(ctx))


def private_worker(ctx: Context) -> Worker:
    if not ctx.event.is_private or ctx.worker is None:
        raise NotAllowed(PRIVATE_ONLY)
    return ctx.worker


def document(
    ctx: Context, worker: Worker, cases: list[HeldCase], visits: list[VisitBooking]
) -> list[str]:
    """The copy, section by section: the worker, each case, the draft, visit bookings."""
    _ = ctx._
    lines = [
        _("What the bot holds about you"),
        _("Made on {time}").format(time=when(ctx, ctx.now)),
        "",
        "== " + _("You") + " ==",
        line(_, N_("Name"), worker.name),
        line(_, N_("Phone"), format_phone(worker.phone) if worker.phone else None),
        line(_, N_("Language"), worker.language),
        line(_, N_("First contact"), when(ctx, worker.created_at)),
    ]
    for held in cases:
        lines += ["", "== " + _("Case {number}").format(number=held.case.number) + " =="]
        lines += case_lines(ctx, held)
    if ctx.conversation.flow == REPORT:
        answers: dict[str, Any] = ctx.conversation.data.get("answers", {})
        lines += ["", "== " + _("Report in progress") + " =="]
        lines += [line(_, step.label, plain(step.show(ctx, answers))) for step in STEPS]
    lines += ["", "== " + _("Visit bookings") + " =="]
    lines += [f"- {when(ctx, v.slot_at)} · {v.point} · {v.status}" for v in visits] or [_(NONE)]
    return lines


def case_lines(ctx: Context, held: HeldCase) -> list[str]:
    _, case = ctx._, held.case
    outcome = _(OUTCOME_NAMES[case.outcome]) if case.outcome in OUTCOME_NAMES else case.outcome
    lines = [
        line(_, N_("Status"), _(STATUS_NAMES[case.status])),
        line(_, N_("Department"), department_name(held.department, ctx.language)),
        line(_, N_("Reported on"), when(ctx, case.created_at)),
        line(_, N_("Name"), case.reporter_name),
        line(_, N_("Phone"), format_phone(case.reporter_phone) if case.reporter_phone else None),
        line(_, N_("Employer"), case.employer),
        line(_, N_("Project"), case.project),
        line(_, N_("Site"), case.site_address),
        line(_, N_("Amount owed"), format_amount(case.amount_fen, _)),
        line(_, N_("Workers owed"), case.workers_owed),
        line(_, N_("Owed since"), case.owed_since.isoformat()),
        line(_, N_("What happened"), case.account),
        line(_, N_("Outcome"), outcome),
        line(_, N_("Closed on"), case.resolved_at and when(ctx, case.resolved_at)),
        line(_, N_("Anonymised on"), case.anonymised_at and when(ctx, case.anonymised_at)),
        _("Evidence files") + ":",
    ]
    lines += [
        f"- {when(ctx, a.created_at)} · {a.kind} · {a.file_name or a.role}"
        for a in held.attachments
    ] or ["- " + _(NONE)]
    lines.append(_("Surveys") + ":")
    lines += [
        f"- {s.kind} · {s.status} · "
        + " · ".join(
            (
                line(_, N_("Paid"), s.paid),
                line(_, N_("Rating"), s.rating),
                line(_, N_("Comment"), s.comment),
            )
        )
        for s in held.surveys
    ] or ["- " + _(NONE)]
    lines.append(_("Timeline") + ":")
    lines += [
        f"- {when(ctx, e.created_at)} · " + (_(KINDS[e.kind]) if e.kind in KINDS else e.kind)
        for e in held.events
    ]
    return lines


def line(_: Translator, label: str, value: object) -> str:
    """``Label: value``; an empty or erased value is shown as none."""
    shown = _(NONE) if value is None or value == "" else str(value)
    return f"{_(label)}: {shown}"


def when(ctx: Context, moment: datetime) -> str:
    return moment.astimezone(ctx.config.zone).strftime("%Y-%m-%d %H:%M")

"""A worker books a visit to a reception point (约访): point, day, time, confirm; and can
cancel it from the confirmation or the reminder, until it begins.

Every button carries the choices made so far (``visit:s:<point>:<YYYYMMDDHHMM>``), so the
booking needs no conversation state and a back button is simply the previous screen; the
choices are checked again at each press. Opening hours in the routing file are free text, so
slots are the usual public-office hours on working days (``handlers.domain.visits``). The
point's staff chat hears of each booking and each cancellation. This module reads the presses
and draws the screens; the booking and the cancelling are ``handlers.usecases``.
"""

import logging
from collections.abc import Sequence
from datetime import datetime

from handlers import callbacks
from handlers.context import Context, Keyboard, Unit
from handlers.domain.errors import Stale
from handlers.domain.visits import (
    NOT_OFFERED,
    AlreadyBooked,
    ShareUsed,
    SlotFull,
    Visit,
    day_slots,
    offered_days,
)
from handlers.formatting import N_
from handlers.i18n import Translator, translator
from handlers.meeting_time import format_day, format_when, pressed_date
from handlers.menu import VISIT, main_menu_buttons
from handlers.notify import reach
from handlers.parsing import mask_phone
from handlers.replies import Button, SendMessage, escape
from handlers.routing import ReceptionPoint
from handlers.usecases.book_visit import BookVisit, book_visit, ensure_free_to_book, open_slots
from handlers.usecases.cancel_visit import CancelVisit, cancel_visit, cancellable_visit
from handlers.usecases.remind_visit import REMINDER, visit_to_remind
from storage.models import DueTask, Worker

__all__ = ["REMINDER"]

log = logging.getLogger(__name__)

SIZES = {"start": 1, "x": 1, "p": 2, "d": 3, "s": 3, "ok": 3, "c": 2, "cc": 2, "k": 2}
"""How many parts follow the prefix, by verb."""
CANCELLING = ("c", "cc", "k")
"""Ask to cancel a booking, cancel it, keep it: each followed by the booking's id."""
BOOKED_NOTICE = N_("📅 Visit booked at {point}: {when}.\nWorker: {name}, phone {phone}.")
CANCELLED_NOTICE = N_("📅 Visit cancelled at {point}: {when}.\nWorker: {name}, phone {phone}.")


def button(text: str, *parts: str) -> Button:
    return Button(text, callbacks.pack(VISIT, *parts))


async def on_visit_press(ctx: Context) -> None:
    verb, *values = pressed(ctx)
    if verb in CANCELLING:
        await on_cancel_press(ctx, verb, await own_visit(ctx, values[0]))
        return
    point = point_of(ctx, values[0]) if values else None
    ctx.answer()
    if point is None:
        if verb == "start":
            choose_point(ctx)
        else:
            ctx.reply(ctx._("No visit was booked."), main_menu_buttons(ctx))
    elif verb == "p":
        if not await holds_their_share(ctx, point):
            choose_day(ctx, point)
    elif verb == "d":
        await choose_slot(ctx, point, values[1])
    else:
        slot = slot_of(ctx, values[1])
        if slot is None:
            choose_day(ctx, point, ctx._(NOT_OFFERED))
        elif verb == "s":
            review(ctx, point, slot)
        else:
            await book(ctx, point, slot)


def pressed(ctx: Context) -> tuple[str, ...]:
    """The verb and its values; anything this bot could not have drawn is refused."""
    data = ctx.event.callback_data or ""
    verb = data.split(callbacks.SEPARATOR)[1] if data.count(callbacks.SEPARATOR) else ""
    try:
        if ctx.worker is None or verb not in SIZES:
            raise callbacks.CallbackDataError(data)
        return callbacks.unpack(data, prefix=VISIT, size=SIZES[verb])
    except callbacks.CallbackDataError:
        log.warning("refused visit button %r from user %s", data, ctx.event.user_id)
        raise Stale(N_("This button is no longer active.")) from None


def point_of(ctx: Context, code: str) -> ReceptionPoint:
    point = ctx.config.routing.reception_point(code)
    if point is None:
        raise Stale(N_("This button is no longer active."))
    return point


async def own_visit(ctx: Context, value: str) -> Visit:
    """The pressing worker's visit, still booked and still ahead, held for this press."""
    try:
        visit_id = callbacks.parse_id(value)
    except callbacks.CallbackDataError:
        raise Stale(N_("This button is no longer active.")) from None
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    return await cancellable_visit(worker.id, CancelVisit(visit_id, ctx.now), ctx.ports.visits)


async def on_cancel_press(ctx: Context, verb: str, visit: Visit) -> None:
    point = point_of(ctx, visit.point)
    ctx.answer()
    yours = ctx._("your visit to {point} on {when}").format(
        point=escape(point.name(ctx.language)),
        when=format_when(visit.slot_at, ctx.config.zone, ctx._),
    )
    if verb == "c":
        choice = (
            button(ctx._("Yes, cancel it"), "cc", str(visit.id)),
            button(ctx._("Keep it"), "k", str(visit.id)),
        )
        ctx.reply(ctx._("Cancel {visit}?").format(visit=yours), (choice,))
    elif verb == "k":
        ctx.reply(
            ctx._("Nothing changed: {visit} stays booked.").format(visit=yours),
            main_menu_buttons(ctx),
        )
    else:
        # The visit was read (and its point checked) before anything changes; the use case
        # checks it again as any door's cancelling would.
        worker = ctx.worker
        assert worker is not None and worker.id is not None
        request = CancelVisit(visit.id, ctx.now)
        await cancel_visit(worker.id, request, ctx.ports.visits, ctx.ports.due)
        tell_point(ctx, point, worker, visit.slot_at, CANCELLED_NOTICE)
        text = ctx._("Done: {visit} is cancelled.").format(visit=yours)
        ctx.reply(text, main_menu_buttons(ctx))


def cancel_button(_: Translator, visit: Visit) -> Button:
    return button(_("✖ Cancel this visit"), "c", str(visit.id))


def offered_day_values(ctx: Context) -> list[str]:
    """The days offered now, as their buttons carry them (``YYYYMMDD``)."""
    return [day.strftime("%Y%m%d") for day in offered_days(ctx.local_now.date())]


def slot_of(ctx: Context, value: str) -> datetime | None:
    """The slot a button names (``YYYYMMDDHHMM``), if it is still one the bot would offer."""
    offered = (
        slot
        for day in offered_days(ctx.local_now.date())
        for slot in day_slots(day, ctx.config.zone)
    )
    return next((slot for slot in offered if slot.strftime("%Y%m%d%H%M") == value), None)


def nav(ctx: Context, *back: str) -> tuple[Button, ...]:
    cancel = button(ctx._("✖ Cancel"), "x")
    return (button(ctx._("« Back"), *back), cancel) if back else (cancel,)


def choose_point(ctx: Context) -> None:
    points = ctx.config.routing.reception_points
    rows: list[tuple[Button, ...]] = [
        (button(point.name(ctx.language), "p", point.code),) for point in points
    ]
    text = ctx._(
        "📅 Book a visit to a reception point. Staff there listen to you in person and can "
        "file your case. Which reception point?"
    )
    ctx.reply(text, (*rows, nav(ctx)))


def point_lines(ctx: Context, point: ReceptionPoint) -> str:
    return "\n".join(
        [
            f"<b>{escape(point.name(ctx.language))}</b>",
            escape(point.address(ctx.language)),
            f"☎ {escape(point.phone)} · {escape(point.hours_text(ctx.language))}",
        ]
    )


def choose_day(ctx: Context, point: ReceptionPoint, problem: str = "") -> None:
    days = [
        button(format_day(pressed_date(day), ctx._), "d", point.code, day)
        for day in offered_day_values(ctx)
    ]
    text = point_lines(ctx, point) + "\n\n" + ctx._("Which day?")
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    rows = [tuple(days[i : i + 3]) for i in range(0, len(days), 3)]
    ctx.reply(text, (*rows, nav(ctx, "start")))


async def choose_slot(ctx: Context, point: ReceptionPoint, day: str, problem: str = "") -> None:
    """The day's times that still have room; a full day sends the worker back to the days."""
    if day not in offered_day_values(ctx):
        choose_day(ctx, point, ctx._(NOT_OFFERED))
        return
    date = pressed_date(day)
    free = await open_slots(
        point.code, point.visits_per_slot, date, ctx.config.zone, ctx.ports.visits
    )
    when = format_day(date, ctx._)
    if not free:
        full = ctx._("Every time on {day} is fully booked. Please choose another day.")
        choose_day(ctx, point, full.format(day=when))
        return
    slots = [
        button(start.strftime("%H:%M"), "s", point.code, start.strftime("%Y%m%d%H%M"))
        for start in free
    ]
    text = ctx._("Which time on {day}?").format(day=when)
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    ctx.reply(text, (tuple(slots[:3]), tuple(slots[3:]), nav(ctx, "p", point.code)))


def review(ctx: Context, point: ReceptionPoint, slot: datetime) -> None:
    value = slot.strftime("%Y%m%d%H%M")
    when = format_when(slot, ctx.config.zone, ctx._)
    lines = [ctx._("Please check your visit:"), point_lines(ctx, point), f"🕘 {when}"]
    text = "\n\n".join([*lines, ctx._("Book it?")])
    confirm = (button(ctx._("✅ Book this visit"), "ok", point.code, value),)
    ctx.reply(text, (confirm, nav(ctx, "d", point.code, value[:8])))


async def holds_their_share(ctx: Context, point: ReceptionPoint) -> bool:
    """Whether the worker holds their share at the point already (then they were shown it)."""
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    share = ctx.config.visits_per_worker_per_point
    try:
        await ensure_free_to_book(worker.id, point.code, share, ctx.now, ctx.ports.visits)
    except ShareUsed as used:
        show_share(ctx, point, used.visits, used.share)
        return True
    return False


def show_share(ctx: Context, point: ReceptionPoint, visits: Sequence[Visit], share: int) -> None:
    """A worker who already holds ``VISITS_PER_WORKER_PER_POINT`` upcoming visits at the point
    is shown them, each with its cancel button, instead of booking another: the places are
    shared by everyone, and one person must not be able to take them all."""
    _, zone = ctx._, ctx.config.zone
    whens = [format_when(visit.slot_at, zone, _) for visit in visits]
    rule = _.plural(
        "One person may book {n} upcoming visit at a reception point.",
        "One person may book up to {n} upcoming visits at a reception point.",
        share,
    ).format(n=share)
    text = "\n".join(
        [
            _("📅 You already have a visit booked at {point}:").format(
                point=escape(point.name(ctx.language))
            ),
            *(f"🕘 {when}" for when in whens),
            "",
            rule + " " + _("To book another time, cancel one first."),
        ]
    )
    if len(visits) == 1:
        cancels = [cancel_button(_, visits[0])]
    else:
        cancels = [
            button(_("✖ Cancel {when}").format(when=when), "c", str(visit.id))
            for visit, when in zip(visits, whens, strict=True)
        ]
    ctx.reply(text, (*((b,) for b in cancels), *main_menu_buttons(ctx)))


async def book(ctx: Context, point: ReceptionPoint, slot: datetime) -> None:
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    request = BookVisit(
        point=point.code,
        capacity=point.visits_per_slot,
        share=ctx.config.visits_per_worker_per_point,
        slot=slot,
        now=ctx.now,
        zone=ctx.config.zone,
    )
    try:
        booked = await book_visit(worker.id, request, ctx.ports.visits, ctx.ports.due)
    except AlreadyBooked as refusal:
        ctx.reply(ctx._(refusal.message), main_menu_buttons(ctx))
        return
    except ShareUsed as used:
        show_share(ctx, point, used.visits, used.share)
        return
    except SlotFull as refusal:
        await choose_slot(ctx, point, slot.strftime("%Y%m%d"), ctx._(refusal.message))
        return
    tell_point(ctx, point, worker, slot, BOOKED_NOTICE)
    when = format_when(slot, ctx.config.zone, ctx._)
    text = "\n\n".join(
        [
            ctx._("✅ Your visit is booked."),
            point_lines(ctx, point) + f"\n🕘 {when}",
            ctx._(
                "Please bring any contract, IOU, pay slips or chat records you have. We will "
                "remind you the day before."
            ),
        ]
    )
    ctx.reply(text, ((cancel_button(ctx._, booked.visit),), *main_menu_buttons(ctx)))


def tell_point(
    ctx: Context, point: ReceptionPoint, worker: Worker, slot: datetime, notice: str
) -> None:
    if point.chat_id is None:
        return
    _ = translator(ctx.config.default_language)
    phone = mask_phone(worker.phone) if worker.phone else _("not given")
    text = _(notice).format(
        point=escape(point.name(_.language)),
        when=format_when(slot, ctx.config.zone, _),
        name=escape(worker.name or ctx.event.user_name or "—"),
        phone=phone,
    )
    ctx.send(SendMessage(point.chat_id, text))


async def remind_of_visit(unit: Unit, task: DueTask) -> None:
    visit = await visit_to_remind(task.subject, unit.ports.visits)
    if visit is None:
        return
    worker = await unit.session.get(Worker, visit.worker_id)
    point = unit.config.routing.reception_point(visit.point)
    if worker is None or point is None:
        return

    def reminder(_: Translator) -> tuple[str, Keyboard]:
        return reminder_text(unit, point, visit, _), ((cancel_button(_, visit),),)

    if not await reach(unit, worker, reminder, case=None) and point.chat_id is not None:
        _ = translator(unit.config.default_language)
        text = _(
            "📵 {name}, booked for {when}, cannot be reached in chat: the reminder of the visit "
            "was not sent."
        ).format(
            name=escape(worker.name or "—"), when=format_when(visit.slot_at, unit.config.zone, _)
        )
        unit.send(SendMessage(point.chat_id, text))


def reminder_text(unit: Unit, point: ReceptionPoint, visit: Visit, _: Translator) -> str:
    when = format_when(visit.slot_at, unit.config.zone, _)
    return _(
        "⏰ Reminder: your visit to {point} is tomorrow, {when}.\nAddress: {address}\n☎ {phone}"
    ).format(
        point=escape(point.name(_.language)),
        when=when,
        address=escape(point.address(_.language)),
        phone=escape(point.phone),
    )

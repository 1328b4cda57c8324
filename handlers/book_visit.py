"""A worker books a visit to a reception point (约访): point, day, time, confirm; and can
cancel it from the confirmation or the reminder, until it begins.

Every button carries the choices made so far (``visit:s:<point>:<YYYYMMDDHHMM>``), so the
booking needs no conversation state and a back button is simply the previous screen; the
choices are checked again at each press. Opening hours in the routing file are free text, so
slots are the usual public-office hours on weekdays (``meeting_time.OFFICE_SLOTS``). The point's
staff chat hears of each booking and each cancellation.
"""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel import select

from handlers import callbacks
from handlers.context import Context, Keyboard, Unit
from handlers.errors import Stale
from handlers.formatting import N_
from handlers.i18n import Translator, translator
from handlers.meeting_time import (
    OFFICE_SLOTS,
    format_day,
    format_when,
    pressed_date,
    working_days,
)
from handlers.menu import VISIT, main_menu_buttons
from handlers.notify import reach
from handlers.parsing import mask_phone
from handlers.replies import Button, SendMessage, escape
from handlers.routing import ReceptionPoint
from storage.due import schedule
from storage.models import DueTask, VisitBooking, VisitStatus, Worker
from storage.visits import booked_per_slot, hold_slot, hold_worker_visits, upcoming_visits

__all__ = ["REMINDER"]

log = logging.getLogger(__name__)

REMINDER = "visit_reminder"
DAYS_OFFERED = 5
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
        await on_cancel_press(ctx, verb, await own_booking(ctx, values[0]))
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
            choose_day(ctx, point, ctx._("That time can no longer be booked. Please choose again."))
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


async def own_booking(ctx: Context, value: str) -> VisitBooking:
    """The pressing worker's booking, still booked and still ahead, held for this change."""
    try:
        booking_id = callbacks.parse_id(value)
    except callbacks.CallbackDataError:
        raise Stale(N_("This button is no longer active.")) from None
    booking = await ctx.session.get(VisitBooking, booking_id, with_for_update=True)
    worker = ctx.worker
    if booking is None or worker is None or booking.worker_id != worker.id:
        raise Stale(N_("This button is no longer active."))
    if booking.status != VisitStatus.BOOKED or booking.slot_at <= ctx.now:
        raise Stale(N_("This visit is no longer booked."))
    return booking


async def on_cancel_press(ctx: Context, verb: str, booking: VisitBooking) -> None:
    point = point_of(ctx, booking.point)
    ctx.answer()
    visit = ctx._("your visit to {point} on {when}").format(
        point=escape(point.name(ctx.language)),
        when=format_when(booking.slot_at, ctx.config.zone, ctx._),
    )
    if verb == "c":
        choice = (
            button(ctx._("Yes, cancel it"), "cc", str(booking.id)),
            button(ctx._("Keep it"), "k", str(booking.id)),
        )
        ctx.reply(ctx._("Cancel {visit}?").format(visit=visit), (choice,))
    elif verb == "k":
        ctx.reply(
            ctx._("Nothing changed: {visit} stays booked.").format(visit=visit),
            main_menu_buttons(ctx),
        )
    else:
        booking.status = VisitStatus.CANCELLED
        ctx.session.add(booking)
        assert ctx.worker is not None
        tell_point(ctx, point, ctx.worker, booking.slot_at, CANCELLED_NOTICE)
        text = ctx._("Done: {visit} is cancelled.").format(visit=visit)
        ctx.reply(text, main_menu_buttons(ctx))


def cancel_button(_: Translator, booking: VisitBooking) -> Button:
    return button(_("✖ Cancel this visit"), "c", str(booking.id))


def offered_days(ctx: Context) -> list[str]:
    return [day.strftime("%Y%m%d") for day in working_days(ctx.local_now.date(), DAYS_OFFERED)]


def slot_of(ctx: Context, value: str) -> datetime | None:
    """The slot a button names, if it is still one the bot would offer."""
    starts = {slot.strftime("%H%M"): slot for slot in OFFICE_SLOTS}
    if value[:8] not in offered_days(ctx) or value[8:] not in starts:
        return None
    return datetime.combine(pressed_date(value[:8]), starts[value[8:]], ctx.config.zone)


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
        for day in offered_days(ctx)
    ]
    text = point_lines(ctx, point) + "\n\n" + ctx._("Which day?")
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    rows = [tuple(days[i : i + 3]) for i in range(0, len(days), 3)]
    ctx.reply(text, (*rows, nav(ctx, "start")))


async def choose_slot(ctx: Context, point: ReceptionPoint, day: str, problem: str = "") -> None:
    """The day's times that still have room; a full day sends the worker back to the days."""
    if day not in offered_days(ctx):
        choose_day(ctx, point, ctx._("That time can no longer be booked. Please choose again."))
        return
    date = pressed_date(day)
    starts = [datetime.combine(date, start, ctx.config.zone) for start in OFFICE_SLOTS]
    booked = await booked_per_slot(ctx.session, point.code, starts[0], starts[-1])
    free = [start for start in starts if has_room(point, booked, start)]
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


def has_room(point: ReceptionPoint, booked: Mapping[datetime, int], start: datetime) -> bool:
    return booked.get(start, 0) < point.visits_per_slot


def review(ctx: Context, point: ReceptionPoint, slot: datetime) -> None:
    value = slot.strftime("%Y%m%d%H%M")
    when = format_when(slot, ctx.config.zone, ctx._)
    lines = [ctx._("Please check your visit:"), point_lines(ctx, point), f"🕘 {when}"]
    text = "\n\n".join([*lines, ctx._("Book it?")])
    confirm = (button(ctx._("✅ Book this visit"), "ok", point.code, value),)
    ctx.reply(text, (confirm, nav(ctx, "d", point.code, value[:8])))


async def holds_their_share(ctx: Context, point: ReceptionPoint) -> bool:
    """A worker who already holds ``VISITS_PER_WORKER_PER_POINT`` upcoming visits at the point
    is shown them, each with its cancel button, instead of booking another: the places are
    shared by everyone, and one person must not be able to take them all."""
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    visits = await upcoming_visits(ctx.session, worker.id, point.code, ctx.now)
    share = ctx.config.visits_per_worker_per_point
    if len(visits) < share:
        return False
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
    return True


async def book(ctx: Context, point: ReceptionPoint, slot: datetime) -> None:
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    await hold_worker_visits(ctx.session, worker.id, point.code)
    taken = select(VisitBooking).where(
        VisitBooking.worker_id == worker.id,
        VisitBooking.point == point.code,
        VisitBooking.slot_at == slot,
        VisitBooking.status == VisitStatus.BOOKED,
    )
    if (await ctx.session.exec(taken)).first() is not None:
        ctx.reply(ctx._("You have already booked this visit."), main_menu_buttons(ctx))
        return
    if await holds_their_share(ctx, point):
        return
    await hold_slot(ctx.session, point.code, slot)
    if not has_room(point, await booked_per_slot(ctx.session, point.code, slot, slot), slot):
        gone = ctx._("That time has just been fully booked. Please choose another.")
        await choose_slot(ctx, point, slot.strftime("%Y%m%d"), gone)
        return
    booking = VisitBooking(worker_id=worker.id, point=point.code, slot_at=slot, created_at=ctx.now)
    ctx.session.add(booking)
    await ctx.session.flush()
    reminder_at = slot - timedelta(days=1)
    if reminder_at > ctx.now:
        subject, data = f"visit:{booking.id}", {"booking": booking.id}
        await schedule(ctx.session, REMINDER, subject, reminder_at, ctx.now, data=data)
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
    ctx.reply(text, ((cancel_button(ctx._, booking),), *main_menu_buttons(ctx)))


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
    booking = await unit.session.get(VisitBooking, task.data.get("booking", 0))
    if booking is None or booking.status != VisitStatus.BOOKED:
        return
    worker = await unit.session.get(Worker, booking.worker_id)
    point = unit.config.routing.reception_point(booking.point)
    if worker is None or point is None:
        return

    def reminder(_: Translator) -> tuple[str, Keyboard]:
        return reminder_text(unit, point, booking, _), ((cancel_button(_, booking),),)

    if not await reach(unit, worker, reminder, case=None) and point.chat_id is not None:
        _ = translator(unit.config.default_language)
        text = _(
            "📵 {name}, booked for {when}, cannot be reached in chat: the reminder of the visit "
            "was not sent."
        ).format(
            name=escape(worker.name or "—"), when=format_when(booking.slot_at, unit.config.zone, _)
        )
        unit.send(SendMessage(point.chat_id, text))


def reminder_text(unit: Unit, point: ReceptionPoint, booking: VisitBooking, _: Translator) -> str:
    when = format_when(booking.slot_at, unit.config.zone, _)
    return _(
        "⏰ Reminder: your visit to {point} is tomorrow, {when}.\nAddress: {address}\n☎ {phone}"
    ).format(
        point=escape(point.name(_.language)),
        when=when,
        address=escape(point.address(_.language)),
        phone=escape(point.phone),
    )

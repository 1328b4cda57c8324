"""A worker books a visit to a reception point from the main menu."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from handlers.book_visit import remind_of_visit
from handlers.context import Unit
from storage.db import Database
from storage.models import DueTask, VisitBooking, Worker
from storage.repositories import ports
from tests.support.chat import Bench, WorkerChat, bench, complete_report

__all__ = ["bench"]
"""The English bench fixture from ``tests.support.chat``, imported so pytest finds it."""

POINT = "Anding Housing and Construction Bureau wage complaints desk"
POINT_CHAT = -1001000000101
SLOT = datetime(2026, 11, 30, 2, tzinfo=UTC)
"""Monday 2026-11-30 10:00 in Dingxi; the fake clock starts on Thursday 2026-11-26 at 10:00."""


@pytest.fixture
async def worker(bench: Bench) -> WorkerChat:
    chat = bench.chat(501)
    await chat.send("/start")
    await chat.press("English")
    return chat


async def bookings(db: Database) -> list[VisitBooking]:
    async with db.reader() as session:
        return list(await session.exec(select(VisitBooking)))


async def choose_up_to_review(worker: WorkerChat) -> None:
    await worker.press("Book a visit")
    await worker.press(POINT)
    await worker.press("Mon 11/30")
    await worker.press("10:00")


async def test_a_worker_books_a_visit_and_the_point_is_told(
    worker: WorkerChat, bench: Bench
) -> None:
    await worker.press("Book a visit")
    assert "Which reception point?" in worker.last.text
    assert len(worker.button_labels()) == len(bench.config.routing.reception_points) + 1
    await worker.press(POINT)
    assert "0932-8000101" in worker.last.text and "Mon-Fri 9:00-17:00" in worker.last.text
    assert worker.button_labels()[:5] == [
        "Fri 11/27",
        "Mon 11/30",
        "Tue 12/1",
        "Wed 12/2",
        "Thu 12/3",
    ]
    await worker.press("Mon 11/30")
    assert worker.button_labels()[:6] == ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"]
    await worker.press("10:00")
    assert "2026-11-30 (Mon) 10:00" in worker.last.text
    await worker.press("Book this visit")

    (booking,) = await bookings(bench.db)
    assert (booking.point, booking.slot_at, booking.status) == (
        "anding.construction",
        SLOT,
        "booked",
    )
    assert "Your visit is booked" in worker.last.text
    assert "Report unpaid wages" in " ".join(worker.button_labels())
    (notice,) = bench.to(POINT_CHAT)
    assert "Visit booked at" in notice.text and "2026-11-30 (Mon) 10:00" in notice.text
    assert "phone not given" in notice.text
    async with bench.db.reader() as session:
        task = (await session.exec(select(DueTask).where(DueTask.kind == "visit_reminder"))).one()
    assert task.due_at == SLOT - timedelta(days=1)


async def book_monday_ten(worker: WorkerChat) -> None:
    await choose_up_to_review(worker)
    await worker.press("Book this visit")


async def run_reminders(bench: Bench) -> None:
    """The day-before reminders, run as the scheduler would when they fall due."""
    async with bench.db.transaction() as session:
        tasks = await session.exec(select(DueTask).where(DueTask.kind == "visit_reminder"))
        for task in tasks.all():
            unit = Unit(session, bench.config, task.due_at, ports=ports(session))
            await remind_of_visit(unit, task)
            bench.record(unit.outgoing)


async def test_public_holidays_are_not_offered_and_swapped_weekend_workdays_are(
    worker: WorkerChat, bench: Bench
) -> None:
    bench.clock.current = datetime(2026, 9, 30, 2, tzinfo=UTC)  # Wed 30 Sep, 10:00 in Dingxi
    await worker.press("Book a visit")
    await worker.press(POINT)
    # National Day: 1-7 October off; Saturday 10 October worked in their place (调休).
    assert worker.button_labels()[:5] == [
        "Thu 10/8",
        "Fri 10/9",
        "Sat 10/10",
        "Mon 10/12",
        "Tue 10/13",
    ]


async def test_the_worker_is_reminded_the_day_before(worker: WorkerChat, bench: Bench) -> None:
    await book_monday_ten(worker)
    await run_reminders(bench)
    assert f"your visit to {POINT} is tomorrow, 2026-11-30 (Mon) 10:00" in worker.last.text


async def test_the_point_sees_a_known_workers_masked_phone(bench: Bench) -> None:
    worker = bench.chat(501)
    await complete_report(worker, amount="5万", workers="3", since="2026-06")
    await book_monday_ten(worker)
    assert "Wang Wu, phone 138****5678" in bench.to(POINT_CHAT)[-1].text


async def test_back_and_cancel_at_each_step(worker: WorkerChat, bench: Bench) -> None:
    await choose_up_to_review(worker)
    await worker.press("Back")
    assert "Which time on Mon 11/30?" in worker.last.text
    await worker.press("Back")
    assert "Which day?" in worker.last.text
    await worker.press("Back")
    assert "Which reception point?" in worker.last.text
    await worker.press("Cancel")
    assert "No visit was booked." in worker.last.text
    assert await bookings(bench.db) == []


async def test_pressing_book_twice_books_once(worker: WorkerChat, bench: Bench) -> None:
    await choose_up_to_review(worker)
    await worker.press("Book this visit")
    await worker.press("Book this visit")
    assert "already booked this visit" in worker.last.text
    assert len(await bookings(bench.db)) == 1


async def test_a_slot_that_is_no_longer_offered_is_chosen_again(
    worker: WorkerChat, bench: Bench
) -> None:
    await choose_up_to_review(worker)
    bench.clock.advance(days=5)
    await worker.press("Book this visit")
    assert "can no longer be booked" in worker.last.text and "Which day?" in worker.last.text
    assert await bookings(bench.db) == []


@pytest.mark.parametrize(
    "data",
    [
        "visit:p:nowhere",
        "visit:zz",
        "visit:ok:anding.construction",
        "visit:ok:nowhere:202611300900",
    ],
)
async def test_forged_buttons_book_nothing(worker: WorkerChat, bench: Bench, data: str) -> None:
    await worker.press_data(data)
    assert "no longer active" in (bench.answers[-1].text or "")
    assert await bookings(bench.db) == []


@pytest.mark.parametrize(
    "data",
    [
        "visit:ok:anding.construction:202611301300",
        "visit:ok:anding.construction:202611260900",
        "visit:ok:anding.construction:202611280900",
        "visit:s:anding.construction:202612310900",
        "visit:ok:anding.construction:2026113009xx",
        "visit:d:anding.construction:2026",
    ],
)
async def test_a_time_the_bot_never_offered_books_nothing(
    worker: WorkerChat, bench: Bench, data: str
) -> None:
    await worker.press_data(data)
    assert "can no longer be booked" in worker.last.text
    assert await bookings(bench.db) == []


async def test_a_press_in_a_group_books_nothing(bench: Bench) -> None:
    group = bench.chat(501, chat_id=POINT_CHAT)
    await group.press_data("visit:ok:anding.construction:202611301000")
    assert await bookings(bench.db) == []


async def test_a_worker_cancels_a_booked_visit_and_the_point_is_told(
    worker: WorkerChat, bench: Bench
) -> None:
    await book_monday_ten(worker)
    await worker.press("Cancel this visit")
    assert f"Cancel your visit to {POINT} on 2026-11-30 (Mon) 10:00?" in worker.last.text
    await worker.press("Yes, cancel it")

    (booking,) = await bookings(bench.db)
    assert booking.status == "cancelled"
    assert "is cancelled" in worker.last.text
    assert "Report unpaid wages" in " ".join(worker.button_labels())
    notice = bench.to(POINT_CHAT)[-1]
    assert "Visit cancelled at" in notice.text and "2026-11-30 (Mon) 10:00" in notice.text
    async with bench.db.reader() as session:
        task = (await session.exec(select(DueTask).where(DueTask.kind == "visit_reminder"))).one()
    assert task.status == "cancelled"
    sent = len(worker.messages)
    await run_reminders(bench)
    assert len(worker.messages) == sent  # no reminder for a cancelled visit


async def test_keeping_the_visit_changes_nothing(worker: WorkerChat, bench: Bench) -> None:
    await book_monday_ten(worker)
    await worker.press("Cancel this visit")
    await worker.press("Keep it")
    assert "stays booked" in worker.last.text
    assert [b.status for b in await bookings(bench.db)] == ["booked"]
    assert len(bench.to(POINT_CHAT)) == 1  # the booking's notice only


async def test_the_reminder_offers_to_cancel(worker: WorkerChat, bench: Bench) -> None:
    await book_monday_ten(worker)
    await run_reminders(bench)
    assert "is tomorrow" in worker.last.text
    await worker.press("Cancel this visit")
    await worker.press("Yes, cancel it")
    assert [b.status for b in await bookings(bench.db)] == ["cancelled"]


async def test_a_visit_cancelled_twice_or_already_begun_is_left_alone(
    worker: WorkerChat, bench: Bench
) -> None:
    await book_monday_ten(worker)
    await worker.press("Cancel this visit")
    await worker.press("Yes, cancel it")
    await worker.press("Yes, cancel it")
    assert "no longer booked" in (bench.answers[-1].text or "")
    assert len(bench.to(POINT_CHAT)) == 2  # booked, cancelled: once

    await book_monday_ten(worker)
    bench.clock.current = SLOT
    await worker.press("Cancel this visit")
    assert "no longer booked" in (bench.answers[-1].text or "")
    assert [b.status for b in await bookings(bench.db)] == ["cancelled", "booked"]


async def test_nobody_else_can_cancel_a_workers_visit(worker: WorkerChat, bench: Bench) -> None:
    await book_monday_ten(worker)
    (booking,) = await bookings(bench.db)
    other = bench.chat(502)
    await other.send("/start")
    await other.press("English")
    for data in (f"visit:cc:{booking.id}", "visit:cc:abc", "visit:cc:99999999999", "visit:cc"):
        await other.press_data(data)
        assert "no longer active" in (bench.answers[-1].text or "")
    assert [b.status for b in await bookings(bench.db)] == ["booked"]


async def fill(bench: Bench, slot: datetime, count: int) -> None:
    """``count`` other workers' visits booked at the desk at ``slot``."""
    async with bench.db.transaction() as session:
        for number in range(count):
            user_id = 10_000 + slot.hour * 100 + number
            other = Worker(telegram_user_id=user_id, chat_id=user_id, created_at=SLOT)
            session.add(other)
            await session.flush()
            assert other.id is not None
            session.add(
                VisitBooking(
                    worker_id=other.id, point="anding.construction", slot_at=slot, created_at=SLOT
                )
            )


async def test_a_full_time_is_not_offered_and_a_full_day_is_not_chosen(
    worker: WorkerChat, bench: Bench
) -> None:
    desk = bench.config.routing.reception_point("anding.construction")
    await fill(bench, SLOT, desk.visits_per_slot)
    await worker.press("Book a visit")
    await worker.press(POINT)
    await worker.press("Mon 11/30")
    assert worker.button_labels()[:5] == ["09:00", "11:00", "14:00", "15:00", "16:00"]

    for hour in (1, 3, 6, 7, 8):  # 09:00, 11:00, 14:00, 15:00, 16:00 in Dingxi
        await fill(bench, SLOT.replace(hour=hour), desk.visits_per_slot)
    await worker.press("Back")
    await worker.press("Mon 11/30")
    assert "Every time on Mon 11/30 is fully booked" in worker.last.text
    assert "Which day?" in worker.last.text


async def test_the_last_place_taken_meanwhile_is_not_booked_twice(
    worker: WorkerChat, bench: Bench
) -> None:
    desk = bench.config.routing.reception_point("anding.construction")
    await choose_up_to_review(worker)
    await fill(bench, SLOT, desk.visits_per_slot)  # others took the last place meanwhile
    await worker.press("Book this visit")
    assert "just been fully booked" in worker.last.text
    assert "10:00" not in worker.button_labels()
    assert len(await bookings(bench.db)) == desk.visits_per_slot  # the others' alone


async def test_a_worker_with_an_upcoming_visit_is_shown_it_instead_of_booking_another(
    worker: WorkerChat, bench: Bench
) -> None:
    await book_monday_ten(worker)
    await worker.press("Book a visit")
    await worker.press(POINT)
    text = worker.last.text
    assert f"You already have a visit booked at {POINT}" in text
    assert "2026-11-30 (Mon) 10:00" in text and "Which day?" not in text
    assert "✖ Cancel this visit" in worker.button_labels()
    await worker.press("Cancel this visit")
    await worker.press("Yes, cancel it")
    await worker.press("Book a visit")
    await worker.press(POINT)
    assert "Which day?" in worker.last.text, "a cancelled visit frees the worker's share"


async def test_one_worker_cannot_book_every_place_of_a_point(
    worker: WorkerChat, bench: Bench
) -> None:
    await choose_up_to_review(worker)  # screens drawn before the first booking
    await book_monday_ten(worker)
    await worker.press("Back")  # the earlier review's Back: the day's times
    await worker.press("11:00")
    await worker.press("Book this visit")
    assert "You already have a visit booked" in worker.last.text
    (booking,) = await bookings(bench.db)
    assert booking.slot_at == SLOT


async def test_the_share_per_worker_is_a_setting_and_other_points_are_not_counted(
    worker: WorkerChat, bench: Bench
) -> None:
    bench.config = replace(bench.config, visits_per_worker_per_point=2)
    worker.config = bench.config
    await book_monday_ten(worker)
    await worker.press("Book a visit")
    await worker.press(POINT)
    await worker.press("Mon 11/30")
    await worker.press("11:00")
    await worker.press("Book this visit")
    assert "Your visit is booked" in worker.last.text
    await worker.press("Book a visit")
    await worker.press(POINT)
    assert "up to 2 upcoming visits" in worker.last.text
    assert [label for label in worker.button_labels() if label.startswith("✖ Cancel")] == [
        "✖ Cancel 2026-11-30 (Mon) 10:00",
        "✖ Cancel 2026-11-30 (Mon) 11:00",
    ]
    await worker.press("Book a visit")
    await worker.press("Anding District Labour Inspection Brigade reception point")
    assert "Which day?" in worker.last.text


async def test_a_visit_that_has_begun_no_longer_counts_against_the_share(
    worker: WorkerChat, bench: Bench
) -> None:
    await book_monday_ten(worker)
    bench.clock.current = SLOT + timedelta(minutes=1)
    await worker.press("Book a visit")
    await worker.press(POINT)
    assert "Which day?" in worker.last.text

"""A worker who blocked the bot is sent nothing until they write again, and staff are told.

Also: a staff group that removed the bot is flagged and the administrators told once.
"""

from dataclasses import replace

import pytest
from sqlmodel import col, select

from handlers import EventKind, HandlerConfig
from storage.db import Database
from storage.models import CaseEvent, DueTask, LostGroup, Worker
from storage.people import mark_chat_unreachable
from tests.component.test_book_visit import book_monday_ten, run_reminders
from tests.component.test_consultation import fill_in_form
from tests.support.chat import Bench, WorkerChat, complete_report
from tests.support.clock import FakeClock
from tests.support.people import make_staff
from tests.support.surveys import sweep

GROUP = -1001000000101  # 安定区住建局, also the Anding construction reception point's chat
UNNAMED_GROUP = -1009999999999
ADMINS = (906, 907)
UNREACHABLE = "📵 The worker cannot be reached in chat — phone them."


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en", admin_ids=frozenset(ADMINS)), clock)


@pytest.fixture
async def worker(bench: Bench) -> WorkerChat:
    chat = bench.chat(501)
    await complete_report(chat, amount="5万", workers="3", since="2026-03")
    return chat


@pytest.fixture
async def officer(bench: Bench, worker: WorkerChat) -> WorkerChat:
    await make_staff(bench.db, bench.clock, 901, name="Officer Li")
    return bench.chat(901, chat_id=GROUP, name="Officer Li")


async def resolve_paid_in_full(bench: Bench, officer: WorkerChat) -> None:
    await officer.press("Resolve")
    private = bench.chat(901)
    await private.press("paid in full")
    await private.press("All of it")
    await private.press("All 3")


async def notices_not_sent(db: Database) -> list[str]:
    async with db.reader() as session:
        rows = await session.exec(
            select(CaseEvent)
            .where(CaseEvent.kind == "worker_unreachable")
            .order_by(col(CaseEvent.id))
        )
        return [event.data["notice"] for event in rows]


async def test_a_worker_who_blocked_the_bot_is_sent_no_notice_and_each_is_recorded(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await worker.event(EventKind.BLOCKED)
    seen = len(worker.messages)
    await officer.press("Accept")
    await resolve_paid_in_full(bench, officer)
    assert len(worker.messages) == seen
    held = await notices_not_sent(bench.db)
    assert len(held) == 2
    assert "has been taken up" in held[0] and "<" not in held[0]
    assert "resolved" in held[1]
    assert UNREACHABLE in officer.messages[0].text  # the alert, refreshed on each change

    staff = bench.chat(901)
    await staff.send("/case 1")
    card = "\n".join(m.text for m in staff.messages[-2:])
    assert UNREACHABLE in card
    assert card.count("📵 worker cannot be reached in chat: phone them") == 2
    assert "not sent: «Your case DX-" in card


async def test_a_blocked_worker_who_writes_again_gets_the_reply_and_later_notices(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await worker.event(EventKind.BLOCKED)
    await officer.press("Accept")
    seen = len(worker.messages)
    await worker.send("/cases")  # a command registered by staff modules, not the worker menu
    assert len(worker.messages) == seen + 1 and "DX-" in worker.last.text
    async with bench.db.reader() as session:
        assert (await session.exec(select(Worker.unreachable_since))).all() == [None]
    await resolve_paid_in_full(bench, officer)
    assert "resolved" in worker.last.text
    assert UNREACHABLE not in officer.messages[0].text


async def test_unblocking_the_bot_makes_the_worker_reachable_again(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await worker.event(EventKind.BLOCKED)
    await worker.event(EventKind.UNBLOCKED)
    await officer.press("Accept")
    assert "has been taken up" in worker.last.text
    assert await notices_not_sent(bench.db) == []


async def test_a_notice_telegram_refuses_is_recorded_on_its_case(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    """The worker blocked the bot before the bot heard of it: the sender's 403 tells."""
    await officer.press("Accept")
    notice = worker.last
    assert "has been taken up" in notice.text
    async with bench.db.transaction() as session:
        await mark_chat_unreachable(session, worker.chat_id, bench.clock.now(), notice.ref)
    async with bench.db.reader() as session:
        events = await session.exec(select(CaseEvent).where(CaseEvent.kind == "worker_unreachable"))
        assert [event.case_id for event in events] == [1]
    staff = bench.chat(901)
    await staff.send("/case 1")
    assert UNREACHABLE in staff.messages[-2].text


async def test_a_consultation_invitation_is_not_sent_to_a_blocked_worker_and_staff_phone(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await worker.event(EventKind.BLOCKED)
    seen = len(worker.messages)
    await fill_in_form(officer, bench.chat(901))
    await bench.chat(901).press("Schedule and invite")
    assert len(worker.messages) == seen
    assert "please invite them by phone" in bench.to(GROUP)[-1].text
    assert "please invite them by phone" in bench.chat(901).messages[-1].text
    (held,) = await notices_not_sent(bench.db)
    assert held.startswith("🤝 You are invited to a seven-party consultation")


async def test_a_visit_reminder_is_not_sent_to_a_blocked_worker_and_the_point_is_told(
    bench: Bench,
) -> None:
    worker = bench.chat(501)
    await complete_report(worker, amount="5万", workers="3", since="2026-06")
    await book_monday_ten(worker)
    await worker.event(EventKind.BLOCKED)
    seen = len(worker.messages)
    await run_reminders(bench)
    assert len(worker.messages) == seen
    told = bench.to(GROUP)[-1].text
    assert told.startswith("📵 Wang Wu, booked for 2026-11-30 (Mon) 10:00, cannot be reached")


async def admin_messages(bench: Bench) -> list[str]:
    return [m.text for admin in ADMINS for m in bench.to(admin)]


async def test_a_group_that_removed_the_bot_is_flagged_and_the_admins_told_once(
    bench: Bench,
) -> None:
    member = bench.chat(77, chat_id=GROUP)
    await member.event(EventKind.BLOCKED)
    async with bench.db.transaction() as session:  # the sender's later 403s and 400s
        await mark_chat_unreachable(session, GROUP, bench.clock.now())
        await mark_chat_unreachable(session, GROUP, bench.clock.now())
    await sweep(bench)
    await sweep(bench)
    told = await admin_messages(bench)
    assert len(told) == len(ADMINS)
    assert "the group of Anding District Housing and Urban-Rural Development Bureau" in told[0]
    assert "reception point" in told[0] and "add the bot back" in told[0]

    await member.event(EventKind.UNBLOCKED)
    async with bench.db.reader() as session:
        assert (await session.exec(select(LostGroup))).all() == []
    await sweep(bench)
    assert len(await admin_messages(bench)) == len(ADMINS)

    await member.event(EventKind.BLOCKED)  # removed again: told again
    await sweep(bench)
    assert len(await admin_messages(bench)) == 2 * len(ADMINS)


async def test_a_group_added_back_before_the_alert_ran_is_not_reported(bench: Bench) -> None:
    member = bench.chat(77, chat_id=GROUP)
    await member.event(EventKind.BLOCKED)
    await member.event(EventKind.UNBLOCKED)
    await sweep(bench)
    assert await admin_messages(bench) == []


async def test_a_group_the_routing_file_does_not_name_is_not_reported(bench: Bench) -> None:
    await bench.chat(77, chat_id=UNNAMED_GROUP).event(EventKind.BLOCKED)
    await sweep(bench)
    assert await admin_messages(bench) == []
    async with bench.db.reader() as session:
        tasks = (await session.exec(select(DueTask).where(DueTask.kind == "lost_group"))).all()
        lost = (await session.exec(select(LostGroup))).all()
    assert (tasks, lost) == ([], [])  # the bot does nothing at all for a group it does not serve

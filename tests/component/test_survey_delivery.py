"""Delivery of surveys: asking hours, reminders, unanswered, undeliverable, restarts."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.scheduler import DUE_WORK, run_due_work
from bot.transport import Unreachable
from handlers.context import Unit
from handlers.survey_policy import SurveyPolicy
from storage.db import Database
from storage.models import (
    DueStatus,
    DueTask,
    OutboxMessage,
    OutboxStatus,
    SurveyStatus,
    Worker,
)
from tests.support.chat import Bench, WorkerChat
from tests.support.surveys import (
    QUESTION,
    ask_return_visit,
    bench,
    event_kinds,
    resolve,
    return_visit,
    sweep,
    worker,
)
from tests.support.transport import ScriptedTransport, running
from tests.support.waiting import until

__all__ = ["bench", "worker"]
"""Fixtures from ``tests.support.surveys``, imported so pytest finds them."""

SHANGHAI = ZoneInfo("Asia/Shanghai")
REMINDER = "A reminder about your case"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in Dingxi, as the aware UTC the clock and database use."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def survey_messages(db: Database, chat_id: int) -> list[str]:
    async with db.reader() as session:
        rows = await session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, col(OutboxMessage.ref).startswith("survey:"))
            .order_by(col(OutboxMessage.id))
        )
        return [row.payload["text"] for row in rows]


@pytest.mark.parametrize(
    ("at", "opening"),
    [
        (local(27, 9), local(27, 9)),
        (local(27, 19, 59), local(27, 19, 59)),
        (local(27, 20), local(28, 9)),
        (local(27, 23, 30), local(28, 9)),
        (local(28, 0, 30), local(28, 9)),
        (local(28, 8, 59), local(28, 9)),
    ],
)
def test_a_question_outside_the_asking_hours_waits_for_them_to_open(
    at: datetime, opening: datetime
) -> None:
    assert SurveyPolicy().next_opening(at, SHANGHAI) == opening


async def test_a_resolution_late_in_the_evening_is_visited_the_morning_after_next(
    bench: Bench, worker: WorkerChat
) -> None:
    bench.clock.current = local(26, 21, 30)
    await resolve(bench)
    assert (await return_visit(bench.db)).due_at == local(28, 9)
    for moment in (local(27, 21, 30), local(28, 8, 59)):
        bench.clock.current = moment
        await sweep(bench)
        assert QUESTION not in worker.last.text
    bench.clock.current = local(28, 9)
    await sweep(bench)
    assert QUESTION in worker.last.text


async def test_a_survey_missed_while_the_bot_was_down_goes_out_once_at_start_up(
    bench: Bench, worker: WorkerChat
) -> None:
    await resolve(bench)
    bench.clock.advance(days=3)
    await sweep(bench)
    assert await survey_messages(bench.db, worker.chat_id) == [worker.last.text]
    assert QUESTION in worker.last.text


async def test_a_survey_missed_overnight_waits_for_the_asking_hours_after_start_up(
    bench: Bench, worker: WorkerChat
) -> None:
    await resolve(bench)
    bench.clock.current = local(27, 22)
    await sweep(bench)
    assert await survey_messages(bench.db, worker.chat_id) == []
    bench.clock.current = local(28, 9)
    await sweep(bench)
    assert QUESTION in worker.last.text


async def test_two_reminders_48_hours_apart_then_the_survey_is_unanswered(
    bench: Bench, worker: WorkerChat
) -> None:
    await ask_return_visit(bench)
    bench.clock.advance(hours=47)
    await sweep(bench)
    assert len(await survey_messages(bench.db, worker.chat_id)) == 1
    for reminders in (1, 2):
        bench.clock.advance(hours=1 if reminders == 1 else 48)
        await sweep(bench)
        assert REMINDER in worker.last.text
        assert (await return_visit(bench.db)).reminders == reminders
    bench.clock.advance(hours=48)
    await sweep(bench)
    assert len(await survey_messages(bench.db, worker.chat_id)) == 3
    assert (await return_visit(bench.db)).status == SurveyStatus.UNANSWERED
    assert (await event_kinds(bench.db))[-1] == "survey_unanswered"
    await worker.press("Not yet")
    assert "This survey is closed" in (bench.answers[-1].text or "")


async def test_an_answer_stops_the_reminders(bench: Bench, worker: WorkerChat) -> None:
    await ask_return_visit(bench)
    await worker.press("Yes, all of it")
    bench.clock.advance(hours=100)
    await sweep(bench)
    assert len(await survey_messages(bench.db, worker.chat_id)) == 1
    prefix = f"survey:{(await return_visit(bench.db)).id}:"
    async with bench.db.reader() as session:
        visit_tasks = await session.exec(
            select(DueTask).where(col(DueTask.subject).startswith(prefix)).order_by(col(DueTask.id))
        )
        assert [task.status for task in visit_tasks] == [DueStatus.DONE, DueStatus.CANCELLED]


async def test_a_worker_who_blocked_the_bot_is_not_asked_and_the_survey_is_undeliverable(
    bench: Bench, worker: WorkerChat
) -> None:
    await resolve(bench)
    async with bench.db.transaction() as session:
        blocked = (await session.exec(select(Worker))).one()
        blocked.unreachable_since = bench.clock.now()
        session.add(blocked)
    bench.clock.advance(hours=24)
    await sweep(bench)
    assert await survey_messages(bench.db, worker.chat_id) == []
    assert (await return_visit(bench.db)).status == SurveyStatus.UNDELIVERABLE
    assert (await event_kinds(bench.db))[-1] == "survey_undeliverable"


async def test_a_question_telegram_refused_makes_the_survey_undeliverable(
    bench: Bench, worker: WorkerChat
) -> None:
    """The refused message alone tells, even if the worker has written since (which clears
    ``unreachable_since``)."""
    await ask_return_visit(bench)
    ref = f"survey:{(await return_visit(bench.db)).id}:0"
    async with bench.db.transaction() as session:
        question = (await session.exec(select(OutboxMessage).where(OutboxMessage.ref == ref))).one()
        question.status = OutboxStatus.UNREACHABLE
        session.add(question)
    bench.clock.advance(hours=48)
    await sweep(bench)
    assert len(await survey_messages(bench.db, worker.chat_id)) == 1
    assert (await return_visit(bench.db)).status == SurveyStatus.UNDELIVERABLE


async def test_a_refused_question_closes_the_survey_the_same_day_not_at_the_reminder(
    bench: Bench, worker: WorkerChat
) -> None:
    await deliver_outbox(bench, ScriptedTransport())  # the report's own replies
    await ask_return_visit(bench)
    blocked = ScriptedTransport(failures=[Unreachable("Forbidden: bot was blocked by the user")])
    await deliver_outbox(bench, blocked)
    assert [call.outcome for call in blocked.calls] == ["Unreachable"]

    await sweep(bench)  # the clock has not moved: the closing turn is due at once
    assert (await return_visit(bench.db)).status == SurveyStatus.UNDELIVERABLE
    assert (await event_kinds(bench.db))[-1] == "survey_undeliverable"


async def deliver_outbox(bench: Bench, transport: ScriptedTransport) -> None:
    """Run the real sender on the bench's clock until every outbox row is settled."""

    async def all_settled() -> bool:
        async with bench.db.reader() as session:
            statuses = (await session.exec(select(OutboxMessage.status))).all()
        return all(status not in (OutboxStatus.PENDING, "sending") for status in statuses)

    async with running(bench.db, transport, clock=bench.clock):
        await until(all_settled, 10, every=0.02, what="the outbox settling")


async def test_a_restart_between_due_time_and_send_sends_exactly_once(
    bench: Bench, worker: WorkerChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    await resolve(bench)
    bench.clock.advance(hours=24)
    take_turn = DUE_WORK["survey"]

    async def power_cut(unit: Unit, task: DueTask) -> None:
        await take_turn(unit, task)
        raise ConnectionResetError("power cut before the commit: the connection is gone")

    monkeypatch.setitem(DUE_WORK, "survey", power_cut)
    with pytest.raises(OSError, match="power cut"):
        await sweep(bench)
    assert await survey_messages(bench.db, worker.chat_id) == []
    assert (await return_visit(bench.db)).status == SurveyStatus.SCHEDULED
    monkeypatch.setitem(DUE_WORK, "survey", take_turn)
    for _restart in range(2):
        await on_a_new_instance(bench, lambda db: run_due_work(db, bench.config, bench.clock))
    assert len(await survey_messages(bench.db, worker.chat_id)) == 1
    assert (await return_visit(bench.db)).status == SurveyStatus.ASKED


async def on_a_new_instance(bench: Bench, work: Callable[[Database], Awaitable[int]]) -> None:
    """As after a restart: a new engine and pool on the same database."""
    database = Database(bench.db.url.render_as_string(hide_password=False))
    try:
        await work(database)
    finally:
        await database.dispose()

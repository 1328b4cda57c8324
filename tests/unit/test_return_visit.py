"""The return visit after a resolution: asked on time, answered, and acted upon.

The due-work sweep runs with the fake clock; what it writes to the outbox joins the bench's
record, so the worker can press the buttons of a survey as they would in Telegram.
"""

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.scheduler import run_due_work
from handlers import HandlerConfig
from handlers.context import Unit
from handlers.events import EventKind
from handlers.replies import Button, SendMessage
from handlers.surveys import plan_return_visit
from storage.db import Database
from storage.models import (
    Case,
    CaseEvent,
    CaseStatus,
    DueStatus,
    DueTask,
    OutboxMessage,
    Survey,
    SurveyStatus,
)
from tests.support.chat import Bench, WorkerChat, complete_report
from tests.support.clock import FakeClock
from tests.support.people import make_staff

GROUP = -1001000000101
"""安定区住建局, which owns an Anding construction case."""
LEADS = -1001000001900
SUPERVISORS = -1001000000002
QUESTION = "Have you received the money?"


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en"), clock)


@pytest.fixture
async def worker(bench: Bench) -> WorkerChat:
    chat = bench.chat(501)
    # below the hard-case thresholds, so filing sends nothing to leaders or supervisors
    await complete_report(chat, amount="5万", workers="3", since="2026-06")
    return chat


async def the_case(db: Database) -> Case:
    async with db.reader() as session:
        case = (await session.exec(select(Case).order_by(col(Case.id)))).first()
    assert case is not None
    return case


async def resolve(bench: Bench, outcome: str = "paid_in_full") -> Case:
    """Resolve the first case directly and plan its surveys, as ``apply_resolve`` ends."""
    now = bench.clock.now()
    async with bench.db.transaction() as session:
        case = (await session.exec(select(Case).order_by(col(Case.id)))).first()
        assert case is not None
        case.status, case.outcome, case.resolved_at = CaseStatus.RESOLVED, outcome, now
        session.add(case)
        await plan_return_visit(Unit(session, bench.config, now), case)
    return case


def from_outbox(row: OutboxMessage) -> SendMessage:
    markup: dict[str, Any] = row.payload.get("reply_markup", {})
    buttons = tuple(
        tuple(Button(b["text"], b["callback_data"]) for b in line)
        for line in markup.get("inline_keyboard", [])
    )
    return SendMessage(row.chat_id, row.payload["text"], buttons, ref=row.ref)


async def sweep(bench: Bench) -> int:
    """Run due work as the scheduler does; the messages it writes join the bench's record."""
    async with bench.db.reader() as session:
        seen = (await session.exec(select(OutboxMessage.id))).all()
    taken = await run_due_work(bench.db, bench.config, bench.clock, limit=1000)
    async with bench.db.reader() as session:
        rows = await session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.id).not_in(seen), OutboxMessage.method == "sendMessage")
            .order_by(col(OutboxMessage.id))
        )
        bench.sent.extend(from_outbox(row) for row in rows)
    return taken


async def surveys(db: Database) -> list[Survey]:
    async with db.reader() as session:
        return list(await session.exec(select(Survey).order_by(col(Survey.id))))


async def event_kinds(db: Database) -> list[str]:
    async with db.reader() as session:
        rows = await session.exec(select(CaseEvent).order_by(col(CaseEvent.id)))
        return [row.kind for row in rows]


async def ask_return_visit(bench: Bench, outcome: str = "paid_in_full") -> Case:
    case = await resolve(bench, outcome)
    bench.clock.advance(hours=24)
    await sweep(bench)
    return case


async def rate(bench: Bench, worker: WorkerChat, rating: str) -> None:
    """The return visit asked, the worker paid in full, and the rating given."""
    await ask_return_visit(bench)
    await worker.press("Yes, all of it")
    await worker.press(rating)


async def test_resolving_through_the_staff_form_plans_the_return_visit_and_the_rebound_check(
    bench: Bench, worker: WorkerChat
) -> None:
    await make_staff(bench.db, bench.clock, 901)
    await bench.chat(901, chat_id=GROUP).press("Resolve")
    officer = bench.chat(901)
    await officer.press("paid in full")
    await officer.press("All of it")
    await officer.press("All 3")
    resolved_at = (await the_case(bench.db)).resolved_at
    assert resolved_at is not None
    visit, rebound = await surveys(bench.db)
    assert (visit.kind, visit.round, visit.status) == ("return_visit", 1, SurveyStatus.SCHEDULED)
    assert visit.due_at == resolved_at + timedelta(hours=24)
    assert (rebound.kind, rebound.round) == ("rebound", 1)
    assert rebound.due_at == resolved_at + timedelta(days=30)


async def test_the_return_visit_is_asked_a_day_after_the_resolution(
    bench: Bench, worker: WorkerChat
) -> None:
    await resolve(bench)
    bench.clock.advance(hours=23, minutes=59)
    await sweep(bench)
    assert QUESTION not in worker.last.text
    bench.clock.advance(minutes=1)
    await sweep(bench)
    assert QUESTION in worker.last.text
    assert worker.button_labels() == ["✅ Yes, all of it", "➗ Only part", "❌ Not yet"]
    visit = (await surveys(bench.db))[0]
    assert (visit.status, visit.asked_at) == (SurveyStatus.ASKED, bench.clock.now())


async def test_paid_in_full_a_rating_and_a_comment_end_with_thanks(
    bench: Bench, worker: WorkerChat
) -> None:
    await ask_return_visit(bench)
    await worker.press("Yes, all of it")
    assert "How satisfied are you" in worker.last.text
    await worker.press("5")
    assert "anything else" in worker.last.text
    await worker.send("Officer Li was very kind.")
    assert "Thank you for your answers" in worker.last.text
    visit = (await surveys(bench.db))[0]
    assert (visit.status, visit.paid, visit.rating) == (SurveyStatus.ANSWERED, "full", 5)
    assert visit.comment == "Officer Li was very kind."
    assert (await the_case(bench.db)).status == CaseStatus.RESOLVED
    assert (await event_kinds(bench.db))[-3:] == ["survey_answer"] * 3
    assert not bench.to(SUPERVISORS)


@pytest.mark.parametrize(("label", "paid"), [("Only part", "partly"), ("Not yet", "none")])
async def test_partly_or_not_yet_reopens_the_case_and_alerts_department_and_leads(
    bench: Bench, worker: WorkerChat, label: str, paid: str
) -> None:
    await ask_return_visit(bench)
    await worker.press(label)
    case = await the_case(bench.db)
    assert (case.status, case.resolved_at) == (CaseStatus.REOPENED, None)
    assert case.deadline_at == bench.clock.now() + timedelta(days=15)
    reason, alert = bench.to(GROUP)[-2:]
    assert "is reopened" in reason.text and "2026-12-12" in reason.text
    assert "Reopened" in alert.text and any("Resolve" in b.text for r in alert.buttons for b in r)
    assert "is reopened" in bench.to(LEADS)[-1].text
    assert "open again" in worker.messages[-2].text
    assert "How satisfied" in worker.last.text
    assert (await event_kinds(bench.db))[-2:] == ["survey_answer", "reopened"]
    visit, rebound = await surveys(bench.db)
    assert visit.paid == paid and rebound.status == SurveyStatus.CANCELLED


async def test_a_reopened_case_has_its_new_deadline_planned(
    bench: Bench, worker: WorkerChat
) -> None:
    await ask_return_visit(bench)
    await worker.press("Not yet")
    async with bench.db.reader() as session:
        tasks = await session.exec(
            select(DueTask).where(DueTask.kind == "deadline", DueTask.status == DueStatus.PENDING)
        )
        deadline = tasks.one()
    assert deadline.due_at == (await the_case(bench.db)).deadline_at


async def test_a_low_rating_goes_to_the_supervisors_with_its_comment(
    bench: Bench, worker: WorkerChat
) -> None:
    await rate(bench, worker, "2")
    review = bench.to(SUPERVISORS)[-1]
    assert "rated how the case was handled 2 out of 5" in review.text
    assert (await the_case(bench.db)).number in review.text
    await worker.send("Nobody called me <for weeks>.")
    assert "Nobody called me &lt;for weeks&gt;." in bench.to(SUPERVISORS)[-1].text


async def test_a_rating_of_three_is_not_sent_for_review(bench: Bench, worker: WorkerChat) -> None:
    await rate(bench, worker, "3")
    await worker.press("Skip")
    assert "Thank you for your answers" in worker.last.text
    assert not bench.to(SUPERVISORS)
    assert (await surveys(bench.db))[0].comment == ""


async def test_cancel_skips_the_comment_and_a_sticker_is_explained(
    bench: Bench, worker: WorkerChat
) -> None:
    await rate(bench, worker, "4")
    await worker.event(EventKind.STICKER)
    assert "type your comment" in worker.last.text
    await worker.send("x" * 1001)
    assert "under 1000 characters" in worker.last.text
    await worker.send("/cancel")
    assert "Thank you for your answers" in worker.last.text
    await worker.send("hello")
    assert "What would you like to do?" in worker.last.text


async def test_the_same_answer_twice_is_recorded_once(bench: Bench, worker: WorkerChat) -> None:
    case = await ask_return_visit(bench)
    survey_id = (await surveys(bench.db))[0].id
    await worker.press("Not yet")
    await worker.press_data(f"sv:{survey_id}:paid:none")
    assert bench.answers[-1].text == "Your answer is already recorded."
    assert (await event_kinds(bench.db)).count("reopened") == 1
    assert (await the_case(bench.db)).number == case.number


async def test_only_the_cases_worker_may_answer(bench: Bench, worker: WorkerChat) -> None:
    await ask_return_visit(bench)
    survey_id = (await surveys(bench.db))[0].id
    stranger = bench.chat(777)
    await stranger.press_data(f"sv:{survey_id}:paid:none")
    assert bench.answers[-1].show_alert
    assert (await the_case(bench.db)).status == CaseStatus.RESOLVED
    assert (await surveys(bench.db))[0].status == SurveyStatus.ASKED


@pytest.mark.parametrize(
    "data",
    ["sv:abc:paid:none", "sv:999:paid:none", "sv:{id}:paid:maybe", "sv:{id}:rate:9", "sv:{id}"],
)
async def test_forged_survey_buttons_are_refused(
    bench: Bench, worker: WorkerChat, data: str
) -> None:
    await ask_return_visit(bench)
    survey_id = (await surveys(bench.db))[0].id
    before = await event_kinds(bench.db)
    await worker.press_data(data.format(id=survey_id))
    assert bench.answers[-1].show_alert
    assert await event_kinds(bench.db) == before
    assert (await surveys(bench.db))[0].paid is None


async def test_an_answer_to_an_earlier_rounds_survey_is_stale(
    bench: Bench, worker: WorkerChat
) -> None:
    await ask_return_visit(bench)
    first = (await surveys(bench.db))[0]
    await worker.press("Not yet")
    await resolve(bench)
    assert [(s.kind, s.round) for s in await surveys(bench.db)][2:] == [
        ("return_visit", 2),
        ("rebound", 2),
    ]
    await worker.press_data(f"sv:{first.id}:rate:1")
    assert "This survey is closed" in (bench.answers[-1].text or "")
    assert not bench.to(SUPERVISORS)


async def test_a_case_reopened_before_its_return_visit_is_asked_is_not_asked(
    bench: Bench, worker: WorkerChat
) -> None:
    await resolve(bench)
    async with bench.db.transaction() as session:
        case = (await session.exec(select(Case))).one()
        case.status, case.resolved_at = CaseStatus.REOPENED, None
        session.add(case)
    bench.clock.advance(hours=24)
    await sweep(bench)
    assert QUESTION not in worker.last.text
    assert (await surveys(bench.db))[0].status == SurveyStatus.CANCELLED


async def test_a_case_reopened_and_resolved_again_is_asked_once_about_the_new_resolution(
    bench: Bench, worker: WorkerChat
) -> None:
    await resolve(bench)
    bench.clock.advance(hours=2)
    await resolve(bench)
    assert [(s.round, s.status) for s in await surveys(bench.db)] == [
        (1, SurveyStatus.CANCELLED),
        (1, SurveyStatus.CANCELLED),
        (2, SurveyStatus.SCHEDULED),
        (2, SurveyStatus.SCHEDULED),
    ]
    bench.clock.advance(hours=24)
    await sweep(bench)
    assert [m.text for m in worker.messages].count(worker.last.text) == 1
    assert QUESTION in worker.last.text


async def test_a_walk_in_case_without_telegram_gets_no_survey(
    bench: Bench, worker: WorkerChat
) -> None:
    async with bench.db.transaction() as session:
        case = (await session.exec(select(Case))).one()
        case.worker_id = None
        session.add(case)
    await resolve(bench)
    assert await surveys(bench.db) == []


async def test_a_report_in_progress_keeps_the_chat_and_no_comment_is_asked(
    bench: Bench, worker: WorkerChat
) -> None:
    await ask_return_visit(bench)
    await worker.press("Report unpaid wages")
    await worker.send("Wang Wu")
    await worker.press("Yes, all of it")
    await worker.press("4")
    assert "Thank you for your answers" in worker.last.text
    await worker.send("13812345678")
    assert "Choose the county" in worker.last.text

"""The return visit after a resolution: asked on time, answered, and acted upon.

The due-work sweep runs with the fake clock; what it writes to the outbox joins the bench's
record, so the worker can press the buttons of a survey as they would in Telegram.
"""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from handlers.events import EventKind
from storage.db import Database
from storage.models import Case, CaseStatus, DueStatus, DueTask, SurveyStatus
from tests.support.chat import Bench, WorkerChat
from tests.support.people import make_staff
from tests.support.surveys import (
    GROUP,
    QUESTION,
    ask_return_visit,
    bench,
    event_kinds,
    rate,
    resolve,
    return_visit,
    surveys,
    sweep,
    worker,
)

__all__ = ["bench", "worker"]
"""Fixtures from ``tests.support.surveys``, imported so pytest finds them."""

LEADS = -1001000001900
SUPERVISORS = -1001000000002


async def the_case(db: Database) -> Case:
    async with db.reader() as session:
        case = (await session.exec(select(Case).order_by(col(Case.id)))).first()
    assert case is not None
    return case


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
    visit = await return_visit(bench.db)
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
    visit = await return_visit(bench.db)
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
    assert (await return_visit(bench.db)).comment == ""


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
    survey_id = (await return_visit(bench.db)).id
    await worker.press("Not yet")
    await worker.press_data(f"sv:{survey_id}:paid:none")
    assert bench.answers[-1].text == "Your answer is already recorded."
    assert (await event_kinds(bench.db)).count("reopened") == 1
    assert (await the_case(bench.db)).number == case.number


async def test_only_the_cases_worker_may_answer(bench: Bench, worker: WorkerChat) -> None:
    await ask_return_visit(bench)
    survey_id = (await return_visit(bench.db)).id
    stranger = bench.chat(777)
    await stranger.press_data(f"sv:{survey_id}:paid:none")
    assert bench.answers[-1].show_alert
    assert (await the_case(bench.db)).status == CaseStatus.RESOLVED
    assert (await return_visit(bench.db)).status == SurveyStatus.ASKED


@pytest.mark.parametrize(
    "data",
    ["sv:abc:paid:none", "sv:999:paid:none", "sv:{id}:paid:maybe", "sv:{id}:rate:9", "sv:{id}"],
)
async def test_forged_survey_buttons_are_refused(
    bench: Bench, worker: WorkerChat, data: str
) -> None:
    await ask_return_visit(bench)
    survey_id = (await return_visit(bench.db)).id
    before = await event_kinds(bench.db)
    await worker.press_data(data.format(id=survey_id))
    assert bench.answers[-1].show_alert
    assert await event_kinds(bench.db) == before
    assert (await return_visit(bench.db)).paid is None


async def test_an_answer_to_an_earlier_rounds_survey_is_stale(
    bench: Bench, worker: WorkerChat
) -> None:
    await ask_return_visit(bench)
    first = await return_visit(bench.db)
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
    assert (await return_visit(bench.db)).status == SurveyStatus.CANCELLED


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

"""The anti-rebound check (防反弹) a month after a resolution, and what each answer leads to."""

from datetime import timedelta

from sqlmodel import col, select

from storage.models import Case, Conversation, Survey, SurveyStatus
from tests.support.chat import Bench, WorkerChat
from tests.support.surveys import GROUP, bench, event_kinds, rate, surveys, sweep, worker

__all__ = ["bench", "worker"]
"""Fixtures from ``tests.support.surveys``, imported so pytest finds them."""

QUESTION = "Has anyone owed you wages again"


async def answer_return_visit(bench: Bench, worker: WorkerChat) -> None:
    await rate(bench, worker, "5")
    await worker.press("Skip")


async def the_rebound_check(bench: Bench) -> Survey:
    return next(s for s in await surveys(bench.db) if s.kind == "rebound")


async def ask_rebound(bench: Bench, worker: WorkerChat) -> None:
    await answer_return_visit(bench, worker)
    bench.clock.advance(days=29)
    await sweep(bench)
    assert QUESTION in worker.last.text


async def test_the_rebound_check_is_asked_thirty_days_after_the_resolution(
    bench: Bench, worker: WorkerChat
) -> None:
    await answer_return_visit(bench, worker)
    resolved_at = bench.clock.now() - timedelta(hours=24)
    bench.clock.advance(days=29, minutes=-1)
    await sweep(bench)
    assert QUESTION not in worker.last.text
    bench.clock.advance(minutes=1)
    await sweep(bench)
    assert QUESTION in worker.last.text
    assert worker.button_labels() == ["😟 Yes, I am owed wages again", "🙂 No, all is well"]
    check = await the_rebound_check(bench)
    assert check.asked_at == resolved_at + timedelta(days=30)


async def test_no_new_arrears_is_thanked_and_recorded(bench: Bench, worker: WorkerChat) -> None:
    await ask_rebound(bench, worker)
    await worker.press("No, all is well")
    assert "Good to hear" in worker.last.text
    check = await the_rebound_check(bench)
    assert (check.status, check.new_arrears) == (SurveyStatus.ANSWERED, False)
    assert (await event_kinds(bench.db))[-1] == "survey_answer"


async def test_new_arrears_tell_the_department_and_start_a_report_filled_from_the_old_case(
    bench: Bench, worker: WorkerChat
) -> None:
    await ask_rebound(bench, worker)
    await worker.press("Yes, I am owed wages again")
    assert "owed wages again" in bench.to(GROUP)[-1].text
    assert "filled in from your last case" in worker.messages[-2].text
    assert "Who owes you the wages?" in worker.last.text
    for answer in ("Longhai Builders", "School canteen", "Anding town", "3万", "2", "2026-10"):
        await worker.send(answer)
    await worker.send("The boss left without paying us for October.")
    await worker.press("Skip")
    review = worker.last.text
    assert "Wang Wu" in review and "138 1234 5678" in review and "Anding" in review
    await worker.press("Submit report")
    async with bench.db.reader() as session:
        old, new = (await session.exec(select(Case).order_by(col(Case.id)))).all()
    assert (new.reporter_name, new.reporter_phone) == (old.reporter_name, old.reporter_phone)
    assert (new.county, new.sector, new.employer) == ("anding", "construction", "Longhai Builders")
    assert (await the_rebound_check(bench)).new_arrears is True


async def test_a_report_already_begun_is_resumed_not_replaced(
    bench: Bench, worker: WorkerChat
) -> None:
    await ask_rebound(bench, worker)
    await worker.press("Report unpaid wages")
    await worker.send("Zhang San")
    await worker.press("Yes, I am owed wages again")
    assert "continue your report" in worker.messages[-2].text
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, worker.chat_id)
    assert conversation is not None
    assert conversation.data["answers"] == {"name": "Zhang San"}


async def test_after_the_worker_deleted_their_data_owed_again_asks_name_and_phone_anew(
    bench: Bench, worker: WorkerChat
) -> None:
    await answer_return_visit(bench, worker)
    await worker.send("/deletemydata")
    await worker.press("Yes, delete my data")
    bench.clock.advance(days=29)
    await sweep(bench)
    await worker.press("Yes, I am owed wages again")
    assert "The county and kind of work are filled in" in worker.messages[-2].text
    assert "What is your name?" in worker.last.text

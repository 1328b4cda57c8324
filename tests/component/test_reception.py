"""Staff at a reception point file a case for a worker who came in person or phoned: /file."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from handlers import HandlerConfig
from handlers.context import Unit
from handlers.staff.payment_check import ask_about_payment
from storage.db import Database
from storage.models import (
    Case,
    CaseEvent,
    Consultation,
    Conversation,
    DueTask,
    Staff,
    StaffRole,
    Worker,
)
from storage.repositories import ports
from tests.support.chat import Bench, WorkerChat, complete_report
from tests.support.clock import FakeClock
from tests.support.people import make_staff

GROUP = -1001000000101  # 安定区住建局, Anding × construction
OFFICER = 901
ORDINARY = {"amount": "5万", "workers": "3", "since": "2026-06"}


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en"), clock)


@pytest.fixture
async def officer(bench: Bench) -> WorkerChat:
    """The officer's private chat, with the menu shown in English."""
    await make_staff(bench.db, bench.clock, OFFICER, name="Officer Li")
    chat = bench.chat(OFFICER, name="Officer Li")
    await chat.send("/start")
    await chat.press("English")
    return chat


async def file_walk_in(officer: WorkerChat, **answers: str) -> None:
    """/file, then the answers of a worker's report: the menu's report button resumes the
    open /file draft, so the shared report walk-through serves."""
    await officer.send("/file")
    await complete_report(officer, **(ORDINARY | answers))


async def cases_of(db: Database) -> list[Case]:
    async with db.reader() as session:
        return list(await session.exec(select(Case).order_by(col(Case.id))))


async def test_staff_file_a_walk_in_case_and_the_department_is_alerted(
    officer: WorkerChat, bench: Bench
) -> None:
    await file_walk_in(officer, name="Zhao Liu", phone="139 0000 1111")
    (case,) = await cases_of(bench.db)
    assert (case.source, case.worker_id) == ("reception", None)
    assert (case.reporter_name, case.reporter_phone) == ("Zhao Liu", "+8613900001111")
    assert "Case <b>DX-2026-000001</b> was filed for Zhao Liu" in officer.last.text
    assert "139 0000 1111" in officer.last.text
    (alert,) = bench.to(GROUP)
    assert "DX-2026-000001" in alert.text and "139****1111" in alert.text
    async with bench.db.reader() as session:
        staff = (await session.exec(select(Staff))).one()
        (event,) = await session.exec(select(CaseEvent).where(CaseEvent.kind == "created"))
        own = (await session.exec(select(Worker).where(Worker.telegram_user_id == OFFICER))).one()
        conversation = await session.get(Conversation, OFFICER)
    assert event.actor == f"staff:{staff.id}"
    assert (own.name, own.phone) == (None, None)
    assert conversation is not None and conversation.flow is None


async def test_the_questions_ask_for_the_worker_not_the_staff_member(
    officer: WorkerChat, bench: Bench
) -> None:
    async with bench.db.transaction() as session:
        own = (await session.exec(select(Worker).where(Worker.telegram_user_id == OFFICER))).one()
        own.name = "Li Officer"
        session.add(own)
    await officer.send("/file")
    assert "Filing a case for a worker" in officer.messages[-2].text
    assert "What is the worker's name?" in officer.last.text
    assert not any("Use:" in label for label in officer.button_labels())
    await officer.send("Zhao Liu")
    assert "The worker's phone number (required)" in officer.last.text
    assert officer.last.keyboard is None
    await officer.send("12345")
    assert "not a valid phone number" in officer.last.text
    await officer.press("Back")
    assert "What is the worker's name?" in officer.last.text


async def test_the_daily_limit_of_workers_does_not_apply_to_staff(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    bench = Bench(db, replace(config, default_language="en", daily_case_limit=1), clock)
    await make_staff(db, clock, OFFICER)
    officer = bench.chat(OFFICER)
    await officer.send("/start")
    await officer.press("English")
    await file_walk_in(officer)
    await file_walk_in(officer, employer="Another boss")
    assert len(await cases_of(db)) == 2


async def test_a_workers_own_report_stays_theirs(officer: WorkerChat, bench: Bench) -> None:
    worker = bench.chat(501)
    await complete_report(worker, **ORDINARY)
    (case,) = await cases_of(bench.db)
    assert case.source == "telegram" and case.worker_id is not None
    assert "Your report was received" in worker.last.text


@pytest.mark.parametrize(
    ("role", "refusal"),
    [(None, "for department staff only"), (StaffRole.SUPERVISOR, "do not file them")],
)
async def test_only_staff_who_handle_cases_may_file(
    bench: Bench, role: StaffRole | None, refusal: str
) -> None:
    if role is not None:
        await make_staff(bench.db, bench.clock, 950, role)
    chat = bench.chat(950)
    await chat.send("/file")
    assert refusal in chat.last.text
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, 950)
    assert conversation is None or conversation.flow is None


async def test_file_in_a_group_points_to_the_private_chat(
    officer: WorkerChat, bench: Bench
) -> None:
    group = bench.chat(OFFICER, chat_id=GROUP)
    await group.send("/file")
    assert "private chat" in group.last.text


async def test_staff_removed_meanwhile_cannot_submit_and_the_draft_is_kept(
    officer: WorkerChat, bench: Bench
) -> None:
    await officer.send("/file")
    await complete_report(officer, submit=False, **ORDINARY)
    async with bench.db.transaction() as session:
        staff = (await session.exec(select(Staff))).one()
        staff.active = False
        session.add(staff)
    await officer.press("Submit report")
    assert await cases_of(bench.db) == []
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, OFFICER)
    assert conversation is not None and conversation.data["answers"]["name"] == "Wang Wu"


async def test_a_button_press_never_discards_an_open_walk_in_draft(
    officer: WorkerChat, bench: Bench
) -> None:
    worker = bench.chat(501)
    await complete_report(worker, **ORDINARY)
    await officer.send("/file")
    await officer.send("Zhao Liu")
    await bench.chat(OFFICER, chat_id=GROUP).press("Consultation")
    assert "submit or cancel the report" in (bench.answers[-1].text or "")
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, OFFICER)
    assert conversation is not None and conversation.flow == "report"
    assert conversation.data["answers"] == {"name": "Zhao Liu"}


async def test_a_consultation_on_a_walk_in_case_is_left_to_the_phone(
    officer: WorkerChat, bench: Bench
) -> None:
    await file_walk_in(officer)
    group = bench.chat(OFFICER, chat_id=GROUP)
    await group.press("Consultation")
    await officer.send("2026-12-03 14:30")
    await officer.send("Village office")
    await officer.press("Continue")
    await officer.press("Schedule and invite")
    assert "not on Telegram, or blocked the bot): please invite them by phone" in officer.last.text
    assert "not on Telegram" in bench.to(GROUP)[-1].text

    bench.clock.current = datetime(2026, 12, 3, 8, tzinfo=UTC)
    await officer.send("/outcome DX-2026-000001")
    await officer.send("40000")
    await officer.press("Thu 12/10")
    await officer.press("Skip")
    await officer.press("Record the outcome")
    async with bench.db.transaction() as session:
        task = (await session.exec(select(DueTask).where(DueTask.kind == "payment_check"))).one()
        unit = Unit(session, bench.config, task.due_at + timedelta(minutes=1), ports=ports(session))
        await ask_about_payment(unit, task)
        consultation = (await session.exec(select(Consultation))).one()
    bench.record(unit.outgoing)
    assert consultation.payment_due is not None
    assert "please call them to check" in bench.to(GROUP)[-1].text

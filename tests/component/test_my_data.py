"""A worker sees what the bot holds about them (/mydata) and has it deleted (/deletemydata)."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.scheduler import run_due_work
from handlers import HandlerConfig
from handlers.context import Unit
from handlers.replies import SendDocument, Upload
from handlers.retention import plan_retention
from storage.db import Database
from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    Conversation,
    InboxEvent,
    InboxStatus,
    Survey,
    VisitBooking,
    Worker,
)
from storage.repositories import ports
from tests.support.chat import Bench, WorkerChat, bench, complete_report
from tests.support.clock import FakeClock
from tests.support.stored import stored_update

__all__ = ["bench"]

GROUP = -1001000000101


@pytest.fixture
def chat(bench: Bench) -> WorkerChat:
    return bench.chat(501)


OTHER_CHAT = 777


async def only_case(db: Database) -> Case:
    async with db.reader() as session:
        return (await session.exec(select(Case))).one()


async def close(db: Database, clock: FakeClock, number: str | None = None) -> None:
    """Staff resolve the case (or every case), with a survey answered and evidence kept."""
    async with db.transaction() as session:
        statement = select(Case)
        if number is not None:
            statement = statement.where(Case.number == number)
        for case in (await session.exec(statement)).all():
            assert case.id is not None
            case.status, case.resolved_at, case.outcome = (
                CaseStatus.RESOLVED,
                clock.now(),
                "paid_in_full",
            )
            session.add(case)
            session.add(
                Survey(
                    case_id=case.id,
                    kind="return_visit",
                    status="answered",
                    due_at=clock.now(),
                    rating=4,
                    paid="yes",
                    comment="The boss paid, thanks",
                    created_at=clock.now(),
                )
            )


async def add_evidence(db: Database, clock: FakeClock) -> None:
    case = await only_case(db)
    assert case.id is not None
    async with db.transaction() as session:
        session.add(
            Attachment(
                case_id=case.id,
                kind="photo",
                file_id="photo-1",
                file_unique_id="u1",
                file_name="iou.jpg",
                created_at=clock.now(),
            )
        )


async def book_visits(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        worker = (await session.exec(select(Worker))).one()
        assert worker.id is not None
        for days in (-3, 3):
            session.add(
                VisitBooking(
                    worker_id=worker.id,
                    point="anding-hall",
                    slot_at=clock.now() + timedelta(days=days),
                    created_at=clock.now(),
                )
            )


def document_text(bench: Bench) -> str:
    (document,) = [f for f in bench.files if isinstance(f, SendDocument)]
    assert isinstance(document.document, Upload)
    assert document.document.file_name.endswith(".txt")
    return document.document.content.decode("utf-8")


async def worker_row(db: Database) -> Worker:
    async with db.reader() as session:
        return (await session.exec(select(Worker))).one()


async def events_of(db: Database, kind: str) -> list[CaseEvent]:
    async with db.reader() as session:
        statement = select(CaseEvent).where(CaseEvent.kind == kind).order_by(col(CaseEvent.id))
        return list((await session.exec(statement)).all())


async def holding_everything(chat: WorkerChat, db: Database, clock: FakeClock) -> None:
    """A worker with a closed case and its evidence, a past and a coming visit, and a new
    report begun (a name typed)."""
    await complete_report(chat)
    await add_evidence(db, clock)
    await close(db, clock)
    await book_visits(db, clock)
    await chat.press("Report unpaid wages")
    await chat.send("Li Si")


async def test_mydata_sends_a_document_of_everything_held_about_the_worker(
    chat: WorkerChat, bench: Bench, db: Database, clock: FakeClock
) -> None:
    await holding_everything(chat, db, clock)

    await chat.send("/mydata")

    text = document_text(bench)
    for expected in (
        "What the bot holds about you",
        "== Case DX-2026-000001 ==",
        "Status: Resolved",
        "Name: Wang Wu",
        "Phone: 138 1234 5678",
        "Employer: Xijiang Agricultural Co-op",
        "What happened: We repaired 70 greenhouses and were paid only 20,000.",
        "Amount owed: 195,000 yuan",
        "Outcome: ",
        "iou.jpg",
        "Rating: 4",
        "Comment: The boss paid, thanks",
        "· case filed",
        "== Report in progress ==",
        "Name: Li Si",
        "== Visit bookings ==",
        "anding-hall",
    ):
        assert expected in text, expected
    assert text.count("anding-hall") == 2
    assert "Everything the bot holds about you" in bench.files[0].caption  # type: ignore[union-attr]


async def test_mydata_speaks_the_workers_language(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    bench = Bench(db, config, clock)
    chat = bench.chat(502)
    await chat.send("/start")
    await chat.press("中文")
    await chat.send("/mydata")
    text = document_text(bench)
    assert text.startswith("本机器人保存的关于您的信息")
    assert "来访预约" in text


async def test_mydata_and_deletemydata_in_a_group_are_refused(bench: Bench) -> None:
    group = bench.chat(501, chat_id=GROUP)
    for command in ("/mydata", "/deletemydata"):
        await group.send(command)
        assert "private chat" in group.last.text
    assert bench.files == []


async def test_deletemydata_asks_first_and_no_deletes_nothing(
    chat: WorkerChat, db: Database, clock: FakeClock
) -> None:
    await complete_report(chat)
    await close(db, clock)
    await chat.send("/deletemydata")
    assert chat.button_labels() == ["🗑 Yes, delete my data", "↩️ No, keep it"]
    await chat.press("No, keep it")
    assert chat.last.text == "Nothing was deleted."
    assert (await only_case(db)).reporter_name == "Wang Wu"
    assert await events_of(db, "data_deleted") == []


async def test_deletemydata_without_an_open_case_leaves_no_personal_data(
    chat: WorkerChat, db: Database, clock: FakeClock
) -> None:
    await holding_everything(chat, db, clock)

    await stored_update(db, 1, chat.chat_id, clock.now(), InboxStatus.DONE)
    await stored_update(db, 2, OTHER_CHAT, clock.now(), InboxStatus.DONE)
    await chat.send("/deletemydata")
    await chat.press("Yes, delete my data")

    case = await only_case(db)
    assert (case.reporter_name, case.reporter_phone, case.account) == ("", "", "")
    assert case.anonymised_at == clock.now() and case.employer == "Xijiang Agricultural Co-op"
    worker = await worker_row(db)
    assert (worker.name, worker.phone) == (None, None)
    async with db.reader() as session:
        conversation = await session.get(Conversation, chat.chat_id)
        visits = (await session.exec(select(VisitBooking))).all()
        attachments = (await session.exec(select(Attachment))).all()
        survey = (await session.exec(select(Survey))).one()
        handled = (await session.exec(select(InboxEvent.chat_id))).all()
    assert conversation is not None and (conversation.flow, conversation.data) == (None, {})
    assert [v.slot_at for v in visits] == [clock.now() + timedelta(days=3)]
    assert attachments == [] and survey.comment is None and survey.rating == 4
    assert handled == [OTHER_CHAT], "this chat's updates went, another chat's stayed"
    (event,) = await events_of(db, "data_deleted")
    assert event.data == {"anonymised": 1, "open_kept": 0, "visits_deleted": 1, "visits_kept": 1}
    assert "closed cases anonymised: 1" in chat.last.text
    assert "visit bookings still to come (1)" in chat.last.text


async def test_deletemydata_keeps_an_open_case_until_it_is_closed_then_it_goes(
    chat: WorkerChat, db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await complete_report(chat)
    await chat.send("/deletemydata")
    await chat.press("Yes, delete my data")

    assert "DX-2026-000001" in chat.last.text and "Kept" in chat.last.text
    case = await only_case(db)
    assert case.reporter_name == "Wang Wu" and case.anonymised_at is None
    assert (await worker_row(db)).phone == "+8613812345678"
    await chat.send("/mydata")
    assert "· asked for their personal data to be deleted" in document_text(chat.bench)

    await close(db, clock)
    clock.advance(days=1)
    async with db.transaction() as session:
        await plan_retention(Unit(session, config, clock.now(), ports=ports(session)))
    await run_due_work(db, config, clock, limit=100)
    case = await only_case(db)
    assert case.reporter_name == "" and case.anonymised_at == clock.now()
    assert (await worker_row(db)).phone is None


async def test_a_second_deletemydata_is_harmless(
    chat: WorkerChat, db: Database, clock: FakeClock
) -> None:
    await complete_report(chat)
    await close(db, clock)
    for _ in range(2):
        await chat.send("/deletemydata")
        await chat.press("Yes, delete my data")
    first, second = await events_of(db, "data_deleted")
    assert first.data["anonymised"] == 1 and second.data["anonymised"] == 0
    assert "closed cases anonymised: 0" in chat.last.text
    assert (await only_case(db)).anonymised_at is not None


async def test_help_tells_the_worker_of_their_data_rights(chat: WorkerChat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send("/help")
    assert "/mydata" in chat.last.text and "/deletemydata" in chat.last.text
    assert "365 days after closing" in chat.last.text

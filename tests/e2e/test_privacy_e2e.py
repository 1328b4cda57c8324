"""Personal information through each client, checked where it could hide.

Four workers report through the real bot and the fake Bot API: one has a staff member view
their contact and their case closed, one discards a draft, one has their case closed and asks
for their data to be deleted, and one keeps an open case. Then every text and JSON column of
every table, and every file of the case file store, is scanned for the workers' names and phone
numbers in every format (the masked ``138****0001`` is allowed): at once, only the discarded
draft and the deleted data must be gone; after the retention sweep with the clock a year and a
month on, everything but the open case, which must still be found where it belongs — the scan
finding it is what shows the scan can find anything at all.
"""

import base64
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlmodel import SQLModel, col

from bot.app import handler_config
from bot.case_files.fetcher import Fetcher
from bot.case_files.store import CaseFileStore
from bot.routing_file import load_routing
from bot.settings import EvidenceSettings, load_settings
from handlers.context import Unit
from handlers.retention import RETENTION, forget_past_their_time
from storage.db import Database
from storage.models import Attachment, Case, CaseStatus, DueTask, OutboxMessage, OutboxStatus
from storage.repositories import ports
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.people import make_staff
from tests.support.waiting import until

OFFICER = 9102
CASE_TABLES = {"case", "worker", "caseevent", "attachment", "store"}
"""Where an open case's own data lives (``store``: the case file store's files)."""


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    phone: str
    employer: str

    def needles(self) -> list[str]:
        spaced = f"{self.phone[:3]} {self.phone[3:7]} {self.phone[7:]}"
        return [self.name, self.phone, f"+86{self.phone}", spaced]

    def pdf(self) -> bytes:
        return f"%PDF-1.4\n% IOU: {self.employer} owes {self.name} 19500 yuan\n%%EOF\n".encode()


CLOSED = Person(7501, "Qiu Tianming", "13812340001", "Xiwan Brickworks")
DISCARDED = Person(7502, "Lan Xiaohe", "13812340002", "—")
DELETED = Person(7503, "Ge Shuyan", "13812340003", "Beishan Quarry")
OPEN = Person(7504, "Fu Chenglin", "13812340004", "Nanhe Builders")


@pytest.fixture
def mode() -> str:
    """Receiving is not what this module tests: polling only."""
    return "polling"


@pytest.fixture
def bot_env(tmp_path: Path) -> dict[str, str]:
    return {"DEFAULT_LANGUAGE": "en", "EVIDENCE_DIR": str(tmp_path / "evidence")}


async def begin(fake: FakeBotAPI, person: Person) -> TelegramWorker:
    worker = TelegramWorker(fake, person.user_id, person.name.split()[0])
    await worker.begin_report()
    await worker.say(person.name, "phone number")
    await worker.say(person.phone, "Choose the county")
    return worker


async def report(fake: FakeBotAPI, person: Person) -> TelegramWorker:
    """A whole report whose story and IOU name the worker; submitted, its files kept."""
    worker = await begin(fake, person)
    await worker.tap("Anding", "What kind of work")
    await worker.tap("Construction", "Who owes you")
    await worker.say(person.employer, "What is the project called")
    await worker.say("Kiln repair", "Where is the site")
    await worker.say("Xiwan village", "How much are you owed")
    await worker.say("19500", "How many workers")
    await worker.tap("Just me", "Since when")
    await worker.say("2025年5月", "In a few sentences")
    await worker.say(f"I am {person.name}; call {person.phone}.", "Do you have evidence")
    mark = fake.mark(worker.chat_id)
    worker.user.send_document("iou.pdf", content=person.pdf())
    await fake.wait_for_text(worker.chat_id, "Received so far: 1", worker.timeout, mark)
    await worker.tap("Done", "Please check your report")
    await worker.tap("Submit report", "Your report was received")
    return worker


async def close_case(database_url: str, person: Person) -> None:
    """Resolved by its department (the buttons are other tests' subject)."""
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            await session.exec(
                update(Case)
                .where(col(Case.employer) == person.employer)
                .values(status=CaseStatus.RESOLVED, outcome="paid_in_full", resolved_at=_now())
            )
    finally:
        await db.dispose()


async def settled(database_url: str, files: int) -> None:
    """Every message delivered and every evidence file kept."""
    db = Database(database_url)

    async def done() -> bool:
        async with db.reader() as session:
            unsent = select(func.count()).where(
                col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
            )
            if (await session.exec(unsent)).scalar_one():
                return False
            kept = select(Attachment.stored_path).where(col(Attachment.stored_path).is_not(None))
            return len(set((await session.exec(kept)).scalars())) == files

    try:
        await until(done, 30, what="outbox delivered and files kept")
    finally:
        await db.dispose()


async def sweep_a_year_on(database_url: str, evidence: Path) -> None:
    """The daily retention work as it runs 400 days from now, then the fetcher's hourly
    deletion of the files anonymised cases listed (the files' times moved back with it)."""
    config = handler_config(load_settings(), load_routing(load_settings().cases.routing_file))
    later = FakeClock(_now() + timedelta(days=400))
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            task = DueTask(kind=RETENTION, subject="retention:2028-01-01:0", due_at=later.now())
            await forget_past_their_time(
                Unit(session, config, later.now(), ports=ports(session)), task
            )
        for file in _files(evidence):
            os.utime(file, (time.time() - 3600,) * 2)
        store = CaseFileStore(evidence)
        await Fetcher(db, NoDownloads(), store, EvidenceSettings()).sweep_store()
    finally:
        await db.dispose()


class NoDownloads:
    async def download(self, file_id: str) -> bytes:
        raise AssertionError("nothing is downloaded a year on")


async def found(database_url: str, evidence: Path) -> dict[str, set[tuple[str, str]]]:
    """For each person, the (table, column) pairs — or ("store", file) — holding any of their
    needles."""
    people = (CLOSED, DISCARDED, DELETED, OPEN)
    hits: dict[str, set[tuple[str, str]]] = {person.name: set() for person in people}
    db = Database(database_url)
    try:
        async with db.reader() as session:
            for table in SQLModel.metadata.sorted_tables:
                for row in (await session.exec(select(table))).all():  # type: ignore[call-overload]
                    for column, value in zip(table.columns.keys(), row, strict=True):
                        for person in people:
                            if _holds(_text(value), person):
                                hits[person.name].add((table.name, column))
    finally:
        await db.dispose()
    for file in _files(evidence):
        content = file.read_bytes().decode("utf-8", "replace")
        for person in people:
            if _holds(content, person):
                hits[person.name].add(("store", file.name))
    return hits


async def test_personal_data_is_where_the_rules_allow_and_nowhere_else(
    fake: FakeBotAPI, bot: BotProcess, database_url: str, tmp_path: Path
) -> None:
    evidence = tmp_path / "evidence"
    db = Database(database_url)
    await make_staff(db, FakeClock(), OFFICER, name="Li")
    await db.dispose()

    await report(fake, CLOSED)
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, CLOSED.employer)
    contact = next(text for text, _ in alert.buttons() if "Contact" in text)
    mark = fake.mark(OFFICER)
    fake.user(OFFICER, "Li").in_chat(DEPARTMENT_CHAT).press(alert, contact)
    await fake.wait_for_text(OFFICER, "Contact for case", 15, mark)
    await close_case(database_url, CLOSED)

    discarder = await begin(fake, DISCARDED)
    await discarder.say("/cancel", "Discard this report?")
    await discarder.tap("Yes, discard", "The report was discarded")

    deleter = await report(fake, DELETED)
    await close_case(database_url, DELETED)
    await deleter.say("/deletemydata", "delete")
    await deleter.tap("Yes, delete my data", "Your data is deleted")

    keeper = await report(fake, OPEN)
    mark = fake.mark(keeper.chat_id)
    keeper.user.send_text("/mydata")
    copy = await fake.wait_for_message(keeper.chat_id, lambda m: m.document is not None, after=mark)
    assert copy.document is not None
    assert OPEN.name in fake.file(copy.document["file_id"]).data.decode()

    await settled(database_url, files=1 + 1)  # CLOSED's IOU and OPEN's; DELETED's went
    at_once = await found(database_url, evidence)
    assert at_once[DISCARDED.name] == set(), "a discarded draft leaves nothing behind"
    deleted_where = {table for table, _ in at_once[DELETED.name]}
    assert deleted_where <= {"store"}, "/deletemydata leaves nothing in the database at once"
    assert ("case", "reporter_name") in at_once[CLOSED.name], "closed: kept until its time"
    assert ("case", "reporter_name") in at_once[OPEN.name]

    await sweep_a_year_on(database_url, evidence)
    a_year_on = await found(database_url, evidence)
    assert a_year_on[CLOSED.name] == set(), "a closed case is anonymised after its time"
    assert a_year_on[DISCARDED.name] == a_year_on[DELETED.name] == set()
    assert ("case", "reporter_name") in a_year_on[OPEN.name], "the scan finds what is there"
    assert any(place == "store" for place, _ in a_year_on[OPEN.name]), "its IOU is kept"
    assert {table for table, _ in a_year_on[OPEN.name]} <= CASE_TABLES, a_year_on[OPEN.name]


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: Any) -> str:
    """A column's value as text, with any file uploaded in a payload decoded: base64 must not
    hide a name."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False) + "".join(_uploads(value))
    return ""


def _uploads(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("upload"), str):
            yield base64.b64decode(value["upload"]).decode("utf-8", "replace")
        for inner in value.values():
            yield from _uploads(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _uploads(inner)


def _holds(text: str, person: Person) -> bool:
    return any(needle in text for needle in person.needles())


def _files(root: Path) -> Iterator[Path]:
    return (path for path in root.rglob("*") if path.is_file()) if root.exists() else iter(())

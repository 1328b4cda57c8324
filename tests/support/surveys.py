"""A filed case, resolved and surveyed: the fixtures and steps the survey tests share."""

from typing import Any

import pytest
from sqlmodel import col, select

from bot.scheduler import run_due_work
from handlers.context import Unit
from handlers.replies import Button, SendMessage
from handlers.surveys import plan_return_visit
from storage.db import Database
from storage.models import Case, CaseEvent, CaseStatus, OutboxMessage, Survey
from storage.repositories import ports
from tests.support.chat import Bench, WorkerChat, bench, complete_report

__all__ = [
    "GROUP",
    "QUESTION",
    "ask_return_visit",
    "bench",
    "event_kinds",
    "rate",
    "resolve",
    "return_visit",
    "surveys",
    "sweep",
    "worker",
]

GROUP = -1001000000101
"""安定区住建局, which owns an Anding construction case."""
QUESTION = "Have you received the money?"
"""The return visit's first question."""


@pytest.fixture
async def worker(bench: Bench) -> WorkerChat:
    chat = bench.chat(501)
    # below the hard-case thresholds, so filing sends nothing to leaders or supervisors
    await complete_report(chat, amount="5万", workers="3", since="2026-06")
    return chat


async def resolve(bench: Bench, outcome: str = "paid_in_full") -> Case:
    """Resolve the first case directly and plan its surveys, as ``apply_resolve`` ends."""
    now = bench.clock.now()
    async with bench.db.transaction() as session:
        case = (await session.exec(select(Case).order_by(col(Case.id)))).first()
        assert case is not None
        case.status, case.outcome, case.resolved_at = CaseStatus.RESOLVED, outcome, now
        session.add(case)
        await plan_return_visit(Unit(session, bench.config, now, ports=ports(session)), case)
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


async def return_visit(db: Database) -> Survey:
    """The first survey planned: the return visit of the first resolution."""
    return (await surveys(db))[0]


async def event_kinds(db: Database) -> list[str]:
    async with db.reader() as session:
        rows = await session.exec(select(CaseEvent).order_by(col(CaseEvent.id)))
        return [row.kind for row in rows]


async def ask_return_visit(bench: Bench, outcome: str = "paid_in_full") -> Case:
    """Resolve the case and move a day on, so the return visit is asked."""
    case = await resolve(bench, outcome)
    bench.clock.advance(hours=24)
    await sweep(bench)
    return case


async def rate(bench: Bench, worker: WorkerChat, rating: str) -> None:
    """The return visit asked, the worker paid in full, and the rating given."""
    await ask_return_visit(bench)
    await worker.press("Yes, all of it")
    await worker.press(rating)

"""The verdict on a crowd's reports: every chat got exactly what it should, in order, once.

For every worker: the messages their chat received (re-sends after ambiguous attempts set
apart) are exactly the replies their turns called for, in order — so nothing was lost, nothing
doubled, and nobody was sent back to an earlier question. A worker who saw "Your report was
received" has exactly that one case; a worker who did not, none. Each case's alert reached its
department's chat exactly once.
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import col, select

from handlers.routing import Routing
from storage.db import Database
from storage.models import Case, InboxEvent, Worker
from tests.reliability.crowd import CASE_NUMBER, Crowd
from tests.reliability.ledger import Ledger

__all__ = ["Verdict", "cases_by_user", "inbox_count", "verify_crowd"]


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    workers_exact: int = 0
    exact: set[int] = field(default_factory=set)
    """Users whose chat is exactly as expected."""
    confirmed: int = 0
    cases: int = 0
    alerts: int = 0
    mid_report: int = 0

    def check(self) -> None:
        shown = "\n".join(self.problems[:15])
        assert not self.problems, f"{len(self.problems)} problems:\n{shown}"


async def cases_by_user(database_url: str) -> dict[int, list[str]]:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            rows = (
                await session.exec(
                    select(Worker.telegram_user_id, Case.number).join(
                        Case, col(Case.worker_id) == col(Worker.id)
                    )
                )
            ).all()
    finally:
        await database.dispose()
    found: dict[int, list[str]] = {}
    for user, number in rows:
        found.setdefault(user, []).append(number)
    return found


async def inbox_count(database_url: str) -> int:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            return len((await session.exec(select(InboxEvent.id))).all())
    finally:
        await database.dispose()


def verify_crowd(
    crowd: Crowd, ledger: Ledger, cases: dict[int, list[str]], routing: Routing
) -> Verdict:
    verdict = Verdict(cases=sum(len(numbers) for numbers in cases.values()))
    expected_alerts: Counter[tuple[int, str]] = Counter()
    for worker in crowd.workers:
        audit = ledger.audit(worker.chat_id)
        if audit.matches(worker.expected):
            verdict.workers_exact += 1
            verdict.exact.add(worker.user_id)
        else:
            verdict.problems.append(audit.describe(worker.expected))
        for message in audit.duplicated:
            verdict.problems.append(f"chat {worker.chat_id}: sent twice: {message!r}")
        for row in audit.missing:
            verdict.problems.append(f"chat {worker.chat_id}: outbox row {row.id} never arrived")
        filed = cases.get(worker.user_id, [])
        number = worker.case_number
        if number is not None:
            verdict.confirmed += 1
            department = routing.department_for(worker.county, worker.sector).chat_id
            expected_alerts[(department, number)] += 1
            if filed != [number]:
                verdict.problems.append(f"worker {worker.user_id} confirmed {number}, has {filed}")
        elif filed:
            verdict.problems.append(f"worker {worker.user_id} never confirmed, has cases {filed}")
        verdict.mid_report += worker.mid_report
    seen_alerts: Counter[tuple[int, str]] = Counter()
    for chat in crowd.department_chats(routing):
        audit = ledger.audit(chat)
        for message in audit.delivered:
            for number in set(CASE_NUMBER.findall(message.content)):
                seen_alerts[(chat, number)] += 1
        for message in audit.duplicated:
            verdict.problems.append(f"department chat {chat}: sent twice: {message!r}")
        for row in audit.missing:
            verdict.problems.append(f"department chat {chat}: outbox row {row.id} never arrived")
    verdict.alerts = sum(seen_alerts.values())
    if seen_alerts != expected_alerts:
        wrong = (seen_alerts - expected_alerts) + (expected_alerts - seen_alerts)
        verdict.problems.append(f"alerts differ from the confirmed cases: {dict(wrong)}")
    for row in ledger.undelivered():
        verdict.problems.append(f"outbox row {row.id} ({row.method}) ended {row.status}")
    return verdict

"""What was meant to be sent against what Telegram (the fake) received, chat by chat.

The outbox holds every message the bot decided to send; the fake holds every message that
reached a chat. A row marked sent must be in its chat under the id Telegram gave it (else it is
*missing*). A message in a chat that no sent row owns is a *re-send*: legitimate only when a row
of that chat with the same text was retried after an ambiguous attempt (the bot could not know
whether Telegram had run it), at most as often as the row's ``ambiguous`` count. Anything else
is a duplicate the bot should never have sent.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from storage.db import Database
from storage.models import InboxEvent, InboxStatus, OutboxMessage, OutboxStatus
from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.support.waiting import until

__all__ = ["ChatAudit", "Ledger", "backlog", "load_ledger", "wait_until_settled"]

MESSAGE_METHODS = ("sendMessage", "sendPhoto", "sendDocument")


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    chat_id: int
    method: str
    text: str | None
    status: str
    ambiguous: int
    attempts: int
    telegram_message_id: int | None


@dataclass
class ChatAudit:
    chat_id: int
    delivered: list[BotMessage] = field(default_factory=list)
    """The chat's messages that sent rows own, in the order they arrived."""
    resent: list[BotMessage] = field(default_factory=list)
    """Extra copies explained by an ambiguous attempt."""
    duplicated: list[BotMessage] = field(default_factory=list)
    """Extra copies nothing explains: sent twice."""
    missing: list[Row] = field(default_factory=list)
    """Rows marked sent whose message the chat does not have."""

    def matches(self, expected: list[str]) -> bool:
        """Whether the delivered messages are exactly the expected ones, in order."""
        return len(self.delivered) == len(expected) and all(
            fragment in message.content
            for fragment, message in zip(expected, self.delivered, strict=True)
        )

    def describe(self, expected: list[str]) -> str:
        got = [m.content[:50] for m in self.delivered]
        return f"chat {self.chat_id}: expected {expected}\n got {got}"


@dataclass
class Ledger:
    fake: FakeBotAPI
    rows: list[Row]
    by_chat: dict[int, list[Row]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_chat = {}
        for row in self.rows:
            self.by_chat.setdefault(row.chat_id, []).append(row)

    def audit(self, chat_id: int) -> ChatAudit:
        audit = ChatAudit(chat_id)
        rows = self.by_chat.get(chat_id, [])
        owned = {
            r.telegram_message_id
            for r in rows
            if r.method in MESSAGE_METHODS and r.status == OutboxStatus.SENT
        }
        messages = self.fake.messages(chat_id, include_deleted=True)
        present = {m.message_id for m in messages}
        allowance: Counter[str] = Counter()
        for row in rows:
            if row.method in MESSAGE_METHODS and row.ambiguous and row.text is not None:
                allowance[row.text] += row.ambiguous
        for message in messages:
            if message.message_id in owned:
                audit.delivered.append(message)
            elif allowance[message.source_text or ""] > 0:
                allowance[message.source_text or ""] -= 1
                audit.resent.append(message)
            else:
                audit.duplicated.append(message)
        audit.missing = [
            r
            for r in rows
            if r.method in MESSAGE_METHODS
            and r.status == OutboxStatus.SENT
            and r.telegram_message_id not in present
        ]
        return audit

    def chats(self) -> set[int]:
        return set(self.by_chat) | {m.chat_id for m in self.fake.all_messages()}

    def undelivered(self) -> list[Row]:
        """Rows not sent, apart from a button answer refused after an ambiguous first try
        (Telegram answers a query once: the first attempt did it)."""
        return [
            r
            for r in self.rows
            if r.status != OutboxStatus.SENT
            and not (r.method == "answerCallbackQuery" and r.ambiguous)
        ]

    def totals(self) -> dict[str, int]:
        audits = [self.audit(chat) for chat in self.chats()]
        return {
            "outbox rows": len(self.rows),
            "messages delivered": sum(len(a.delivered) for a in audits),
            "rows retried after an ambiguous attempt": sum(1 for r in self.rows if r.ambiguous),
            "ambiguous attempts (outbox)": sum(r.ambiguous for r in self.rows),
            "re-sends seen in chats (ambiguous, explained)": sum(len(a.resent) for a in audits),
            "duplicates (unexplained)": sum(len(a.duplicated) for a in audits),
            "missing (sent, not in chat)": sum(len(a.missing) for a in audits),
            "undelivered rows": len(self.undelivered()),
        }


def _text(payload: dict[str, Any]) -> str | None:
    value = payload.get("text", payload.get("caption"))
    return value if isinstance(value, str) else None


async def load_ledger(database_url: str, fake: FakeBotAPI) -> Ledger:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            found = (
                await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
            ).all()
    finally:
        await database.dispose()
    rows = [
        Row(
            id=r.id or 0,
            chat_id=r.chat_id,
            method=r.method,
            text=_text(r.payload),
            status=r.status,
            ambiguous=r.ambiguous,
            attempts=r.attempts,
            telegram_message_id=r.telegram_message_id,
        )
        for r in found
    ]
    return Ledger(fake, rows)


async def backlog(database_url: str) -> tuple[int, int]:
    """(inbox events not yet handled, outbox messages not yet settled)."""
    database = Database(database_url)
    try:
        async with database.reader() as session:
            inbox = (
                await session.exec(
                    select(InboxEvent.id).where(InboxEvent.status == InboxStatus.PENDING)
                )
            ).all()
            outbox = (
                await session.exec(
                    select(OutboxMessage.id).where(
                        col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
                    )
                )
            ).all()
    finally:
        await database.dispose()
    return len(inbox), len(outbox)


async def wait_until_settled(
    database_url: str,
    fake: FakeBotAPI,
    timeout: float,  # noqa: ASYNC109 - a deadline for the condition, not for one call
) -> None:
    """Until Telegram has no update left to give and the bot nothing left to handle or send."""
    left: tuple[int, int] = (0, 0)

    async def settled() -> bool:
        nonlocal left
        left = await backlog(database_url)
        return not fake.pending_updates and left == (0, 0)

    await until(
        settled,
        timeout,
        what=f"settling (left: {len(fake.pending_updates)} at Telegram, inbox/outbox {left})",
    )

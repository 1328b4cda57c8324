"""Conversation state: one row per chat, locked while an event of that chat is handled."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation
from storage.upsert import insert_for

__all__ = ["lock_conversation", "save_conversation"]


async def lock_conversation(session: AsyncSession, chat_id: int, at: datetime) -> Conversation:
    """The chat's row, created if new and locked for this transaction (``FOR UPDATE``).

    The lock is what keeps one chat's events in order when several instances share PostgreSQL.
    Most events come from a chat that has its row, so it is read first and made only if absent.
    """
    statement = (
        select(Conversation)
        .where(Conversation.chat_id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    conversation = (await session.exec(statement)).first()
    if conversation is not None:
        return conversation
    await session.exec(
        insert_for(session, Conversation)
        .values(chat_id=chat_id, data={}, updated_at=at)
        .on_conflict_do_nothing(index_elements=["chat_id"])
    )
    return (await session.exec(statement)).one()


def save_conversation(
    session: AsyncSession,
    conversation: Conversation,
    at: datetime,
    *,
    flow: str | None,
    step: str | None,
    data: dict[str, Any],
) -> None:
    """Store where the chat is; ``data`` is always written, as flows edit it in place."""
    conversation.flow, conversation.step, conversation.data = flow, step, data
    conversation.updated_at = at
    flag_modified(conversation, "data")
    session.add(conversation)

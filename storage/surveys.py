"""Surveys (回访, 防反弹) and the due work and messages that belong to each.

A survey's due work is one task per turn (ask, remind, close), keyed ``survey:<id>:<turn>``;
the messages a turn sends carry the same key as their outbox ``ref``, so what became of them
can be read back.
"""

import re
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    DueStatus,
    DueTask,
    OutboxMessage,
    OutboxStatus,
    Survey,
    SurveyStatus,
)

__all__ = [
    "SURVEY_TASK",
    "cancel_scheduled_surveys",
    "cancel_turns",
    "case_of_survey",
    "hasten_refused_survey",
    "lock_survey",
    "newer_round_exists",
    "next_round",
    "reached_nobody",
    "turn_key",
]


SURVEY_TASK = "survey"
"""The due task kind of every survey turn."""
SURVEY_KEY_PREFIX = f"{SURVEY_TASK}:"
TURN_KEY = re.compile(rf"{SURVEY_KEY_PREFIX}(?P<survey>\d+):(?P<turn>\d+)")


def turn_key(survey_id: int, turn: int) -> str:
    """The due task's subject and its message's outbox ref for one turn of a survey."""
    return f"{_keys_of(survey_id)}{turn}"


def _keys_of(survey_id: int) -> str:
    return f"{SURVEY_KEY_PREFIX}{survey_id}:"


async def next_round(session: AsyncSession, case_id: int) -> int:
    """1 for a case's first resolution, 2 after it was reopened and resolved again, …"""
    statement = select(func.max(Survey.round)).where(col(Survey.case_id) == case_id)
    return ((await session.exec(statement)).one() or 0) + 1


async def case_of_survey(session: AsyncSession, survey_id: int) -> int | None:
    """The survey's case id, read without a lock: lock the case first, then the survey."""
    return (await session.exec(select(Survey.case_id).where(col(Survey.id) == survey_id))).first()


async def lock_survey(session: AsyncSession, survey_id: int) -> Survey:
    """The survey, held for this transaction, once its case is held.

    Whatever changes a survey also writes to its case (the audit trail, a reopening), and staff
    actions lock the case; taking the case first everywhere makes a worker's press, a survey's
    turn and a staff action on one case wait for each other instead of deadlocking.
    """
    statement = select(Survey).where(col(Survey.id) == survey_id).with_for_update()
    return (await session.exec(statement.execution_options(populate_existing=True))).one()


async def newer_round_exists(session: AsyncSession, survey: Survey) -> bool:
    statement = select(func.count()).where(
        col(Survey.case_id) == survey.case_id,
        col(Survey.kind) == survey.kind,
        col(Survey.round) > survey.round,
    )
    return (await session.exec(statement)).one() > 0


async def cancel_scheduled_surveys(session: AsyncSession, case_id: int) -> list[int]:
    """Cancel the case's surveys not yet asked, and their due work; their ids."""
    statement = select(Survey.id).where(
        col(Survey.case_id) == case_id, col(Survey.status) == SurveyStatus.SCHEDULED
    )
    ids = [survey_id for survey_id in (await session.exec(statement)).all() if survey_id]
    if ids:
        await session.exec(
            update(Survey).where(col(Survey.id).in_(ids)).values(status=SurveyStatus.CANCELLED)
        )
    for survey_id in ids:
        await cancel_turns(session, survey_id)
    return ids


async def cancel_turns(session: AsyncSession, survey_id: int) -> None:
    """Drop the survey's pending turns (it was answered, or will not be asked)."""
    await session.exec(
        update(DueTask)
        .where(
            col(DueTask.kind) == SURVEY_TASK,
            col(DueTask.subject).startswith(_keys_of(survey_id)),
            col(DueTask.status) == DueStatus.PENDING,
        )
        .values(status=DueStatus.CANCELLED)
    )


async def hasten_refused_survey(session: AsyncSession, ref: str | None, now: datetime) -> None:
    """Telegram refused the message with this outbox ref: if it was a survey's question, the
    turn after it (which closes the survey as undeliverable) falls due now rather than at the
    reminder, so the figures and the case's audit trail show it the same day."""
    match = TURN_KEY.fullmatch(ref or "")
    if match is None:
        return
    survey_id, turn = int(match["survey"]), int(match["turn"])
    await session.exec(
        update(DueTask)
        .where(
            col(DueTask.kind) == SURVEY_TASK,
            col(DueTask.subject) == turn_key(survey_id, turn + 1),
            col(DueTask.status) == DueStatus.PENDING,
            col(DueTask.due_at) > now,
        )
        .values(due_at=now)
    )


async def reached_nobody(session: AsyncSession, survey_id: int) -> bool:
    """True when Telegram refused one of the survey's messages (the worker blocked the bot)."""
    statement = select(func.count()).where(
        col(OutboxMessage.ref).startswith(_keys_of(survey_id)),
        col(OutboxMessage.status) == OutboxStatus.UNREACHABLE,
    )
    return (await session.exec(statement)).one() > 0

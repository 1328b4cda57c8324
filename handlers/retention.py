"""Keeping what workers typed no longer than its purpose (PIPL art. 19), as daily due work.

A handled update served once its answer was decided; a sent message once Telegram had it. Both
are kept a few days more (INBOX/OUTBOX_RETENTION_DAYS), for the operator to look into a
complaint about the bot itself; a draft left half-way is kept a month (DRAFT_RETENTION_DAYS)
for its worker to come back to. Then they are forgotten in batches: a batch that finds more
plans the next one at once. A closed case is anonymised CLOSED_CASE_RETENTION_DAYS after its
closing.
"""

from handlers.context import Unit
from storage.anonymise import anonymise_old_cases
from storage.due import schedule_once
from storage.models import DueTask
from storage.retention import forget_idle_drafts, forget_old_messages, forget_old_updates

__all__ = ["BATCH", "CASE_BATCH", "RETENTION", "plan_retention"]

RETENTION = "retention"
BATCH = 1000
"""Rows of each table per transaction."""
CASE_BATCH = 100
"""Closed cases anonymised per transaction: each touches its trail, surveys and files."""


async def plan_retention(unit: Unit) -> None:
    """Today's sweep (local date), unless planned or done already; due at once."""
    day = unit.local_now.date().isoformat()
    await schedule_once(unit.session, RETENTION, f"retention:{day}:0", unit.now, unit.now)


async def forget_past_their_time(unit: Unit, task: DueTask) -> None:
    keep = unit.config.retention
    updates = await forget_old_updates(unit.session, unit.now - keep.inbox, BATCH)
    messages = await forget_old_messages(unit.session, unit.now - keep.outbox, unit.now, BATCH)
    drafts = await forget_idle_drafts(unit.session, unit.now - keep.drafts, unit.now, BATCH)
    closed = await anonymise_old_cases(
        unit.session, unit.now - keep.closed_case, unit.now, CASE_BATCH
    )
    if BATCH in (updates, messages, drafts) or closed == CASE_BATCH:
        day, batch = task.subject.removeprefix("retention:").rsplit(":", 1)
        subject = f"retention:{day}:{int(batch) + 1}"
        await schedule_once(unit.session, RETENTION, subject, unit.now, unit.now)

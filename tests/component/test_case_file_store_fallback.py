"""Kept files are sent by Telegram's id; when Telegram no longer knows the id, the store's copy
is uploaded instead, for single files and for every item of a media group."""

import asyncio
import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.case_files.outgoing import by_file_id, from_store
from bot.case_files.store import CaseFileStore
from bot.clock import SystemClock
from bot.ratelimit import Limits, SendLimiter
from bot.sender import Sender
from bot.transport import Rejected
from handlers.replies import Kept
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus
from tests.support.transport import FAST, ScriptedTransport

WRONG_ID = "Bad Request: wrong file identifier/HTTP URL specified"
PDF = b"%PDF-1.4 contract"


def album(store: CaseFileStore) -> dict[str, Any]:
    kept = store.keep(PDF, file_name="contract.pdf", mime_type="application/pdf")
    return {
        "media": [
            {"type": "document", "media": Kept("F1", kept.path, "contract.pdf").to_json()},
            {"type": "document", "media": Kept("F2", None, "lost.pdf").to_json(), "caption": "c"},
        ]
    }


def test_files_go_by_their_telegram_id_first(tmp_path: Path) -> None:
    payload = {"voice": Kept("V1", "ab/ab.ogg").to_json(), **album(CaseFileStore(tmp_path))}
    sent = by_file_id(payload)
    assert sent["voice"] == "V1"
    assert [item["media"] for item in sent["media"]] == ["F1", "F2"]
    assert sent["media"][1]["caption"] == "c"


def test_the_stores_copies_replace_the_ids_that_have_one(tmp_path: Path) -> None:
    store = CaseFileStore(tmp_path)
    uploaded = from_store(album(store), store.read)
    assert uploaded is not None
    first, second = (item["media"] for item in uploaded["media"])
    assert base64.b64decode(first["upload"]) == PDF and first["file_name"] == "contract.pdf"
    assert second == "F2"


def test_nothing_to_upload_without_a_stored_copy(tmp_path: Path) -> None:
    payload = {"document": Kept("F9", None).to_json()}
    assert from_store(payload, CaseFileStore(tmp_path).read) is None


async def send_one(
    db: Database, transport: ScriptedTransport, store: CaseFileStore, payload: dict[str, Any]
) -> OutboxMessage:
    async with db.transaction() as session:
        await outbox.enqueue(
            session, [(7, "sendMediaGroup", payload, None, False)], datetime.now(UTC)
        )
    sender = Sender(db, transport, FAST, SystemClock(), SendLimiter(Limits.of(FAST)), store=store)
    task = asyncio.create_task(sender.run())
    try:
        async with asyncio.timeout(20):
            while True:
                async with db.reader() as session:
                    row = (await session.exec(select(OutboxMessage))).one()
                if row.status not in (OutboxStatus.PENDING, "sending"):
                    return row
                await asyncio.sleep(0.02)
    finally:
        sender.stop()
        await task


async def test_a_refused_file_id_is_sent_again_as_the_stores_copy(
    db: Database, tmp_path: Path
) -> None:
    store = CaseFileStore(tmp_path)
    transport = ScriptedTransport(failures=[Rejected(WRONG_ID)])
    row = await send_one(db, transport, store, album(store))
    assert row.status == OutboxStatus.SENT
    refused, sent = transport.calls
    assert refused.payload["media"][0]["media"] == "F1"
    assert base64.b64decode(sent.payload["media"][0]["media"]["upload"]) == PDF


async def test_other_refusals_are_not_retried_as_uploads(db: Database, tmp_path: Path) -> None:
    store = CaseFileStore(tmp_path)
    transport = ScriptedTransport(failures=[Rejected("Bad Request: message caption is too long")])
    row = await send_one(db, transport, store, album(store))
    assert row.status == OutboxStatus.FAILED
    assert len(transport.calls) == 1

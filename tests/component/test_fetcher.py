"""The fetcher: every evidence file downloaded into the store once, retried with back-off,
refused when it is not what the case file takes, and never fetched twice by two instances."""

import asyncio
import contextlib
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.case_files.fetcher import Fetcher
from bot.case_files.store import CaseFileStore
from bot.settings import EvidenceSettings
from bot.transport import Rejected, TooBig, TransientError
from storage.db import Database
from storage.db_clock import database_now
from storage.models import Attachment, Case, FetchStatus, StorePurge
from tests.support.seed import department_id
from tests.support.waiting import until

PDF = b"%PDF-1.4\n% pay record\n"
JPEG = b"\xff\xd8\xff\xe0 a photo of the IOU"
SETTINGS = EvidenceSettings(retry_base_seconds=60, retry_max_seconds=300, fetch_attempts=4)


@dataclass
class Downloads:
    """Telegram's files by id; ``failures`` are raised first, in order, for their id."""

    files: dict[str, bytes]
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    latency: float = 0.0
    calls: list[str] = field(default_factory=list)
    hold: asyncio.Event | None = None
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def download(self, file_id: str) -> bytes:
        self.calls.append(file_id)
        self.called.set()
        if self.hold is not None:
            await self.hold.wait()
        await asyncio.sleep(self.latency)
        waiting = self.failures.get(file_id, [])
        if waiting:
            raise waiting.pop(0)
        return self.files[file_id]


async def attach(db: Database, *files: tuple[str, str, str | None]) -> list[int]:
    """A case with these (file id, kind, MIME type) attachments, all due now."""
    now = datetime.now(UTC)
    department = await department_id(db)
    async with db.transaction() as session:
        case = Case(
            number=f"DX-2026-{now.microsecond:06d}",
            department_id=department,
            language="en",
            county="anding",
            sector="construction",
            reporter_name="Wang",
            reporter_phone="13812345678",
            employer="Co-op",
            project="Greenhouses",
            amount_fen=100,
            workers_owed=1,
            owed_since=date(2025, 1, 1),
            account="Not paid.",
            deadline_at=now,
            created_at=now,
        )
        session.add(case)
        await session.flush()
        assert case.id is not None
        rows = [
            Attachment(
                case_id=case.id,
                kind=kind,
                file_id=file_id,
                file_unique_id="u" + file_id,
                file_name=f"{file_id}.pdf" if kind == "document" else None,
                mime_type=mime,
                created_at=now,
                fetch_due_at=now,
            )
            for file_id, kind, mime in files
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows if row.id is not None]


async def attachments(db: Database) -> Sequence[Attachment]:
    async with db.reader() as session:
        return (await session.exec(select(Attachment).order_by(col(Attachment.id)))).all()


async def make_due(db: Database) -> None:
    """Let time pass: every pending retry is due now."""
    async with db.transaction() as session:
        past = await database_now(session) - timedelta(seconds=1)
        await session.exec(
            update(Attachment)
            .where(col(Attachment.fetch_status) == FetchStatus.PENDING)
            .values(fetch_due_at=past)
        )


def kept_files(root: Path) -> list[Path]:
    return [path for path in (root / "evidence").rglob("*") if path.is_file()]


def fetcher(db: Database, downloads: Downloads, root: Path, **options: object) -> Fetcher:
    return Fetcher(db, downloads, CaseFileStore(root / "evidence"), SETTINGS, **options)  # type: ignore[arg-type]


async def test_due_files_are_kept_by_their_hash_and_marked_stored(
    db: Database, tmp_path: Path
) -> None:
    await attach(db, ("P1", "photo", None), ("D1", "document", "application/pdf"))
    downloads = Downloads({"P1": JPEG, "D1": PDF})
    assert await fetcher(db, downloads, tmp_path).fetch_due() == 2
    photo, document = await attachments(db)
    for row, content in ((photo, JPEG), (document, PDF)):
        assert row.fetch_status == FetchStatus.STORED
        assert row.sha256 == hashlib.sha256(content).hexdigest()
        assert row.stored_size == len(content) and row.stored_at is not None
        assert row.stored_path is not None
        assert (tmp_path / "evidence" / row.stored_path).read_bytes() == content
    assert document.stored_path == f"{document.sha256[:2]}/{document.sha256}.pdf"
    assert await fetcher(db, downloads, tmp_path).fetch_due() == 0


async def test_a_failed_download_is_tried_again_after_a_doubling_wait(
    db: Database, tmp_path: Path
) -> None:
    await attach(db, ("D1", "document", "application/pdf"))
    failures: dict[str, list[Exception]] = {
        "D1": [TransientError("502 Bad Gateway"), TransientError("502 Bad Gateway")]
    }
    downloads = Downloads({"D1": PDF}, failures)
    waits = []
    for _ in range(2):
        assert await fetcher(db, downloads, tmp_path).fetch_due() == 1
        async with db.reader() as session:
            now = await database_now(session)
        (row,) = await attachments(db)
        assert row.fetch_status == FetchStatus.PENDING and row.fetch_due_at is not None
        assert row.fetch_error == "TransientError"
        waits.append((row.fetch_due_at - now).total_seconds())
        assert await fetcher(db, downloads, tmp_path).fetch_due() == 0  # not due yet
        await make_due(db)
    assert 55 < waits[0] <= 60 and 115 < waits[1] <= 120
    assert await fetcher(db, downloads, tmp_path).fetch_due() == 1
    (row,) = await attachments(db)
    assert row.fetch_status == FetchStatus.STORED and row.fetch_attempts == 2


async def test_the_wait_between_tries_is_capped(db: Database, tmp_path: Path) -> None:
    await attach(db, ("D1", "document", "application/pdf"))
    async with db.transaction() as session:
        await session.exec(update(Attachment).values(fetch_attempts=3))
    downloads = Downloads({"D1": PDF}, {"D1": [TransientError("timeout")]})
    patient = SETTINGS.model_copy(update={"fetch_attempts": 8})
    await Fetcher(db, downloads, CaseFileStore(tmp_path), patient).fetch_due()
    async with db.reader() as session:
        now = await database_now(session)
    (row,) = await attachments(db)
    assert row.fetch_due_at is not None
    assert 295 < (row.fetch_due_at - now).total_seconds() <= 300  # not 60 × 2³ = 480


async def test_a_file_is_given_up_as_failed_after_the_last_attempt(
    db: Database, tmp_path: Path
) -> None:
    await attach(db, ("D1", "document", "application/pdf"))
    downloads = Downloads({"D1": PDF}, {"D1": [TransientError("reset")] * 10})
    for _ in range(SETTINGS.fetch_attempts):
        assert await fetcher(db, downloads, tmp_path).fetch_due() == 1
        await make_due(db)
    (row,) = await attachments(db)
    assert row.fetch_status == FetchStatus.FAILED
    assert row.fetch_attempts == SETTINGS.fetch_attempts
    assert row.fetch_error is not None and "gave up after 4 tries" in row.fetch_error
    assert await fetcher(db, downloads, tmp_path).fetch_due() == 0
    assert not kept_files(tmp_path)


async def test_a_file_id_telegram_refuses_is_tried_again_like_any_failure(
    db: Database, tmp_path: Path
) -> None:
    """getFile's 400 reads "wrong file_id or the file is temporarily unavailable"."""
    await attach(db, ("D1", "document", "application/pdf"))
    downloads = Downloads({"D1": PDF}, {"D1": [Rejected("Bad Request: invalid file_id")]})
    await fetcher(db, downloads, tmp_path).fetch_due()
    (row,) = await attachments(db)
    assert row.fetch_status == FetchStatus.PENDING and row.fetch_attempts == 1
    assert row.fetch_error == "Rejected: Bad Request: invalid file_id"
    await make_due(db)
    await fetcher(db, downloads, tmp_path).fetch_due()
    (row,) = await attachments(db)
    assert row.fetch_status == FetchStatus.STORED


async def test_files_that_are_too_big_or_not_what_they_claim_are_refused_and_not_kept(
    db: Database, tmp_path: Path
) -> None:
    await attach(db, ("BIG", "document", "application/pdf"), ("EXE", "document", "application/pdf"))
    downloads = Downloads({"EXE": b"MZ\x90\x00 not a pdf"}, {"BIG": [TooBig("file is too big")]})
    await fetcher(db, downloads, tmp_path).fetch_due()
    big, exe = await attachments(db)
    assert (big.fetch_status, big.fetch_error) == (FetchStatus.REFUSED, "refused: too_big")
    assert exe.fetch_status == FetchStatus.REFUSED
    assert exe.fetch_error == "refused after download: type"
    assert big.stored_path is None and exe.stored_path is None
    assert not kept_files(tmp_path)


async def test_a_claim_lapses_after_its_lease_and_another_fetcher_takes_over(
    db: Database, tmp_path: Path
) -> None:
    await attach(db, ("D1", "document", "application/pdf"))
    stuck = Downloads({"D1": PDF}, {"D1": [TransientError("gave up")]}, hold=asyncio.Event())
    late = asyncio.create_task(
        fetcher(db, stuck, tmp_path, lease=timedelta(seconds=0.5)).fetch_due()
    )
    await asyncio.wait_for(stuck.called.wait(), 5)
    healthy = Downloads({"D1": PDF}, hold=asyncio.Event())
    assert await fetcher(db, healthy, tmp_path).fetch_due() == 0  # still held
    await asyncio.sleep(0.6)
    live = asyncio.create_task(fetcher(db, healthy, tmp_path).fetch_due())
    await asyncio.wait_for(healthy.called.wait(), 5)
    stuck.hold.set()  # type: ignore[union-attr]
    assert await late == 1
    (row,) = await attachments(db)
    assert row.fetch_attempts == 0, "the lapsed claim's failure changed nothing"
    healthy.hold.set()  # type: ignore[union-attr]
    assert await live == 1
    (row,) = await attachments(db)
    assert row.fetch_status == FetchStatus.STORED and row.fetch_attempts == 0


async def test_a_fetch_cut_short_by_a_stop_is_due_again_at_once(
    db: Database, tmp_path: Path
) -> None:
    await attach(db, ("D1", "document", "application/pdf"))
    held = Downloads({"D1": PDF}, hold=asyncio.Event())
    stopping = asyncio.create_task(fetcher(db, held, tmp_path).fetch_due())
    await asyncio.wait_for(held.called.wait(), 5)
    stopping.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await stopping
    (row,) = await attachments(db)
    async with db.reader() as session:
        now = await database_now(session)
    assert row.fetch_status == FetchStatus.PENDING and row.fetch_attempts == 0
    assert row.fetch_due_at is not None and row.fetch_due_at <= now
    assert await fetcher(db, Downloads({"D1": PDF}), tmp_path).fetch_due() == 1


async def test_two_fetchers_never_fetch_the_same_file_twice(db: Database, tmp_path: Path) -> None:
    ids = [f"D{n}" for n in range(24)]
    await attach(db, *[(file_id, "document", "application/pdf") for file_id in ids])
    downloads = Downloads({i: PDF + i.encode() for i in ids}, latency=0.02)

    async def drain(one: Fetcher) -> None:
        while await one.fetch_due():
            pass

    await asyncio.gather(
        drain(fetcher(db, downloads, tmp_path, batch=3)),
        drain(fetcher(db, downloads, tmp_path, batch=3)),
    )
    assert Counter(downloads.calls) == Counter(ids)
    assert {row.fetch_status for row in await attachments(db)} == {FetchStatus.STORED}


async def test_the_running_fetcher_wakes_for_new_work_and_stops_gently(
    db: Database, tmp_path: Path
) -> None:
    running = fetcher(db, Downloads({"D1": PDF}), tmp_path)
    task = asyncio.create_task(running.run())
    await asyncio.sleep(0.1)
    await attach(db, ("D1", "document", "application/pdf"))
    running.wake()

    async def stored() -> bool:
        return (await attachments(db))[0].fetch_status == FetchStatus.STORED

    await until(stored, 3, every=0.02, what="the file stored")
    running.stop()
    await asyncio.wait_for(task, 3)


async def test_a_file_whose_case_was_anonymised_during_its_download_is_listed_for_deletion(
    db: Database, tmp_path: Path
) -> None:
    """Anonymising lists the files it finds; one still downloading is listed when it lands."""
    (attachment_id,) = await attach(db, ("D1", "document", "application/pdf"))
    held = Downloads({"D1": PDF}, hold=asyncio.Event())
    fetching = asyncio.create_task(fetcher(db, held, tmp_path).fetch_due())
    await asyncio.wait_for(held.called.wait(), 5)
    async with db.transaction() as session:
        await session.exec(delete(Attachment).where(col(Attachment.id) == attachment_id))
    held.hold.set()  # type: ignore[union-attr]
    await fetching
    (kept,) = kept_files(tmp_path)
    async with db.reader() as session:
        listed = (await session.exec(select(StorePurge.path))).all()
    assert listed == [kept.relative_to(tmp_path / "evidence").as_posix()]

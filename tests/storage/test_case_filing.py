"""``CaseFiling`` over the tables: a case added with its files reads back as decisions see it,
a worker's cases are counted from a time on, and numbers run per prefix and year."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select

from handlers.domain.ids import WorkerId
from handlers.ports_filing import NewCase, SentFile
from storage.db import Database
from storage.models import Attachment, AttachmentRole, Case, Worker
from storage.repositories import ports

FILED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
VOICE = SentFile("voice", "v-1", "uv-1", mime_type="audio/ogg", size=4096, duration=42)
PHOTO = SentFile("photo", "p-1", "up-1", file_name="pay.jpg", size=80_000)


async def a_worker(db: Database) -> WorkerId:
    async with db.transaction() as session:
        worker = Worker(telegram_user_id=501, chat_id=501, created_at=FILED)
        session.add(worker)
        await session.flush()
        assert worker.id is not None
        return WorkerId(worker.id)


async def test_a_case_added_with_its_files_reads_back_as_decisions_see_it(db: Database) -> None:
    worker_id = await a_worker(db)
    async with db.transaction() as session:
        filing = ports(session).filing
        department = await filing.department("anding.construction")
        assert department.code == "anding.construction"
        new = NewCase(
            number=await filing.next_number("DX", 2026),
            worker_id=worker_id,
            source="telegram",
            department=department,
            language="zh",
            county="anding",
            sector="construction",
            reporter_name="Wang Wu",
            reporter_phone="+8613812345678",
            employer="Xijiang Co-op",
            project="Greenhouses",
            site_address="Fengxiang Road 5",
            site_latitude=35.58,
            site_longitude=104.62,
            amount_fen=50_000_00,
            workers_owed=3,
            owed_since=date(2026, 6, 1),
            account="Not paid.",
            deadline_at=FILED + timedelta(days=15),
            created_at=FILED,
            story=(VOICE,),
            evidence=(PHOTO,),
        )
        record = await filing.add(new)
        assert await ports(session).cases.for_change(record.id) == record
        assert await filing.filed_since(worker_id, FILED) == 1
        assert await filing.filed_since(worker_id, FILED + timedelta(seconds=1)) == 0
        assert await filing.next_number("DX", 2026) == "DX-2026-000002"
        assert await filing.next_number("DX", 2027) == "DX-2027-000001"
    async with db.reader() as session:
        row = (await session.exec(select(Case))).one()
        files = (await session.exec(select(Attachment).order_by(col(Attachment.id)))).all()
    assert (row.number, row.worker_id, row.source, row.language) == (
        "DX-2026-000001",
        worker_id,
        "telegram",
        "zh",
    )
    assert (row.site_latitude, row.deadline_at, row.account) == (
        35.58,
        FILED + timedelta(days=15),
        "Not paid.",
    )
    assert [(f.role, f.kind, f.file_id, f.file_name, f.size, f.duration) for f in files] == [
        (AttachmentRole.STORY, "voice", "v-1", None, 4096, 42),
        (AttachmentRole.EVIDENCE, "photo", "p-1", "pay.jpg", 80_000, None),
    ]
    assert all(f.fetch_due_at == FILED for f in files)

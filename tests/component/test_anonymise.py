"""Closed cases lose what identifies the worker, a set time after closing or when the worker
asks; figures, exports and the store's other files are unaffected."""

import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.case_files.fetcher import Fetcher
from bot.case_files.store import CaseFileStore
from bot.pipeline import to_row
from bot.scheduler import run_due_work
from bot.settings import EvidenceSettings
from handlers import HandlerConfig
from handlers import retention as retention_work
from handlers.context import Retention, Unit
from handlers.replies import SendMessage
from handlers.report_files import cases_csv, workbook_upload
from handlers.retention import RETENTION, plan_retention
from storage import outbox
from storage.anonymise import anonymise_case
from storage.case_queries import EVERY_CASE
from storage.db import Database
from storage.figures import cases_in_period, weekly_tallies
from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    Consultation,
    DueTask,
    FetchStatus,
    OutboxMessage,
    OutboxStatus,
    Staff,
    StaffRole,
    Survey,
    Worker,
)
from storage.repositories import ports
from tests.component.test_figures import NOVEMBER, november
from tests.support.clock import FakeClock
from tests.support.figures_data import seed_november
from tests.support.seed import bulk_insert, case_row, department_id, workers

YEAR = timedelta(days=365)


async def file_case(
    db: Database,
    clock: FakeClock,
    *,
    status: CaseStatus = CaseStatus.RESOLVED,
    closed: datetime | None = None,
    worker_id: int | None = None,
    stored: str | None = "ab/ab12.jpg",
) -> int:
    """A case of worker "Wang Wu" with everything personal a case can hold; its id."""
    now = clock.now()
    async with db.transaction() as session:
        if worker_id is None:
            worker = Worker(
                telegram_user_id=9001, chat_id=9001, name="Wang Wu", phone="+8613812345678",
                language="en", created_at=now,
            )  # fmt: skip
            session.add(worker)
            await session.flush()
            worker_id = worker.id
        department = await department_id(db)
        case = Case(
            number=f"DX-2026-{await count(session) + 1:06d}", worker_id=worker_id,
            department_id=department, status=status, language="en", county="anding",
            sector="construction", reporter_name="Wang Wu", reporter_phone="+8613812345678",
            employer="Xijiang Co-op", project="Greenhouse repair", site_address="Wang's yard",
            site_latitude=35.1, site_longitude=104.6, amount_fen=195_000_00, workers_owed=12,
            owed_since=date(2026, 5, 1), account="Wang Wu, 13812345678, was not paid.",
            deadline_at=now, created_at=now - timedelta(days=30), outcome="paid_in_full",
            outcome_note="Wang Wu came in person", amount_recovered_fen=195_000_00,
            workers_paid=12,
            resolved_at=(closed or now) if status in (CaseStatus.RESOLVED, CaseStatus.REJECTED)
            else None,
        )  # fmt: skip
        session.add(case)
        staff = Staff(
            telegram_user_id=1, chat_id=1, name="Clerk", role=StaffRole.HANDLER, created_at=now
        )
        session.add(staff)
        await session.flush()
        assert case.id is not None and staff.id is not None
        session.add(
            Attachment(
                case_id=case.id,
                kind="photo",
                file_id="AgAD-photo",
                file_unique_id="u1",
                file_name="iou-wang.jpg",
                created_at=now,
                fetch_status=FetchStatus.STORED,
                sha256="ab12",
                stored_path=stored,
                stored_size=3,
            )
        )
        session.add(
            Survey(
                case_id=case.id,
                kind="return_visit",
                status="answered",
                due_at=now,
                rating=5,
                paid="yes",
                comment="Thanks, Wang Wu",
                created_at=now,
            )
        )
        session.add(
            Consultation(
                case_id=case.id,
                scheduled_at=now,
                place="Office",
                created_by=staff.id,
                created_at=now,
                outcome_notes="Wang Wu agreed",
                parties=[{"role": "worker", "name": "Wang Wu", "contact": "13812345678"}],
            )
        )
        for kind, data in (
            ("created", {"department": "anding.construction", "status": "received"}),
            ("note", {"text": "Wang Wu called, 138 1234 5678", "worker_sees": False}),
            ("survey_answer", {"after": {"comment": "Thanks, Wang Wu"}, "survey_kind": "r"}),
        ):
            session.add(
                CaseEvent(case_id=case.id, actor="staff:1", kind=kind, data=data, created_at=now)
            )
        return case.id


async def count(session: Any) -> int:
    return len((await session.exec(select(Case.id))).all())


async def row(db: Database, model: Any, key: int) -> Any:
    async with db.reader() as session:
        return await session.get(model, key)


async def anonymised(db: Database) -> list[str]:
    async with db.reader() as session:
        statement = select(Case.number).where(col(Case.anonymised_at).is_not(None))
        return sorted((await session.exec(statement)).all())


async def anonymise(db: Database, case_id: int, clock: FakeClock) -> None:
    async with db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        await anonymise_case(session, case, clock.now())


async def sweep(db: Database, config: HandlerConfig, clock: FakeClock) -> None:
    async with db.transaction() as session:
        await plan_retention(Unit(session, config, clock.now(), ports=ports(session)))
    await run_due_work(db, config, clock, limit=100)


async def test_anonymising_clears_exactly_the_personal_fields(
    db: Database, clock: FakeClock
) -> None:
    case_id = await file_case(db, clock)
    await anonymise(db, case_id, clock)

    case = await row(db, Case, case_id)
    assert (case.reporter_name, case.reporter_phone, case.account) == ("", "", "")
    assert (case.site_address, case.site_latitude, case.site_longitude) == (None, None, None)
    assert case.outcome_note is None and case.anonymised_at == clock.now()
    kept = (case.employer, case.project, case.county, case.sector, case.outcome)
    assert kept == ("Xijiang Co-op", "Greenhouse repair", "anding", "construction", "paid_in_full")
    assert (case.amount_fen, case.amount_recovered_fen, case.workers_owed) == (
        195_000_00,
        195_000_00,
        12,
    )
    async with db.reader() as session:
        assert (await session.exec(select(Attachment))).all() == []
        (survey,) = (await session.exec(select(Survey))).all()
        (consultation,) = (await session.exec(select(Consultation))).all()
        events = {e.kind: e.data for e in (await session.exec(select(CaseEvent))).all()}
        worker = (await session.exec(select(Worker))).one()
    assert (survey.comment, survey.rating, survey.paid) == (None, 5, "yes")
    assert consultation.outcome_notes is None
    assert consultation.parties == [{"role": "worker", "name": "", "contact": ""}]
    assert events == {
        "created": {"department": "anding.construction", "status": "received"},
        "note": {"text": "", "worker_sees": False},
        "survey_answer": {"after": {"comment": ""}, "survey_kind": "r"},
    }
    assert (worker.name, worker.phone) == (None, None)


async def test_the_workers_contact_stays_while_another_case_of_theirs_is_open(
    db: Database, clock: FakeClock
) -> None:
    closed = await file_case(db, clock)
    worker_id = (await row(db, Case, closed)).worker_id
    await file_case(db, clock, status=CaseStatus.IN_PROGRESS, worker_id=worker_id)
    await anonymise(db, closed, clock)
    worker = await row(db, Worker, worker_id)
    assert (worker.name, worker.phone) == ("Wang Wu", "+8613812345678")


async def test_figures_and_exports_are_the_same_once_every_closed_case_is_anonymised(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    cases = await seed_november(db)

    async def figures() -> tuple[Any, ...]:
        report = await november(db, config, clock)
        async with db.reader() as session:
            weeks = await weekly_tallies(session, (EVERY_CASE,), NOVEMBER.week_bounds(config.zone))
            start, end = NOVEMBER.bounds(config.zone)
            rows = await cases_in_period(session, (EVERY_CASE,), start, end)
        csv = cases_csv(config.renderer, rows, config.routing, config.zone, "en")
        book = workbook_upload(config.renderer, report, rows, config.routing, config.zone, "en")
        return report.total, report.by_county, weeks, csv, book.file_name

    before = await figures()
    closed = [c for c in cases.values() if c.status in (CaseStatus.RESOLVED, CaseStatus.REJECTED)]
    assert len(closed) >= 5
    for case in closed:
        assert case.id is not None
        await anonymise(db, case.id, clock)
    assert len(await anonymised(db)) == len(closed)
    assert await figures() == before


async def test_the_sweep_anonymises_cases_closed_longer_ago_than_the_setting(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    old = await file_case(db, clock, closed=clock.now() - YEAR - timedelta(seconds=1))
    worker_id = (await row(db, Case, old)).worker_id
    recent = await file_case(
        db, clock, closed=clock.now() - YEAR + timedelta(hours=1), worker_id=worker_id
    )
    await file_case(db, clock, status=CaseStatus.IN_PROGRESS, worker_id=worker_id)
    await sweep(db, config, clock)
    assert await anonymised(db) == [(await row(db, Case, old)).number]
    assert (await row(db, Case, recent)).reporter_name == "Wang Wu"


async def test_a_case_reopened_before_its_time_is_not_anonymised(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    reopened = await file_case(db, clock, status=CaseStatus.REOPENED)
    clock.advance(days=800)
    await sweep(db, config, clock)
    assert await anonymised(db) == []
    assert (await row(db, Case, reopened)).account == "Wang Wu, 13812345678, was not paid."


async def test_a_shorter_setting_anonymises_sooner(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await file_case(db, clock, closed=clock.now() - timedelta(days=61))
    await sweep(db, replace(config, retention=Retention(closed_case=timedelta(days=60))), clock)
    assert await anonymised(db) == ["DX-2026-000001"]


async def test_a_long_backlog_is_anonymised_in_batches_each_planning_the_next(
    db: Database, config: HandlerConfig, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_work, "CASE_BATCH", 2)
    department = await department_id(db)
    closed = clock.now() - YEAR - timedelta(days=1)
    rows = [
        case_row(n, n + 1, department, CaseStatus.RESOLVED, closed, closed)
        | {"resolved_at": closed}
        for n in range(5)
    ]
    await bulk_insert(db, Worker, list(workers(5, 1, closed)))
    await bulk_insert(db, Case, rows)
    await sweep(db, config, clock)
    assert len(await anonymised(db)) == 5
    async with db.reader() as session:
        tasks = (await session.exec(select(DueTask).where(DueTask.kind == RETENTION))).all()
    assert len(tasks) == 3


async def test_every_message_naming_the_case_in_the_outbox_is_emptied(
    db: Database, clock: FakeClock
) -> None:
    """Alerts, escalations to leaders, cards, notices: whatever names the case's number."""
    case_id = await file_case(db, clock)
    other = await file_case(db, clock, worker_id=(await row(db, Case, case_id)).worker_id)
    number, other_number = [(await row(db, Case, c)).number for c in (case_id, other)]
    alert = await queued(db, SendMessage(-100, f"Case {number}: Wang Wu", ref=f"alert:{case_id}:1"))
    escalated = await queued(db, SendMessage(-200, f"⬆️ Escalated · Case {number}: Wang Wu"))
    other_alert = await queued(db, SendMessage(-100, f"Case {other_number}: Li Si"))
    notice = await queued(db, SendMessage(9001, f"Your case {number}", ref=f"notice:{case_id}"))
    for sent in (alert, escalated, other_alert):
        async with db.transaction() as session:
            await outbox.settle(session, sent, OutboxStatus.SENT, clock.now())
    await anonymise(db, case_id, clock)
    emptied, also_emptied, untouched, waiting = [
        await row(db, OutboxMessage, m) for m in (alert, escalated, other_alert, notice)
    ]
    assert emptied.payload == {} and emptied.forgotten_at == clock.now()
    assert also_emptied.payload == {}
    assert untouched.payload["text"] == f"Case {other_number}: Li Si"
    assert waiting.payload["text"] == f"Your case {number}" and waiting.forget_on_delivery


async def queued(db: Database, message: SendMessage) -> int:
    async with db.transaction() as session:
        await outbox.enqueue(session, [to_row(message)], datetime.now(UTC))
        last = select(OutboxMessage.id).order_by(col(OutboxMessage.id).desc()).limit(1)
        return (await session.exec(last)).one() or 0


class NoDownloads:
    async def download(self, file_id: str) -> bytes:
        raise AssertionError("the sweep downloads nothing")


async def test_files_of_anonymised_cases_leave_the_store_and_files_still_referred_to_stay(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    store = CaseFileStore(tmp_path / "evidence")
    gone = store.keep(b"IOU of Wang Wu", file_name="iou.jpg", mime_type="image/jpeg")
    shared = store.keep(b"the site's notice", file_name="notice.jpg", mime_type="image/jpeg")
    first = await file_case(db, clock, stored=gone.path)
    worker_id = (await row(db, Case, first)).worker_id
    await file_case(db, clock, stored=shared.path, worker_id=worker_id)
    third = await file_case(db, clock, stored=shared.path, worker_id=worker_id)
    await anonymise(db, first, clock)
    await anonymise(db, third, clock)
    fetcher = Fetcher(db, NoDownloads(), store, EvidenceSettings())  # type: ignore[arg-type]
    for path in (gone.path, shared.path):
        old = (store.root / path).stat().st_mtime - 3600
        os.utime(store.root / path, (old, old))
    assert await fetcher.sweep_store() == 1
    assert not (store.root / gone.path).exists()
    assert store.read(shared.path) == b"the site's notice"


async def test_a_file_just_kept_again_is_left_to_the_fetch_that_will_record_it(
    tmp_path: Path,
) -> None:
    store = CaseFileStore(tmp_path)
    kept = store.keep(b"a new photo", file_name="a.jpg", mime_type="image/jpeg")
    assert store.delete([kept.path], grace_seconds=600) == []
    assert store.read(kept.path) == b"a new photo"


async def test_files_nobody_listed_are_never_deleted_whatever_the_database_says(
    db: Database, tmp_path: Path
) -> None:
    """The bot started on an empty or wrong database with the real store: nothing is lost."""
    store = CaseFileStore(tmp_path / "evidence")
    kept = store.keep(b"IOU of an open case", file_name="iou.jpg", mime_type="image/jpeg")
    old = (store.root / kept.path).stat().st_mtime - 3600
    os.utime(store.root / kept.path, (old, old))
    fetcher = Fetcher(db, NoDownloads(), store, EvidenceSettings())  # type: ignore[arg-type]
    assert await fetcher.sweep_store() == 0
    assert store.read(kept.path) == b"IOU of an open case"

"""The repositories that hand surveys and their cases to the use cases as plain records, and
keep what the use cases decided: an answer, a reopening, the audit trail, cancelled surveys."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select

from handlers.domain.cases import reopen
from handlers.domain.ids import CaseId
from handlers.domain.surveys import SurveyRecord
from storage.db import Database
from storage.due import schedule
from storage.models import (
    Case,
    CaseEvent,
    CaseStatus,
    DueTask,
    Survey,
    SurveyStatus,
    Worker,
)
from storage.people import department_by_code
from storage.repositories.case_book import SqlCaseBook
from storage.repositories.case_trail import SqlCaseTrail
from storage.repositories.surveys import SqlSurveyBook
from storage.surveys import SURVEY_TASK, turn_key
from tests.support.seed import a_case

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)


async def resolved_case(db: Database) -> tuple[int, int, int]:
    """A resolved case of a worker with an asked return visit and a scheduled rebound check:
    the ids of the case, the return visit and the rebound check."""
    async with db.transaction() as session:
        department = await department_by_code(session, "anding.construction")
        worker = Worker(telegram_user_id=1, chat_id=1, language="en", created_at=NOW)
        session.add(worker)
        await session.flush()
        case = a_case(
            department.id or 0,
            worker_id=worker.id,
            status=CaseStatus.RESOLVED,
            project="Greenhouse repair",
            amount_fen=5_000_000,
            workers_owed=1,
            owed_since=date(2026, 5, 1),
            account="Unpaid since May.",
            deadline_at=NOW - timedelta(days=3),
            created_at=NOW - timedelta(days=20),
            resolved_at=NOW - timedelta(days=1),
            outcome="paid_in_full",
            overdue_at=NOW - timedelta(days=2),
            anonymised_at=NOW,
        )
        session.add(case)
        await session.flush()
        assert case.id is not None
        visit = Survey(
            case_id=case.id, kind="return_visit", status="asked", due_at=NOW, created_at=NOW
        )
        later = NOW + timedelta(days=29)
        rebound = Survey(case_id=case.id, kind="rebound", due_at=later, created_at=NOW)
        session.add_all([visit, rebound])
        await session.flush()
        assert visit.id is not None and rebound.id is not None
        for survey_id in (visit.id, rebound.id):
            await schedule(session, SURVEY_TASK, turn_key(survey_id, 1), NOW, NOW)
        return case.id, visit.id, rebound.id


async def test_a_survey_is_handed_out_plain_and_keeps_its_answer(db: Database) -> None:
    case_id, visit_id, rebound_id = await resolved_case(db)
    async with db.transaction() as session:
        book = SqlSurveyBook(session)
        assert await book.case_of(visit_id) == case_id
        assert await book.case_of(rebound_id + 1) is None
        held = await book.held(visit_id)
        assert held == SurveyRecord(visit_id, case_id, "return_visit", 1, SurveyStatus.ASKED)
        assert not await book.newer_round_exists(held)
        await book.save(replace(held, status=SurveyStatus.ANSWERED, answered_at=NOW, paid="none"))
        await book.cancel_turns(visit_id)
    async with db.reader() as session:
        row = await session.get(Survey, visit_id)
        assert row is not None
        assert (row.status, row.answered_at, row.paid) == ("answered", NOW, "none")
        tasks = (await session.exec(select(DueTask).order_by(col(DueTask.id)))).all()
        assert [task.status for task in tasks] == ["cancelled", "pending"]


async def test_a_case_is_held_plain_reopened_on_its_trail_and_its_scheduled_surveys_cancelled(
    db: Database,
) -> None:
    case_id, visit_id, rebound_id = await resolved_case(db)
    deadline = NOW + timedelta(days=15)
    async with db.transaction() as session:
        cases = SqlCaseBook(session)
        held = await cases.for_change(CaseId(case_id))
        assert held is not None and held.worker_id is not None
        assert (held.status, held.outcome, held.deadline_days) == ("resolved", "paid_in_full", None)
        await cases.save(reopen(held, NOW, default_days=15).case)
        trail = SqlCaseTrail(session)
        await trail.append(
            CaseId(case_id), actor="worker:1", kind="reopened", at=NOW, data={"paid": "none"}
        )
        await SqlSurveyBook(session).cancel_scheduled(case_id)
    async with db.reader() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.outcome, case.resolved_at) == ("reopened", None, None)
        assert (case.deadline_at, case.overdue_at, case.anonymised_at) == (deadline, None, None)
        (event,) = (await session.exec(select(CaseEvent))).all()
        assert (event.actor, event.kind, event.data) == ("worker:1", "reopened", {"paid": "none"})
        statuses = {
            survey.id: survey.status for survey in (await session.exec(select(Survey))).all()
        }
        assert statuses == {visit_id: "asked", rebound_id: "cancelled"}
        tasks = (await session.exec(select(DueTask).order_by(col(DueTask.id)))).all()
        assert [task.status for task in tasks] == ["pending", "cancelled"]

"""``SurveyBook`` and ``ReopenableCases`` over the ``survey`` and ``case`` tables and the
helpers of ``storage.surveys``."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.surveys import SurveyedCase, SurveyRecord
from storage import surveys
from storage.models import Case, CaseStatus, Department, Survey, SurveyStatus

__all__ = ["SqlReopenableCases", "SqlSurveyBook"]


class SqlSurveyBook:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def case_of(self, survey_id: int) -> int | None:
        return await surveys.case_of_survey(self._session, survey_id)

    async def held(self, survey_id: int) -> SurveyRecord:
        return plain_survey(await surveys.lock_survey(self._session, survey_id))

    async def newer_round_exists(self, survey: SurveyRecord) -> bool:
        row = await self._session.get(Survey, survey.id)
        assert row is not None
        return await surveys.newer_round_exists(self._session, row)

    async def save(self, survey: SurveyRecord) -> None:
        row = await self._session.get(Survey, survey.id)
        assert row is not None, f"survey {survey.id} was saved without being held"
        row.status, row.answered_at = survey.status, survey.answered_at
        row.paid, row.rating, row.comment = survey.paid, survey.rating, survey.comment
        row.new_arrears = survey.new_arrears
        self._session.add(row)

    async def cancel_turns(self, survey_id: int) -> None:
        await surveys.cancel_turns(self._session, survey_id)

    async def cancel_scheduled(self, case_id: int) -> None:
        await surveys.cancel_scheduled_surveys(self._session, case_id)


class SqlReopenableCases:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def held(self, case_id: int) -> SurveyedCase:
        statement = select(Case).where(col(Case.id) == case_id).with_for_update()
        options = statement.execution_options(populate_existing=True)
        case = (await self._session.exec(options)).one()
        department = await self._session.get(Department, case.department_id)
        assert department is not None
        return SurveyedCase(
            id=case_id,
            worker_id=case.worker_id,
            status=CaseStatus(case.status),
            outcome=case.outcome,
            resolved_at=case.resolved_at,
            deadline_at=case.deadline_at,
            deadline_days=department.deadline_days,
        )

    async def save_reopened(self, case: SurveyedCase) -> None:
        row = await self._case(case.id)
        row.status, row.outcome, row.resolved_at = case.status, case.outcome, case.resolved_at
        row.anonymised_at = None  # open again: anonymised anew once it closes
        row.deadline_at, row.overdue_at = case.deadline_at, None
        self._session.add(row)

    async def _case(self, case_id: int) -> Case:
        row = await self._session.get(Case, case_id)
        assert row is not None, f"case {case_id} was changed without being held"
        return row


def plain_survey(row: Survey) -> SurveyRecord:
    assert row.id is not None
    return SurveyRecord(
        id=row.id,
        case_id=row.case_id,
        kind=row.kind,
        round=row.round,
        status=SurveyStatus(row.status),
        answered_at=row.answered_at,
        paid=row.paid,
        rating=row.rating,
        comment=row.comment,
        new_arrears=row.new_arrears,
    )

"""``SurveyBook`` over the ``survey`` table and the helpers of ``storage.surveys``."""

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.surveys import SurveyRecord
from storage import surveys
from storage.models import Survey, SurveyStatus

__all__ = ["SqlSurveyBook"]


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

"""``SurveyBook`` in memory: surveys as a dict, with logs of what was held and cancelled (the
cases and their audit trail are ``tests.fakes.cases``')."""

from dataclasses import dataclass, field, replace

from handlers.domain.surveys import SurveyRecord, SurveyStatus

__all__ = ["FakeSurveyBook"]


@dataclass
class FakeSurveyBook:
    surveys: dict[int, SurveyRecord] = field(default_factory=dict)
    holds: list[tuple[str, int]] = field(default_factory=list)
    """What was held, in order: ``("survey", id)``; share it with the cases' to see both."""
    turns_cancelled: list[int] = field(default_factory=list)

    def put(self, survey: SurveyRecord) -> SurveyRecord:
        self.surveys[survey.id] = survey
        return survey

    async def case_of(self, survey_id: int) -> int | None:
        survey = self.surveys.get(survey_id)
        return None if survey is None else survey.case_id

    async def held(self, survey_id: int) -> SurveyRecord:
        self.holds.append(("survey", survey_id))
        return self.surveys[survey_id]

    async def newer_round_exists(self, survey: SurveyRecord) -> bool:
        return any(
            (other.case_id, other.kind) == (survey.case_id, survey.kind)
            and other.round > survey.round
            for other in self.surveys.values()
        )

    async def save(self, survey: SurveyRecord) -> None:
        self.surveys[survey.id] = survey

    async def cancel_turns(self, survey_id: int) -> None:
        self.turns_cancelled.append(survey_id)

    async def cancel_scheduled(self, case_id: int) -> None:
        for survey in list(self.surveys.values()):
            if survey.case_id == case_id and survey.status == SurveyStatus.SCHEDULED:
                self.surveys[survey.id] = replace(survey, status=SurveyStatus.CANCELLED)
                self.turns_cancelled.append(survey.id)

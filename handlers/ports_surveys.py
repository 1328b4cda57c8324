"""The port through which a worker's survey answers are kept (the case is ``CaseBook``'s)."""

from typing import Protocol

from handlers.domain.surveys import SurveyRecord

__all__ = ["SurveyBook"]


class SurveyBook(Protocol):
    """The surveys put to workers, and the due work that asks them (one task per turn).

    Whatever changes a survey also writes to its case, and staff actions hold the case: hold
    the case first (``CaseBook.for_change``), then the survey, so that a worker's press, a
    survey's turn and a staff action on one case wait for each other instead of deadlocking.
    """

    async def case_of(self, survey_id: int) -> int | None:
        """The survey's case id (None: no such survey), read without holding anything."""
        ...

    async def held(self, survey_id: int) -> SurveyRecord:
        """The survey, held until the unit of work ends; its case must be held already."""
        ...

    async def newer_round_exists(self, survey: SurveyRecord) -> bool:
        """A later resolution of the case has its own survey of this kind."""
        ...

    async def save(self, survey: SurveyRecord) -> None:
        """Keep the survey's answers, status and time of the first answer."""
        ...

    async def cancel_turns(self, survey_id: int) -> None:
        """Drop the survey's pending turns (it was answered, or will not be asked)."""
        ...

    async def cancel_scheduled(self, case_id: int) -> None:
        """Cancel the case's surveys not yet asked, and their due work."""
        ...

"""The surveys after a resolution (跟踪问效): the return visit (回访) and the anti-rebound check
(防反弹), what each asks in which order, which answer may count, and what an answer sets off.

"Only part" or "not yet" reopens a resolved case (``handlers.domain.cases.reopen``); a rating
of 2 or less goes to the supervisors (纪委监委) to review, and so does the comment that explains
it. Each rule that says no raises a ``Refusal`` naming the text its door shows.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from handlers.domain.cases import CaseRecord, CaseStatus
from handlers.domain.errors import N_, NotAllowed, Stale

__all__ = [
    "COMMENT",
    "FIELDS",
    "INVALID",
    "LOW_RATING",
    "NEW_ARREARS",
    "ORDER",
    "PAID",
    "RATING",
    "REBOUND",
    "RETURN_VISIT",
    "AlreadyAnswered",
    "Consequences",
    "SurveyRecord",
    "SurveyStatus",
    "already_answered",
    "consequences_of",
    "current_question",
    "ensure_may_answer",
    "with_answer",
]


class SurveyStatus(StrEnum):
    """Where a survey stands; the table ``survey`` stores it."""

    SCHEDULED = "scheduled"
    ASKED = "asked"
    ANSWERED = "answered"
    UNANSWERED = "unanswered"
    UNDELIVERABLE = "undeliverable"
    CANCELLED = "cancelled"


RETURN_VISIT = "return_visit"
REBOUND = "rebound"
PAID, RATING, COMMENT, NEW_ARREARS = "paid", "rate", "note", "new"
ORDER = {RETURN_VISIT: (PAID, RATING, COMMENT), REBOUND: (NEW_ARREARS,)}
FIELDS = {PAID: "paid", RATING: "rating", COMMENT: "comment", NEW_ARREARS: "new_arrears"}
"""The survey column each question fills."""
PAID_IN_FULL = "full"
LOW_RATING = 2
INVALID = N_("This button is not valid.")


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    """A survey and the answers it holds so far (None: not answered)."""

    id: int
    case_id: int
    kind: str
    round: int
    status: SurveyStatus
    answered_at: datetime | None = None
    paid: str | None = None
    rating: int | None = None
    comment: str | None = None
    new_arrears: bool | None = None


@dataclass(frozen=True, slots=True)
class Consequences:
    """What one answer sets off; all false/None when nothing follows."""

    reopen: bool = False
    review_rating: int | None = None
    """The low rating the supervisors are to review."""
    forward_comment: str | None = None
    """The comment that explains a low rating, for the supervisors."""
    owed_again: bool = False
    """The anti-rebound check's "yes": the worker is owed wages again."""


class AlreadyAnswered(Stale):
    """A second press of a question already answered: it counts once."""

    def __init__(self) -> None:
        super().__init__(N_("Your answer is already recorded."))


def current_question(survey: SurveyRecord) -> str | None:
    """The first question still unanswered; None when the survey is complete."""
    for question in ORDER[survey.kind]:
        if getattr(survey, FIELDS[question]) is None:
            return question
    return None


def already_answered(survey: SurveyRecord, question: str) -> bool:
    return question in FIELDS and getattr(survey, FIELDS[question]) is not None


def ensure_may_answer(
    survey: SurveyRecord,
    case: CaseRecord,
    worker_id: int | None,
    question: str,
    *,
    newer_round: bool,
) -> None:
    """The answer counts only from the case's own worker, to an open survey not replaced by a
    later resolution's (``newer_round``), and to its current question."""
    if worker_id is None or case.worker_id != worker_id:
        raise NotAllowed(N_("This button is not for you."))
    if survey.status not in (SurveyStatus.ASKED, SurveyStatus.ANSWERED) or newer_round:
        raise Stale(N_("This survey is closed; nothing changed."))
    if question == current_question(survey):
        return
    if already_answered(survey, question):
        raise AlreadyAnswered()
    raise NotAllowed(INVALID)


def with_answer(survey: SurveyRecord, question: str, value: str, now: datetime) -> SurveyRecord:
    """The survey holding ``value`` (a button's, or the typed comment) as the answer to
    ``question``; the first answer makes it answered (no more reminders)."""
    if question == PAID:
        answered = replace(survey, paid=value)
    elif question == RATING:
        answered = replace(survey, rating=int(value))
    elif question == COMMENT:
        answered = replace(survey, comment=value)
    else:
        answered = replace(survey, new_arrears=value == "yes")
    if survey.status == SurveyStatus.ASKED:
        return replace(answered, status=SurveyStatus.ANSWERED, answered_at=now)
    return answered


def consequences_of(survey: SurveyRecord, question: str, case_status: CaseStatus) -> Consequences:
    """What the answer ``survey`` now holds for ``question`` sets off, the case being in
    ``case_status``: a case already back at work is not reopened twice."""
    if question == PAID:
        paid_short = survey.paid != PAID_IN_FULL and case_status == CaseStatus.RESOLVED
        return Consequences(reopen=paid_short)
    if question == RATING and survey.rating is not None and survey.rating <= LOW_RATING:
        return Consequences(review_rating=survey.rating)
    if question == COMMENT and survey.comment and (survey.rating or 0) <= LOW_RATING:
        return Consequences(forward_comment=survey.comment)
    if question == NEW_ARREARS:
        return Consequences(owed_again=bool(survey.new_arrears))
    return Consequences()

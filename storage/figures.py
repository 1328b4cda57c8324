"""The sums behind the published figures, counted in SQL, per county.

``handlers.figures`` defines the figures (which sum divides which); this module only counts.
A period is a half-open UTC interval ``[start, end)``; a scope is any number of ``CaseScope``,
all of which a case must be in. Every sum is grouped by the case's county, so a city-wide
report and its per-county breakdown come from the same rows, and totals are sums of counties.

Periods narrow on indexed columns (``case.created_at``; ``case.status`` before
``case.resolved_at``; ``survey.status`` before ``survey.due_at``). Weekly series are bucketed
by ``CASE`` on bounds computed in Python, so weeks follow the configured time zone on both
databases.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, extract, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.case_queries import CaseScope
from storage.models import Case, CaseStatus, Consultation, Department, Survey, SurveyStatus

__all__ = [
    "CLOSED_STATUSES",
    "RETURN_VISIT",
    "Tally",
    "WeekTally",
    "cases_in_period",
    "tally_by_county",
    "weekly_tallies",
]

CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.REJECTED)
"""A closed case has a final decision; every other status is open."""
RETURN_VISIT = "return_visit"
"""``Survey.kind`` of the return visit after a resolution."""
CONCLUDED_SURVEYS = (SurveyStatus.ANSWERED, SurveyStatus.UNANSWERED, SurveyStatus.UNDELIVERABLE)
SATISFIED_RATING = 4
SECONDS_PER_DAY = 86_400

Rows = list[tuple[str, dict[str, Any]]]
"""(county, some of a ``Tally``'s fields)."""


@dataclass(frozen=True, slots=True)
class Tally:
    """Raw counts and sums; the rates are worked out from them in ``handlers.figures``."""

    received: int = 0
    """Cases created in the period."""
    closed_of_received: int = 0
    """Of those, the ones resolved or rejected by now."""
    claimed_fen: int = 0
    """Amount owed on the cases received."""
    resolved: int = 0
    """Cases whose status is resolved and whose resolution falls in the period."""
    rejected: int = 0
    handling_days: float = 0.0
    """Creation to resolution, summed over the cases resolved."""
    on_time: int = 0
    """Cases resolved by their deadline."""
    recovered_fen: int = 0
    workers_helped: int = 0
    """``workers_paid`` summed over the cases resolved."""
    overdue_now: int = 0
    """Open cases past their deadline now, whatever the period."""
    answered: int = 0
    """Return visits due in the period that the worker answered."""
    satisfied: int = 0
    """Of those, answers rating the handling 4 or 5."""
    unanswered: int = 0
    undeliverable: int = 0
    agreed_fen: int = 0
    """Amounts agreed at consultations recorded in the period (a case's latest only)."""

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True, slots=True)
class WeekTally:
    received: int = 0
    resolved: int = 0
    handling_days: float = 0.0


async def tally_by_county(
    session: AsyncSession,
    scopes: Sequence[CaseScope],
    start: datetime,
    end: datetime,
    now: datetime,
) -> dict[str, Tally]:
    """Each county's tally for cases in every one of ``scopes``; counties with nothing are
    left out."""
    where = _conditions(scopes)
    parts: dict[str, dict[str, Any]] = defaultdict(dict)
    for county, values in [
        *await _received(session, where, start, end),
        *await _closed(session, where, start, end),
        *await _resolved(session, where, start, end),
        *await _overdue(session, where, now),
        *await _surveys(session, where, start, end),
        *await _agreed(session, where, start, end),
    ]:
        parts[county].update(values)
    return {county: Tally(**values) for county, values in parts.items()}


async def weekly_tallies(
    session: AsyncSession, scopes: Sequence[CaseScope], bounds: Sequence[datetime]
) -> list[WeekTally]:
    """Received, resolved and handling days per interval between consecutive ``bounds``."""
    where = _conditions(scopes)
    created = _bucket(col(Case.created_at), bounds)
    received = (
        select(created, func.count())
        .where(*where, *_within(col(Case.created_at), bounds[0], bounds[-1]))
        .group_by(created)
    )
    resolved_at = _bucket(col(Case.resolved_at), bounds)
    resolved = (
        select(resolved_at, func.count(), func.sum(_days(session)))
        .where(
            *where,
            col(Case.status) == CaseStatus.RESOLVED,
            *_within(col(Case.resolved_at), bounds[0], bounds[-1]),
        )
        .group_by(resolved_at)
    )
    weeks: list[dict[str, Any]] = [{} for _ in bounds[1:]]
    for bucket, count in (await session.exec(received)).all():
        weeks[bucket]["received"] = count
    for bucket, count, days in (await session.exec(resolved)).all():
        weeks[bucket] |= {"resolved": count, "handling_days": float(days or 0)}
    return [WeekTally(**week) for week in weeks]


async def cases_in_period(
    session: AsyncSession, scopes: Sequence[CaseScope], start: datetime, end: datetime
) -> Sequence[tuple[Case, Department]]:
    """Cases received or resolved (or rejected) in the period, oldest first, with their
    department."""
    where = _conditions(scopes)
    statement = (
        select(Case, Department)
        .join(Department, col(Department.id) == col(Case.department_id))
        .where(
            *where,
            or_(
                and_(*_within(col(Case.created_at), start, end)),
                and_(*_within(col(Case.resolved_at), start, end)),
            ),
        )
        .order_by(col(Case.created_at), col(Case.id))
    )
    return (await session.exec(statement)).all()


async def _received(
    session: AsyncSession, where: list[ColumnElement[bool]], start: datetime, end: datetime
) -> Rows:
    closed = case((col(Case.status).in_(CLOSED_STATUSES), 1), else_=0)
    statement = (
        select(col(Case.county), func.count(), func.sum(closed), func.sum(col(Case.amount_fen)))
        .where(*where, *_within(col(Case.created_at), start, end))
        .group_by(col(Case.county))
    )
    return [
        (county, {"received": n, "closed_of_received": int(c), "claimed_fen": int(fen)})
        for county, n, c, fen in (await session.exec(statement)).all()
    ]


async def _closed(
    session: AsyncSession, where: list[ColumnElement[bool]], start: datetime, end: datetime
) -> Rows:
    on_time = case((col(Case.resolved_at) <= col(Case.deadline_at), 1), else_=0)
    statement = (
        select(col(Case.county), col(Case.status), func.count(), func.sum(on_time))
        .where(
            *where,
            col(Case.status).in_(CLOSED_STATUSES),
            *_within(col(Case.resolved_at), start, end),
        )
        .group_by(col(Case.county), col(Case.status))
    )
    rows: Rows = []
    for county, status, n, in_time in (await session.exec(statement)).all():
        if status == CaseStatus.RESOLVED:
            rows.append((county, {"resolved": n, "on_time": int(in_time)}))
        else:
            rows.append((county, {"rejected": n}))
    return rows


async def _resolved(
    session: AsyncSession, where: list[ColumnElement[bool]], start: datetime, end: datetime
) -> Rows:
    statement = (
        select(
            col(Case.county),
            func.sum(_days(session)),
            func.sum(func.coalesce(col(Case.amount_recovered_fen), 0)),
            func.sum(func.coalesce(col(Case.workers_paid), 0)),
        )
        .where(
            *where,
            col(Case.status) == CaseStatus.RESOLVED,
            *_within(col(Case.resolved_at), start, end),
        )
        .group_by(col(Case.county))
    )
    return [
        (
            county,
            {"handling_days": float(days), "recovered_fen": int(fen), "workers_helped": int(n)},
        )
        for county, days, fen, n in (await session.exec(statement)).all()
    ]


async def _overdue(session: AsyncSession, where: list[ColumnElement[bool]], now: datetime) -> Rows:
    statement = (
        select(col(Case.county), func.count())
        .where(
            *where,
            col(Case.status).not_in(CLOSED_STATUSES),
            or_(col(Case.status) == CaseStatus.OVERDUE, col(Case.deadline_at) < now),
        )
        .group_by(col(Case.county))
    )
    return [(county, {"overdue_now": n}) for county, n in (await session.exec(statement)).all()]


async def _surveys(
    session: AsyncSession, where: list[ColumnElement[bool]], start: datetime, end: datetime
) -> Rows:
    satisfied = case((col(Survey.rating) >= SATISFIED_RATING, 1), else_=0)
    statement = (
        select(col(Case.county), col(Survey.status), func.count(), func.sum(satisfied))
        .join(Case, col(Case.id) == col(Survey.case_id))
        .where(
            *where,
            col(Survey.kind) == RETURN_VISIT,
            col(Survey.status).in_(CONCLUDED_SURVEYS),
            *_within(col(Survey.due_at), start, end),
        )
        .group_by(col(Case.county), col(Survey.status))
    )
    rows: Rows = []
    for county, status, n, happy in (await session.exec(statement)).all():
        if status == SurveyStatus.ANSWERED:
            rows.append((county, {"answered": n, "satisfied": int(happy)}))
        else:
            rows.append((county, {str(status): n}))
    return rows


async def _agreed(
    session: AsyncSession, where: list[ColumnElement[bool]], start: datetime, end: datetime
) -> Rows:
    """A case consulted twice in the period counts its later agreement only."""
    latest = (
        select(func.max(col(Consultation.id)))
        .where(
            col(Consultation.agreed_amount_fen).is_not(None),
            *_within(col(Consultation.outcome_at), start, end),
        )
        .group_by(col(Consultation.case_id))
    )
    statement = (
        select(col(Case.county), func.sum(col(Consultation.agreed_amount_fen)))
        .join(Case, col(Case.id) == col(Consultation.case_id))
        .where(*where, col(Consultation.id).in_(latest))
        .group_by(col(Case.county))
    )
    rows = (await session.exec(statement)).all()
    return [(county, {"agreed_fen": int(fen or 0)}) for county, fen in rows]


def _conditions(scopes: Sequence[CaseScope]) -> list[ColumnElement[bool]]:
    return [condition for scope in scopes for condition in scope.conditions()]


def _within(column: Any, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [column >= start, column < end]


def _days(session: AsyncSession) -> ColumnElement[Any]:
    """A case's handling time in days, from creation to resolution."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        seconds = extract("epoch", col(Case.resolved_at) - col(Case.created_at))
        return seconds / SECONDS_PER_DAY
    return func.julianday(col(Case.resolved_at)) - func.julianday(col(Case.created_at))


def _bucket(column: Any, bounds: Sequence[datetime]) -> Any:
    """The index of the interval between ``bounds`` that ``column`` falls in."""
    whens = [(column < bound, index) for index, bound in enumerate(bounds[1:])]
    return case(*whens, else_=-1).label("bucket")

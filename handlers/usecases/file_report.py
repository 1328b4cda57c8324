"""Filing a report (立案): a worker's own from the chat, or one reception staff file for a
worker who came in person or phoned.

The case gets the next number, the department the routing table names and that department's
time to respond (or the city's), a ``created`` event on its trail, and, if the hard-case rules
apply, is escalated at once, so the department's first alert already shows the flag.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.domain.cases import CaseRecord
from handlers.domain.errors import N_, Refusal
from handlers.domain.hard_cases import HardCaseRules, hard_case_reasons
from handlers.domain.ids import UserId, WorkerId
from handlers.domain.permissions import Actor, ensure_staff
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.ports_filing import CaseFiling, NewCase, SentFile
from handlers.usecases.escalate_case import Escalated, Escalation, escalate_case

__all__ = [
    "DailyLimitReached",
    "FileReport",
    "ReportFiled",
    "Reporter",
    "ensure_under_daily_limit",
    "file_report",
    "reasons_to_escalate",
]

OVER_LIMIT = N_(
    "You have already filed {n} reports today, the most allowed in one day. Please try again "
    "tomorrow, or call a reception point (see Help) if it is urgent."
)


class DailyLimitReached(Refusal):
    """The worker filed ``filed`` reports today, their allowance; nothing was filed."""

    def __init__(self, filed: int) -> None:
        super().__init__(OVER_LIMIT, n=filed)
        self.filed = filed


@dataclass(frozen=True, slots=True)
class Reporter:
    """A worker filing their own report in the chat."""

    worker_id: WorkerId
    user_id: UserId

    @property
    def label(self) -> str:
        """How the audit trail names the worker: by their Telegram account."""
        return f"worker:{self.user_id}"


@dataclass(frozen=True, slots=True)
class FileReport:
    """The confirmed answers, who files them, and the city's settings that apply."""

    filer: Reporter | Actor
    """The worker, or the reception staff member (the case is then linked to no account)."""
    name: str
    phone: str
    county: str
    sector: str
    department_code: str
    """Where the routing table sends a case of ``county`` and ``sector``."""
    employer: str
    project: str
    site: str | None
    location: tuple[float, float] | None
    amount_fen: int
    workers: int
    owed_since: date
    account: str
    story: tuple[SentFile, ...]
    evidence: tuple[SentFile, ...]
    language: str
    """The case's language: the worker's own, or the city's for reception."""
    now: datetime
    zone: ZoneInfo
    daily_limit: int
    number_prefix: str
    rules: HardCaseRules
    deadline_days: int
    """The city's time to respond, for a department without its own."""


@dataclass(frozen=True, slots=True)
class ReportFiled:
    case: CaseRecord
    deadline_at: datetime
    escalated: Escalated | None
    """The hard-case escalation (its reasons on ``case``), None for an ordinary case."""


async def ensure_under_daily_limit(
    filing: CaseFiling, worker_id: WorkerId, now: datetime, zone: ZoneInfo, limit: int
) -> None:
    """Refuse a worker who filed ``limit`` reports today (their local day) already."""
    midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
    filed = await filing.filed_since(worker_id, midnight)
    if filed >= limit:
        raise DailyLimitReached(filed)


async def reasons_to_escalate(
    cases: CaseBook, case: CaseRecord, rules: HardCaseRules, zone: ZoneInfo
) -> list[str]:
    """Which rules make ``case`` (already in ``cases``) a hard case; empty if none."""
    return hard_case_reasons(
        rules,
        amount_fen=case.amount_fen,
        workers_owed=case.workers_owed,
        owed_since=case.owed_since,
        filed_on=case.created_at.astimezone(zone).date(),
        open_of_employer=await cases.count_open_of_employer(case.employer),
    )


async def file_report(
    report: FileReport, *, filing: CaseFiling, cases: CaseBook, trail: CaseTrail
) -> ReportFiled:
    """File ``report``: a worker within their daily limit, or staff (who have none)."""
    filer = report.filer
    if isinstance(filer, Reporter):
        worker_id: WorkerId | None = filer.worker_id
        await ensure_under_daily_limit(
            filing, filer.worker_id, report.now, report.zone, report.daily_limit
        )
    else:
        ensure_staff(filer)
        worker_id = None
    department = await filing.department(report.department_code)
    days = department.deadline_days or report.deadline_days
    year = report.now.astimezone(report.zone).year
    latitude, longitude = report.location or (None, None)
    case = await filing.add(
        NewCase(
            number=await filing.next_number(report.number_prefix, year),
            worker_id=worker_id,
            source="telegram" if worker_id is not None else "reception",
            department=department,
            language=report.language,
            county=report.county,
            sector=report.sector,
            reporter_name=report.name,
            reporter_phone=report.phone,
            employer=report.employer,
            project=report.project,
            site_address=report.site,
            site_latitude=latitude,
            site_longitude=longitude,
            amount_fen=report.amount_fen,
            workers_owed=report.workers,
            owed_since=report.owed_since,
            account=report.account,
            deadline_at=report.now + timedelta(days=days),
            created_at=report.now,
            story=report.story,
            evidence=report.evidence,
        )
    )
    data = {"department": department.code, "status": case.status}
    await trail.append(case.id, actor=filer.label, kind="created", at=report.now, data=data)
    escalated = None
    reasons = await reasons_to_escalate(cases, case, report.rules, report.zone)
    if reasons:
        escalation = Escalation(case.id, tuple(reasons), report.now)
        escalated = await escalate_case(None, escalation, cases=cases, trail=trail)
        case = escalated.case
    return ReportFiled(case, report.now + timedelta(days=days), escalated)

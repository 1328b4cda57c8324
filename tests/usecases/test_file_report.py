"""Filing a report: numbered, routed, given its department's time to respond, put on the
trail; a worker files at most the daily limit, reception staff have none; a hard case is
escalated at once."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import NotAllowed
from handlers.domain.hard_cases import HardCaseRules
from handlers.domain.ids import DepartmentId, UserId, WorkerId
from handlers.ports_filing import FilingDepartment, SentFile
from handlers.usecases.file_report import (
    DailyLimitReached,
    FileReport,
    Reporter,
    ReportFiled,
    file_report,
)
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.filing import FakeCaseFiling
from tests.fakes.people import FILED, a_case, handler, stranger

DINGXI = ZoneInfo("Asia/Shanghai")
WORKER = Reporter(WorkerId(7), UserId(501))
CONSTRUCTION = FilingDepartment(DepartmentId(1), "anding.construction", deadline_days=10)
FALLBACK = FilingDepartment(DepartmentId(2), "anding.hrss", deadline_days=None)
VOICE = SentFile("voice", "v-1", "uv-1", mime_type="audio/ogg", size=4096, duration=42)
PHOTO = SentFile("photo", "p-1", "up-1", size=80_000)

REPORT = FileReport(
    filer=WORKER,
    name="Wang Wu",
    phone="+8613812345678",
    county="anding",
    sector="construction",
    department_code=CONSTRUCTION.code,
    employer="Xijiang Co-op",
    project="Greenhouses",
    site="Fengxiang Road 5",
    location=(35.58, 104.62),
    amount_fen=50_000_00,
    workers=3,
    owed_since=date(2026, 6, 1),
    account="Not paid since June.",
    story=(VOICE,),
    evidence=(PHOTO,),
    language="zh",
    now=FILED,
    zone=DINGXI,
    daily_limit=5,
    number_prefix="DX",
    rules=HardCaseRules(),
    deadline_days=15,
)


@pytest.fixture
def cases() -> FakeCaseBook:
    return FakeCaseBook()


@pytest.fixture
def filing(cases: FakeCaseBook) -> FakeCaseFiling:
    departments = {department.code: department for department in (CONSTRUCTION, FALLBACK)}
    return FakeCaseFiling(cases, departments)


async def file(
    filing: FakeCaseFiling, trail: FakeCaseTrail, report: FileReport = REPORT
) -> ReportFiled:
    return await file_report(report, filing=filing, cases=filing.cases, trail=trail)


async def test_a_workers_report_becomes_a_numbered_case_of_the_routed_department(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    filed = await file(filing, trail)

    case = filed.case
    assert (case.number, case.status) == ("DX-2026-000001", CaseStatus.RECEIVED)
    assert (case.department_id, case.department_code) == (1, "anding.construction")
    assert filing.cases.cases[case.id] == case
    assert filed.deadline_at == FILED + timedelta(days=10)
    assert filed.escalated is None and not case.hard
    new = filing.filed[case.id]
    assert (new.worker_id, new.source, new.language) == (7, "telegram", "zh")
    assert (new.site_address, new.site_latitude, new.site_longitude) == (
        "Fengxiang Road 5",
        35.58,
        104.62,
    )
    assert (new.story, new.evidence, new.deadline_at) == ((VOICE,), (PHOTO,), filed.deadline_at)


async def test_the_created_event_names_the_worker_the_department_and_the_status(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    filed = await file(filing, trail)

    (event,) = trail.events
    assert (event.case_id, event.actor, event.kind, event.at) == (
        filed.case.id,
        "worker:501",
        "created",
        FILED,
    )
    assert event.data == {"department": "anding.construction", "status": "received"}


async def test_a_department_without_its_own_deadline_gets_the_citys(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    filed = await file(filing, trail, replace(REPORT, department_code=FALLBACK.code))
    assert filed.case.department_code == "anding.hrss"
    assert filed.deadline_at == FILED + timedelta(days=15)


async def test_numbers_run_on_within_the_local_year_and_start_again_in_the_next(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    first = await file(filing, trail)
    second = await file(filing, trail)
    new_year_in_dingxi = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    third = await file(filing, trail, replace(REPORT, now=new_year_in_dingxi))

    assert [f.case.number for f in (first, second, third)] == [
        "DX-2026-000001",
        "DX-2026-000002",
        "DX-2027-000001",
    ]


async def test_the_sixth_report_of_the_day_is_refused_and_nothing_is_written(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    for _ in range(5):
        await file(filing, trail)
    events = list(trail.events)

    with pytest.raises(DailyLimitReached) as refused:
        await file(filing, trail, replace(REPORT, now=FILED + timedelta(hours=1)))

    assert refused.value.filed == 5 and refused.value.values == {"n": 5}
    assert len(filing.filed) == 5 and trail.events == events
    assert filing.last_numbers == {("DX", 2026): 5}


async def test_the_limit_counts_the_workers_local_day(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    """23:00 in Dingxi is 15:00 UTC; an hour later a new day begins there."""
    late = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    for _ in range(5):
        await file(filing, trail, replace(REPORT, now=late))

    filed = await file(filing, trail, replace(REPORT, now=late + timedelta(hours=1)))
    assert filed.case.number == "DX-2026-000006"


async def test_reception_staff_have_no_limit_and_file_in_their_own_name_for_no_account(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    at_reception = replace(REPORT, filer=handler(), language="zh")
    for _ in range(6):
        filed = await file(filing, trail, at_reception)

    assert filed.case.number == "DX-2026-000006"
    new = filing.filed[filed.case.id]
    assert (new.worker_id, new.source) == (None, "reception")
    created = [event.actor for event in trail.events if event.kind == "created"]
    assert created == ["staff:1"] * 6


async def test_only_staff_file_for_someone_else(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    with pytest.raises(NotAllowed):
        await file(filing, trail, replace(REPORT, filer=stranger()))
    assert filing.filed == {} and trail.events == []


@pytest.mark.parametrize(
    ("changed", "reasons"),
    [
        ({"amount_fen": 100_000_00}, ("amount",)),
        ({"workers": 10}, ("workers",)),
        ({"owed_since": date(2025, 10, 1)}, ("long_owed",)),
        ({"amount_fen": 195_000_00, "workers": 12}, ("amount", "workers")),
    ],
    ids=["amount", "workers", "long owed", "amount and workers"],
)
async def test_a_hard_case_is_escalated_at_filing_with_its_reasons(
    filing: FakeCaseFiling, trail: FakeCaseTrail, changed: dict[str, Any], reasons: tuple[str, ...]
) -> None:
    filed = await file(filing, trail, replace(REPORT, **changed))

    assert filed.escalated is not None and filed.escalated.first
    assert filed.case == filing.cases.cases[filed.case.id] == filed.escalated.case
    assert (filed.case.hard, filed.case.hard_reasons, filed.case.escalated_at) == (
        True,
        reasons,
        FILED,
    )
    assert [(event.kind, event.actor) for event in trail.events] == [
        ("created", "worker:501"),
        ("escalated", "system"),
    ]
    assert trail.events[1].data["reasons"] == list(reasons)


async def test_the_third_open_case_against_an_employer_is_escalated(
    filing: FakeCaseFiling, trail: FakeCaseTrail
) -> None:
    filing.cases.add(
        a_case(101, employer="xijiang  CO-OP"),
        a_case(102, status=CaseStatus.RESOLVED),
    )
    second = await file(filing, trail)
    assert second.escalated is None

    third = await file(filing, trail)

    assert third.escalated is not None
    assert third.case.hard_reasons == ("repeat_employer",)

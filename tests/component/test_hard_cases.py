"""Hard cases (骨头案): each rule exactly at its threshold, and what filing a hard case does."""

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import select

from bot.app import handler_config
from bot.settings import load_settings
from handlers import HandlerConfig
from handlers.context import HardCaseRules
from handlers.domain.ids import CaseId
from handlers.routing import Routing
from handlers.usecases.file_report import reasons_to_escalate
from storage.db import Database
from storage.models import Case, CaseEvent, CaseStatus
from storage.people import department_by_code
from storage.repositories import ports
from tests.support.chat import Bench, complete_report
from tests.support.clock import FakeClock

DEPARTMENT = -1001000000101
ANDING_LEADS = -1001000001900
SUPERVISORS = -1001000000002
FILED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
"""10:00 in Dingxi."""


async def reasons_for(db: Database, config: HandlerConfig, **fields: Any) -> list[str]:
    """Files one ordinary case with ``fields`` changed (and ``others``: earlier cases of the
    same employer, as (employer, status) pairs) and returns its hard-case reasons."""
    others: list[tuple[str, str]] = fields.pop("others", [])
    async with db.transaction() as session:
        department = await department_by_code(session, "anding.construction")

        def case(number: str, **values: Any) -> Case:
            defaults: dict[str, Any] = {
                "number": number,
                "department_id": department.id,
                "language": "en",
                "county": "anding",
                "sector": "construction",
                "reporter_name": "Wang Wu",
                "reporter_phone": "+8613812345678",
                "employer": "Xijiang Co-op",
                "project": "Greenhouses",
                "amount_fen": 50_000_00,
                "workers_owed": 3,
                "owed_since": date(2026, 6, 1),
                "account": "Not paid.",
                "deadline_at": FILED,
                "created_at": FILED,
            }
            return Case(**(defaults | values))

        for index, (employer, status) in enumerate(others):
            session.add(case(f"DX-2026-9{index:05d}", employer=employer, status=status))
        filed = case("DX-2026-000001", **fields)
        session.add(filed)
        await session.flush()
        assert filed.id is not None
        cases = ports(session).cases
        record = await cases.for_change(CaseId(filed.id))
        assert record is not None
        return await reasons_to_escalate(cases, record, config.hard_cases, config.zone)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"amount_fen": 99_999_99}, []),
        ({"amount_fen": 100_000_00}, ["amount"]),
        ({"workers_owed": 9}, []),
        ({"workers_owed": 10}, ["workers"]),
        ({"owed_since": date(2025, 11, 1)}, []),
        ({"owed_since": date(2025, 10, 1)}, ["long_owed"]),
        ({"others": [("Xijiang Co-op", "received")]}, []),
        ({"others": [("Xijiang Co-op", "received")] * 2}, ["repeat_employer"]),
    ],
    ids=[
        "99,999.99 yuan",
        "100,000 yuan",
        "9 workers",
        "10 workers",
        "12 months",
        "13 months",
        "2 open cases of the employer",
        "3 open cases of the employer",
    ],
)
async def test_each_rule_applies_from_its_threshold_on(
    db: Database, config: HandlerConfig, fields: dict[str, Any], expected: list[str]
) -> None:
    assert await reasons_for(db, config, **fields) == expected


async def test_an_employer_is_recognised_however_its_name_is_typed(
    db: Database, config: HandlerConfig
) -> None:
    others = [("  xijiang   CO-OP ", "in_progress"), ("ｘｉｊｉａｎｇ　Co-op", "overdue")]
    assert await reasons_for(db, config, others=others) == ["repeat_employer"]


async def test_closed_cases_of_the_employer_do_not_count(
    db: Database, config: HandlerConfig
) -> None:
    others = [("Xijiang Co-op", CaseStatus.RESOLVED), ("Xijiang Co-op", CaseStatus.REJECTED)]
    assert await reasons_for(db, config, others=others) == []


async def test_months_owed_count_from_the_local_day_of_filing(
    db: Database, config: HandlerConfig
) -> None:
    """00:30 on 1 December in Dingxi is still 30 November in UTC."""
    first_of_december = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    since = date(2025, 11, 1)
    assert await reasons_for(db, config, created_at=first_of_december, owed_since=since) == [
        "long_owed"
    ]


async def test_several_rules_give_several_reasons(db: Database, config: HandlerConfig) -> None:
    fields = {"amount_fen": 195_000_00, "workers_owed": 12, "owed_since": date(2022, 5, 1)}
    assert await reasons_for(db, config, **fields) == ["amount", "workers", "long_owed"]


@pytest.mark.usefixtures("settings")  # run where no .env is read
async def test_thresholds_come_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, routing: Routing, db: Database
) -> None:
    monkeypatch.setenv("HARD_CASE_MIN_AMOUNT_YUAN", "50000")
    monkeypatch.setenv("HARD_CASE_MIN_WORKERS", "3")
    monkeypatch.setenv("HARD_CASE_MONTHS_OWED", "24")
    monkeypatch.setenv("HARD_CASE_MIN_OPEN_PER_EMPLOYER", "5")
    config = handler_config(load_settings(), routing)

    assert config.hard_cases == HardCaseRules(5_000_000, 3, 24, 5)
    assert await reasons_for(db, config, owed_since=date(2025, 1, 1)) == ["amount", "workers"]


# --- filing a hard case --------------------------------------------------------------------------


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en"), clock)


async def test_a_hard_case_is_flagged_on_its_first_alert_and_escalated_at_filing(
    bench: Bench, db: Database
) -> None:
    await complete_report(bench.chat(501), amount="100000", workers="3", since="2026-06")

    (alert,) = bench.to(DEPARTMENT)
    assert "🦴" in alert.text and "large amount" in alert.text
    (escalation,) = bench.to(ANDING_LEADS)
    assert "Escalated" in escalation.text and "🦴" in escalation.text
    assert [m.text for m in bench.to(SUPERVISORS)] == [escalation.text]
    async with db.reader() as session:
        case = (await session.exec(select(Case))).one()
        events = (await session.exec(select(CaseEvent).order_by(CaseEvent.id))).all()
    assert case.hard and case.hard_reasons == ["amount"] and case.escalated_at is not None
    assert [(e.kind, e.actor) for e in events] == [
        ("created", "worker:501"),
        ("escalated", "system"),
    ]
    assert events[1].data["before"] == {"hard": False, "hard_reasons": []}
    assert events[1].data["after"] == {"hard": True, "hard_reasons": ["amount"]}


async def test_an_ordinary_case_is_neither_flagged_nor_escalated(
    bench: Bench, db: Database
) -> None:
    await complete_report(bench.chat(501), amount="99999.99", workers="9", since="2025-11")

    (alert,) = bench.to(DEPARTMENT)
    assert "🦴" not in alert.text
    assert bench.to(ANDING_LEADS) == [] and bench.to(SUPERVISORS) == []
    async with db.reader() as session:
        case = (await session.exec(select(Case))).one()
    assert not case.hard and case.escalated_at is None


async def test_the_third_open_case_against_one_employer_is_escalated(bench: Bench) -> None:
    ordinary = {"amount": "5000", "workers": "2", "since": "2026-06", "employer": "Boss Zhang"}
    for user_id in (501, 502):
        await complete_report(bench.chat(user_id), **ordinary)
    assert bench.to(ANDING_LEADS) == []

    await complete_report(bench.chat(503), **(ordinary | {"employer": "boss  zhang"}))
    (escalation,) = bench.to(ANDING_LEADS)
    assert "employer has several open cases" in escalation.text

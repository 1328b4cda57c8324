"""November 2026 in Anding and Tongwei: a small set of cases, return visits and consultations
whose figures are worked out by hand in ``tests/component/test_figures.py``.

Times are Asia/Shanghai. "Now" is the FakeClock's start: Thursday 2026-11-26 10:00 local.
Cases sit on the month's edges on purpose: T1 is created at 00:00:00 on 1 November, T2 one
second before; A5 is resolved at 00:00:00 on 1 November, exactly at its deadline; D1 is created
at 00:00:00 on 1 December. R1 was resolved on 8 November, then reopened when its worker said
"not paid" (which clears its resolution).
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from storage.db import Database
from storage.models import Case, CaseStatus, Consultation, Department, Staff, StaffRole, Survey

__all__ = ["CASES", "SHANGHAI", "local", "seed_november"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
YUAN = 100
SECTORS = ("construction", "transport", "water", "education")


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


R, P, OD, V, J = (
    CaseStatus.RESOLVED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.OVERDUE,
    CaseStatus.REOPENED,
    CaseStatus.REJECTED,
)

# name: (department, status, created, resolved, deadline, yuan owed, yuan recovered,
#        workers owed, workers paid, outcome)
CASES: dict[str, tuple[Any, ...]] = {
    "A1": ("anding.construction", R, local(2026, 11, 2, 9), local(2026, 11, 12, 9),
           local(2026, 11, 17, 9), 100_000, 100_000, 10, 10, "paid_in_full"),
    "A2": ("anding.construction", R, local(2026, 11, 3, 9), local(2026, 11, 23, 21),
           local(2026, 11, 18, 9), 50_000, 30_000, 5, 3, "partly_paid"),
    "A3": ("anding.transport", J, local(2026, 11, 5, 12), local(2026, 11, 6, 12),
           local(2026, 11, 20, 12), 8_000, None, 1, None, "not_wage_arrears"),
    "A4": ("anding.construction", P, local(2026, 11, 10, 8), None,
           local(2026, 11, 25, 8), 20_000, None, 4, None, None),
    "A5": ("anding.construction", R, local(2026, 10, 21), local(2026, 11, 1),
           local(2026, 11, 1), 60_000, 60_000, 6, 6, "paid_in_full"),
    "R1": ("anding.construction", V, local(2026, 11, 4, 9), None,
           local(2026, 12, 10, 9), 30_000, None, 3, None, None),
    "T1": ("tongwei.construction", OD, local(2026, 11, 1), None,
           local(2026, 11, 16), 200_000, None, 20, None, None),
    "T2": ("tongwei.construction", P, local(2026, 10, 31, 23, 59, 59), None,
           local(2026, 12, 15), 5_000, None, 1, None, None),
    "T3": ("tongwei.hrss", R, local(2026, 11, 20, 4), local(2026, 11, 25, 11, 12),
           local(2026, 12, 5), 12_000, 0, 2, 0, "withdrawn"),
    "T4": ("tongwei.construction", R, local(2026, 10, 10), local(2026, 10, 30),
           local(2026, 10, 25), 9_000, 9_000, 1, 1, "paid_in_full"),
    "T5": ("tongwei.construction", R, local(2026, 9, 1), local(2026, 10, 1),
           local(2026, 9, 16), 7_000, 7_000, 1, 1, "paid_in_full"),
    "D1": ("anding.construction", CaseStatus.RECEIVED, local(2026, 12, 1), None,
           local(2026, 12, 16), 40_000, None, 4, None, None),
}  # fmt: skip

# (case, kind, round, status, due, rating)
SURVEYS = [
    ("A1", "return_visit", 1, "answered", local(2026, 11, 13, 9), 5),
    ("A2", "return_visit", 1, "answered", local(2026, 11, 24, 21), 4),
    ("A5", "return_visit", 1, "answered", local(2026, 11, 2), 3),
    ("R1", "return_visit", 1, "answered", local(2026, 11, 9, 9), 1),
    ("T3", "return_visit", 1, "unanswered", local(2026, 11, 26, 9), None),
    ("T4", "return_visit", 1, "undeliverable", local(2026, 11, 1), None),
    ("T5", "return_visit", 1, "answered", local(2026, 10, 31, 23, 59, 59), 5),
    ("T5", "return_visit", 2, "asked", local(2026, 11, 25), None),
    ("T4", "rebound", 1, "answered", local(2026, 11, 20), 5),
]

# (case, outcome recorded, yuan agreed)
CONSULTATIONS = [
    ("A2", local(2026, 11, 10), 40_000),
    ("A2", local(2026, 11, 15), 30_000),
    ("A4", local(2026, 11, 20), 20_000),
    ("T1", local(2026, 10, 28), 150_000),
    ("A1", None, None),
]


async def seed_november(db: Database) -> dict[str, Case]:
    """The data set above; returns the cases by name."""
    created = local(2026, 9, 1)
    async with db.transaction() as session:
        departments = {d.code: d for d in (await session.exec(select(Department))).all()}
        staff = Staff(
            telegram_user_id=1, chat_id=1, name="Clerk", role=StaffRole.HANDLER, created_at=created
        )
        session.add(staff)
        cases: dict[str, Case] = {}
        for sequence, (name, row) in enumerate(CASES.items(), 1):
            code, status, opened, resolved, deadline, owed, recovered, workers, paid, outcome = row
            department = departments[code]
            sector = code.split(".")[1]
            cases[name] = Case(
                number=f"DX-2026-{sequence:06d}",
                department_id=department.id,
                status=status,
                language="zh",
                county=department.county,
                sector=sector if sector in SECTORS else "other",
                reporter_name=f"Worker {name}",
                reporter_phone="13800000000",
                employer=f"Employer {name}",
                project="Project",
                amount_fen=owed * YUAN,
                workers_owed=workers,
                owed_since=date(2026, 1, 1),
                account="Not paid.",
                deadline_at=deadline,
                created_at=opened,
                resolved_at=resolved,
                hard=owed >= 100_000,
                outcome=outcome,
                amount_recovered_fen=None if recovered is None else recovered * YUAN,
                workers_paid=paid,
            )
            session.add(cases[name])
        await session.flush()
        for name, kind, round_, status, due, rating in SURVEYS:
            survey = Survey(
                case_id=cases[name].id, kind=kind, round=round_, status=status, due_at=due,
                rating=rating, created_at=created,
            )  # fmt: skip
            session.add(survey)
        for name, at, agreed in CONSULTATIONS:
            consultation = Consultation(
                case_id=cases[name].id, scheduled_at=at or local(2026, 11, 25), place="Office",
                created_by=staff.id, created_at=created, outcome_at=at,
                agreed_amount_fen=None if agreed is None else agreed * YUAN,
            )  # fmt: skip
            session.add(consultation)
    return cases

"""Actors and cases for use-case and domain tests: a handler of department 1, the county lead,
a supervisor, an administrator, a stranger, and a case in department 1 of Anding."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from handlers.domain.cases import CaseRecord, CaseStatus, StaffRole
from handlers.domain.ids import CaseId, ChatId, DepartmentId, StaffId, UserId, WorkerId
from handlers.domain.permissions import Actor, StaffMember

__all__ = ["FILED", "a_case", "admin", "handler", "lead", "stranger", "supervisor"]

FILED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
HOME = DepartmentId(1)
OTHER = DepartmentId(2)


def staff_actor(
    staff_id: int,
    role: StaffRole,
    *,
    department: DepartmentId | None = None,
    county: str | None = None,
    name: str = "Officer Li",
) -> Actor:
    member = StaffMember(StaffId(staff_id), ChatId(800 + staff_id), name, role, department, county)
    return Actor(UserId(900 + staff_id), name, member, is_admin=False)


def handler(department: DepartmentId = HOME) -> Actor:
    return staff_actor(1, StaffRole.HANDLER, department=department)


def lead(county: str | None = "anding") -> Actor:
    return staff_actor(2, StaffRole.LEAD, county=county, name="Lead Zhao")


def supervisor() -> Actor:
    return staff_actor(3, StaffRole.SUPERVISOR, name="Supervisor Ma")


def admin() -> Actor:
    return Actor(UserId(906), "Admin", None, is_admin=True)


def stranger() -> Actor:
    return Actor(UserId(777), "Stranger", None, is_admin=False)


def a_case(case_id: int = 1, **changed: Any) -> CaseRecord:
    case = CaseRecord(
        id=CaseId(case_id),
        number=f"DX-2026-{case_id:06d}",
        status=CaseStatus.RECEIVED,
        department_id=HOME,
        department_code="anding.construction",
        county="anding",
        assignee_id=None,
        employer="Xijiang Co-op",
        amount_fen=50_000_00,
        workers_owed=3,
        owed_since=date(2026, 6, 1),
        created_at=FILED,
        reporter_name="Wang Wu",
        reporter_phone="+8613812345678",
        worker_id=WorkerId(7),
        deadline_at=FILED + timedelta(days=15),
        deadline_days=None,
    )
    return replace(case, **changed)

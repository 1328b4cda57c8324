"""Staff for tests, made directly in the database (the invite flow has tests of its own)."""

from sqlmodel import select

from storage.db import Database
from storage.models import Department, Staff, StaffRole
from tests.support.clock import FakeClock

__all__ = ["make_staff"]


async def make_staff(
    db: Database,
    clock: FakeClock,
    user_id: int,
    role: StaffRole = StaffRole.HANDLER,
    *,
    department: str | None = "anding.construction",
    county: str | None = None,
    name: str = "Officer Li",
) -> Staff:
    async with db.transaction() as session:
        department_id = None
        if role == StaffRole.HANDLER and department is not None:
            row = (
                await session.exec(select(Department).where(Department.code == department))
            ).one()
            department_id = row.id
        staff = Staff(
            telegram_user_id=user_id,
            chat_id=user_id,
            name=name,
            role=role,
            department_id=department_id,
            county=county,
            created_at=clock.now(),
        )
        session.add(staff)
    return staff

"""``StaffDirectory`` over the ``staff`` table."""

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.ids import ChatId, DepartmentId, StaffId, UserId
from handlers.domain.permissions import StaffMember
from storage.staff import staff_by_user

__all__ = ["SqlStaffDirectory"]


@dataclass(frozen=True, slots=True)
class SqlStaffDirectory:
    session: AsyncSession

    async def active_by_user(self, user_id: UserId) -> StaffMember | None:
        staff = await staff_by_user(self.session, user_id)
        if staff is None or staff.id is None:
            return None
        department = staff.department_id
        return StaffMember(
            id=StaffId(staff.id),
            chat_id=ChatId(staff.chat_id),
            name=staff.name,
            role=staff.role,
            department_id=DepartmentId(department) if department is not None else None,
            county=staff.county,
        )

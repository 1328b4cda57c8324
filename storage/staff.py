"""Staff and their invites."""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, Invite, Staff, StaffRole

__all__ = [
    "INVITE_ALPHABET",
    "create_invite",
    "find_invite",
    "list_staff",
    "normalise_code",
    "remove_staff",
    "staff_by_user",
]

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: codes are read aloud and typed on phones."""
CODE_LENGTH = 10


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


async def create_invite(
    session: AsyncSession,
    role: StaffRole,
    *,
    department_id: int | None,
    county: str | None,
    created_by: str,
    at: datetime,
    valid_for: timedelta,
) -> Invite:
    code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(CODE_LENGTH))
    invite = Invite(
        code=code,
        role=role,
        department_id=department_id,
        county=county,
        created_by=created_by,
        created_at=at,
        expires_at=at + valid_for,
    )
    session.add(invite)
    return invite


async def find_invite(session: AsyncSession, code: str) -> Invite | None:
    """The invite, locked: two people racing with one code cannot both use it."""
    statement = select(Invite).where(Invite.code == normalise_code(code)).with_for_update()
    return (await session.exec(statement)).first()


async def staff_by_user(session: AsyncSession, telegram_user_id: int) -> Staff | None:
    statement = select(Staff).where(
        Staff.telegram_user_id == telegram_user_id,
        Staff.active == True,  # noqa: E712
    )
    return (await session.exec(statement)).first()


async def list_staff(session: AsyncSession) -> Sequence[tuple[Staff, Department | None]]:
    statement = (
        select(Staff, Department)
        .join(Department, col(Department.id) == col(Staff.department_id), isouter=True)
        .where(Staff.active == True)  # noqa: E712
        .order_by(col(Staff.role), col(Staff.id))
    )
    return (await session.exec(statement)).all()


async def remove_staff(session: AsyncSession, staff_id: int, at: datetime) -> Staff | None:
    staff = await session.get(Staff, staff_id)
    if staff is None or not staff.active:
        return None
    staff.active, staff.removed_at = False, at
    session.add(staff)
    return staff

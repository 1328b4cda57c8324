"""The port to the staff list: who a Telegram user is to the bureau."""

from typing import Protocol

from handlers.domain.ids import UserId
from handlers.domain.permissions import StaffMember

__all__ = ["StaffDirectory"]


class StaffDirectory(Protocol):
    async def active_by_user(self, user_id: UserId) -> StaffMember | None:
        """The active staff member behind a Telegram user; None for anyone else."""
        ...

"""Who may do what to a case. Every door checks again: a button proves nothing about who
pressed it or whether the case is still where it was."""

from dataclasses import dataclass
from typing import Protocol

from handlers.domain.cases import StaffRole, ensure_open
from handlers.domain.errors import N_, NotAllowed
from handlers.domain.ids import ChatId, DepartmentId, StaffId, UserId

__all__ = [
    "Actor",
    "Placed",
    "StaffMember",
    "can_act",
    "ensure_admin",
    "ensure_can_act",
    "ensure_can_comment",
    "ensure_can_press",
    "ensure_can_view",
    "ensure_staff",
]


@dataclass(frozen=True, slots=True)
class StaffMember:
    """An active staff member: a department's handler, a county's (or the city's) lead, or a
    supervisor."""

    id: StaffId
    chat_id: ChatId
    name: str
    role: str
    department_id: DepartmentId | None
    county: str | None


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind a command or press: staff, an administrator, or anyone else."""

    user_id: UserId
    name: str
    staff: StaffMember | None
    is_admin: bool

    @property
    def label(self) -> str:
        """How the audit trail names this person."""
        if self.staff is not None:
            return f"staff:{self.staff.id}"
        return f"admin:{self.user_id}" if self.is_admin else f"user:{self.user_id}"

    @property
    def role(self) -> str | None:
        return self.staff.role if self.staff else None


class Placed(Protocol):
    """Where a case is, which is all permissions look at (a table row or a ``CaseRecord``)."""

    @property
    def department_id(self) -> int: ...
    @property
    def county(self) -> str: ...
    @property
    def status(self) -> str: ...


def can_act(actor: Actor, case: Placed) -> bool:
    """Staff of the case's current department, its leads, and admins may change a case."""
    if actor.is_admin:
        return True
    staff = actor.staff
    if staff is None:
        return False
    if staff.role == StaffRole.HANDLER:
        return staff.department_id == case.department_id
    if staff.role == StaffRole.LEAD:
        return staff.county is None or staff.county == case.county
    return False


def ensure_staff(actor: Actor) -> None:
    if actor.staff is None and not actor.is_admin:
        raise NotAllowed(N_("This is for department staff only."))


def ensure_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed(N_("Only an administrator can do that."))


def ensure_can_act(actor: Actor, case: Placed) -> None:
    if not can_act(actor, case):
        raise NotAllowed(N_("Only staff of the department that has this case can do that."))


def ensure_can_view(actor: Actor, case: Placed) -> None:
    """Supervisors see every case; other staff see the cases they may act on."""
    if actor.role == StaffRole.SUPERVISOR or can_act(actor, case):
        return
    raise NotAllowed(N_("You can only see your own department's cases."))


def ensure_can_comment(actor: Actor, case: Placed) -> None:
    ensure_can_view(actor, case)


def ensure_can_press(actor: Actor, case: Placed, verb: str) -> None:
    """May ``actor`` do what the alert's ``verb`` does to ``case`` now? A note needs only sight
    of the case, anything else the right to act, and the case must still be open."""
    (ensure_can_comment if verb == "note" else ensure_can_act)(actor, case)
    ensure_open(case.status)

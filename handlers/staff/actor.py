"""The person behind a command or button press, and what they may do to a case.

Every press is authorised again here, on the server: a button proves nothing about who
pressed it or whether the case is still where it was.
"""

from dataclasses import dataclass

from sqlmodel import select

from handlers.case_card import OPEN_STATUSES
from handlers.context import Context
from handlers.domain.errors import NotAllowed, Stale
from handlers.formatting import N_, STATUS_NAMES
from handlers.i18n import Translator
from storage.models import Case, Staff, StaffRole

__all__ = [
    "Actor",
    "actor_of",
    "can_act",
    "ensure_admin",
    "ensure_can_act",
    "ensure_can_comment",
    "ensure_can_press",
    "ensure_can_view",
    "ensure_staff",
]


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    name: str
    staff: Staff | None
    is_admin: bool

    @property
    def label(self) -> str:
        """How the audit trail names this person."""
        if self.staff is not None and self.staff.id is not None:
            return f"staff:{self.staff.id}"
        return f"admin:{self.user_id}" if self.is_admin else f"user:{self.user_id}"

    @property
    def role(self) -> str | None:
        return self.staff.role if self.staff else None


async def actor_of(ctx: Context) -> Actor:
    user_id = ctx.event.user_id
    statement = select(Staff).where(Staff.telegram_user_id == user_id, Staff.active == True)  # noqa: E712
    staff = (await ctx.session.exec(statement)).first()
    name = staff.name if staff else ctx.event.user_name
    return Actor(user_id, name, staff, user_id in ctx.config.admin_ids)


def can_act(actor: Actor, case: Case) -> bool:
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


def ensure_can_act(actor: Actor, case: Case) -> None:
    if not can_act(actor, case):
        raise NotAllowed(N_("Only staff of the department that has this case can do that."))


def ensure_can_view(actor: Actor, case: Case) -> None:
    """Supervisors see every case; other staff see the cases they may act on."""
    if actor.role == StaffRole.SUPERVISOR or can_act(actor, case):
        return
    raise NotAllowed(N_("You can only see your own department's cases."))


def ensure_can_comment(actor: Actor, case: Case) -> None:
    ensure_can_view(actor, case)


def ensure_can_press(actor: Actor, case: Case, verb: str, _: Translator) -> None:
    """May ``actor`` do what the alert's ``verb`` button does to ``case`` now? Checked on the
    press and again when its form is finished: a note needs only sight of the case, anything
    else the right to act, and the case must still be open (its status named with ``_``)."""
    (ensure_can_comment if verb == "note" else ensure_can_act)(actor, case)
    if case.status not in OPEN_STATUSES:
        raise Stale(
            N_("This case is now {status}; nothing changed."), status=_(STATUS_NAMES[case.status])
        )

"""Becoming staff: an admin creates a one-time code, the person sends ``/join CODE``.

Codes expire after ``INVITE_VALID_DAYS``.

``/invite handler anding.construction`` · ``/invite lead anding`` · ``/invite lead city`` ·
``/invite supervisor``. Codes are made only in an admin's private chat (never posted in a
group) and work once, only in a private chat, until they expire.
"""

from datetime import timedelta

from handlers.context import Context
from handlers.domain.errors import NotAllowed
from handlers.formatting import N_, department_name, format_date
from handlers.replies import escape
from handlers.staff.actor import actor_of, ensure_admin
from storage.models import Department, Staff, StaffRole
from storage.people import department_by_code
from storage.staff import create_invite, find_invite, staff_by_user

__all__ = ["ROLE_NAMES", "invite", "join"]

ROLE_NAMES = {
    StaffRole.HANDLER: N_("department handler"),
    StaffRole.LEAD: N_("lead"),
    StaffRole.SUPERVISOR: N_("supervisor"),
}
USAGE = N_(
    "Usage: /invite handler DEPARTMENT_CODE · /invite lead COUNTY_CODE (or city) · "
    "/invite supervisor"
)


async def invite(ctx: Context) -> None:
    _ = ctx._
    admin = await actor_of(ctx)
    ensure_admin(admin)
    if not ctx.event.is_private:
        # A code posted in a group could be used by anyone in it.
        ctx.reply(_("Invitations are made in a private chat with me: send /invite there."))
        return
    words = ctx.event.args.split()
    role = words[0].lower() if words else ""
    target = words[1] if len(words) > 1 else ""
    department: Department | None = None
    county: str | None = None
    if role == StaffRole.HANDLER:
        known = ctx.config.routing.department(target)
        if known is None:
            ctx.reply(_("Unknown department code: {code}").format(code=escape(target)))
            ctx.reply(_(USAGE))
            return
        department = await department_by_code(ctx.session, known.code)
    elif role == StaffRole.LEAD:
        known_county = ctx.config.routing.county(target)
        if target != "city" and known_county is None:
            ctx.reply(_("Unknown county code: {code}").format(code=escape(target)))
            ctx.reply(_(USAGE))
            return
        county = known_county.code if known_county is not None else None
    elif role != StaffRole.SUPERVISOR:
        ctx.reply(_(USAGE))
        return
    created = await create_invite(
        ctx.session,
        StaffRole(role),
        department_id=department.id if department else None,
        county=county,
        created_by=admin.label,
        at=ctx.now,
        valid_for=timedelta(days=ctx.config.invite_valid_days),
    )
    scope = department_name(department, ctx.language) if department else (county or "")
    ctx.reply(
        _(
            "Invite code <code>{code}</code> for a {role} {scope}, valid until {date}.\n"
            "The person sends /join {code} to this bot in a private chat. It works once."
        ).format(
            code=created.code,
            role=_(ROLE_NAMES[StaffRole(role)]),
            scope=escape(scope),
            date=format_date(created.expires_at, ctx.config.zone),
        )
    )


async def join(ctx: Context) -> None:
    _ = ctx._
    if not ctx.event.is_private:
        ctx.reply(_("Please send /join with your code to me in a private chat."))
        return
    found = await find_invite(ctx.session, ctx.event.args) if ctx.event.args.strip() else None
    if found is None or found.used_at is not None or found.expires_at <= ctx.now:
        raise NotAllowed(N_("This invite code is not valid: it may be mistyped, used or expired."))
    current = await staff_by_user(ctx.session, ctx.event.user_id)
    if current is not None:
        current.active, current.removed_at = False, ctx.now
        ctx.session.add(current)
    staff = Staff(
        telegram_user_id=ctx.event.user_id,
        chat_id=ctx.event.chat_id,
        name=ctx.event.user_name or str(ctx.event.user_id),
        role=found.role,
        department_id=found.department_id,
        county=found.county,
        created_at=ctx.now,
    )
    ctx.session.add(staff)
    await ctx.session.flush()
    found.used_by, found.used_at = staff.id, ctx.now
    ctx.session.add(found)
    ctx.reply(
        _(
            "Welcome, you are now a {role}. Alerts and their buttons come to your department's "
            "chat. Commands: /cases (open cases), /mine (yours), /overdue, /case NUMBER."
        ).format(role=_(ROLE_NAMES[StaffRole(found.role)]))
    )

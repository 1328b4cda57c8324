"""``arrears-bot staff``: invite, list and remove staff from a terminal on the server."""

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bot.routing_file import load_routing
from bot.settings import Settings
from handlers.routing_changes import adopt_routing
from storage.db import Database
from storage.migrate import upgrade
from storage.models import StaffRole
from storage.people import department_by_code
from storage.staff import create_invite, list_staff, remove_staff

__all__ = ["add_staff_commands", "open_database", "run_staff_command"]


def add_staff_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    staff = commands.add_parser("staff", help="invite, list or remove department staff")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    invite = actions.add_parser("invite", help="create a one-time invite code")
    invite.add_argument("--role", required=True, choices=[r.value for r in StaffRole])
    invite.add_argument("--department", help="department code (handlers)")
    invite.add_argument("--county", help="county code, or 'city' (leads)")
    actions.add_parser("list", help="list active staff")
    remove = actions.add_parser("remove", help="remove a staff member by id")
    remove.add_argument("id", type=int)


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The migrated database in step with the routing file (see ``adopt_routing``)."""
    url = settings.database.database_url
    db = Database(url)
    try:
        await upgrade(url)
        async with db.transaction() as session:
            routing = load_routing(settings.cases.routing_file)
            await adopt_routing(session, routing, datetime.now(UTC))
        yield db
    finally:
        await db.dispose()


async def run_staff_command(args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    """What to print; raises ValueError with one line for a wrong argument."""
    async with open_database(settings) as db:
        if args.staff_command == "invite":
            return await _invite(db, args, settings, now)
        if args.staff_command == "list":
            return await _list(db)
        async with db.transaction() as session:
            removed = await remove_staff(session, args.id, now)
        if removed is None:
            raise ValueError(f"no active staff member with id {args.id}")
        return f"removed {removed.name} (id {removed.id})"


async def _invite(db: Database, args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    role = StaffRole(args.role)
    routing = load_routing(settings.cases.routing_file)
    department_id: int | None = None
    county: str | None = None
    async with db.transaction() as session:
        if role == StaffRole.HANDLER:
            known = routing.department(args.department or "")
            if known is None:
                raise ValueError(f"--department: unknown department code {args.department!r}")
            department_id = (await department_by_code(session, known.code)).id
        elif role == StaffRole.LEAD:
            known_county = routing.county(args.county or "")
            if args.county != "city" and known_county is None:
                raise ValueError("--county: a county code from the routing file, or 'city'")
            county = known_county.code if known_county is not None else None
        invite = await create_invite(
            session,
            role,
            department_id=department_id,
            county=county,
            created_by="cli",
            at=now,
            valid_for=timedelta(days=settings.cases.invite_valid_days),
        )
    expires = f"{invite.expires_at:%Y-%m-%d %H:%M} UTC"
    return f"{invite.code}  (send /join {invite.code} to the bot; valid until {expires})"


async def _list(db: Database) -> str:
    async with db.reader() as session:
        rows = await list_staff(session)
    if not rows:
        return "no staff yet"
    lines = [f"{'id':>4}  {'role':<10}  {'scope':<24}  name"]
    for staff, department in rows:
        scope = department.code if department else (staff.county or "city")
        lines.append(f"{staff.id:>4}  {staff.role:<10}  {scope:<24}  {staff.name}")
    return "\n".join(lines)

"""``arrears-bot stats`` and ``arrears-bot export``: the figures and the case export, on the server.

Both take ``--period`` (``week``, ``month`` (the default), ``year``, or ``"YYYY-MM-DD
YYYY-MM-DD"``) and an optional ``--county`` or ``--department`` code from the routing file;
without either they count every case. Texts are in ``DEFAULT_LANGUAGE``.
"""

import argparse
import os
from datetime import datetime
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import handler_config
from bot.routing_file import load_routing
from bot.settings import Settings
from bot.staff_cli import open_database
from handlers.figures import (
    PeriodError,
    Scope,
    describe_scope,
    figures_lines,
    gather_figures,
    parse_period,
)
from handlers.i18n import translator
from handlers.report_files import cases_csv, workbook_upload
from handlers.routing import Routing
from storage.case_queries import EVERY_CASE, CaseScope
from storage.figures import cases_in_period
from storage.models import Department

__all__ = ["add_report_commands", "run_report_command"]

PERIOD_HELP = "week, month, year or 'YYYY-MM-DD YYYY-MM-DD' (default: this month)"


def add_report_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    stats = commands.add_parser("stats", help="print the figures of a period")
    _add_filters(stats)
    export = commands.add_parser("export", help="write the cases of a period to a file")
    _add_filters(export)
    export.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    export.add_argument("--output", required=True, type=Path, help="the file to write")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", default="month", help=PERIOD_HELP)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--county", help="a county code from the routing file")
    where.add_argument("--department", help="a department code from the routing file")


async def run_report_command(args: argparse.Namespace, settings: Settings, now: datetime) -> str:
    """What to print; raises ValueError with one line for a wrong argument."""
    routing = load_routing(settings.cases.routing_file)
    config = handler_config(settings, routing)
    try:
        period = parse_period(args.period, now.astimezone(config.zone).date())
    except PeriodError as error:
        raise ValueError(f"--period: {error} Use {PERIOD_HELP}.") from None
    _ = translator(config.default_language)
    async with open_database(settings) as db, db.reader() as session:
        scope = await _scope(session, args, routing)
        report = await gather_figures(session, scope, period, config.zone, now)
        if args.command == "stats":
            return "\n".join(figures_lines(report, routing, _))
        cases = await cases_in_period(session, scope.cases, *period.bounds(config.zone))
    if args.format == "csv":
        data = cases_csv(config.renderer, cases, routing, config.zone, config.default_language)
    else:
        data = workbook_upload(
            config.renderer, report, cases, routing, config.zone, config.default_language
        ).content
    write_private(args.output, data)
    return f"wrote {len(cases)} cases to {args.output}"


def write_private(path: Path, data: bytes) -> None:
    """An export holds workers' names and phone numbers: only the user who made it may read
    it (0600, also when it replaces an older file)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file's looser mode, before a byte is written
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


async def _scope(session: AsyncSession, args: argparse.Namespace, routing: Routing) -> Scope:
    if args.county is not None:
        county = routing.county(args.county)
        if county is None:
            raise ValueError(f"--county: unknown county code {args.county!r}")
        return await describe_scope(session, (CaseScope(county=county.code),))
    if args.department is not None:
        # Renamed: under its new code; dropped from the file: its past cases still count.
        known = routing.department(args.department)
        code = known.code if known is not None else args.department
        found = (await session.exec(select(Department.id).where(Department.code == code))).first()
        if found is None:
            raise ValueError(f"--department: unknown department code {args.department!r}")
        return await describe_scope(session, (CaseScope(department_ids=(found,)),))
    return await describe_scope(session, (EVERY_CASE,))

"""``arrears-bot``: run the bot, try it in a console, migrate, manage staff, figures."""

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.report_cli import add_report_commands, run_report_command
from bot.routing_file import RoutingError, load_routing
from bot.settings import Settings, SettingsError, load_settings
from bot.staff_cli import add_staff_commands, run_staff_command
from bot.transport import Unauthorized
from handlers.privacy_notice import PrivacyNoticeError, load_privacy_notice

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="arrears-bot", description="Telegram bot for unpaid-wage complaints."
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="serve Telegram (polling or webhook, per settings)")
    commands.add_parser("console", help="play the worker in this terminal; no token needed")
    commands.add_parser("migrate", help="bring the database schema up to date")
    add_staff_commands(commands)
    add_report_commands(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command != "run":
        logging.getLogger().setLevel(logging.WARNING)
    try:
        settings = load_settings()
        check(settings, args.command)
    except (SettingsError, RoutingError, PrivacyNoticeError) as error:
        print(f"arrears-bot: {error}", file=sys.stderr)
        return 2
    try:
        asyncio.run(dispatch(args, settings))
    except KeyboardInterrupt:
        return 130
    except Unauthorized as error:
        print(f"arrears-bot: {error}", file=sys.stderr)
        return 3
    except ValueError as error:  # RoutingError too: the file dropped a code still in use
        print(f"arrears-bot: {error}", file=sys.stderr)
        return 2
    return 0


def check(settings: Settings, command: str) -> None:
    """Refuse to start on settings the command needs but lacks; one line each."""
    load_routing(settings.cases.routing_file)
    load_privacy_notice(settings.cases.privacy_notice_file)
    if command != "run":
        return
    if settings.bot.token is None:
        raise SettingsError("setting BOT_TOKEN is missing: get one from @BotFather")
    if settings.bot.mode == "webhook" and settings.webhook.url is None:
        raise SettingsError("setting WEBHOOK_URL is missing (required with BOT_MODE=webhook)")
    if settings.bot.mode == "webhook" and settings.webhook.secret is None:
        raise SettingsError("setting WEBHOOK_SECRET is missing (required with BOT_MODE=webhook)")


async def dispatch(args: argparse.Namespace, settings: Settings) -> None:
    command = args.command
    if command == "run":
        from bot.app import run_bot

        await run_bot(settings)
    elif command == "console":
        from bot.drivers.console import run_console

        await run_console(settings)
    elif command == "migrate":
        from storage.db import Database
        from storage.migrate import upgrade

        await Database(settings.database.database_url).dispose()
        await upgrade(settings.database.database_url)
        print("database is up to date")
    elif command == "staff":
        print(await run_staff_command(args, settings, datetime.now(UTC)))
    elif command in ("stats", "export"):
        print(await run_report_command(args, settings, datetime.now(UTC)))


if __name__ == "__main__":
    sys.exit(main())

"""Assembly: settings → database, routing, pipeline, sender, scheduler, driver; a clean stop."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from bot.case_files.fetcher import Fetcher
from bot.case_files.store import CaseFileStore
from bot.clock import Clock, SystemClock
from bot.pipeline import Pipeline
from bot.ratelimit import Limiter, Limits, SendLimiter
from bot.report_files import ReportFiles
from bot.routing_file import load_routing
from bot.scheduler import Scheduler
from bot.sender import Sender
from bot.settings import Settings
from bot.shared_ratelimit import RedisLimiter
from bot.transport import Downloader, Transport, Unauthorized
from handlers import HandlerConfig
from handlers.context import HardCaseRules, Retention
from handlers.privacy_notice import load_privacy_notice
from handlers.routing import Routing
from handlers.routing_changes import adopt_routing
from handlers.survey_policy import SurveyPolicy
from storage.db import Database
from storage.migrate import upgrade

__all__ = ["Driver", "Runtime", "build_runtime", "run_bot"]

log = logging.getLogger(__name__)

STOP_GRACE = 10.0


class Driver(Transport, Downloader, Protocol):
    async def receive(self, pipeline: Pipeline) -> None: ...
    async def close(self) -> None: ...


@dataclass
class Runtime:
    db: Database
    pipeline: Pipeline
    sender: Sender
    scheduler: Scheduler
    config: HandlerConfig
    limiter: Limiter
    fetcher: Fetcher | None
    """Keeps evidence files in the case file store; None where nothing can be downloaded."""

    async def close(self) -> None:
        """Once the loops have stopped: the limiter's connection, then the database's."""
        await self.limiter.aclose()
        await self.db.dispose()


def handler_config(settings: Settings, routing: Routing) -> HandlerConfig:
    """PrivacyNoticeError if the notice file is missing or wrong."""
    cases, hard, surveys = settings.cases, settings.hard_cases, settings.surveys
    opens, closes = surveys.asking_hours
    return HandlerConfig(
        routing=routing,
        zone=cases.zone,
        privacy=load_privacy_notice(cases.privacy_notice_file),
        renderer=ReportFiles(),
        default_language=cases.default_language,
        case_number_prefix=cases.case_number_prefix,
        daily_case_limit=cases.daily_case_limit,
        case_deadline_days=cases.case_deadline_days,
        invite_valid_days=cases.invite_valid_days,
        visits_per_worker_per_point=cases.visits_per_worker_per_point,
        retention=Retention(
            inbox=timedelta(days=cases.inbox_retention_days),
            outbox=timedelta(days=cases.outbox_retention_days),
            drafts=timedelta(days=cases.draft_retention_days),
            closed_case=timedelta(days=cases.closed_case_retention_days),
        ),
        admin_ids=frozenset(settings.bot.admin_ids),
        hard_cases=HardCaseRules(
            min_amount_fen=hard.min_amount_yuan * 100,
            min_workers=hard.min_workers,
            months_owed=hard.months_owed,
            min_open_per_employer=hard.min_open_per_employer,
        ),
        surveys=SurveyPolicy(
            return_visit_after=timedelta(hours=surveys.return_visit_delay_hours),
            rebound_check_after=timedelta(days=surveys.rebound_check_days),
            opens=opens,
            closes=closes,
            reminder_after=timedelta(hours=surveys.survey_reminder_hours),
            max_reminders=surveys.survey_max_reminders,
        ),
    )


async def build_runtime(
    settings: Settings,
    transport: Transport,
    clock: Clock | None = None,
    *,
    downloader: Downloader | None = None,
) -> Runtime:
    """Everything but the driver's receiving loop; migrates the schema and takes the routing
    file into use (RoutingError if it dropped a code still in use). With a ``downloader``, a
    fetcher keeps evidence files in the case file store."""
    clock = clock or SystemClock()
    routing = load_routing(settings.cases.routing_file)
    config = handler_config(settings, routing)
    url = settings.database.database_url
    db = Database(url)
    try:
        await upgrade(url)
        async with db.transaction() as session:
            await adopt_routing(session, routing, clock.now())
    except BaseException:
        await db.dispose()
        raise
    limiter = make_limiter(settings)
    store = CaseFileStore(settings.evidence.dir)
    sender = Sender(db, transport, settings.delivery, clock, limiter, store=store)
    fetcher = None if downloader is None else Fetcher(db, downloader, store, settings.evidence)

    def outgoing() -> None:
        """New messages to send, and perhaps a report whose evidence is now due for fetching."""
        sender.wake()
        if fetcher is not None:
            fetcher.wake()

    budget = settings.cases.user_update_budget_per_minute
    pipeline = Pipeline(db, config, clock, outgoing, budget_per_minute=budget)
    scheduler = Scheduler(db, config, clock, settings.schedule, sender.wake)
    return Runtime(db, pipeline, sender, scheduler, config, limiter, fetcher)


def make_limiter(settings: Settings) -> Limiter:
    """This process's own count, or with ``DELIVERY_REDIS_URL`` one shared by every instance
    of the bot (keyed by the bot's id, the part of its token before the colon)."""
    limits, redis_url = Limits.of(settings.delivery), settings.delivery.redis_url
    if redis_url is None:
        return SendLimiter(limits)
    token = settings.bot.token.get_secret_value() if settings.bot.token else "console"
    prefix = f"arrears-bot:{token.split(':', 1)[0]}"
    return RedisLimiter.connect(redis_url.get_secret_value(), limits, prefix)


def make_driver(settings: Settings) -> Driver:
    if settings.bot.driver == "ptb":
        from bot.drivers.ptb_driver import PtbDriver

        return PtbDriver(settings)
    from bot.drivers.aiogram_driver import AiogramDriver

    return AiogramDriver(settings)


async def run_bot(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT: stop taking updates, let in-flight work settle, exit.
    A refused token (401, on any call) stops it the same way and raises ``Unauthorized``.

    Nothing is lost by stopping at any point: unhandled updates stay in the inbox, unsent
    messages in the outbox, and both are picked up at the next start.
    """
    driver = make_driver(settings)
    try:
        runtime = await build_runtime(settings, driver, downloader=driver)
    except BaseException:
        await driver.close()
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    receiving = asyncio.create_task(driver.receive(runtime.pipeline), name="receive")
    handling = asyncio.create_task(runtime.pipeline.run(), name="pipeline")
    sending = asyncio.create_task(runtime.sender.run(), name="sender")
    scheduling = asyncio.create_task(runtime.scheduler.run(), name="scheduler")
    assert runtime.fetcher is not None
    fetching = asyncio.create_task(runtime.fetcher.run(), name="fetcher")
    stopping = asyncio.create_task(stop.wait(), name="signal")
    log.info("arrears-bot is running (%s, %s)", settings.bot.driver, settings.bot.mode)
    try:
        done, _ = await asyncio.wait(
            [receiving, handling, sending, scheduling, fetching, stopping],
            return_when=asyncio.FIRST_COMPLETED,
        )
    finally:
        log.info("stopping")
        await finish(scheduling, runtime.scheduler.stop)
        await finish(fetching, runtime.fetcher.stop)
        await finish(receiving, None)
        await finish(handling, runtime.pipeline.stop)
        await finish(sending, runtime.sender.stop)
        await finish(stopping, None)
        await driver.close()
        await runtime.close()
    failed = [t for t in done if t is not stopping and t.exception() is not None]
    refused = [e for t in failed if isinstance(e := t.exception(), Unauthorized)]
    if refused:
        raise refused[0]
    if failed:
        raise RuntimeError(f"{failed[0].get_name()} stopped") from failed[0].exception()


async def finish(task: asyncio.Task[Any], stop: Callable[[], None] | None) -> None:
    """Ask a loop to stop and wait for it; cancel it if it has no gentler way or takes too long."""
    if stop is None:
        task.cancel()
    else:
        stop()
    # A loop that failed is reported by ``run_bot`` from its task, after everything is closed.
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(task, STOP_GRACE)

"""Assembly: settings → database, routing, pipeline, sender, driver; and a clean stop."""

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock, SystemClock
from bot.pipeline import Pipeline
from bot.sender import Sender
from bot.settings import Settings
from bot.transport import Transport
from handlers import HandlerConfig
from handlers.routing import Routing, load_routing
from storage.db import Database
from storage.migrate import upgrade
from storage.people import sync_departments

__all__ = ["Driver", "Runtime", "build_runtime", "run_bot"]

log = logging.getLogger(__name__)

STOP_GRACE = 5.0


class Driver(Transport, Protocol):
    async def receive(self, pipeline: Pipeline) -> None: ...
    async def close(self) -> None: ...


@dataclass
class Runtime:
    db: Database
    pipeline: Pipeline
    sender: Sender
    config: HandlerConfig


def handler_config(settings: Settings, routing: Routing) -> HandlerConfig:
    cases = settings.cases
    return HandlerConfig(
        routing=routing,
        zone=cases.zone,
        default_language=cases.default_language,
        case_number_prefix=cases.case_number_prefix,
        daily_case_limit=cases.daily_case_limit,
        case_deadline_days=cases.case_deadline_days,
        admin_ids=frozenset(settings.bot.admin_ids),
    )


async def build_runtime(
    settings: Settings, transport: Transport, clock: Clock | None = None
) -> Runtime:
    """Everything but the driver's receiving loop; migrates the schema and syncs routing."""
    clock = clock or SystemClock()
    routing = load_routing(settings.cases.routing_file)
    url = settings.database.database_url
    db = Database(url)
    await upgrade(url)
    async with db.transaction() as session:
        await sync_departments(session, routing.departments.values())
    config = handler_config(settings, routing)
    sender = Sender(db, transport, settings.delivery, clock)
    pipeline = Pipeline(db, config, clock, sender.wake)
    return Runtime(db, pipeline, sender, config)


def make_driver(settings: Settings) -> Driver:
    if settings.bot.driver == "ptb":
        from bot.drivers.ptb_driver import PtbDriver

        return PtbDriver(settings)
    from bot.drivers.aiogram_driver import AiogramDriver

    return AiogramDriver(settings)


async def run_bot(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT: stop taking updates, finish in-flight work, exit."""
    driver = make_driver(settings)
    runtime = await build_runtime(settings, driver)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    receiving = asyncio.create_task(driver.receive(runtime.pipeline), name="receive")
    handling = asyncio.create_task(runtime.pipeline.run(), name="pipeline")
    sending = asyncio.create_task(runtime.sender.run(), name="sender")
    log.info("arrears-bot is running (%s, %s)", settings.bot.driver, settings.bot.mode)
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait(
        {receiving, handling, sending, stopped}, return_when=asyncio.FIRST_COMPLETED
    )
    log.info("stopping")
    for task in (receiving, handling):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    with contextlib.suppress(TimeoutError):
        await runtime.sender.drain(STOP_GRACE)
    sending.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sending
    stopped.cancel()
    await driver.close()
    await runtime.db.dispose()
    for task in done:
        if task is not stopped and not task.cancelled() and task.exception():
            raise task.exception()  # type: ignore[misc]

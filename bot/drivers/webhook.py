"""The webhook endpoint, shared by the drivers: check the secret, store, then answer.

Telegram retries an update until it gets a 2xx, so we answer 200 only once the update is in
the inbox, and 503 while the database cannot take it. A request without the right secret is
refused before anything is read or written.
"""

import hmac
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.drivers.updates import event_from_update
from bot.pipeline import Pipeline

__all__ = ["SECRET_HEADER", "WebhookReceiver"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookReceiver:
    def __init__(
        self, pipeline: Pipeline, secret: str, parse: Callable[[dict[str, Any]], Any]
    ) -> None:
        self._pipeline = pipeline
        self._secret = secret.encode()
        self._parse = parse
        self._runner: web.AppRunner | None = None
        self.refused = 0

    async def start(self, host: str, port: int) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        log.info("webhook listening on %s:%s", host, port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            log.warning("refused a webhook call without the right secret from %s", request.remote)
            return web.Response(status=401)
        try:
            update = self._parse(await request.json())
        except Exception:
            log.warning("refused a webhook body that is not a Telegram update")
            return web.Response(status=400)
        event = event_from_update(update)
        if event is not None:
            try:
                await self._pipeline.accept([event])
            except Exception:
                log.warning("cannot store update %s; Telegram will retry", update.update_id)
                return web.Response(status=503)
        return web.Response(status=200)

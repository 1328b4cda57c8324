"""The aiogram 3 driver: long polling or webhook in, Bot API calls out.

aiogram's own Dispatcher confirms updates before handlers run (polling) and answers webhooks
before handling, so a crash would lose updates. We use aiogram's Bot, types and sessions, and
drive getUpdates and the webhook ourselves: an update is stored in the inbox first, then
confirmed (next offset) or answered 200.
"""

import asyncio
import logging
from typing import Any

from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import BufferedInputFile, Message, Update
from aiohttp import ClientConnectorError

from bot.drivers.polling import store_until_stored
from bot.drivers.updates import ALLOWED_UPDATES, event_from_update
from bot.drivers.webhook import WebhookReceiver
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.transport import Rejected, RetryAfter, TransientError, Unreachable
from handlers.replies import with_uploads

__all__ = ["AiogramDriver"]

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25
WITHOUT_CHAT = {"answerCallbackQuery"}
RESPONSE_TYPES: dict[type[TelegramMethod[Any]], Any] = {}
"""aiogram parses every answer as ``Response[<method's result>]``, a pydantic generic that
pydantic caches only while something else holds it. Nothing does, so the garbage collector
soon drops it and the next call builds the class again (~3 ms each, a third of the sender's
time in the pipeline benchmark); holding them here keeps pydantic's cache warm."""


def method_class(name: str) -> type[TelegramMethod[Any]]:
    """aiogram names each Bot API method's class after it: sendMessage → SendMessage."""
    found = getattr(methods, name[:1].upper() + name[1:], None)
    if not (isinstance(found, type) and issubclass(found, TelegramMethod)):
        raise ValueError(f"aiogram has no Bot API method {name!r}")
    keep_response_type(found)
    return found


def keep_response_type(method: type[TelegramMethod[Any]]) -> None:
    if method not in RESPONSE_TYPES:
        RESPONSE_TYPES[method] = Response[method.__returning__]  # type: ignore[name-defined]


class AiogramDriver:
    def __init__(self, settings: Settings) -> None:
        assert settings.bot.token is not None
        self._settings = settings
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot.api_base_url))
        self.bot = Bot(settings.bot.token.get_secret_value(), session=session)
        for method in (methods.GetUpdates, methods.DeleteWebhook, methods.SetWebhook):
            keep_response_type(method)

    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
        params = payload if method in WITHOUT_CHAT else {**payload, "chat_id": chat_id}
        params = with_uploads(params, lambda file: BufferedInputFile(file.content, file.file_name))
        request = method_class(method).model_validate(params)
        try:
            result = await self.bot(request)
        except TelegramRetryAfter as error:
            raise RetryAfter(error.retry_after) from error
        except TelegramForbiddenError as error:
            raise Unreachable(error.message) from error
        except TelegramServerError as error:
            raise TransientError(error.message) from error
        except TelegramNetworkError as error:
            sent = not isinstance(error.__cause__, ClientConnectorError)
            raise TransientError(error.message, maybe_executed=sent) from error
        except TelegramAPIError as error:
            raise Rejected(error.message) from error
        return result.message_id if isinstance(result, Message) else None

    async def receive(self, pipeline: Pipeline) -> None:
        if self._settings.bot.mode == "webhook":
            await self._serve_webhook(pipeline)
        else:
            await self._poll(pipeline)

    async def close(self) -> None:
        await self.bot.session.close()

    async def _poll(self, pipeline: Pipeline) -> None:
        """getUpdates with the offset moved on only after the batch is in the inbox."""
        await self._retrying(self.bot.delete_webhook, drop_pending_updates=False)
        offset: int | None = None
        while True:
            updates = await self._retrying(
                self.bot.get_updates,
                offset=offset,
                timeout=POLL_TIMEOUT,
                allowed_updates=ALLOWED_UPDATES,
            )
            if not updates:
                continue
            events = [e for u in updates if (e := event_from_update(u)) is not None]
            await store_until_stored(pipeline, events)
            offset = updates[-1].update_id + 1

    async def _serve_webhook(self, pipeline: Pipeline) -> None:
        webhook = self._settings.webhook
        assert webhook.url is not None and webhook.secret is not None
        receiver = WebhookReceiver(pipeline, webhook.secret.get_secret_value(), self._parse)
        await receiver.start(webhook.host, webhook.port)
        try:
            await self._retrying(
                self.bot.set_webhook,
                url=webhook.url,
                secret_token=webhook.secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
            )
            await asyncio.Event().wait()
        finally:
            await receiver.stop()

    def _parse(self, data: dict[str, Any]) -> Any:
        return Update.model_validate(data, context={"bot": self.bot})

    async def _retrying(self, call: Any, **params: Any) -> Any:
        """Calls the bot needs to start or keep receiving: retried until Telegram answers."""
        delay = 1.0
        while True:
            try:
                return await call(**params)
            except TelegramRetryAfter as error:
                await asyncio.sleep(error.retry_after)
            except (TelegramNetworkError, TelegramServerError) as error:
                log.warning("Telegram unavailable (%s); retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

"""The aiogram 3 driver: long polling or webhook in, Bot API calls out.

aiogram's own Dispatcher confirms updates before handlers run (polling) and answers webhooks
before handling, so a crash would lose updates. We use aiogram's Bot, types and sessions, and
drive getUpdates and the webhook ourselves: an update is stored in the inbox first, then
confirmed (next offset) or answered 200.
"""

import asyncio
from functools import partial
from typing import Any

from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import BufferedInputFile, Message, Update
from aiohttp import ClientConnectorError
from pydantic import ValidationError

from bot.case_files.outgoing import with_all_uploads
from bot.drivers.polling import keep_trying, store_until_stored
from bot.drivers.updates import ALLOWED_UPDATES, event_from_update
from bot.drivers.webhook import WebhookReceiver
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.transport import (
    DeliveryError,
    Rejected,
    RetryAfter,
    TooBig,
    from_telegram,
    without_answer,
)
from handlers.case_file import MAX_BYTES

__all__ = ["AiogramDriver", "delivery_error"]

POLL_TIMEOUT = 25
DOWNLOAD_TIMEOUT = 120
"""Seconds for one file download (up to 20 MB on a county office's line)."""
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


STATUS_OF: tuple[tuple[type[TelegramAPIError], int], ...] = (
    (TelegramMigrateToChat, 400),
    (TelegramBadRequest, 400),
    (TelegramUnauthorizedError, 401),
    (TelegramForbiddenError, 403),
    (TelegramNotFound, 404),
    (TelegramConflictError, 409),
    (TelegramEntityTooLarge, 413),
    (TelegramServerError, 500),
)
"""The HTTP status each of aiogram's exceptions for a Telegram answer stands for."""


def delivery_error(error: Exception) -> DeliveryError:
    """Any exception from an aiogram call, put to the transport's one rule.

    aiogram raises ``TelegramAPIError`` subclasses only for an answer in Telegram's JSON; an
    HTML page, an empty or cut-off body raise ``ClientDecodeError``, which is not one of them.
    """
    if isinstance(error, TelegramRetryAfter):
        return RetryAfter(error.retry_after)
    if isinstance(error, TelegramNetworkError):
        refused = isinstance(error.__cause__, ClientConnectorError)
        return without_answer(error, maybe_executed=not refused)
    if isinstance(error, TelegramAPIError):
        status = next((code for kind, code in STATUS_OF if isinstance(error, kind)), None)
        return from_telegram(status, error.message)
    return without_answer(error)


def keep_response_type(method: type[TelegramMethod[Any]]) -> None:
    if method not in RESPONSE_TYPES:
        RESPONSE_TYPES[method] = Response[method.__returning__]  # type: ignore[name-defined]


class AiogramDriver:
    def __init__(self, settings: Settings) -> None:
        assert settings.bot.token is not None
        self._settings = settings
        self._timeout = settings.delivery.request_timeout_seconds
        session = AiohttpSession(
            api=TelegramAPIServer.from_base(settings.bot.api_base_url), timeout=self._timeout
        )
        self.bot = Bot(settings.bot.token.get_secret_value(), session=session)
        for method in (methods.GetUpdates, methods.DeleteWebhook, methods.SetWebhook):
            keep_response_type(method)

    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
        params = payload if method in WITHOUT_CHAT else {**payload, "chat_id": chat_id}
        try:
            params = with_all_uploads(params, lambda f: BufferedInputFile(f.content, f.file_name))
            request = method_class(method).model_validate(params)
        except ValidationError as error:  # its message quotes the values: the text being sent
            fields = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in error.errors()
            )
            raise Rejected(f"not a valid {method}: {fields}") from error
        except ValueError as error:
            raise Rejected(f"not a valid {method}: {type(error).__name__}") from error
        try:
            result = await self.bot(request)
        except Exception as error:
            raise delivery_error(error) from error
        if isinstance(result, list) and result:  # sendMediaGroup: the album's first message
            result = result[0]
        return result.message_id if isinstance(result, Message) else None

    async def download(self, file_id: str) -> bytes:
        try:
            file = await self.bot.get_file(file_id)
            if (file.file_size or 0) > MAX_BYTES:
                raise TooBig("file is too big")
            if not file.file_path:
                raise Rejected("getFile gave no file path")
            url = self.bot.session.api.file_url(self.bot.token, file.file_path)
            content = bytearray()
            async for chunk in self.bot.session.stream_content(url, timeout=DOWNLOAD_TIMEOUT):
                content += chunk
                if len(content) > MAX_BYTES:
                    raise TooBig("file is too big")
        except DeliveryError:
            raise
        except Exception as error:
            raise delivery_error(error) from error
        return bytes(content)

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
                request_timeout=int(POLL_TIMEOUT + self._timeout),
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
        return await keep_trying(partial(call, **params), delivery_error, self._settings.delivery)

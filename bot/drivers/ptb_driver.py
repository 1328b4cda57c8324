"""The python-telegram-bot 22 driver: long polling or webhook in, Bot API calls out.

Only PTB's ``Bot``, its types and its HTTPX requests are used. Its ``Application``/``Updater``
would confirm updates (move the getUpdates offset on) before our inbox has them, and its
``AIORateLimiter`` would throttle a second time behind the outbox sender, so we drive getUpdates
and the webhook ourselves: an update is stored in the inbox first, then confirmed.
"""

import asyncio
import json
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import httpx
from telegram import (
    Bot,
    InputFile,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    Update,
)
from telegram import error as tg
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.drivers.polling import keep_trying, store_until_stored
from bot.drivers.updates import ALLOWED_UPDATES, event_from_update
from bot.drivers.webhook import WebhookReceiver
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.transport import DeliveryError, Rejected, RetryAfter, TooBig, from_telegram, without_answer
from handlers.case_file import MAX_BYTES
from handlers.replies import Upload, with_uploads

__all__ = ["PtbDriver", "delivery_error"]

T = TypeVar("T")

POLL_TIMEOUT = 25
DOWNLOAD_TIMEOUT = 120.0
"""Seconds for one file download (up to 20 MB on a county office's line)."""
MEDIA_TYPES: dict[str, type[InputMediaPhoto | InputMediaDocument | InputMediaAudio]] = {
    "photo": InputMediaPhoto,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
}
WITHOUT_CHAT = frozenset({"answerCallbackQuery"})
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures that happen before the request leaves: Telegram cannot have run it."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The HTTP status of an answer from the Bot API and, for an error in Telegram's own JSON
    (not a proxy's page, an empty or a cut-off body), its description."""

    status: int
    description: str | None = None
    from_telegram: bool = False


_answer: ContextVar[Answer | None] = ContextVar("ptb_last_answer", default=None)


class AnswerRecordingRequest(HTTPXRequest):
    """Notes this task's latest answer from the Bot API, as Telegram gave it.

    PTB raises a bare ``NetworkError`` for every status it has no exception of its own for,
    and only the status tells a 5xx (try again) from, say, a 413 (the request is wrong). It
    also rewrites descriptions ("Bad Request: message is not modified" becomes "Message is not
    modified"), and the sender matches on Telegram's words. A context variable keeps
    concurrent calls apart: each outbox delivery is its own task.
    """

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        _answer.set(None)
        status, payload = await super().do_request(*args, **kwargs)
        _answer.set(answer_of(status, payload))
        return status, payload

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """As PTB's, without its logged traceback: a body that is not JSON is an answer the
        sender retries, not a crash."""
        try:
            parsed = json.loads(payload.decode("utf-8", "replace"))
        except ValueError as error:
            raise tg.TelegramError("Invalid server response") from error
        if not isinstance(parsed, dict):
            raise tg.TelegramError("Invalid server response")
        return parsed


def answer_of(status: int, payload: bytes) -> Answer:
    if status < 300:
        return Answer(status)
    try:
        body = json.loads(payload)
    except ValueError:
        return Answer(status)
    found = body.get("description") if isinstance(body, dict) else None
    if not (isinstance(found, str) and body.get("ok") is False):
        return Answer(status)
    return Answer(status, found, from_telegram=True)


def delivery_error(error: Exception, answer: Answer | None = None) -> DeliveryError:
    """Any exception from a PTB call, put to the transport's one rule, given the HTTP answer
    if there was one (PTB keeps neither the status nor Telegram's own words)."""
    if isinstance(error, tg.RetryAfter):
        return RetryAfter(retry_seconds(error))
    if isinstance(error, tg.ChatMigrated):
        return from_telegram(400, error.message)
    if answer is not None and answer.from_telegram and answer.description is not None:
        return from_telegram(answer.status, answer.description)
    if answer is None and isinstance(error, tg.NetworkError):
        return without_answer(error, maybe_executed=not isinstance(error.__cause__, NOT_SENT))
    return without_answer(error)


def classify(error: Exception) -> DeliveryError:
    """``delivery_error`` with this task's latest answer."""
    return delivery_error(error, _answer.get())


def retry_seconds(error: tg.RetryAfter) -> float:
    """PTB 22 gives ``retry_after`` as int seconds (deprecated) or, opted in, a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def message_id_of(result: object) -> int | None:
    """The id of the message a call sent or edited (an album's first); None for ``True`` and
    other results."""
    if isinstance(result, list) and result:
        result = result[0]
    if isinstance(result, dict) and "chat" in result and "date" in result:
        found = result.get("message_id")
        return found if isinstance(found, int) else None
    return None


def as_input_file(file: Upload, *, attach: bool = False) -> InputFile:
    """do_api_request uploads a file only when it is given as PTB's ``InputFile`` (inside a
    media group, one it may ``attach``)."""
    return InputFile(file.content, filename=file.file_name, attach=attach)


def as_input_media(item: object) -> object:
    """A media group's item as PTB's ``InputMedia*``: only those get their uploads attached
    (``attach://``) by ``do_api_request``; a plain dict would be sent as JSON."""
    if not (isinstance(item, dict) and item.get("type") in MEDIA_TYPES):
        return item
    upload = Upload.from_json(item.get("media"))
    media = str(item.get("media")) if upload is None else as_input_file(upload, attach=True)
    return MEDIA_TYPES[item["type"]](
        media=media, caption=item.get("caption"), parse_mode=item.get("parse_mode")
    )


class PtbDriver:
    def __init__(self, settings: Settings) -> None:
        assert settings.bot.token is not None
        self._settings = settings
        # httpx logs every request at INFO, with the token in the URL.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # PTB 22.2+ warns on every 429 unless time periods are opted in to timedelta (PTB 23's).
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        # do_api_request suggests the typed method; we call methods by their Bot API name.
        warnings.filterwarnings(
            "ignore", r"Please use 'Bot\.\w+' instead of 'Bot\.do_api_request", PTBUserWarning
        )
        timeout = settings.delivery.request_timeout_seconds
        self._requests = (
            AnswerRecordingRequest(
                connection_pool_size=64,
                connect_timeout=10.0,
                read_timeout=timeout,
                write_timeout=timeout,
                pool_timeout=5.0,
            ),
            # getUpdates has a client of its own; PTB adds the long-poll timeout to read_timeout.
            AnswerRecordingRequest(
                connection_pool_size=2, connect_timeout=10.0, read_timeout=timeout
            ),
        )
        base = settings.bot.api_base_url.rstrip("/")
        self.bot = Bot(
            settings.bot.token.get_secret_value(),
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=self._requests[0],
            get_updates_request=self._requests[1],
        )
        self._starting = asyncio.Lock()
        self._started = False

    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
        params = payload if method in WITHOUT_CHAT else {**payload, "chat_id": chat_id}
        media = params.get("media")
        params = with_uploads(params, as_input_file)
        if isinstance(media, list):
            params["media"] = [as_input_media(item) for item in media]
        try:
            await self._start()
            result = await self.bot.do_api_request(method, api_kwargs=params)
        except Exception as error:
            raise classify(error) from error
        return message_id_of(result)

    async def download(self, file_id: str) -> bytes:
        try:
            await self._start()
            file = await self.bot.get_file(file_id)
            if (file.file_size or 0) > MAX_BYTES:
                raise TooBig("file is too big")
            if not file.file_path:
                raise Rejected("getFile gave no file path")
            content = await file.download_as_bytearray(read_timeout=DOWNLOAD_TIMEOUT)
        except DeliveryError:
            raise
        except Exception as error:
            raise classify(error) from error
        if len(content) > MAX_BYTES:
            raise TooBig("file is too big")
        return bytes(content)

    async def receive(self, pipeline: Pipeline) -> None:
        await self._retrying(self._start)
        if self._settings.bot.mode == "webhook":
            await self._serve_webhook(pipeline)
        else:
            await self._poll(pipeline)

    async def close(self) -> None:
        await self.bot.shutdown()
        # The clients exist from construction on, even if the bot never got to initialize().
        await asyncio.gather(*(request.shutdown() for request in self._requests))

    async def _start(self) -> None:
        """``Bot.initialize`` (getMe) once, before the first call from whichever task."""
        async with self._starting:
            if not self._started:
                try:
                    await self.bot.initialize()
                except tg.InvalidToken:
                    # PTB's own message quotes the token, and this one reaches the log.
                    raise tg.InvalidToken("the Bot API refused BOT_TOKEN") from None
                self._started = True

    async def _poll(self, pipeline: Pipeline) -> None:
        """getUpdates, with the offset moved on only once the batch is in the inbox."""
        await self._retrying(partial(self.bot.delete_webhook, drop_pending_updates=False))
        fetch = partial(self.bot.get_updates, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES)
        offset: int | None = None
        while True:
            batch = await self._retrying(partial(fetch, offset=offset))
            if batch:
                events = [e for e in map(event_from_update, batch) if e is not None]
                await store_until_stored(pipeline, events)
                offset = batch[-1].update_id + 1

    async def _serve_webhook(self, pipeline: Pipeline) -> None:
        hook = self._settings.webhook
        assert hook.url is not None and hook.secret is not None
        secret = hook.secret.get_secret_value()
        receiver = WebhookReceiver(pipeline, secret, partial(Update.de_json, bot=self.bot))
        await receiver.start(hook.host, hook.port)
        try:
            register = partial(
                self.bot.set_webhook, hook.url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
            )
            await self._retrying(register)
            await asyncio.Event().wait()
        finally:
            await receiver.stop()

    async def _retrying(self, request: Callable[[], Awaitable[T]]) -> T:
        """Calls the bot needs to start or keep receiving: repeated until Telegram takes them."""
        return await keep_trying(request, classify, self._settings.delivery)

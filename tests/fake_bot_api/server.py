"""A local, strict fake of the Telegram Bot API for end-to-end tests of the real clients.

aiogram and python-telegram-bot talk to it over HTTP exactly as they talk to Telegram, so tests
exercise the real request encoding, error handling, polling and webhook code paths. The fake
enforces Telegram's limits and error behaviour and can inject faults (errors in Telegram's
words, any answer byte for byte, hangs, dropped connections, outages), which is what the bot's
durability guarantees must survive.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import math
import mimetypes
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from aiohttp.hdrs import CONTENT_TYPE

from .errors import RAW_ANSWERS, ApiError, RawAnswer, error_for_status
from .formatting import parse_formatted
from .limits import (
    GLOBAL_SCOPE,
    MAX_CALLBACK_ANSWER_TEXT,
    MAX_DOWNLOAD_BYTES,
    MAX_PHOTO_BYTES,
    MAX_UPLOAD_BYTES,
    RateLimiter,
    RateLimitWindow,
    Scope,
    check_caption,
    check_text,
    validate_reply_markup,
)
from .multipart import parse_form_data
from .records import (
    BotMessage,
    CallbackAnswer,
    ChatInfo,
    FakeStats,
    JsonDict,
    Mark,
    MessageVersion,
    RecordedRequest,
    StoredFile,
    WebhookAttempt,
)
from .spec import ApiSpec, MethodSpec, UploadedFile, load_spec
from .users import FakeUser, default_group_type

T = TypeVar("T")

#: Update types delivered when allowed_updates is not given (or empty), per the Bot API docs.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_PHOTO_SIZES = ((90, 68), (320, 240), (800, 600))
_FILE_FOLDERS = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "sticker": ("stickers", ".webp"),
    "voice": ("voice", ".oga"),
    "audio": ("music", ".mp3"),
    "video": ("videos", ".mp4"),
    "animation": ("animations", ".mp4"),
    "video_note": ("video_notes", ".mp4"),
}
_MEDIA_DEFAULTS: dict[str, JsonDict] = {
    "sticker": {"type": "regular", "width": 512, "height": 512, "is_animated": False},
    "voice": {"duration": 1},
    "audio": {"duration": 1},
    "video": {"width": 640, "height": 360, "duration": 1},
    "animation": {"width": 320, "height": 240, "duration": 1},
    "video_note": {"length": 240, "duration": 1},
}
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def method_scope(method: str) -> str:
    """The 429 scope of an injected failure on a method that is not flood-limited per chat."""
    return f"method:{method.lower()}"


def _injected_scope(method: str, params: JsonDict) -> Scope:
    if not is_rate_limited_method(method):
        return method_scope(method)
    chat = params.get("chat_id")
    return chat if isinstance(chat, int) and not isinstance(chat, bool) else GLOBAL_SCOPE


def is_rate_limited_method(name: str) -> bool:
    """Methods that put (or change) a message in a chat count towards flood limits."""
    lowered = name.lower()
    if lowered == "sendchataction":
        return False
    return lowered.startswith(("send", "editmessage", "copymessage", "forwardmessage"))


@dataclass
class _Fault:
    kind: Literal["fail", "drop", "answer", "hang"]
    remaining: int
    methods: frozenset[str] | None
    chat_id: int | None
    status: int = 500
    retry_after: int | None = None
    execute: bool = False
    raw: RawAnswer | None = None
    seconds: float | None = None
    """How long a hang lasts; None: until the client gives up or the fake stops."""

    def matches(self, method: str, params: JsonDict) -> bool:
        if self.methods is not None and method.lower() not in self.methods:
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id


@dataclass
class _DownloadFault:
    answer: Literal["json 500", "html 502", "drop", "truncated"]
    remaining: int
    file_id: str | None


@dataclass
class _Pending:
    update: JsonDict
    forced: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((k for k in self.update if k != "update_id"), "")


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Call:
    method: MethodSpec
    params: JsonDict
    arrived: float


@dataclass
class _Answer:
    """A successful result plus the optional ``description`` Telegram adds for some methods."""

    result: Any
    description: str | None = None


@dataclass
class _Outcome:
    status: int
    payload: JsonDict
    drop: bool = False
    executed: bool = False
    raw: RawAnswer | None = None


@dataclass
class _CallbackQuery:
    answered: bool = False


Handler = Callable[[_Call], Any]


class FakeBotAPI:
    """The fake Bot API server plus the controls and observations tests need.

    Start it with ``base = await fake.start()`` (or ``async with FakeBotAPI() as fake``) and point
    a client at ``{base}/bot{token}/{method}``; files are served at ``{base}/file/bot{token}/``.
    """

    def __init__(
        self,
        token: str = "123:ABC",
        bot_user_id: int = 1000,
        bot_username: str = "arrears_test_bot",
        *,
        bot_first_name: str = "Arrears Test Bot",
        global_per_second: float = 30.0,
        private_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        speed: float = 1.0,
        retry_after_override: int | None = None,
        latency: float = 0.0,
        webhook_timeout: float = 10.0,
        webhook_retry_delay: float = 0.2,
        require_https_webhook: bool = False,
        strict_chats: bool = False,
        first_update_id: int = 100_000,
        spec_path: Path | None = None,
    ) -> None:
        if retry_after_override is not None and retry_after_override < 1:
            raise ValueError("Telegram's retry_after is a whole number of seconds >= 1")
        self.token = token
        self.bot_user_id = bot_user_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.speed = speed
        self.latency = latency
        self.webhook_timeout = webhook_timeout
        self.webhook_retry_delay = webhook_retry_delay
        self.require_https_webhook = require_https_webhook
        self.strict_chats = strict_chats
        self.spec: ApiSpec = load_spec(spec_path)
        self.limiter = RateLimiter(
            global_per_second,
            private_per_second,
            group_per_minute,
            speed=speed,
            retry_after_override=retry_after_override,
        )

        self.requests: list[RecordedRequest] = []
        self.stats = FakeStats()
        self.callback_answers: list[CallbackAnswer] = []
        self.webhook_attempts: list[WebhookAttempt] = []

        self._chats: dict[int, ChatInfo] = {}
        self._messages: dict[int, list[BotMessage]] = {}
        self._user_messages: dict[int, dict[int, JsonDict]] = {}
        self._message_ids: dict[int, int] = {}
        self._seq = 0
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[JsonDict]] = {}
        self._file_counter = itertools.count(1)
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._callback_counter = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._blocked: set[int] = set()

        self._pending: list[_Pending] = []
        self._all_updates: dict[int, JsonDict] = {}
        self._last_update_id = first_update_id - 1
        self._allowed_updates: frozenset[str] | None = None
        self._updates_paused = False
        self._poll_generation = 0
        self._webhook: _Webhook | None = None

        self._faults: list[_Fault] = []
        self._download_faults: list[_DownloadFault] = []
        self._expired: set[str] = set()
        self.downloads: list[str] = []
        """File ids whose download was asked for, each time, faulted or not."""
        self._outage = False
        self._hangs_over = asyncio.Event()

        self._event = asyncio.Event()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._base_url: str | None = None
        self._handlers: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendsticker": self._send_media,
            "sendvoice": self._send_media,
            "sendaudio": self._send_media,
            "sendvideo": self._send_media,
            "sendanimation": self._send_media,
            "sendvideonote": self._send_media,
            "sendmediagroup": self._send_media_group,
            "sendlocation": self._send_location,
            "sendcontact": self._send_contact,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "sendchataction": self._send_chat_action,
        }

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        """Serve on 127.0.0.1 at a free port and return the base URL (no trailing slash)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI already started")
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._base_url = f"http://{host}:{port}"
        self._client = aiohttp.ClientSession()
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="fake-bot-webhook")
        return self._base_url

    async def stop(self) -> None:
        """Stop serving: wake long polls, stop webhook delivery, close all connections."""
        self._stopping = True
        self._hangs_over.set()
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        if self._base_url is None:
            raise RuntimeError("FakeBotAPI not started")
        return self._base_url

    @property
    def bot_user(self) -> JsonDict:
        return {
            "id": self.bot_user_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # --- users, chats and updates ---------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Wang",
        language_code: str | None = "zh",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """A user in their private chat with the bot (``.in_chat(-100...)`` for a group)."""
        return FakeUser(
            self,
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> ChatInfo:
        """Make a chat known (getChat works, ``@username`` resolves, strict_chats allows it)."""
        if chat_type is None:
            chat_type = "private" if chat_id > 0 else default_group_type(chat_id)
        if chat_type != "private" and title is None:
            title = f"Chat {chat_id}"
        info = ChatInfo(chat_id, chat_type, title, username, first_name, last_name)
        self._chats[chat_id] = info
        return info

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue an arbitrary update; ``update_id`` is assigned when missing."""
        update_id = update.get("update_id", self._last_update_id + 1)
        if not isinstance(update_id, int) or update_id <= self._last_update_id:
            raise ValueError(f"update_id must increase: {update_id} after {self._last_update_id}")
        update = {"update_id": update_id, **{k: v for k, v in update.items() if k != "update_id"}}
        self._last_update_id = update_id
        self._all_updates[update_id] = update
        self._pending.append(_Pending(update))
        self._notify()
        return update

    def redeliver(self, update_id: int) -> None:
        """Deliver an already-confirmed update once more, as Telegram occasionally does."""
        update = self._all_updates.get(update_id)
        if update is None:
            raise KeyError(f"unknown update_id {update_id}")
        if any(p.update_id == update_id for p in self._pending):
            return
        bisect.insort(self._pending, _Pending(update, forced=True), key=lambda p: p.update_id)
        self._notify()

    def set_updates_paused(self, paused: bool) -> None:
        """While paused, no updates are handed out (neither getUpdates nor webhook)."""
        self._updates_paused = paused
        self._notify()

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by the bot."""
        return [p.update for p in self._pending]

    def chat_member_update(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        old_status: str = "member",
        new_status: str = "kicked",
    ) -> JsonDict:
        """A my_chat_member update: the bot's status in a chat changed (e.g. user blocked it)."""
        chat = self._chat_info(chat_id if chat_id is not None else user_id)

        def member(status: str) -> JsonDict:
            body: JsonDict = {"status": status, "user": self.bot_user}
            if status == "kicked":
                body["until_date"] = 0
            return body

        return self.push_update(
            {
                "my_chat_member": {
                    "chat": chat.to_dict(),
                    "from": {"id": user_id, "is_bot": False, "first_name": "User"},
                    "date": int(time.time()),
                    "old_chat_member": member(old_status),
                    "new_chat_member": member(new_status),
                }
            }
        )

    def block_chat(self, chat_id: int) -> None:
        """Sending to this chat now fails with 403 (the user blocked the bot / kicked it)."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    # --- fault injection ------------------------------------------------------------------------

    def _methods(self, method: str | Iterable[str] | None) -> frozenset[str] | None:
        if method is None:
            return None
        names = [method] if isinstance(method, str) else list(method)
        for name in names:
            if self.spec.method(name) is None:
                raise ValueError(f"not a Bot API method: {name!r}")
        return frozenset(name.lower() for name in names)

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        method: str | Iterable[str] | None = None,
        retry_after: int | None = None,
        *,
        chat_id: int | None = None,
    ) -> None:
        """The next ``count`` matching requests get this error without being executed.

        A 429 opens a real retry_after window (for the request's chat, globally, or for the
        method if it is not a message method), so a client retrying early is rejected again
        and counted in ``stats.requests_during_retry_after``, as with Telegram.
        """
        self._faults.append(
            _Fault("fail", count, self._methods(method), chat_id, status, retry_after)
        )

    def drop_next(
        self,
        count: int = 1,
        method: str | Iterable[str] | None = None,
        execute: bool = False,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Close the connection of the next ``count`` matching requests without answering.

        With ``execute=True`` the request takes effect first ("response lost"): the bot cannot
        know whether its message went out, which is what idempotent sending must handle.
        """
        self._faults.append(_Fault("drop", count, self._methods(method), chat_id, execute=execute))

    def answer_next(
        self,
        answer: RawAnswer | str,
        count: int = 1,
        method: str | Iterable[str] | None = None,
        execute: bool = False,
        *,
        chat_id: int | None = None,
    ) -> None:
        """The next ``count`` matching requests get this answer, byte for byte.

        ``answer`` is a :class:`RawAnswer` or the name of one in ``RAW_ANSWERS`` ("html 502",
        "empty 200", "truncated 200"…). Without ``execute`` the request is not carried out;
        with it, it is, and only its answer is replaced.
        """
        raw = RAW_ANSWERS[answer] if isinstance(answer, str) else answer
        methods = self._methods(method)
        self._faults.append(
            _Fault("answer", count, methods, chat_id, raw.status, execute=execute, raw=raw)
        )

    def hang_next(
        self,
        count: int = 1,
        method: str | Iterable[str] | None = None,
        seconds: float | None = None,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Hold the next ``count`` matching requests ``seconds`` before handling them as usual;
        with ``seconds=None``, never answer them (their connection closes when the fake stops
        or :meth:`release_hangs` is called) and never carry them out."""
        self._faults.append(_Fault("hang", count, self._methods(method), chat_id, seconds=seconds))

    def fail_downloads(
        self,
        count: int = 1,
        *,
        file_id: str | None = None,
        answer: Literal["json 500", "html 502", "drop", "truncated"] = "html 502",
    ) -> None:
        """The next ``count`` downloads (of ``file_id``, or of any file) fail: a 500 in
        Telegram's JSON, a proxy's 502 page, a dropped connection, or the file cut off halfway
        (the connection closed before the length it announced). getFile itself takes the
        usual faults (``fail_next(method="getFile")``…)."""
        self._download_faults.append(_DownloadFault(answer, count, file_id))

    def expire_file(self, file_id: str) -> None:
        """Telegram no longer knows this id (as after a change of bot token): getFile and sends
        naming it answer 400 "wrong file identifier/HTTP URL specified". A photo's other sizes
        expire with it."""
        self._expired.update(size["file_id"] for size in self._photo_sets.get(file_id, []))
        self._expired.add(file_id)

    def release_hangs(self) -> None:
        """End every hang now: the requests held for ever are dropped, the others handled."""
        self._hangs_over.set()
        self._hangs_over = asyncio.Event()

    def set_outage(self, on: bool) -> None:
        """While on, every request (and file download) is answered 502 Bad Gateway."""
        self._outage = on

    def clear_faults(self) -> None:
        self._faults.clear()
        self._download_faults.clear()

    @property
    def faults_waiting(self) -> int:
        """Injected faults no request has met yet."""
        waiting = self._faults + self._download_faults
        return sum(fault.remaining for fault in waiting)

    # --- observation ----------------------------------------------------------------------------

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[BotMessage]:
        """The bot's messages in this chat, oldest first (deleted ones left out by default)."""
        return [m for m in self._messages.get(chat_id, []) if include_deleted or not m.deleted]

    def all_messages(self) -> list[BotMessage]:
        """Every message the bot sent, in sending order."""
        return sorted((m for msgs in self._messages.values() for m in msgs), key=lambda m: m.seq)

    def unanswered_callback_queries(self) -> list[str]:
        """Ids of button presses the bot has not answered (a second answer is refused)."""
        return [query for query, state in self._callback_queries.items() if not state.answered]

    def calls(self, method: str) -> list[RecordedRequest]:
        """Recorded requests of one method (case-insensitive)."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    def file(self, file_id: str) -> StoredFile:
        return self._files[file_id]

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The command list the bot set for this scope and language."""
        return list(self._commands.get(_commands_key(scope, language_code), []))

    @property
    def rate_limit_windows(self) -> list[RateLimitWindow]:
        """Every 429 window issued (natural or injected), oldest first."""
        return list(self.limiter.windows)

    @property
    def webhook_url(self) -> str:
        return self._webhook.url if self._webhook else ""

    def mark(self, chat_id: int | None = None) -> Mark:
        """A point in time: ``wait_for_message(..., after=mark)`` only sees later messages."""
        return Mark(self._seq, chat_id)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the condition, not for I/O
        after: Mark | int | None = None,
        *,
        include_edits: bool = False,
    ) -> BotMessage:
        """The first bot message in the chat after ``after`` that satisfies ``predicate``.

        ``after`` is a :meth:`mark` or a count of messages sent to the chat so far;
        ``include_edits`` also accepts older messages edited after the mark. On timeout the
        AssertionError shows what the chat received and which requests for it failed.
        """

        def find() -> BotMessage | None:
            for message in self._candidates(chat_id, after, include_edits):
                if predicate is None or predicate(message):
                    return message
            return None

        return await self._wait_until(
            find, timeout, lambda: self._describe_chat(chat_id, after, timeout)
        )

    async def wait_for_text(
        self,
        chat_id: int,
        text: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the condition, not for I/O
        after: Mark | int | None = None,
        *,
        include_edits: bool = False,
    ) -> BotMessage:
        """The first message (after ``after``) whose text or caption contains ``text``."""
        return await self.wait_for_message(
            chat_id,
            lambda m: text in m.content,
            timeout,
            after,
            include_edits=include_edits,
        )

    async def wait_for_request(
        self,
        method: str,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the condition, not for I/O
        *,
        after: int = 0,
    ) -> RecordedRequest:
        """The first answered request of ``method`` (from index ``after`` of ``requests``)."""

        def find() -> RecordedRequest | None:
            for record in self.requests[after:]:
                done = record.status is not None or record.dropped
                if (
                    record.method.lower() == method.lower()
                    and done
                    and (predicate is None or predicate(record))
                ):
                    return record
            return None

        return await self._wait_until(
            find,
            timeout,
            lambda: (
                f"no {method} request within {timeout}s; saw "
                f"{[(r.method, r.status) for r in self.requests[after:]][-20:]}"
            ),
        )

    async def wait_until_delivered(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for the condition, not for I/O
    ) -> None:
        """Wait until the bot confirmed every queued update (polling offset or webhook 200)."""
        await self._wait_until(
            lambda: True if not self._pending else None,
            timeout,
            lambda: (
                f"updates still pending after {timeout}s: {[p.update_id for p in self._pending]}"
            ),
        )

    # --- internals used by FakeUser -------------------------------------------------------------

    def _allocate_message_id(self, chat_id: int) -> int:
        """Message ids are per chat and shared by the user's and the bot's messages."""
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _remember_user_message(self, message: JsonDict) -> None:
        chat_id = int(message["chat"]["id"])
        self._user_messages.setdefault(chat_id, {})[int(message["message_id"])] = message

    def _bot_message(self, chat_id: int, message_id: int) -> BotMessage | None:
        for message in self._messages.get(chat_id, []):
            if message.message_id == message_id:
                return message
        return None

    def _new_callback_query_id(self) -> str:
        query_id = f"{self.bot_user_id}{next(self._callback_counter):012d}"
        self._callback_queries[query_id] = _CallbackQuery()
        return query_id

    def _register_file(
        self,
        data: bytes,
        kind: str,
        *,
        mime_type: str | None = None,
        file_name: str | None = None,
    ) -> StoredFile:
        number = next(self._file_counter)
        folder, ext = _FILE_FOLDERS.get(kind, ("documents", ""))
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"F{kind[:2].upper()}{number:06d}{secrets.token_hex(8)}",
            file_unique_id=f"U{number:06d}{secrets.token_hex(3)}",
            file_path=f"{folder}/file_{number}{ext}",
            data=data,
            kind=kind,
            mime_type=mime_type,
            file_name=file_name,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _register_photo(self, data: bytes) -> list[JsonDict]:
        sizes: list[JsonDict] = []
        for width, height in _PHOTO_SIZES:
            stored = self._register_file(data, "photo", mime_type="image/jpeg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.file_size,
                    "width": width,
                    "height": height,
                }
            )
        for size in sizes:
            self._photo_sets[size["file_id"]] = sizes
        return sizes

    # --- waiting --------------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake everything waiting for a state change (long polls, webhook loop, tests)."""
        self._event.set()
        self._event = asyncio.Event()

    async def _wait_until(
        self,
        check: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109 - a deadline for the condition, not for I/O
        describe: Callable[[], str],
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(describe())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _candidates(
        self, chat_id: int, after: Mark | int | None, include_edits: bool
    ) -> list[BotMessage]:
        sent = self._messages.get(chat_id, [])
        if after is None:
            return list(sent)
        if isinstance(after, int):
            return list(sent[after:])
        return [
            m
            for m in sent
            if m.seq > after.seq
            or (include_edits and m.edit_seq is not None and m.edit_seq > after.seq)
        ]

    def _describe_chat(self, chat_id: int, after: Mark | int | None, timeout: float) -> str:
        lines = [f"no matching bot message in chat {chat_id} within {timeout}s (after={after})"]
        sent = self._messages.get(chat_id, [])
        lines.append(f"bot messages in chat {chat_id} ({len(sent)}):")
        lines.extend(f"  seq={m.seq} {m!r}" for m in sent[-15:])
        failed = [
            r
            for r in self.requests
            if r.params.get("chat_id") == chat_id and not r.ok and not r.via_webhook_reply
        ]
        if failed:
            lines.append("failed requests for this chat:")
            lines.extend(
                f"  {r.method} -> {'dropped' if r.dropped else r.status} {r.description or ''}"
                for r in failed[-10:]
            )
        return "\n".join(lines)

    # --- HTTP layer -----------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        record = RecordedRequest(
            method=request.match_info["method"],
            params={},
            time=time.monotonic(),
            http_method=request.method,
        )
        self.requests.append(record)
        self.stats.requests += 1
        try:
            params, from_form = await _read_params(request)
        except ApiError as err:
            return self._finish(record, _Outcome(err.error_code, err.payload()), request)
        record.params = params
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if self._outage:
            outcome = _Outcome(502, ApiError(502, "Bad Gateway").payload())
        elif request.match_info["token"] != self.token:
            outcome = _Outcome(401, ApiError(401, "Unauthorized").payload())
        else:
            outcome = await self._process(record, params, from_form=from_form)
        return self._finish(record, outcome, request)

    def _finish(
        self, record: RecordedRequest, outcome: _Outcome, request: web.Request
    ) -> web.StreamResponse:
        if outcome.status == 429:
            self.stats.rate_limited += 1
        if outcome.raw is not None and not outcome.drop:
            record.status = outcome.raw.status
            self._notify()
            return web.Response(
                status=outcome.raw.status,
                body=outcome.raw.body,
                headers={CONTENT_TYPE: outcome.raw.content_type},
            )
        if outcome.drop:
            record.dropped = True
            self.stats.dropped += 1
            if outcome.executed:
                self.stats.executed_but_dropped += 1
            self._notify()
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        record.status = outcome.status
        record.response = outcome.payload
        self._notify()
        return web.json_response(outcome.payload, status=outcome.status)

    async def _process(
        self, record: RecordedRequest, params: JsonDict, *, from_form: bool, faults: bool = True
    ) -> _Outcome:
        fault: _Fault | None = None
        try:
            spec = self.spec.method(record.method)
            if spec is None:
                raise ApiError(404, "Not Found: method not found")
            record.method = spec.name
            self.spec.coerce(spec, params, from_form=from_form)
            fault = self._take_fault(spec.name, params) if faults else None
            if fault is not None and fault.kind == "hang":
                if not await self._hang(fault.seconds):
                    return _Outcome(0, {}, drop=True)
                fault = None
            if fault is not None and fault.kind == "fail":
                raise self._injected_error(fault, spec.name, params, record.time)
            if fault is not None and not fault.execute:
                return self._faulted(_Outcome(0, {}), fault)
            self.spec.check_required(spec, params)
            if not is_rate_limited_method(spec.name):
                self._check_method_window(spec.name, record.time)
            answer = await self._execute(_Call(spec, params, record.time))
        except ApiError as err:
            return self._faulted(_Outcome(err.error_code, err.payload()), fault)
        payload: JsonDict = {"ok": True, "result": answer.result}
        if answer.description:
            payload["description"] = answer.description
        return self._faulted(_Outcome(200, payload, executed=True), fault)

    def _faulted(self, outcome: _Outcome, fault: _Fault | None) -> _Outcome:
        """The answer the client gets instead, if a drop or raw-answer fault was taken."""
        if fault is None:
            return outcome
        if fault.kind == "answer":
            self.stats.injected_failures += 1
            outcome.raw = fault.raw
        elif fault.kind == "drop":
            outcome.drop = True
        return outcome

    async def _hang(self, seconds: float | None) -> bool:
        """Hold a request; True if it is to be handled afterwards (its hang had an end)."""
        self.stats.hung += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._hangs_over.wait(), seconds)
        return seconds is not None

    async def _execute(self, call: _Call) -> _Answer:
        handler = self._handlers.get(call.method.name.lower(), self._generic)
        result = handler(call)
        if isinstance(result, Awaitable):
            result = await result
        return result if isinstance(result, _Answer) else _Answer(result)

    def _take_fault(self, method: str, params: JsonDict) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, params):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _injected_error(self, fault: _Fault, method: str, params: JsonDict, now: float) -> ApiError:
        self.stats.injected_failures += 1
        error = error_for_status(fault.status, fault.retry_after)
        if fault.status == 429:
            retry_after = int((error.parameters or {})["retry_after"])
            self.limiter.open_window(
                _injected_scope(method, params), retry_after, method, now, injected=True
            )
        return error

    def _check_method_window(self, method: str, now: float) -> None:
        """Enforce an injected 429 on a non-message method (e.g. getUpdates) for its window."""
        scope = method_scope(method)
        active = [w for w in self.limiter.windows if w.scope == scope and w.until > now]
        if active:
            self.stats.requests_during_retry_after += 1
            until = max(w.until for w in active)
            raise ApiError.too_many_requests(max(1, math.ceil(until - now)))

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if self._outage:
            return web.json_response(ApiError(502, "Bad Gateway").payload(), status=502)
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        self.downloads.append(stored.file_id)
        fault = self._take_download_fault(stored.file_id)
        content_type = stored.mime_type or "application/octet-stream"
        if fault is None:
            return web.Response(body=stored.data, content_type=content_type)
        self.stats.injected_failures += 1
        if fault.answer == "json 500":
            return web.json_response(error_for_status(500).payload(), status=500)
        if fault.answer == "html 502":
            raw = RAW_ANSWERS["html 502"]
            return web.Response(status=502, body=raw.body, headers={CONTENT_TYPE: raw.content_type})
        response = web.StreamResponse(headers={CONTENT_TYPE: content_type})
        if fault.answer == "truncated":
            response.content_length = len(stored.data)
            await response.prepare(request)
            await response.write(stored.data[: len(stored.data) // 2])
        if request.transport is not None:
            request.transport.abort()
        return response

    def _take_download_fault(self, file_id: str) -> _DownloadFault | None:
        for fault in self._download_faults:
            if fault.remaining > 0 and fault.file_id in (None, file_id):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._download_faults.remove(fault)
                return fault
        return None

    # --- shared checks --------------------------------------------------------------------------

    def _chat_info(self, chat_id: int) -> ChatInfo:
        info = self._chats.get(chat_id)
        if info is not None:
            return info
        chat_type = "private" if chat_id > 0 else default_group_type(chat_id)
        if chat_type == "private":
            return ChatInfo(chat_id, "private", first_name="User")
        return ChatInfo(chat_id, chat_type, title=f"Chat {chat_id}")

    def _chat_id(self, value: Any) -> int:
        chat_id: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            chat_id = value
        elif isinstance(value, str) and value.startswith("@"):
            chat_id = next((c.id for c in self._chats.values() if c.username == value[1:]), None)
        if chat_id is None or chat_id == 0:
            raise ApiError.bad_request("chat not found")
        if self.strict_chats and chat_id not in self._chats:
            if chat_id > 0:
                raise ApiError.forbidden("bot can't initiate conversation with a user")
            raise ApiError.bad_request("chat not found")
        return chat_id

    def _gate(self, call: _Call, chat_id: int) -> None:
        """Blocked chats and flood control, checked after the content is known to be valid."""
        if chat_id in self._blocked:
            if self._chat_info(chat_id).type == "private":
                raise ApiError.forbidden("bot was blocked by the user")
            raise ApiError.forbidden("bot was kicked from the group chat")
        if not is_rate_limited_method(call.method.name):
            return
        active = self.limiter.active_window(chat_id, call.arrived)
        if active is not None:
            self.stats.requests_during_retry_after += 1
            raise ApiError.too_many_requests(max(1, math.ceil(active.until - call.arrived)))
        opened = self.limiter.acquire(chat_id, call.method.name, time.monotonic())
        if opened is not None:
            raise ApiError.too_many_requests(opened.retry_after)

    def _markup(self, params: JsonDict, *, inline_only: bool = False) -> JsonDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        return validate_reply_markup(markup, self.spec, inline_only=inline_only)

    def _reply_to(self, chat_id: int, params: JsonDict) -> JsonDict | None:
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        message_id = params.get("reply_to_message_id")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        bot_message = self._bot_message(chat_id, int(message_id))
        if bot_message is not None and not bot_message.deleted:
            return bot_message.to_dict()
        user_message = self._user_messages.get(chat_id, {}).get(int(message_id))
        if user_message is not None:
            return user_message
        if allow_missing:
            return None
        raise ApiError.bad_request("message to be replied not found")

    def _input_file(self, params: JsonDict, name: str, kind: str) -> StoredFile | list[JsonDict]:
        """Resolve an InputFile-or-String parameter: upload, attach://, file_id or URL."""
        return self._resolve_file(params.get(name), params, name, kind)

    def _resolve_file(
        self, value: Any, params: JsonDict, name: str, kind: str
    ) -> StoredFile | list[JsonDict]:
        """A file given as ``value`` (in ``params``, or inside one of its media items)."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
            if value is None:
                raise ApiError.bad_request(f'file for field "{name}" not found in the request')
        if isinstance(value, UploadedFile):
            if not value.data:
                raise ApiError.bad_request("file must be non-empty")
            limit = MAX_PHOTO_BYTES if kind == "photo" else MAX_UPLOAD_BYTES
            if len(value.data) > limit:
                raise ApiError(413, "Request Entity Too Large")
            if kind == "photo":
                return self._register_photo(value.data)
            guessed = mimetypes.guess_type(value.filename or "")[0]
            return self._register_file(
                value.data,
                kind,
                mime_type=guessed or value.content_type,
                file_name=value.filename,
            )
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            if kind == "photo":
                return self._register_photo(b"")
            return self._register_file(b"", kind, file_name=value.rsplit("/", 1)[-1] or None)
        if isinstance(value, str) and value in self._expired:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        if isinstance(value, str) and value:
            if kind == "photo":
                sizes = self._photo_sets.get(value)
                if sizes is None:
                    raise self._bad_file_id(value)
                return sizes
            stored = self._files.get(value)
            if stored is None:
                raise self._bad_file_id(value)
            if stored.kind == "photo":
                raise ApiError.bad_request("type of file mismatch")
            return stored
        raise ApiError.bad_request(f"there is no {name} in the request")

    def _bad_file_id(self, value: str) -> ApiError:
        if value in self._files:
            return ApiError.bad_request("type of file mismatch")
        return ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _caption(self, params: JsonDict) -> tuple[str | None, list[JsonDict]]:
        caption = params.get("caption")
        if caption in (None, ""):
            return None, []
        parsed = parse_formatted(
            str(caption), params.get("parse_mode"), params.get("caption_entities")
        )
        check_caption(parsed)
        return parsed.text or None, parsed.entities

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _store(self, call: _Call, chat_id: int, **fields: Any) -> BotMessage:
        message = BotMessage(
            chat=self._chat_info(chat_id).to_dict(),
            message_id=self._allocate_message_id(chat_id),
            date=int(time.time()),
            sender=self.bot_user,
            method=call.method.name,
            seq=self._next_seq(),
            **fields,
        )
        self._messages.setdefault(chat_id, []).append(message)
        self.stats.messages_sent += 1
        return message

    # --- methods: bot and updates ---------------------------------------------------------------

    def _get_me(self, call: _Call) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_allowed_updates(self, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError.bad_request("can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(value) or None

    def _allowed(self, pending: _Pending) -> bool:
        if self._allowed_updates is None:
            return pending.kind not in _OPT_IN_UPDATES
        return pending.kind in self._allowed_updates

    def _confirm_offset(self, offset: int) -> None:
        if offset > 0:
            self._pending = [p for p in self._pending if p.update_id >= offset or p.forced]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def _deliverable(self) -> list[_Pending]:
        """Pending updates the bot may receive now; filtered-out types are discarded."""
        if self._updates_paused:
            return []
        self._pending = [p for p in self._pending if self._allowed(p)]
        return list(self._pending)

    async def _get_updates(self, call: _Call) -> list[JsonDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = call.params
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        self._set_allowed_updates(params.get("allowed_updates"))
        self._confirm_offset(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event
            if self._webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._deliverable()[:limit]
            remaining = deadline - loop.time()
            if batch or self._stopping or remaining <= 0:
                for pending in batch:
                    pending.forced = False
                return [p.update for p in batch]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _set_webhook(self, call: _Call) -> _Answer:
        params = call.params
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(call)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ApiError.bad_request("bad webhook: invalid webhook URL specified")
        if self.require_https_webhook and parts.scheme != "https":
            raise ApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise ApiError.bad_request("secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise ApiError.bad_request("bad webhook: max_connections must be 1-100")
        self._set_allowed_updates(params.get("allowed_updates"))
        if params.get("drop_pending_updates"):
            self._pending.clear()
        already = self._webhook is not None and self._webhook.url == url
        self._webhook = _Webhook(
            url, str(secret) if secret else None, max_connections, params.get("ip_address")
        )
        self._notify()
        return _Answer(True, "Webhook is already set" if already else "Webhook was set")

    def _delete_webhook(self, call: _Call) -> _Answer:
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        existed = self._webhook is not None
        self._webhook = None
        self._notify()
        return _Answer(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _get_webhook_info(self, call: _Call) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        hook = self._webhook
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # --- methods: messages ----------------------------------------------------------------------

    def _send_message(self, call: _Call) -> JsonDict:
        params = call.params
        chat_id = self._chat_id(params["chat_id"])
        parsed = parse_formatted(
            str(params["text"]), params.get("parse_mode"), params.get("entities")
        )
        check_text(parsed)
        markup = self._markup(params)
        reply_to = self._reply_to(chat_id, params)
        self._gate(call, chat_id)
        message = self._store(
            call,
            chat_id,
            text=parsed.text,
            entities=parsed.entities,
            source_text=str(params["text"]),
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            reply_to_message=reply_to,
        )
        return message.to_dict()

    def _send_with_file(self, call: _Call, field_name: str, kind: str) -> JsonDict:
        params = call.params
        chat_id = self._chat_id(params["chat_id"])
        caption, caption_entities = self._caption(params)
        markup = self._markup(params)
        reply_to = self._reply_to(chat_id, params)
        resolved = self._input_file(params, field_name, kind)
        self._gate(call, chat_id)
        if isinstance(resolved, list):
            media: JsonDict = {"photo": resolved}
        else:
            media = {kind: self._media_object(resolved, kind, params)}
        message = self._store(
            call,
            chat_id,
            caption=caption,
            caption_entities=caption_entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            media=media,
            reply_to_message=reply_to,
        )
        return message.to_dict()

    def _media_object(self, stored: StoredFile, kind: str, params: JsonDict) -> JsonDict:
        body: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if kind == "document":
            if stored.file_name:
                body["file_name"] = stored.file_name
            if stored.mime_type:
                body["mime_type"] = stored.mime_type
            return body
        body.update(_MEDIA_DEFAULTS.get(kind, {}))
        for key in ("duration", "width", "height", "length"):
            if isinstance(params.get(key), int) and key in body:
                body[key] = params[key]
        if kind == "sticker":
            body["is_video"] = False
            if params.get("emoji"):
                body["emoji"] = params["emoji"]
        return body

    def _send_photo(self, call: _Call) -> JsonDict:
        return self._send_with_file(call, "photo", "photo")

    def _send_document(self, call: _Call) -> JsonDict:
        return self._send_with_file(call, "document", "document")

    def _send_media(self, call: _Call) -> JsonDict:
        kind = {
            "sendsticker": "sticker",
            "sendvoice": "voice",
            "sendaudio": "audio",
            "sendvideo": "video",
            "sendanimation": "animation",
            "sendvideonote": "video_note",
        }[call.method.name.lower()]
        return self._send_with_file(call, kind, kind)

    def _send_media_group(self, call: _Call) -> list[JsonDict]:
        """An album: 2-10 photos and videos, or documents only, or audio only; each item a
        message of its own with the album's ``media_group_id``."""
        params = call.params
        chat_id = self._chat_id(params["chat_id"])
        items = params["media"]
        if not isinstance(items, list) or not 2 <= len(items) <= 10:
            raise ApiError.bad_request("wrong number of media items in the album")
        kinds = [item.get("type") if isinstance(item, dict) else None for item in items]
        for alone in ("document", "audio"):
            if alone in kinds and set(kinds) != {alone}:
                raise ApiError.bad_request(f"{alone} can't be mixed with other media types")
        if not set(kinds) <= {"photo", "video", "document", "audio"}:
            raise ApiError.bad_request("can't parse InputMedia: media type is invalid")
        reply_to = self._reply_to(chat_id, params)
        resolved = []
        for item, kind in zip(items, kinds, strict=True):
            assert isinstance(kind, str)
            if "media" not in item:
                raise ApiError.bad_request("can't parse InputMedia: media not found")
            caption, entities = self._caption(item)
            found = self._resolve_file(item["media"], params, "media", kind)
            media = found if isinstance(found, list) else self._media_object(found, kind, item)
            resolved.append((kind, media, caption, entities, item.get("parse_mode")))
        self._gate(call, chat_id)
        group = str(next(self._file_counter) * 1_000_003)
        messages = [
            self._store(
                call,
                chat_id,
                caption=caption,
                caption_entities=entities,
                parse_mode=parse_mode,
                media={kind: media, "media_group_id": group},
                reply_to_message=reply_to,
            )
            for kind, media, caption, entities, parse_mode in resolved
        ]
        return [message.to_dict() for message in messages]

    def _send_location(self, call: _Call) -> JsonDict:
        params = call.params
        chat_id = self._chat_id(params["chat_id"])
        latitude, longitude = float(params["latitude"]), float(params["longitude"])
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ApiError.bad_request("wrong latitude or longitude")
        markup = self._markup(params)
        self._gate(call, chat_id)
        location = {"latitude": latitude, "longitude": longitude}
        return self._store(
            call, chat_id, reply_markup=markup, media={"location": location}
        ).to_dict()

    def _send_contact(self, call: _Call) -> JsonDict:
        params = call.params
        chat_id = self._chat_id(params["chat_id"])
        markup = self._markup(params)
        self._gate(call, chat_id)
        contact = {"phone_number": str(params["phone_number"]), "first_name": params["first_name"]}
        if params.get("last_name"):
            contact["last_name"] = params["last_name"]
        return self._store(call, chat_id, reply_markup=markup, media={"contact": contact}).to_dict()

    def _editable(self, params: JsonDict) -> BotMessage:
        if params.get("inline_message_id"):
            raise ApiError.bad_request("MESSAGE_ID_INVALID")
        if params.get("chat_id") in (None, ""):
            raise ApiError.bad_request("chat_id is empty")
        if params.get("message_id") in (None, ""):
            raise ApiError.bad_request("message identifier is not specified")
        chat_id = self._chat_id(params["chat_id"])
        message_id = int(params["message_id"])
        message = self._bot_message(chat_id, message_id)
        if message is None or message.deleted:
            if message_id in self._user_messages.get(chat_id, {}):
                raise ApiError.bad_request("message can't be edited")
            raise ApiError.bad_request("message to edit not found")
        return message

    def _apply_edit(self, call: _Call, message: BotMessage, **changes: Any) -> JsonDict:
        self._gate(call, message.chat_id)
        message.history.append(
            MessageVersion(
                message.text,
                message.caption,
                list(message.entities or message.caption_entities),
                message.reply_markup,
                message.edit_date or message.date,
            )
        )
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = int(time.time())
        message.edit_seq = self._next_seq()
        self.stats.messages_edited += 1
        return message.to_dict()

    def _edit_message_text(self, call: _Call) -> JsonDict:
        params = call.params
        message = self._editable(params)
        if message.text is None:
            raise ApiError.bad_request("there is no text in the message to edit")
        parsed = parse_formatted(
            str(params["text"]), params.get("parse_mode"), params.get("entities")
        )
        check_text(parsed)
        markup = _kept_markup(message, self._markup(params, inline_only=True))
        if (
            parsed.text == message.text
            and parsed.entities == message.entities
            and _inline(markup) == _inline(message.reply_markup)
        ):
            raise ApiError.bad_request(_NOT_MODIFIED)
        return self._apply_edit(
            call,
            message,
            text=parsed.text,
            entities=parsed.entities,
            source_text=str(params["text"]),
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )

    def _edit_message_caption(self, call: _Call) -> JsonDict:
        params = call.params
        message = self._editable(params)
        if message.text is not None:
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = _kept_markup(message, self._markup(params, inline_only=True))
        if (
            caption == message.caption
            and entities == message.caption_entities
            and _inline(markup) == _inline(message.reply_markup)
        ):
            raise ApiError.bad_request(_NOT_MODIFIED)
        return self._apply_edit(
            call, message, caption=caption, caption_entities=entities, reply_markup=markup
        )

    def _edit_message_reply_markup(self, call: _Call) -> JsonDict:
        message = self._editable(call.params)
        markup = _kept_markup(message, self._markup(call.params, inline_only=True))
        if _inline(markup) == _inline(message.reply_markup):
            raise ApiError.bad_request(_NOT_MODIFIED)
        return self._apply_edit(call, message, reply_markup=markup)

    def _delete_one(self, chat_id: int, message_id: int) -> bool:
        message = self._bot_message(chat_id, message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            return True
        return self._user_messages.get(chat_id, {}).pop(message_id, None) is not None

    def _delete_message(self, call: _Call) -> bool:
        chat_id = self._chat_id(call.params["chat_id"])
        if not self._delete_one(chat_id, int(call.params["message_id"])):
            raise ApiError.bad_request("message to delete not found")
        return True

    def _delete_messages(self, call: _Call) -> bool:
        chat_id = self._chat_id(call.params["chat_id"])
        ids = call.params["message_ids"]
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError.bad_request("message_ids must be a list of 1-100 identifiers")
        for message_id in ids:
            self._delete_one(chat_id, int(message_id))
        return True

    def _answer_callback_query(self, call: _Call) -> bool:
        params = call.params
        query_id = str(params["callback_query_id"])
        state = self._callback_queries.get(query_id)
        if state is None or state.answered:
            raise ApiError.bad_request(_QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_TEXT:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        state.answered = True
        cache_time = params.get("cache_time")
        self.callback_answers.append(
            CallbackAnswer(
                query_id,
                None if text is None else str(text),
                bool(params.get("show_alert")),
                params.get("url"),
                int(cache_time) if cache_time is not None else None,
            )
        )
        return True

    def _send_chat_action(self, call: _Call) -> bool:
        chat_id = self._chat_id(call.params["chat_id"])
        if call.params["action"] not in _CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        self._gate(call, chat_id)
        return True

    # --- methods: files, commands, chats --------------------------------------------------------

    def _get_file(self, call: _Call) -> JsonDict:
        file_id = str(call.params["file_id"])
        if file_id in self._expired:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        stored = self._files.get(file_id)
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_BYTES:
            raise ApiError.bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    def _set_my_commands(self, call: _Call) -> bool:
        commands = call.params["commands"]
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError.bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError.bad_request("command description must be 1-256 characters")
        key = _commands_key(call.params.get("scope"), call.params.get("language_code") or "")
        self._commands[key] = [dict(c) for c in commands]
        return True

    def _get_my_commands(self, call: _Call) -> list[JsonDict]:
        key = _commands_key(call.params.get("scope"), call.params.get("language_code") or "")
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, call: _Call) -> bool:
        key = _commands_key(call.params.get("scope"), call.params.get("language_code") or "")
        self._commands.pop(key, None)
        return True

    def _get_chat(self, call: _Call) -> JsonDict:
        chat_id = self._chat_id(call.params["chat_id"])
        info = self._chats.get(chat_id)
        if info is None:
            raise ApiError.bad_request("chat not found")
        return {
            **info.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def _get_chat_member(self, call: _Call) -> JsonDict:
        self._chat_id(call.params["chat_id"])
        user_id = int(call.params["user_id"])
        if user_id == self.bot_user_id:
            return {"status": "member", "user": self.bot_user}
        known = self._chats.get(user_id)
        first_name = known.first_name if known and known.first_name else "User"
        return {
            "status": "member",
            "user": {"id": user_id, "is_bot": False, "first_name": first_name},
        }

    def _generic(self, call: _Call) -> Any:
        """Methods without special behaviour: validated, then a plausible result."""
        returns = call.method.returns[0] if call.method.returns else "Boolean"
        name = call.method.name.lower()
        if name.startswith(("send", "copymessage", "forwardmessage")) and "chat_id" in call.params:
            chat_id = self._chat_id(call.params["chat_id"])
            markup = self._markup(call.params)
            self._gate(call, chat_id)
            message = self._store(call, chat_id, reply_markup=markup)
            if returns == "MessageId":
                return {"message_id": message.message_id}
            if returns == "Message":
                return message.to_dict()
        if returns.startswith("Array of"):
            return []
        if returns == "Integer":
            return 0
        if returns == "String":
            return ""
        return True

    # --- webhook delivery -----------------------------------------------------------------------

    async def _webhook_loop(self) -> None:
        """Deliver pending updates one at a time, in order, retrying until the bot says 2xx."""
        while True:
            event = self._event
            hook = self._webhook
            deliverable = self._deliverable() if hook is not None else []
            if hook is None or not deliverable:
                await event.wait()
                continue
            pending = deliverable[0]
            try:
                delivered = await self._post_update(hook, pending.update)
            except Exception as exc:  # keep delivering: a dead loop would look like a bot bug
                self._record_webhook_failure(hook, pending.update, None, repr(exc))
                delivered = False
            if delivered:
                self._pending = [p for p in self._pending if p is not pending]
                self.stats.webhook_deliveries += 1
                self._notify()
            else:
                await asyncio.sleep(self.webhook_retry_delay)

    async def _post_update(self, hook: _Webhook, update: JsonDict) -> bool:
        assert self._client is not None
        self.stats.webhook_attempts += 1
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        status: int | None = None
        error: str | None = None
        reply: tuple[JsonDict, bool] | None = None
        try:
            async with self._client.post(
                hook.url,
                data=json.dumps(update, ensure_ascii=False).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                status = response.status
                if 200 <= status < 300:
                    reply = await _read_webhook_reply(response)
                else:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientError as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        if error is not None:
            self._record_webhook_failure(hook, update, status, error)
            return False
        self.webhook_attempts.append(
            WebhookAttempt(int(update["update_id"]), hook.url, status, None, time.monotonic())
        )
        if reply is not None and reply[0].get("method"):
            await self._execute_webhook_reply(*reply)
        return True

    def _record_webhook_failure(
        self, hook: _Webhook, update: JsonDict, status: int | None, error: str
    ) -> None:
        self.webhook_attempts.append(
            WebhookAttempt(int(update["update_id"]), hook.url, status, error, time.monotonic())
        )
        self.stats.webhook_failures += 1
        hook.last_error_date = int(time.time())
        hook.last_error_message = error
        self._notify()

    async def _execute_webhook_reply(self, params: JsonDict, from_form: bool) -> None:
        """Telegram executes a method returned in the webhook response, without an answer."""
        record = RecordedRequest(
            method=str(params.pop("method")),
            params=params,
            time=time.monotonic(),
            http_method="WEBHOOK-REPLY",
            via_webhook_reply=True,
        )
        self.requests.append(record)
        self.stats.requests += 1
        outcome = await self._process(record, params, from_form=from_form, faults=False)
        if outcome.status == 429:
            self.stats.rate_limited += 1
        record.status = outcome.status
        record.response = outcome.payload
        self._notify()


# --- helpers --------------------------------------------------------------------------------------


def _inline(markup: JsonDict | None) -> list[Any] | None:
    if markup and markup.get("inline_keyboard"):
        return list(markup["inline_keyboard"])
    return None


def _kept_markup(message: BotMessage, new: JsonDict | None) -> JsonDict | None:
    """Edits replace the inline keyboard (omitting it removes it); reply keyboards stay."""
    if new is not None:
        return new
    old = message.reply_markup
    return old if old is not None and "inline_keyboard" not in old else None


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


async def _read_params(request: web.Request) -> tuple[JsonDict, bool]:
    """Query string plus a JSON, urlencoded or multipart body; returns (params, from_form)."""
    params: JsonDict = dict(request.query)
    if not request.body_exists:
        return params, True
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise ApiError.bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise ApiError.bad_request("request body must be a JSON object")
        params.update(body)
        return params, False
    if request.content_type == "multipart/form-data":
        try:
            params.update(parse_form_data(request.headers[CONTENT_TYPE], await request.read()))
        except ValueError:
            raise ApiError.bad_request("can't parse multipart/form-data request body") from None
        return params, True
    form = await request.post()
    params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params, True


async def _read_webhook_reply(response: aiohttp.ClientResponse) -> tuple[JsonDict, bool] | None:
    """Parse a method call the bot put in its webhook response (JSON or multipart)."""
    body = await response.read()
    if response.content_type == "multipart/form-data":
        try:
            return dict(parse_form_data(response.headers[CONTENT_TYPE], body)), True
        except ValueError:
            return None
    if response.content_type == "application/json" and body:
        try:
            parsed = json.loads(body)
        except ValueError:
            return None
        if isinstance(parsed, dict):
            return parsed, False
    return None

"""Play the worker in a terminal: the same handlers, database and outbox, no Telegram.

Buttons are shown as numbered choices; type the number to press one. ``/photo``,
``/document NAME`` and ``/voice SECONDS`` stand in for sending files. What the bot sends to
staff chats (alerts, escalations) is printed after the worker's own messages, labelled with the
chat it goes to.
Ctrl-C, Ctrl-D or ``/quit`` ends the session; the report so far stays in the database.
"""

import asyncio
import itertools
import mimetypes
import os
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.app import build_runtime
from bot.settings import Settings
from handlers.events import Event, EventKind
from handlers.replies import plain
from handlers.routing import Routing

__all__ = ["ConsoleDriver", "LineReader", "chat_names", "run_console"]

CONSOLE_USER = 1
QUIT = "/quit"
GOODBYE = "Bye. Your chat is kept: run arrears-bot console again to go on.\n"
EDITED = "editMessageText"


@dataclass
class Choice:
    text: str
    callback_data: str | None = None
    request_contact: bool = False
    request_location: bool = False


def chat_names(routing: Routing, language: str) -> dict[int, str]:
    """What each staff chat of the routing file is, by its id, in the console's words."""
    names: defaultdict[int, list[str]] = defaultdict(list)
    for department in routing.departments.values():
        names[department.chat_id].append(f"department chat {department.name(language)}")
    for county in routing.counties:
        if county.lead_chat_id is not None:
            names[county.lead_chat_id].append(f"county leaders' chat {county.name(language)}")
    if routing.city_lead_chat_id is not None:
        names[routing.city_lead_chat_id].append("city leaders' chat")
    if routing.supervisor_chat_id is not None:
        names[routing.supervisor_chat_id].append("supervisors' chat (纪委监委)")
    for point in routing.reception_points:
        if point.chat_id is not None:
            names[point.chat_id].append(f"reception point chat {point.name(language)}")
    return {chat_id: " / ".join(labels) for chat_id, labels in names.items()}


@dataclass
class ConsoleDriver:
    """A transport that prints; it remembers the latest buttons so a number can press one.

    Messages to other chats wait in ``elsewhere`` until :meth:`show_elsewhere`, so the worker's
    own answer (their confirmation, say) comes first, as it would on their phone.
    """

    out: TextIO = sys.stdout
    user_id: int = CONSOLE_USER
    names: dict[int, str] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)
    last_message_id: int = 0
    elsewhere: list[str] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
        if method == "answerCallbackQuery":
            if payload.get("text"):
                self.out.write(f"  ({payload['text']})\n")
            return None
        message_id = next(self._ids)
        text = plain(payload.get("text") or payload.get("caption") or "")
        for kind in ("photo", "document", "voice", "audio"):
            if isinstance(payload.get(kind), dict):
                text = f"[{kind}: {payload[kind].get('file_name') or kind}]\n{text}"
        if isinstance(payload.get("media"), list):
            text = f"[album: {len(payload['media'])} files]\n{text}"
        markup = payload.get("reply_markup") or {}
        if chat_id != self.user_id:
            self.elsewhere.append(self._staff_message(method, chat_id, text, markup))
            return message_id
        self.out.write(f"\n{text}\n")
        self._show_choices(markup, message_id)
        return message_id

    def show_elsewhere(self) -> None:
        """Print what went to other chats since the last call, in the order it was sent."""
        for message in self.elsewhere:
            self.out.write(message)
        self.elsewhere.clear()

    def _staff_message(self, method: str, chat_id: int, text: str, markup: dict[str, Any]) -> str:
        name = self.names.get(chat_id) or ("private chat" if chat_id > 0 else "group chat")
        verb = "edited in" if method == EDITED else "to"
        rows = markup.get("inline_keyboard") or []
        buttons = ["  " + " ".join(f"[{b['text']}]" for b in row) for row in rows]
        lines = [f"===== {verb} {name} ({chat_id}) =====", text, *buttons, "=" * 40]
        return "\n" + "\n".join(lines) + "\n"

    def _show_choices(self, markup: dict[str, Any], message_id: int) -> None:
        rows = markup.get("inline_keyboard") or markup.get("keyboard")
        if not rows:
            return
        self.choices = [
            Choice(
                b["text"],
                b.get("callback_data"),
                bool(b.get("request_contact")),
                bool(b.get("request_location")),
            )
            for row in rows
            for b in row
        ]
        self.last_message_id = message_id
        for number, choice in enumerate(self.choices, 1):
            self.out.write(f"  [{number}] {choice.text}\n")


class LineReader:
    """Lines typed on stdin, read on the event loop rather than in a thread: Ctrl-C stops a
    wait at once, and no thread is left blocked in a read that only Enter would end."""

    def __init__(self, stream: TextIO) -> None:
        self.fd = stream.fileno()
        self.pending = b""
        self.ended = False

    async def readline(self) -> str | None:
        """The next line without its end; None at the end of input (Ctrl-D)."""
        while b"\n" not in self.pending and not self.ended:
            chunk = await self._read()
            self.pending += chunk
            self.ended = not chunk
        if not self.pending:
            return None
        line, _, self.pending = self.pending.partition(b"\n")
        return line.decode("utf-8", errors="replace")

    async def _read(self) -> bytes:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            loop.add_reader(self.fd, wake)
        except PermissionError:  # a regular file: reading it never waits
            return os.read(self.fd, 65536)
        try:
            await ready
        finally:
            loop.remove_reader(self.fd)
        return os.read(self.fd, 65536)


async def run_console(settings: Settings, stdin: TextIO = sys.stdin) -> None:
    """Until Ctrl-D or /quit; Ctrl-C cancels this task, which says goodbye on its way out."""
    # Nothing goes to Telegram: no limits to keep, alone or shared with other instances.
    unlimited = settings.delivery.model_copy(
        update={
            "global_per_second": 1e6,
            "private_per_second": 1e6,
            "group_per_minute": 1e6,
            "redis_url": None,
        }
    )
    driver = ConsoleDriver()
    runtime = await build_runtime(settings.model_copy(update={"delivery": unlimited}), driver)
    driver.names = chat_names(runtime.config.routing, runtime.config.default_language)
    reader = LineReader(stdin)
    driver.out.write(
        "arrears-bot console: you are the worker. Type answers, or a number to press a button.\n"
        "/photo, /document NAME and /voice SECONDS send files; Ctrl-C, Ctrl-D or /quit quits.\n"
    )
    line: str | None = "/start"
    try:
        while line is not None and line.strip() != QUIT:
            event = await to_event(driver, line.strip(), reader)
            if event is not None:
                await runtime.pipeline.accept([event])
                await runtime.pipeline.drain()
                await runtime.sender.drain()
                driver.show_elsewhere()
            driver.out.write("> ")
            driver.out.flush()
            line = await reader.readline()
    finally:
        driver.out.write("\n" + GOODBYE)
        driver.out.flush()
        await runtime.close()


async def to_event(driver: ConsoleDriver, line: str, reader: LineReader) -> Event | None:
    common: dict[str, Any] = {
        "update_id": time.time_ns() // 1000,
        "chat_id": driver.user_id,
        "user_id": driver.user_id,
        "user_name": "Console",
    }
    if not line:
        return None
    if line.isdigit() and 1 <= int(line) <= len(driver.choices):
        choice = driver.choices[int(line) - 1]
        if choice.callback_data:
            return Event(
                kind=EventKind.CALLBACK,
                callback_id=uuid.uuid4().hex,
                callback_data=choice.callback_data,
                message_id=driver.last_message_id,
                **common,
            )
        if choice.request_contact:
            phone = await prompt(driver, reader, "phone number to share: ")
            return Event(
                kind=EventKind.CONTACT, phone=phone, contact_user_id=driver.user_id, **common
            )
        if choice.request_location:
            raw = await prompt(driver, reader, "latitude,longitude: ")
            try:
                lat, lon = (float(part) for part in raw.split(","))
            except ValueError:
                driver.out.write("  (expected two numbers, e.g. 35.58,104.62)\n")
                return None
            return Event(kind=EventKind.LOCATION, latitude=lat, longitude=lon, **common)
        line = choice.text
    if line == "/photo":
        unique = uuid.uuid4().hex[:16]
        return Event(
            kind=EventKind.PHOTO, file_id=f"console-{unique}", file_unique_id=unique, **common
        )
    if line.startswith("/document"):
        unique = uuid.uuid4().hex[:16]
        name = line.removeprefix("/document").strip() or "document.pdf"
        return Event(
            kind=EventKind.DOCUMENT,
            file_id=f"console-{unique}",
            file_unique_id=unique,
            file_name=name,
            mime_type=mimetypes.guess_type(name)[0],
            **common,
        )
    if line.startswith("/voice"):
        unique = uuid.uuid4().hex[:16]
        seconds = line.removeprefix("/voice").strip()
        return Event(
            kind=EventKind.VOICE,
            file_id=f"console-{unique}",
            file_unique_id=unique,
            mime_type="audio/ogg",
            duration=int(seconds) if seconds.isdigit() else 30,
            **common,
        )
    if line.startswith("/"):
        command, args = Event.split_command(line)
        return Event(kind=EventKind.COMMAND, text=line, command=command, args=args, **common)
    return Event(kind=EventKind.TEXT, text=line, **common)


async def prompt(driver: ConsoleDriver, reader: LineReader, question: str) -> str:
    driver.out.write(question)
    driver.out.flush()
    return (await reader.readline() or "").strip()

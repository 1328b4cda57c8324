"""Play the worker in a terminal: the same handlers, database and outbox, no Telegram.

Buttons are shown as numbered choices; type the number to press one. ``/photo`` and
``/document NAME`` stand in for sending evidence. Messages for department chats are printed
as the alert that would be sent.
"""

import asyncio
import html
import itertools
import re
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.app import build_runtime
from bot.settings import Settings
from handlers.events import Event, EventKind

__all__ = ["ConsoleDriver", "run_console"]

CONSOLE_USER = 1
TAGS = re.compile(r"<[^>]+>")


@dataclass
class Choice:
    text: str
    callback_data: str | None = None
    request_contact: bool = False
    request_location: bool = False


@dataclass
class ConsoleDriver:
    """A transport that prints; it remembers the latest buttons so a number can press one."""

    out: TextIO = sys.stdout
    user_id: int = CONSOLE_USER
    choices: list[Choice] = field(default_factory=list)
    last_message_id: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
        if method == "answerCallbackQuery":
            if payload.get("text"):
                self.out.write(f"  ({payload['text']})\n")
            return None
        message_id = next(self._ids)
        text = html.unescape(TAGS.sub("", payload.get("text", "")))
        if chat_id != self.user_id:
            self.out.write(f"\n===== to department chat {chat_id} =====\n{text}\n{'=' * 40}\n")
            return message_id
        self.out.write(f"\n{text}\n")
        self._show_choices(payload.get("reply_markup") or {}, message_id)
        return message_id

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


async def run_console(settings: Settings, stdin: TextIO = sys.stdin) -> None:
    driver = ConsoleDriver()
    # Nothing goes to Telegram: no limits to keep, alone or shared with other instances.
    unlimited = settings.delivery.model_copy(
        update={
            "global_per_second": 1e6,
            "private_per_second": 1e6,
            "group_per_minute": 1e6,
            "redis_url": None,
        }
    )
    runtime = await build_runtime(settings.model_copy(update={"delivery": unlimited}), driver)
    driver.out.write(
        "arrears-bot console: you are the worker. Type answers, or a number to press a button.\n"
        "/photo and /document NAME send evidence; Ctrl-D quits.\n"
    )
    line: str | None = "/start"
    try:
        while line is not None:
            event = await to_event(driver, line.strip(), stdin)
            if event is not None:
                await runtime.pipeline.accept([event])
                await runtime.pipeline.drain()
                await runtime.sender.drain()
            driver.out.write("> ")
            driver.out.flush()
            read = await asyncio.to_thread(stdin.readline)
            line = read if read else None
    finally:
        await runtime.close()


async def to_event(driver: ConsoleDriver, line: str, stdin: TextIO) -> Event | None:
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
            phone = await prompt(driver, stdin, "phone number to share: ")
            return Event(
                kind=EventKind.CONTACT, phone=phone, contact_user_id=driver.user_id, **common
            )
        if choice.request_location:
            raw = await prompt(driver, stdin, "latitude,longitude: ")
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
            **common,
        )
    if line.startswith("/"):
        command, args = Event.split_command(line)
        return Event(kind=EventKind.COMMAND, text=line, command=command, args=args, **common)
    return Event(kind=EventKind.TEXT, text=line, **common)


async def prompt(driver: ConsoleDriver, stdin: TextIO, question: str) -> str:
    driver.out.write(question)
    driver.out.flush()
    return (await asyncio.to_thread(stdin.readline)).strip()

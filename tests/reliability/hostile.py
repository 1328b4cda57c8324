"""Hostile input: strategies for what people (and forgers) can send, and checks of the answers.

Telegram delivers whatever a person types — any Unicode, control characters, markup meant for
another parse mode, 4096 characters and (through a forged webhook) more — and any update kind
at any step; a forger can put anything in a button's callback data. The checks hold every
answer of the bot to what Telegram itself would accept in HTML parse mode.
"""

import dataclasses
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from sqlmodel import SQLModel

from handlers import Event, EventKind, Outgoing
from storage.db import Database
from tests.fake_bot_api import ApiError, load_spec, parse_formatted
from tests.fake_bot_api.limits import (
    MAX_CALLBACK_ANSWER_TEXT,
    check_caption,
    check_text,
    validate_reply_markup,
)
from tests.reliability.scene import State

__all__ = [
    "FuzzStats",
    "addressed",
    "callback_data",
    "database_state",
    "events",
    "problems_in",
    "texts",
]

SPEC = load_spec()
UPDATE_IDS = itertools.count(5_000_000)
MARKUP = (
    "<b>",
    "</b>",
    "<i>x</i>",
    '<a href="tg://user?id=1">x</a>',
    "<tg-spoiler>",
    "<pre><code>",
    "&",
    "&amp;",
    "&lt;",
    "&#0;",
    "&nbsp",
    "<",
    ">",
    "</",
    "<br>",
    "<script>alert(1)</script>",
    "*bold*",
    "_it_",
    "`code`",
    "```pre```",
    "[a](http://x)",
    "||spoiler||",
    "\\",
    "%s",
    "{name}",
    "{0}",
    "{}",
    "%(x)s",
    "\x00",
    "\u202e",
    "\ufeff",
)
COMMANDS = (
    "start",
    "cancel",
    "report",
    "help",
    "mycases",
    "language",
    "cases",
    "case",
    "mine",
    "overdue",
    "file",
    "outcome",
    "stats",
    "join",
    "invite",
)
STOCK = ("« Back", "✖ Cancel", "/cancel", "Skip", "0", "-1", "1e9", "NaN", "Anding", "2021-05")
SEPARATORS = ":"
MIME_TYPES = ("application/pdf", "audio/ogg", "image/jpeg", "application/x-msdownload", "")
"""Types the case file takes, one it refuses, and none at all."""
KINDS = (
    *[EventKind.TEXT] * 6,
    *[EventKind.CALLBACK] * 4,
    *[EventKind.COMMAND] * 2,
    *(k for k in EventKind if k not in (EventKind.TEXT, EventKind.CALLBACK, EventKind.COMMAND)),
)
"""Text most often, then presses and commands, then every other kind of update."""

texts = st.one_of(
    st.text(max_size=80),
    st.text(st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "So")), max_size=40),
    st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=6)), max_size=12).map("".join),
    st.tuples(
        st.sampled_from(("a", "我", "😀", "<", "&", "\n", " ", "9")), st.integers(2000, 12_000)
    ).map(lambda pair: pair[0] * pair[1]),
    st.from_regex(r"[0-9０-９+\-.,/ 万千元¥年月日:]{1,30}", fullmatch=True),
    st.sampled_from(STOCK),
)


def callback_data(real: Sequence[str]) -> st.SearchStrategy[str]:
    """Payloads the bot drew, the same altered, made up, and too long for Telegram."""
    prefixes = sorted({data.split(SEPARATORS, 1)[0] for data in real}) or ["x"]
    part = st.one_of(
        st.text(max_size=12),
        st.integers(-(2**63), 2**63).map(str),
        st.sampled_from(("0", "-1", "2147483648", "99999", "accept", "all", "back", "e.name")),
    )
    forged = st.tuples(st.sampled_from(prefixes), st.lists(part, min_size=0, max_size=4)).map(
        lambda pair: SEPARATORS.join([pair[0], *pair[1]])
    )
    altered = st.tuples(st.sampled_from(list(real) or ["x"]), part).map(
        lambda pair: pair[0].rsplit(SEPARATORS, 1)[0] + SEPARATORS + pair[1]
    )
    oversized = st.tuples(st.sampled_from(list(real) or ["x"]), st.integers(65, 400)).map(
        lambda pair: (pair[0] + ":" + "9" * pair[1])[: pair[1]]
    )
    return st.one_of(st.sampled_from(list(real) or ["x"]), altered, forged, oversized, texts)


def command_text() -> st.SearchStrategy[str]:
    name = st.one_of(st.sampled_from(COMMANDS), st.text(min_size=0, max_size=20))
    return st.tuples(name, texts).map(lambda pair: f"/{pair[0]} {pair[1]}".rstrip())


SENDER = 1
"""Stands for whoever is in the state the event is sent into (see ``addressed``)."""


def addressed(event: Event, state: State) -> Event:
    """The event as sent by the person of ``state``, in that state's chat."""
    own = event.contact_user_id == SENDER
    return dataclasses.replace(
        event,
        update_id=next(UPDATE_IDS),
        chat_id=state.chat_id,
        chat_type=state.chat_type,
        user_id=state.user_id,
        contact_user_id=state.user_id if own else event.contact_user_id,
    )


@st.composite
def events(draw: st.DrawFn, real_data: Sequence[str]) -> Event:
    """Any update a person (or a forger) could send; ``addressed`` puts it in a chat."""
    kind = draw(st.sampled_from(KINDS))
    fields: dict[str, Any] = {}
    if kind == EventKind.TEXT:
        fields["text"] = draw(texts)
    elif kind == EventKind.COMMAND:
        text = draw(command_text())
        command, args = Event.split_command(text)
        fields.update(text=text, command=command, args=args)
    elif kind == EventKind.CALLBACK:
        fields.update(
            callback_id=draw(st.text(min_size=1, max_size=20)),
            callback_data=draw(callback_data(real_data)),
            message_id=draw(st.integers(1, 2**31 - 1)),
        )
    elif kind == EventKind.CONTACT:
        fields.update(
            phone=draw(texts),
            contact_user_id=draw(st.one_of(st.none(), st.just(SENDER), st.integers(2))),
        )
    elif kind == EventKind.LOCATION:
        coordinate = st.floats(allow_nan=False, allow_infinity=False, width=32)
        fields.update(latitude=draw(coordinate), longitude=draw(coordinate))
    elif kind in (EventKind.PHOTO, EventKind.DOCUMENT, EventKind.VOICE, EventKind.AUDIO):
        fields.update(
            file_id=draw(st.text(min_size=1, max_size=100)),
            file_unique_id=draw(st.text(min_size=1, max_size=40)),
            mime_type=draw(st.one_of(st.none(), st.sampled_from(MIME_TYPES), texts)),
            file_size=draw(st.one_of(st.none(), st.integers(0, 2**40))),
        )
        if kind in (EventKind.DOCUMENT, EventKind.AUDIO):
            fields["file_name"] = draw(st.one_of(st.none(), texts))
        if kind in (EventKind.VOICE, EventKind.AUDIO):
            fields["duration"] = draw(st.one_of(st.none(), st.integers(0, 2**31 - 1)))
    return Event(
        update_id=0,
        kind=kind,
        chat_id=SENDER,
        user_id=SENDER,
        user_name=draw(st.one_of(st.just("Wang"), texts)),
        language_code=draw(st.sampled_from((None, "en", "zh", "xx"))),
        **fields,
    )


def problems_in(outgoing: Sequence[Outgoing]) -> list[str]:
    """What Telegram would refuse in these messages (HTML parse mode, lengths, keyboards)."""
    found = []
    for message in outgoing:
        payload = message.to_json()
        try:
            if "text" in payload:
                check_text(parse_formatted(payload["text"], payload.get("parse_mode")))
            if payload.get("caption"):
                check_caption(parse_formatted(payload["caption"], payload.get("parse_mode")))
            if "reply_markup" in payload:
                validate_reply_markup(payload["reply_markup"], SPEC)
            answer = payload.get("text") if message.method == "answerCallbackQuery" else None
            if answer is not None and len(answer) > MAX_CALLBACK_ANSWER_TEXT:
                raise ApiError.bad_request("MESSAGE_TOO_LONG")
        except ApiError as error:
            found.append(f"{message.method} to {message.chat_id}: {error}: {payload}"[:600])
    return found


def longest(outgoing: Sequence[Outgoing]) -> int:
    lengths = [0]
    for message in outgoing:
        text = message.to_json().get("text")
        if isinstance(text, str) and message.method != "answerCallbackQuery":
            lengths.append(len(parse_formatted(text, "HTML").text))
    return max(lengths)


@dataclass
class FuzzStats:
    inputs: int = 0
    """Random inputs drawn (Hypothesis examples)."""
    deliveries: int = 0
    """Inputs handled: each input at every step."""
    kinds: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    replies: int = 0
    longest_reply: int = 0
    problems: list[str] = field(default_factory=list)

    def note(self, state: State, event: Event, outgoing: Sequence[Outgoing]) -> None:
        self.deliveries += 1
        self.kinds[event.kind.value] += 1
        self.states[state.label] += 1
        self.replies += len(outgoing)
        self.longest_reply = max(self.longest_reply, longest(outgoing))
        self.problems += problems_in(outgoing)


SKIPPED_TABLES = ("inboxevent", "outboxmessage", "senderheartbeat", "alembic_version")


async def database_state(db: Database) -> dict[str, list[str]]:
    """Every row of every table the handlers write, as text: equal before and after ⇔ no
    state change."""
    state: dict[str, list[str]] = {}
    async with db.reader() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            if table.name in SKIPPED_TABLES:
                continue
            rows = (await connection.execute(table.select())).all()
            state[table.name] = sorted(repr(tuple(row)) for row in rows)
    return state

"""Hostile input: fuzzing every intake and staff step, forged presses, webhook secrets, logs.

Hypothesis throws random text (any Unicode, control characters, HTML and Markdown markup, format
placeholders, up to 12,000 characters), commands, button presses with real, altered, made-up
and oversized callback data, contacts, locations, files, stickers, voice and membership changes
at every step a worker or a staff member can be in (``scene.py`` walks them there). The handlers
run in-process, as the pipeline runs them (``handlers.dispatch.handle_event`` in one
transaction). Whatever arrives: no unhandled exception, and every answer is one Telegram accepts
in HTML parse mode (parsed with the fake Bot API's own parser, at most 4096 characters, valid
keyboards). What a worker typed is shown exactly as typed.

Presses by people who may not act (a stranger, a worker, staff of another department) and
forged, stale or oversized payloads change nothing in the database. Webhook calls without the
secret, or with a wrong one, are refused and store nothing. And while a report is filed end to
end (inbox → handlers → outbox → sender), no worker's phone number or ID number reaches the log
at INFO level.
"""

import itertools
import logging
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import col, func, select
from telegram import Update

from bot.clock import SystemClock
from bot.drivers.webhook import SECRET_HEADER, WebhookReceiver
from bot.pipeline import Pipeline, storable
from bot.ratelimit import Limits, SendLimiter
from bot.sender import Sender
from bot.transport import Rejected, TransientError
from handlers import Event, EventKind, HandlerConfig, Outgoing, handle_event
from handlers.parsing import ParseError, parse_free_text, parse_name
from handlers.replies import AnswerCallback
from storage.conversations import lock_conversation
from storage.db import Database
from storage.models import InboxEvent, OutboxMessage, OutboxStatus
from storage.repositories import ports
from tests.e2e.botprocess import free_port
from tests.fake_bot_api import parse_formatted
from tests.reliability.figures import Figures
from tests.reliability.hostile import (
    FuzzStats,
    addressed,
    callback_data,
    database_state,
    events,
    problems_in,
    texts,
)
from tests.reliability.scene import (
    GROUP,
    OTHER_GROUP,
    OTHER_HANDLER,
    STRANGER,
    Scene,
    State,
    build_scene,
)
from tests.support.chat import WorkerChat, complete_report
from tests.support.clock import FakeClock
from tests.support.transport import FAST, ScriptedTransport
from tests.support.waiting import until

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
SELF_SERVICE = ("lang", "m", "visit", "in")
"""Buttons anyone may press in their own chat (language, menu, booking, their report)."""
SECRET = "the-right-secret_0123456789"
PHONE = "138 1234 5678"
ID_NUMBER = "11010519491231002X"
"""A resident identity card number in the documented format (the example of GB 11643)."""
FREE_TEXT = st.text(max_size=120)
users = itertools.count(20_000)


@pytest.fixture
async def scene(db: Database, config: HandlerConfig, clock: FakeClock) -> Scene:
    return await build_scene(db, config, clock)


@pytest.fixture
def stats(figures: Figures) -> Iterator[FuzzStats]:
    found = FuzzStats()
    yield found
    figures.add("random inputs (Hypothesis examples)", found.inputs)
    figures.add("steps, each given every input", len(found.states))
    figures.add("inputs handled (inputs × steps)", found.deliveries)
    figures.add("event kinds", ", ".join(f"{k} {n}" for k, n in sorted(found.kinds.items())))
    figures.add("replies checked (HTML, ≤ 4096, keyboards)", found.replies)
    figures.add("longest reply (characters)", found.longest_reply)
    figures.add("invalid replies", len(found.problems))
    figures.add("unhandled exceptions", "0 (any would fail the test)")


@pytest.fixture
def tally(figures: Figures) -> Iterator[Counter[str]]:
    """Counts a test keeps across its examples; written to its figures at the end."""
    counts: Counter[str] = Counter()
    yield counts
    for name, count in counts.items():
        figures.add(name, count)


async def deliver(scene: Scene, event: Event) -> list[Outgoing]:
    """One event, one transaction, as the pipeline handles it (stored as ``accept`` stores it)."""
    now = scene.bench.clock.now()
    async with scene.db.transaction() as session:
        conversation = await lock_conversation(session, event.chat_id, now)
        return await handle_event(
            session, scene.bench.config, storable(event), now, conversation, ports(session)
        )


class StoredChat(WorkerChat):
    """A worker whose every update passes through the pipeline's ``accept`` first."""

    async def deliver(self, event: Event) -> list[Outgoing]:
        return await super().deliver(storable(event))


async def at_every_step(scene: Scene, stats: FuzzStats, group: str, event: Event) -> None:
    """The same input at every step of ``group``, each from the same starting point."""
    stats.inputs += 1
    for state in scene.of(group):
        sent = addressed(event, state)
        await scene.restore(state)
        outgoing = await deliver(scene, sent)
        stats.note(state, sent, outgoing)
        problems = problems_in(outgoing)
        assert not problems, (state.label, problems)


@FUZZ
@given(data=st.data())
async def test_every_intake_step_answers_any_input_with_a_valid_message(
    scene: Scene, stats: FuzzStats, data: st.DataObject
) -> None:
    event = data.draw(events(scene.button_data()), label="event")
    await at_every_step(scene, stats, "intake", event)


@FUZZ
@given(data=st.data())
async def test_every_staff_step_answers_any_input_with_a_valid_message(
    scene: Scene, stats: FuzzStats, data: st.DataObject
) -> None:
    event = data.draw(events(scene.button_data()), label="event")
    await at_every_step(scene, stats, "staff", event)


def cleaned(text: str, limit: int) -> str | None:
    try:
        return parse_free_text(text, limit)
    except ParseError:
        return None


@settings(FUZZ, max_examples=40)  # each a whole report
@given(
    name=st.text(min_size=1, max_size=30).map(lambda s: "Wang " + s),
    employer=FREE_TEXT.map(lambda s: "E" + s),
    project=FREE_TEXT.map(lambda s: "P" + s),
    site=FREE_TEXT.map(lambda s: "S" + s),
    account=FREE_TEXT.map(lambda s: "A" + s),
    files=st.lists(texts, max_size=2),
)
async def test_what_a_worker_typed_is_shown_exactly_as_typed(
    db: Database,
    config: HandlerConfig,
    clock: FakeClock,
    figures: Figures,
    tally: Counter[str],
    name: str,
    employer: str,
    project: str,
    site: str,
    account: str,
    files: list[str],
) -> None:
    try:
        shown = {"name": parse_name(name)}
    except ParseError:
        assume(False)
    for key, value, limit in (
        ("employer", employer, 200),
        ("project", project, 200),
        ("site", site, 300),
        ("account", account, 2000),
    ):
        clean = cleaned(value, limit)
        assume(clean is not None)
        shown[key] = str(clean)
    assume(all(not v.startswith("/") for v in (name, employer, project, site, account)))
    chat = StoredChat(db, config, clock, next(users))
    await complete_report(
        chat,
        submit=False,
        name=name,
        employer=employer,
        project=project,
        site=site,
        account=account,
        workers="1",
    )
    if files:
        await chat.press("Evidence")
        for file_name in files:
            await chat.send_document(file_name)
        await chat.press("Done")
    review = parse_formatted(chat.last.text, "HTML").text
    assert "Please check your report" in review, review
    for key, value in shown.items():
        assert value in review, (key, value, review)
    await chat.press("Submit report")
    alert = parse_formatted(chat.bench.sent[-1].text, "HTML").text
    for key in ("employer", "project", "site"):
        assert shown[key] in alert, (key, shown[key], alert)
    figures.title = "typed text comes back literally (review screen, department alert)"
    tally["reports with random text, shown literally"] += 1
    tally["documents with random names attached"] += len(files)
    tally["answers containing < > & or markup"] += sum(
        any(c in v for c in "<>&*_`[") for v in shown.values()
    )


PRESSERS = {
    "stranger in the department group": (STRANGER, GROUP, "any"),
    "stranger in private": (STRANGER, STRANGER, "any"),
    "handler of another department, its group": (OTHER_HANDLER, OTHER_GROUP, "any"),
    "handler of another department, this group": (OTHER_HANDLER, GROUP, "any"),
    "a worker, in private": (503, 503, "any"),
    "the case's own handler, forged data": (901, GROUP, "forged"),
    "the case's own handler, stale buttons": (901, GROUP, "stale"),
}


@settings(FUZZ, max_examples=400)
@given(data=st.data())
async def test_presses_that_may_not_act_change_nothing(
    scene: Scene, figures: Figures, tally: Counter[str], data: st.DataObject
) -> None:
    real = [d for d in scene.button_data() if d.split(":", 1)[0] not in SELF_SERVICE]
    who = data.draw(st.sampled_from(sorted(PRESSERS)), label="presser")
    user, chat, what = PRESSERS[who]
    if what == "stale":
        payload = data.draw(
            st.sampled_from(
                [f"case:{scene.closed_case}:{verb}" for verb in ("accept", "resolve", "note")]
            )
        )
    elif what == "forged":
        payload = data.draw(callback_data(real).filter(lambda d: d not in real))
    else:
        payload = data.draw(callback_data(real))
    state = State("presser", "staff", chat, user, None, None, {})
    await scene.restore(state)
    before = await database_state(scene.db)
    event = Event(
        update_id=next(users),
        kind=EventKind.CALLBACK,
        chat_id=chat,
        chat_type="private" if chat > 0 else "supergroup",
        user_id=user,
        callback_id=uuid.uuid4().hex,
        callback_data=payload,
        message_id=1,
    )
    outgoing = await deliver(scene, event)
    after = await database_state(scene.db)
    changed = {
        table: (sorted(set(before[table]) - set(rows)), sorted(set(rows) - set(before[table])))
        for table, rows in after.items()
        if rows != before[table]
    }
    assert not changed, (who, payload, changed)
    assert not problems_in(outgoing)
    figures.title = "presses by people who may not act; forged, stale and oversized data"
    tally["presses (database rows changed: 0)"] += 1
    tally["answered with a refusal or 'no longer active'"] += any(
        isinstance(m, AnswerCallback) and m.text for m in outgoing
    )
    tally["oversized callback data (> 64 bytes)"] += len(payload.encode()) > 64
    tally[f"by {who}"] += 1


@pytest.fixture
async def receiver(db: Database, config: HandlerConfig) -> AsyncIterator[tuple[str, Pipeline]]:
    pipeline = Pipeline(db, config, SystemClock(), lambda: None)
    hook = WebhookReceiver(pipeline, SECRET, partial(Update.de_json, bot=None))
    port = free_port()
    await hook.start("127.0.0.1", port)
    yield f"http://127.0.0.1:{port}/telegram", pipeline
    await hook.stop()


def update_json(update_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": 777, "type": "private", "first_name": "W"},
            "from": {"id": 777, "is_bot": False, "first_name": "W"},
            "text": "/start",
        },
    }


async def inbox_rows(db: Database) -> int:
    async with db.reader() as session:
        return int((await session.exec(select(func.count()).select_from(InboxEvent))).one())


WRONG_SECRETS = st.one_of(
    st.none(),
    st.just(""),
    st.just(SECRET.upper()),
    st.just(SECRET[:-1]),
    st.just(SECRET + "x"),
    st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=80),
).filter(lambda s: s != SECRET)


@settings(FUZZ, max_examples=60)
@given(secret=WRONG_SECRETS, garbage=st.booleans())
async def test_webhook_calls_without_the_right_secret_are_refused_and_store_nothing(
    db: Database,
    receiver: tuple[str, Pipeline],
    figures: Figures,
    tally: Counter[str],
    secret: str | None,
    garbage: bool,
) -> None:
    url, _ = receiver
    headers = {} if secret is None else {SECRET_HEADER: secret}
    body: Any = "not json {" if garbage else update_json(next(users))
    before = await inbox_rows(db)
    async with aiohttp.ClientSession() as client:
        kwargs: dict[str, Any] = {"data": body} if garbage else {"json": body}
        async with client.post(url, headers=headers, **kwargs) as answer:
            status = answer.status
        async with client.post(
            url, headers={SECRET_HEADER: SECRET}, json=update_json(next(users))
        ) as control:
            accepted = control.status
    assert status == 401
    assert await inbox_rows(db) == before + 1, "only the call with the right secret is stored"
    assert accepted == 200
    figures.title = "webhook calls without or with a wrong secret"
    tally["calls without the right secret: 401, nothing stored"] += 1
    tally["... of them without any secret header"] += secret is None
    tally["... of them with a body that is no update"] += garbage
    tally["control calls with the right secret: 200, stored"] += 1


async def unsettled(db: Database) -> int:
    async with db.reader() as session:
        statement = select(func.count()).where(
            col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
        )
        return int((await session.exec(statement)).one())


def phone_forms() -> list[str]:
    digits = PHONE.replace(" ", "")
    return [PHONE, digits, "+86" + digits, "+86 " + PHONE, ID_NUMBER, ID_NUMBER[:17]]


async def test_no_phone_or_id_number_reaches_the_log_at_info(
    db: Database,
    config: HandlerConfig,
    caplog: pytest.LogCaptureFixture,
    figures: Figures,
) -> None:
    caplog.set_level(logging.INFO)
    transport = ScriptedTransport(
        failures=[TransientError("Bad Gateway"), Rejected("Bad Request: chat not found")],
        fails_for=lambda method, chat: chat < 0,
    )
    clock = SystemClock()
    sender = Sender(db, transport, FAST, clock, SendLimiter(Limits.of(FAST)))
    pipeline = Pipeline(db, config, clock, sender.wake)
    user = 4242
    turns: list[tuple[EventKind, dict[str, Any]]] = [
        (EventKind.COMMAND, {"text": "/start", "command": "start"}),
        (EventKind.CALLBACK, {"callback_data": "lang:en"}),
        (EventKind.CALLBACK, {"callback_data": "m:report"}),
        (EventKind.CALLBACK, {"callback_data": f"privacy:ok:{config.privacy.tag}"}),
        (EventKind.TEXT, {"text": ID_NUMBER}),  # an ID number where the name is asked
        (EventKind.TEXT, {"text": "Wang Wu"}),
        (EventKind.TEXT, {"text": ID_NUMBER}),  # and where the phone is asked
        (EventKind.TEXT, {"text": PHONE}),
        (EventKind.TEXT, {"text": "anding"}),
        (EventKind.TEXT, {"text": "construction"}),
        (EventKind.TEXT, {"text": f"Boss Zhang, call {PHONE}"}),
        (EventKind.TEXT, {"text": "Road works"}),
        (EventKind.TEXT, {"text": "Longxi"}),
        (EventKind.TEXT, {"text": "5万"}),
        (EventKind.TEXT, {"text": "1"}),
        (EventKind.TEXT, {"text": "2026-06"}),
        (EventKind.TEXT, {"text": f"My ID is {ID_NUMBER}, phone {PHONE}."}),
        (EventKind.CALLBACK, {"callback_data": "in:evidence:done"}),
        (EventKind.CALLBACK, {"callback_data": f"case:{ID_NUMBER}:accept"}),  # forged
        (EventKind.CALLBACK, {"callback_data": "in:review:submit"}),
    ]
    for number, (kind, fields) in enumerate(turns):
        if kind == EventKind.CALLBACK:
            fields = {**fields, "callback_id": f"q{number}", "message_id": 1}
        event = Event(
            update_id=900_000 + number,
            kind=kind,
            chat_id=user,
            user_id=user,
            user_name="Wang Wu",
            **fields,
        )
        await pipeline.accept([event])
        await pipeline.drain()
        await sender.drain()

    async def all_delivered() -> bool:
        await sender.drain()
        return not await unsettled(db)

    await until(all_delivered, 10, every=0.02, what="the outbox delivered")  # retries are due later
    logged = "\n".join(
        record.getMessage() + (f"\n{record.exc_text}" if record.exc_text else "")
        for record in caplog.records
        if record.levelno >= logging.INFO
    )
    leaked = [form for form in phone_forms() if form in logged]
    delivered = "\n".join(transport.delivered(user))
    figures.title = "a report filed end to end, log captured at INFO"
    figures.add("log records at INFO or above", len(caplog.records))
    figures.add("Bot API calls (two failed on purpose)", len(transport.calls))
    figures.add("phone or ID numbers in the log", len(leaked))
    assert "Your report was received" in delivered
    assert leaked == [], leaked

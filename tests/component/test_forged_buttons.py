"""Forged numbers on every button the bot draws are refused like a stale button, and the chat is
served afterwards — on SQLite and PostgreSQL, through the real pipeline.

On PostgreSQL a survey id beyond int32 (``sv:3000000000:paid:full``) used to fail the chat's
transaction with a database error that the pipeline retried for ever, freezing the chat.
"""

import pytest
from sqlalchemy import BigInteger, Integer

from bot.pipeline import APOLOGY, Pipeline
from handlers import HandlerConfig, callbacks
from handlers.report_arrears import steps
from handlers.router import build_router
from storage.db import Database
from storage.models import Case, Consultation, InboxStatus, Survey, VisitBooking
from tests.support.clock import FakeClock
from tests.support.people import make_staff
from tests.support.pipeline_chat import PipelineChat, Said

TEMPLATES = {
    "case": ("case:#:accept", "case:#:contact", "case:#:evidence"),
    "cases": ("cases:open:#", "cases:log:#:1", "cases:log:1:*", "cases:page:open:*"),
    "cons": ("cons:#:yes", "cons:#:outcome"),
    "paycheck": ("paycheck:#:yes",),
    "privacy": ("privacy:ok:*", "privacy:*:0"),
    "sv": ("sv:#:paid:full", "sv:#:rate:5", "sv:#:new:no"),
    "visit": ("visit:c:#", "visit:cc:#", "visit:k:#", "visit:p:*", "visit:d:city.hrss:*"),
    "cf": ("cf:amount:*", "cf:workers:*"),
    "consf": ("consf:day:*", "consf:time:*"),
    "conso": ("conso:due:*", "conso:amount:*"),
    "m": ("m:*",),
    "lang": ("lang:*",),
    "in": ("in:name:*", "in:since:y*"),
    "mydata": ("mydata:*",),
}
"""Each button prefix the bot draws, with the shapes of its payloads: ``#`` is where a row's id
goes, ``*`` another number or choice (a page, a year, a date, an amount)."""

OFFICER = PRIVATE = 7001
DEPARTMENT_GROUP = -1001000000101
"""安定区住建局's group in bot/routing.example.toml, where the officer works."""
UNKNOWN_ID = str(callbacks.LARGEST_ID)
"""A well-formed id that names no row: what a stale button carries. Every forged value must be
refused without an apology; in an id's place, with the very answer a stale button gets."""

FORGED = (
    str(2**31),
    str(2**63),
    str(10**100),
    "-1",
    str(-(2**31) - 1),
    "0",
    "abc",
    "",
    "²",
    "1e3",
)


def drawn_prefixes() -> set[str]:
    """Prefixes the router names (any chat's and the worker's menu), and the report's (read
    by the report flow)."""
    router = build_router()
    return set(router.presses) | set(router.worker_presses) | {steps.PREFIX}


def forged(template: str) -> list[str]:
    """Every forged value in the template's number slot, and numbers that fill the payload to
    Telegram's 64 bytes and one byte beyond."""
    room = callbacks.MAX_BYTES - len(fill(template, "").encode())
    return [fill(template, v) for v in (*FORGED, "9" * room, "9" * (room + 1))]


def fill(template: str, value: str) -> str:
    return template.replace("#", value).replace("*", value)


def test_every_prefix_the_bot_draws_has_forged_payloads() -> None:
    assert set(TEMPLATES) == drawn_prefixes()


def test_every_row_a_button_names_has_a_32_bit_id() -> None:
    """``callbacks.LARGEST_ID`` bounds them; a BIGINT id would need its own bound."""
    for table in (Case, Consultation, Survey, VisitBooking):
        column = table.__table__.c.id  # type: ignore[attr-defined]
        assert isinstance(column.type, Integer) and not isinstance(column.type, BigInteger)


@pytest.mark.parametrize("text", [*FORGED, "9" * 64, " 1", "1 ", "+1", "０"])
def test_the_one_parser_refuses_anything_but_a_positive_number_within_the_bound(text: str) -> None:
    with pytest.raises(callbacks.CallbackDataError):
        callbacks.parse_id(text)


def test_the_one_parser_takes_numbers_up_to_the_bound_it_is_given() -> None:
    assert callbacks.parse_id("1") == 1
    assert callbacks.parse_id(UNKNOWN_ID) == callbacks.LARGEST_ID
    assert callbacks.parse_id("2026", largest=2026) == 2026
    with pytest.raises(callbacks.CallbackDataError):
        callbacks.parse_id("2027", largest=2026)


@pytest.mark.parametrize("chat_id", [PRIVATE, DEPARTMENT_GROUP], ids=["private", "group"])
@pytest.mark.parametrize("prefix", sorted(TEMPLATES))
async def test_forged_numbers_are_refused_as_stale_and_the_chat_is_still_served(
    db: Database, config: HandlerConfig, clock: FakeClock, prefix: str, chat_id: int
) -> None:
    """Pressed by a handler, who may use every kind of button (as a worker too), so that it is
    the number, not who presses, that the answer is about; in a private chat and in the
    department's group."""
    await make_staff(db, clock, OFFICER)
    chat = PipelineChat(Pipeline(db, config, clock, lambda: None), db, chat_id, OFFICER)
    private = chat_id == PRIVATE
    if private:
        await chat.send(chat.command("/start"))
    if private and prefix == steps.PREFIX:
        await chat.send(chat.command("/report"))
    for template in TEMPLATES[prefix]:
        stale = await chat.send(chat.press(fill(template, UNKNOWN_ID)))
        assert_refused(stale, template)
        for data in forged(template):
            said = await chat.send(chat.press(data))
            assert_refused(said, data)
            if "#" in template and well_formed(data):
                assert said.answer_texts == stale.answer_texts, data
                assert said.messages == stale.messages, data
    served = await chat.send(chat.command("/help" if private else "/cases"))
    assert served.status == InboxStatus.DONE and served.messages


def well_formed(data: str) -> bool:
    """A payload of a shape ``callbacks.pack`` makes (no empty part, at most 64 bytes): a forged
    id in it must get what a stale button (an id naming no row) gets. The bot could not have
    drawn other payloads at all (Telegram would not even carry one over 64 bytes): they are
    refused as invalid."""
    return all(data.split(callbacks.SEPARATOR)) and len(data.encode()) <= callbacks.MAX_BYTES


def assert_refused(said: Said, data: str) -> None:
    """Handled (not set aside), answered once, and no apology: the press was understood as
    one the bot cannot act on."""
    assert (said.status, said.error, said.attempts) == (InboxStatus.DONE, None, 0), data
    assert len(said.answers) == 1, data
    assert all(APOLOGY not in m.get("text", "") for m in said.messages), data

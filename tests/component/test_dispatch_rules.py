"""The rules between the router's tables: which commands work whatever is open, what an open
report or form is sent, and what is said to a command or button no table names."""

from dataclasses import replace

import pytest

from handlers import HandlerConfig
from handlers.staff import case_forms
from storage.conversations import lock_conversation, save_conversation
from storage.db import Database
from tests.support.chat import WorkerChat
from tests.support.clock import FakeClock

DEPARTMENT_GROUP = -1001000000101


@pytest.fixture
def english(config: HandlerConfig) -> HandlerConfig:
    """Groups and staff's forms speak the bureau's language: English here, to read them."""
    return replace(config, default_language="en")


@pytest.fixture
async def chat(db: Database, english: HandlerConfig, clock: FakeClock) -> WorkerChat:
    chat = WorkerChat(db, english, clock)
    await chat.send("/start")
    await chat.press("English")
    return chat


async def open_case_form(chat: WorkerChat) -> None:
    """The chat as a staff form leaves it, waiting for a typed answer."""
    async with chat.db.transaction() as session:
        conversation = await lock_conversation(session, chat.chat_id, chat.clock.now())
        save_conversation(
            session,
            conversation,
            chat.clock.now(),
            flow=case_forms.FORM.flow,
            step="text",
            data={"case": 1, "action": "note", "step": "text", "values": {}},
        )


async def test_with_nothing_open_cancel_and_unknown_commands_are_told_apart(
    chat: WorkerChat,
) -> None:
    await chat.send("/cancel")
    assert chat.last.text == "There is nothing to cancel."
    assert "Report unpaid wages" in " ".join(chat.button_labels())
    await chat.send("/nonsense")
    assert chat.last.text == "I do not know that command."


async def test_an_open_report_answers_unknown_commands_and_cancel_itself(
    chat: WorkerChat,
) -> None:
    await chat.begin_report()
    await chat.send("/nonsense")
    assert "Please answer the question, or use /cancel to stop the report." in chat.last.text
    await chat.send("/cancel")
    assert chat.last.text.startswith("Discard this report?")


async def test_the_workers_commands_work_while_a_report_is_open(chat: WorkerChat) -> None:
    await chat.begin_report()
    await chat.send("/help")
    assert "Your rights" in chat.last.text
    await chat.press("Continue my report")
    assert "Discard" not in chat.last.text


async def test_a_form_takes_cancel_but_not_unknown_commands(chat: WorkerChat) -> None:
    await open_case_form(chat)
    await chat.send("/nonsense")
    assert chat.last.text == "I do not know that command."
    await chat.send("/cancel")
    assert chat.last.text == "Cancelled; nothing changed."
    await chat.send("/cancel")
    assert chat.last.text == "There is nothing to cancel."


async def test_a_stale_button_in_a_private_chat_is_no_longer_active(chat: WorkerChat) -> None:
    for data in ("in:name:x", "m:nope", "m:a:b", "lang"):
        await chat.press_data(data)
        assert chat.answers[-1].text == "This button is no longer active.", data


async def test_in_a_group_the_workers_commands_are_not_answered_and_buttons_not_valid(
    db: Database, english: HandlerConfig, clock: FakeClock
) -> None:
    group = WorkerChat(db, english, clock, chat_id=DEPARTMENT_GROUP)
    for command in ("/start", "/help", "/cancel", "/nonsense"):
        assert await group.send(command) == [], command
    for data in ("m:help", "lang:en", "in:name:x"):
        await group.press_data(data)
        assert group.answers[-1].text == "This button is not valid.", data
        assert group.answers[-1].show_alert

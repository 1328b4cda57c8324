"""The one rule for what a failed Bot API call means, and both drivers' use of it."""

import json

import httpx
import pytest
from aiogram.exceptions import ClientDecodeError
from pydantic import SecretStr
from telegram import error as tg

from bot.drivers import aiogram_driver, ptb_driver
from bot.drivers.aiogram_driver import AiogramDriver
from bot.settings import Settings
from bot.transport import (
    DeliveryError,
    Rejected,
    RetryAfter,
    TransientError,
    Unauthorized,
    Unreachable,
    from_telegram,
    without_answer,
)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, Rejected),
        (404, Rejected),
        (413, Rejected),
        (401, Unauthorized),
        (403, Unreachable),
        (409, TransientError),
        (418, TransientError),
        (500, TransientError),
        (502, TransientError),
        (None, TransientError),
    ],
)
def test_only_telegrams_own_refusals_are_final(
    status: int | None, kind: type[DeliveryError]
) -> None:
    assert type(from_telegram(status, "said")) is kind


@pytest.mark.parametrize(
    "description",
    [
        "Bad Request: chat not found",
        "Bad Request: bot is not a member of the supergroup chat",
        "Bad Request: group chat was upgraded to a supergroup chat",
    ],
)
def test_a_400_saying_the_chat_is_gone_means_unreachable_as_a_403_does(description: str) -> None:
    assert type(from_telegram(400, description)) is Unreachable
    assert type(from_telegram(400, "Bad Request: message text is empty")) is Rejected


def test_a_retry_after_wins_over_the_status() -> None:
    found = from_telegram(400, "Too Many Requests", retry_after=3)
    assert isinstance(found, RetryAfter) and found.seconds == 3


def test_a_failure_without_an_answer_is_transient_in_one_short_line() -> None:
    found = without_answer(ValueError("<html>\n" + "x" * 1000))
    assert found.maybe_executed and "\n" not in str(found) and len(str(found)) < 250


def test_aiogram_an_html_page_is_transient_not_a_crash() -> None:
    page = ClientDecodeError("Failed to decode object", ValueError("no JSON"), "<html>502</html>")
    found = aiogram_driver.delivery_error(page)
    assert isinstance(found, TransientError) and found.maybe_executed


def test_aiogram_an_exception_nobody_listed_is_transient() -> None:
    assert isinstance(aiogram_driver.delivery_error(KeyError("x")), TransientError)


@pytest.mark.parametrize("body", [b"", b'{"ok":true,"result":{"mess', b"<html>502</html>"])
def test_ptb_a_body_not_in_telegrams_words_is_transient(body: bytes) -> None:
    answer = ptb_driver.answer_of(200, body)
    found = ptb_driver.delivery_error(tg.TelegramError("Invalid server response"), answer)
    assert isinstance(found, TransientError) and found.maybe_executed


def test_ptb_telegrams_own_words_decide() -> None:
    body = json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: x"})
    found = ptb_driver.delivery_error(tg.BadRequest("x"), ptb_driver.answer_of(400, body.encode()))
    assert isinstance(found, Rejected) and str(found) == "Bad Request: x"
    nginx = ptb_driver.answer_of(400, b"<html>400 Bad Request</html>")
    assert isinstance(ptb_driver.delivery_error(tg.BadRequest("x"), nginx), TransientError)


def test_ptb_a_refused_connection_was_not_executed() -> None:
    error = tg.NetworkError("connect")
    error.__cause__ = httpx.ConnectError("refused")
    found = ptb_driver.delivery_error(error, None)
    assert isinstance(found, TransientError) and not found.maybe_executed


async def test_aiogram_a_request_it_cannot_build_is_refused_without_quoting_its_values(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pydantic's message quotes the input (the text being sent, a worker's phone): the row's
    error and the log get the fields and what is wrong with them, not the values."""
    monkeypatch.setattr(settings.bot, "token", SecretStr("123456:" + "A" * 35))
    driver = AiogramDriver(settings)
    try:
        with pytest.raises(Rejected) as refused:
            await driver.call(
                "sendMessage", 7, {"text": "13812345678", "reply_markup": 13812345678}
            )
    finally:
        await driver.close()
    assert "13812345678" not in str(refused.value)
    assert "reply_markup" in str(refused.value)

"""Tests of the fake Bot API itself: if the fake is wrong, every end-to-end test is wrong.

Plain aiohttp calls pin down the wire behaviour (status codes, error shapes, limits); the real
aiogram and python-telegram-bot clients prove that both drivers can talk to it unchanged.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from tests.fake_bot_api import (
    GLOBAL_SCOPE,
    NGINX_502,
    RAW_ANSWERS,
    ApiError,
    BotMessage,
    FakeBotAPI,
    RawAnswer,
    default_spec_path,
    load_spec,
    parse_formatted,
)
from tests.support.waiting import until

JsonDict = dict[str, Any]
INLINE = {
    "inline_keyboard": [
        [{"text": "Yes", "callback_data": "yes"}],
        [{"text": "No", "callback_data": "no"}],
    ]
}


def relaxed(**kwargs: Any) -> FakeBotAPI:
    """A fake whose flood limits never get in the way of functional tests."""
    limits: dict[str, Any] = {
        "global_per_second": 10_000.0,
        "private_per_second": 10_000.0,
        "group_per_minute": 100_000.0,
    }
    return FakeBotAPI(**{**limits, **kwargs})


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with relaxed() as api:
        yield api


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, fake: FakeBotAPI, method: str, /, **params: Any
) -> tuple[int, JsonDict]:
    """POST a JSON body like a JSON-speaking client would."""
    async with http.post(f"{fake.api_base}/bot{fake.token}/{method}", json=params) as resp:
        return resp.status, await resp.json()


async def call_form(
    http: aiohttp.ClientSession, fake: FakeBotAPI, method: str, /, **params: Any
) -> tuple[int, JsonDict]:
    """POST urlencoded form data with JSON-encoded complex values (PTB's wire format)."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with http.post(f"{fake.api_base}/bot{fake.token}/{method}", data=form) as resp:
        return resp.status, await resp.json()


async def send(
    http: aiohttp.ClientSession, fake: FakeBotAPI, chat_id: int, text: str, **extra: Any
) -> tuple[int, JsonDict]:
    return await call(http, fake, "sendMessage", chat_id=chat_id, text=text, **extra)


# --- protocol basics ----------------------------------------------------------------------------


async def test_get_me_case_insensitive_get_and_post(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, fake, "getMe")
    assert status == 200 and body["ok"] is True
    assert body["result"]["username"] == "arrears_test_bot" and body["result"]["is_bot"] is True
    async with http.get(f"{fake.api_base}/bot{fake.token}/GETME") as resp:
        assert resp.status == 200
    assert [r.method for r in fake.requests] == ["getMe", "getMe"]


async def test_wrong_token_and_unknown_method(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{fake.api_base}/bot999:WRONG/getMe") as resp:
        assert resp.status == 401
        assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    status, body = await call(http, fake, "sendMesage", chat_id=1, text="x")
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_missing_required_parameter(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    status, body = await call(http, fake, "sendMessage", text="hi")
    assert status == 400 and body["description"] == "Bad Request: chat_id is required"
    status, body = await call(http, fake, "sendMessage", chat_id=5)
    assert status == 400 and body["description"] == "Bad Request: message text is empty"
    status, body = await call(http, fake, "getFile")
    assert status == 400 and "file_id" in body["description"]


async def test_form_encoded_params_are_decoded(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    status, body = await call_form(
        http, fake, "sendMessage", chat_id="42", text="hello", reply_markup=INLINE
    )
    assert status == 200, body
    assert body["result"]["reply_markup"] == INLINE
    recorded = fake.calls("sendMessage")[-1]
    assert recorded.params["chat_id"] == 42 and recorded.params["reply_markup"] == INLINE


async def test_unimplemented_spec_methods_are_validated_then_succeed(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, fake, "setMyDescription", description="hi")
    assert (status, body["result"]) == (200, True)
    status, body = await call(http, fake, "banChatMember", chat_id=-100)
    assert status == 400 and "user_id" in body["description"]


def test_spec_is_found_next_to_the_repository() -> None:
    path = default_spec_path()
    assert path.is_file(), path
    spec = load_spec(path)
    method = spec.method("SENDMESSAGE")
    assert method is not None and method.name == "sendMessage"
    assert {"chat_id", "text"} <= set(method.required)


def test_the_spec_is_the_projects_own_copy_unless_the_environment_names_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TELEGRAM_API_SPEC", raising=False)
    own = default_spec_path()
    assert own.is_file() and own.is_relative_to(Path(__file__).resolve().parent)
    monkeypatch.setenv("TELEGRAM_API_SPEC", os.devnull)
    assert default_spec_path() == Path(os.devnull)


# --- getUpdates ---------------------------------------------------------------------------------


async def test_get_updates_offset_semantics(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    user = fake.user(7)
    ids = [user.send_text(f"m{i}")["update_id"] for i in range(4)]
    assert ids == sorted(ids) and len(set(ids)) == 4

    _, body = await call(http, fake, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == ids
    _, body = await call(http, fake, "getUpdates", limit=2)
    assert [u["update_id"] for u in body["result"]] == ids[:2]
    # Unconfirmed updates come back again; offset confirms everything below it, forever.
    _, body = await call(http, fake, "getUpdates", offset=ids[2])
    assert [u["update_id"] for u in body["result"]] == ids[2:]
    _, body = await call(http, fake, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == ids[2:]
    # A negative offset keeps only the last -offset updates.
    _, body = await call(http, fake, "getUpdates", offset=-1)
    assert [u["update_id"] for u in body["result"]] == ids[3:]
    _, body = await call(http, fake, "getUpdates", offset=ids[3] + 1)
    assert body["result"] == [] and fake.pending_updates == []


async def test_long_poll_wakes_when_an_update_arrives(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout=20))
    await asyncio.sleep(0.1)
    assert not poll.done()
    update = fake.user(8).send_text("hello")
    status, body = await asyncio.wait_for(poll, 10)
    assert status == 200 and body["result"] == [update]


async def test_long_poll_returns_empty_after_timeout(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, fake, "getUpdates", timeout=1)
    assert (status, body["result"]) == (200, [])


async def test_second_poller_terminates_the_first(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    first = asyncio.create_task(call(http, fake, "getUpdates", timeout=20))
    await asyncio.sleep(0.1)
    second = await call(http, fake, "getUpdates")
    status, body = await asyncio.wait_for(first, 10)
    assert status == 409 and "terminated by other getUpdates request" in body["description"]
    assert second[0] == 200


async def test_allowed_updates_filters_types(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    user = fake.user(9)
    user.send_text("text")
    user.send_location(1.0, 2.0)
    fake.chat_member_update(9, new_status="kicked")
    _, body = await call(http, fake, "getUpdates", allowed_updates=["my_chat_member"])
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == ["my_chat_member"]


# --- webhook ------------------------------------------------------------------------------------


class Receiver:
    """A tiny webhook endpoint answering with scripted statuses (then 200)."""

    def __init__(self, statuses: list[int] | None = None, delays: list[float] | None = None):
        self.statuses = list(statuses or [])
        self.delays = list(delays or [])
        self.received: list[tuple[JsonDict, str | None]] = []
        self.reply: JsonDict | None = None
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.received.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        if self.delays:
            await asyncio.sleep(self.delays.pop(0))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200 and self.reply is not None:
            reply, self.reply = self.reply, None
            return web.json_response(reply)
        return web.json_response({}, status=status)

    async def __aenter__(self) -> str:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}/hook"

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


async def test_get_updates_conflicts_with_webhook(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout=20))
    await asyncio.sleep(0.1)
    fake.set_updates_paused(True)  # keep the webhook loop from consuming anything here
    status, body = await call(http, fake, "setWebhook", url="http://127.0.0.1:9/hook")
    assert (status, body["result"], body["description"]) == (200, True, "Webhook was set")
    status, body = await asyncio.wait_for(poll, 10)
    assert status == 409 and "terminated by setWebhook request" in body["description"]
    status, body = await call(http, fake, "getUpdates")
    assert status == 409 and "webhook is active" in body["description"]
    await call(http, fake, "deleteWebhook")
    status, _ = await call(http, fake, "getUpdates")
    assert status == 200


async def test_webhook_secret_token_is_validated(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    for bad in ("has space", "x" * 257, "ü"):
        status, body = await call(http, fake, "setWebhook", url="http://h/x", secret_token=bad)
        assert (status, body["description"]) == (
            400,
            "Bad Request: secret token contains unallowed characters",
        ), bad
    status, _ = await call(http, fake, "setWebhook", url="http://h/x", secret_token="A-z_09")
    assert status == 200
    await call(http, fake, "deleteWebhook")


async def test_webhook_delivers_in_order_with_secret_and_retries(
    http: aiohttp.ClientSession,
) -> None:
    receiver = Receiver(statuses=[500, 502, 200, 200])
    async with relaxed(webhook_retry_delay=0.05) as fake, receiver as url:
        user = fake.user(11)
        first, second = user.send_text("one"), user.send_text("two")
        status, _ = await call(http, fake, "setWebhook", url=url, secret_token="s3cret")
        assert status == 200
        await fake.wait_until_delivered(timeout=10)
        ids = [u["update_id"] for u, _ in receiver.received]
        # The first update is retried until it succeeds; nothing is skipped or reordered.
        assert ids == [first["update_id"]] * 3 + [second["update_id"]]
        assert {secret for _, secret in receiver.received} == {"s3cret"}
        assert (fake.stats.webhook_attempts, fake.stats.webhook_failures) == (4, 2)
        _, info = await call(http, fake, "getWebhookInfo")
        assert info["result"]["url"] == url and info["result"]["pending_update_count"] == 0
        assert "502 Bad Gateway" in info["result"]["last_error_message"]


async def test_webhook_timeout_is_a_failure_and_retried(http: aiohttp.ClientSession) -> None:
    receiver = Receiver(delays=[2.0])
    async with relaxed(webhook_timeout=0.3, webhook_retry_delay=0.05) as fake, receiver as url:
        update = fake.user(12).send_text("slow")
        await call(http, fake, "setWebhook", url=url)
        await fake.wait_until_delivered(timeout=10)
        assert [u["update_id"] for u, _ in receiver.received] == [update["update_id"]] * 2
        assert fake.webhook_attempts[0].error == "Read timeout expired"


async def test_webhook_reply_method_is_executed(http: aiohttp.ClientSession) -> None:
    receiver = Receiver()
    receiver.reply = {"method": "sendMessage", "chat_id": 13, "text": "from reply"}
    async with relaxed() as fake, receiver as url:
        fake.user(13).send_text("hi")
        await call(http, fake, "setWebhook", url=url)
        message = await fake.wait_for_text(13, "from reply")
        assert message.method == "sendMessage"


async def test_redeliver_with_polling(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    update = fake.user(14).send_text("again")
    _, body = await call(http, fake, "getUpdates", offset=update["update_id"] + 1)
    assert body["result"] == []
    fake.redeliver(update["update_id"])
    _, body = await call(http, fake, "getUpdates", offset=update["update_id"] + 1)
    assert body["result"] == [update]
    _, body = await call(http, fake, "getUpdates", offset=update["update_id"] + 1)
    assert body["result"] == []


async def test_redeliver_with_webhook(http: aiohttp.ClientSession) -> None:
    receiver = Receiver()
    async with relaxed() as fake, receiver as url:
        update = fake.user(15).send_text("again")
        await call(http, fake, "setWebhook", url=url)
        await fake.wait_until_delivered()
        fake.redeliver(update["update_id"])
        await fake.wait_until_delivered()
        assert [u for u, _ in receiver.received] == [update, update]


async def test_drop_pending_updates(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    fake.user(16).send_text("old")
    await call(http, fake, "deleteWebhook", drop_pending_updates=True)
    assert fake.pending_updates == []


# --- text, formatting, keyboards ----------------------------------------------------------------


async def test_text_length_limits(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    assert (await send(http, fake, 20, "x" * 4096))[0] == 200
    status, body = await send(http, fake, 20, "x" * 4097)
    assert status == 400 and body["description"] == "Bad Request: message is too long"
    # Length is measured after entity parsing: tags and escapes do not count.
    status, _ = await send(http, fake, 20, "<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")
    assert status == 200
    assert fake.messages(20)[-1].text == "<" * 4096
    for empty in ("", "   \n ", "<b></b>"):
        status, body = await send(http, fake, 20, empty, parse_mode="HTML")
        assert status == 400 and body["description"] == "Bad Request: message text is empty"


async def test_caption_limit(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    photo = fake.user(21).send_photo()["message"]["photo"][-1]["file_id"]
    status, _ = await call(http, fake, "sendPhoto", chat_id=21, photo=photo, caption="c" * 1024)
    assert status == 200
    status, body = await call(http, fake, "sendPhoto", chat_id=21, photo=photo, caption="c" * 1025)
    assert status == 400 and "caption is too long" in body["description"]


@pytest.mark.parametrize(
    ("source", "text", "types"),
    [
        ("<b>bold</b> <strong>s</strong>", "bold s", ["bold", "bold"]),
        (
            "<i>i</i><em>e</em><u>u</u><ins>n</ins>",
            "ieun",
            ["italic", "italic", "underline", "underline"],
        ),
        ("<s>a</s><strike>b</strike><del>c</del>", "abc", ["strikethrough"] * 3),
        ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link", ["text_link"]),
        ("<code>x &lt; y</code>", "x < y", ["code"]),
        ('<pre><code class="language-python">print(1)</code></pre>', "print(1)", ["pre"]),
        ('<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span>', "st", ["spoiler"] * 2),
        ("<blockquote>q</blockquote>", "q", ["blockquote"]),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", ["custom_emoji"]),
        ("&lt;&gt;&amp;&quot;&#20320;&#x597D;", '<>&"你好', []),
        ("<B>nested <I>tags</I></B> a > b", "nested tags a > b", ["bold", "italic"]),
    ],
)
def test_html_accepted(source: str, text: str, types: list[str]) -> None:
    parsed = parse_formatted(source, "HTML")
    assert parsed.text == text
    assert [e["type"] for e in parsed.entities] == types


def test_html_entity_offsets_are_utf16() -> None:
    parsed = parse_formatted("😀 <b>工资</b>", "html")
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 2}]


@pytest.mark.parametrize(
    "source",
    [
        "a < b",
        "5<6",
        "Tom & Jerry",
        "&nbsp;",
        "<br>",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "stray </b>",
        '<span class="other">x</span>',
        "<tg-emoji>x</tg-emoji>",
        '<a href="x>oops',
        "<b",
    ],
)
def test_html_rejected(source: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_formatted(source, "HTML")
    assert caught.value.error_code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")


async def test_html_error_over_http(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    status, body = await send(http, fake, 22, "工资 < 1000", parse_mode="HTML")
    assert status == 400 and "can't parse entities" in body["description"]
    assert fake.messages(22) == []
    # Without parse_mode nothing is parsed.
    status, body = await send(http, fake, 22, "工资 < 1000 & <b>")
    assert status == 200 and body["result"]["text"] == "工资 < 1000 & <b>"


def test_markdown_v2() -> None:
    parsed = parse_formatted("*bold* _it_ `co\\`de` \\. [l](https://e.x/\\))", "MarkdownV2")
    assert parsed.text == "bold it co`de . l"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    assert parsed.entities[-1]["url"] == "https://e.x/)"
    for bad in ("price 1.5", "*open", "a-b", "```\nno end"):
        with pytest.raises(ApiError, match="can't parse entities"):
            parse_formatted(bad, "MarkdownV2")
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        parse_formatted("x", "BBCode")


async def test_callback_data_is_limited_to_64_bytes(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    def markup(data: str) -> JsonDict:
        return {"inline_keyboard": [[{"text": "b", "callback_data": data}]]}

    ok = ["a" * 64, "工" * 21]  # 21 CJK characters are 63 bytes
    bad = ["a" * 65, "工" * 22, ""]  # 22 CJK characters are 66 bytes
    for data in ok:
        status, body = await send(http, fake, 23, "k", reply_markup=markup(data))
        assert status == 200, body
    for data in bad:
        status, body = await send(http, fake, 23, "k", reply_markup=markup(data))
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID"), data


async def test_inline_buttons_need_exactly_one_action(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    bad = [
        {"inline_keyboard": [[{"text": "only text"}]]},
        {"inline_keyboard": [[{"text": "two", "callback_data": "a", "url": "https://e.x"}]]},
        {"inline_keyboard": [[{"callback_data": "a"}]]},
        {"inline_keyboard": [[{"text": "u", "url": "javascript:alert(1)"}]]},
        {"inline_keyboard": [{"text": "not a row", "callback_data": "a"}]},
        {"something": True},
    ]
    for markup in bad:
        status, _ = await send(http, fake, 24, "k", reply_markup=markup)
        assert status == 400, markup
    status, _ = await send(
        http,
        fake,
        24,
        "k",
        reply_markup={"inline_keyboard": [[{"text": "u", "url": "https://e.x"}]]},
    )
    assert status == 200


async def test_reply_keyboards(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    keyboard = {
        "keyboard": [[{"text": "Share phone", "request_contact": True}], ["Cancel"]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    status, body = await send(http, fake, 25, "phone?", reply_markup=keyboard)
    assert status == 200 and "reply_markup" not in body["result"]  # only inline markup echoes
    message = fake.messages(25)[-1]
    assert message.reply_buttons() == [
        {"text": "Share phone", "request_contact": True},
        {"text": "Cancel"},
    ]
    good: list[JsonDict] = [
        {"remove_keyboard": True},
        {"force_reply": True, "input_field_placeholder": "№"},
    ]
    for markup in good:
        assert (await send(http, fake, 25, "k", reply_markup=markup))[0] == 200
    bad: list[JsonDict] = [
        {"remove_keyboard": False},
        {"keyboard": [[{"text": "x", "request_contact": True, "request_location": True}]]},
        {"keyboard": [[{"text": ""}]]},
    ]
    for markup in bad:
        assert (await send(http, fake, 25, "k", reply_markup=markup))[0] == 400, markup


# --- editing and deleting -----------------------------------------------------------------------


async def test_edit_message_text(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    _, body = await send(http, fake, 30, "v1", reply_markup=INLINE)
    message_id = body["result"]["message_id"]
    status, body = await call(http, fake, "editMessageText", chat_id=30, message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await call(
        http,
        fake,
        "editMessageText",
        chat_id=30,
        message_id=message_id,
        text="v1",
        reply_markup=INLINE,
    )
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified")
    # Same text but no markup is a change: omitting reply_markup removes the keyboard.
    status, body = await call(
        http, fake, "editMessageText", chat_id=30, message_id=message_id, text="v1"
    )
    assert status == 200 and "reply_markup" not in body["result"] and "edit_date" in body["result"]
    record = fake.messages(30)[-1]
    assert record.edited and record.buttons() == [] and record.history[0].reply_markup == INLINE
    status, body = await call(
        http, fake, "editMessageReplyMarkup", chat_id=30, message_id=message_id, reply_markup=INLINE
    )
    assert status == 200 and fake.messages(30)[-1].buttons() == [("Yes", "yes"), ("No", "no")]
    status, body = await call(
        http, fake, "editMessageReplyMarkup", chat_id=30, message_id=message_id, reply_markup=INLINE
    )
    assert status == 400 and "not modified" in body["description"]
    reply_keyboard = {"keyboard": [["a"]]}
    status, body = await call(
        http, fake, "editMessageText", chat_id=30, message_id=message_id, text="v2",
        reply_markup=reply_keyboard,
    )  # fmt: skip
    assert status == 400 and "inline keyboard expected" in body["description"]


async def test_delete_message(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    _, body = await send(http, fake, 31, "bye")
    message_id = body["result"]["message_id"]
    status, _ = await call(http, fake, "deleteMessage", chat_id=31, message_id=message_id)
    assert status == 200 and fake.messages(31) == []
    assert len(fake.messages(31, include_deleted=True)) == 1
    status, body = await call(http, fake, "deleteMessage", chat_id=31, message_id=message_id)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    status, body = await call(
        http, fake, "editMessageText", chat_id=31, message_id=message_id, text="x"
    )
    assert status == 400


async def test_reply_to_unknown_message_is_rejected(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    incoming = fake.user(32).send_text("question")["message"]
    status, body = await send(
        http, fake, 32, "answer", reply_parameters={"message_id": incoming["message_id"]}
    )
    assert status == 200 and body["result"]["reply_to_message"]["text"] == "question"
    status, body = await send(http, fake, 32, "x", reply_parameters={"message_id": 999})
    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")


# --- flood control ------------------------------------------------------------------------------


async def test_private_chat_limit_and_retry_after_window(http: aiohttp.ClientSession) -> None:
    async with FakeBotAPI() as fake:
        assert (await send(http, fake, 40, "one"))[0] == 200
        status, body = await send(http, fake, 40, "two")
        assert status == 429
        retry_after = body["parameters"]["retry_after"]
        assert retry_after == 1 and body["description"] == "Too Many Requests: retry after 1"
        # Other chats are unaffected; answerCallbackQuery-like traffic does not count.
        assert (await send(http, fake, 41, "other chat"))[0] == 200
        assert (await call(http, fake, "getMe"))[0] == 200
        assert fake.stats.requests_during_retry_after == 0
        # A client that ignores retry_after is rejected again and counted.
        assert (await send(http, fake, 40, "too early"))[0] == 429
        assert fake.stats.requests_during_retry_after == 1
        window = fake.rate_limit_windows[0]
        assert window.scope == 40 and window.until - window.start == retry_after
        await asyncio.sleep(window.until - time.monotonic() + 0.05)
        assert (await send(http, fake, 40, "after waiting"))[0] == 200
        assert fake.stats.rate_limited == 2 and fake.stats.messages_sent == 3


async def test_group_limit_per_minute(http: aiohttp.ClientSession) -> None:
    async with FakeBotAPI(speed=10) as fake:
        results = [(await send(http, fake, -1001, f"m{i}"))[0] for i in range(21)]
        assert results == [200] * 20 + [429]
        window = fake.rate_limit_windows[-1]
        assert window.scope == -1001 and 1 <= window.retry_after <= 6


async def test_global_limit(http: aiohttp.ClientSession) -> None:
    async with FakeBotAPI(global_per_second=30) as fake:
        results = [(await send(http, fake, 100 + i, "hi"))[0] for i in range(31)]
        assert results == [200] * 30 + [429]
        assert fake.rate_limit_windows[-1].scope == GLOBAL_SCOPE
        # During a global window every chat must wait.
        assert (await send(http, fake, 999, "hi"))[0] == 429
        assert fake.stats.requests_during_retry_after == 1


async def test_edits_count_and_callback_answers_do_not(http: aiohttp.ClientSession) -> None:
    async with FakeBotAPI(retry_after_override=3) as fake:
        _, body = await send(http, fake, 42, "v1", reply_markup=INLINE)
        press = fake.user(42).press(body["result"], "Yes")
        status, _ = await call(
            http, fake, "answerCallbackQuery", callback_query_id=press["callback_query"]["id"]
        )
        assert status == 200
        status, body = await call(
            http,
            fake,
            "editMessageText",
            chat_id=42,
            message_id=body["result"]["message_id"],
            text="v2",
        )
        assert status == 429 and body["parameters"] == {"retry_after": 3}


async def test_speed_scales_the_limits(http: aiohttp.ClientSession) -> None:
    async with FakeBotAPI(speed=20) as fake:
        assert (await send(http, fake, 43, "one"))[0] == 200
        assert (await send(http, fake, 43, "two"))[0] == 429  # burst shape is unchanged
        await asyncio.sleep(1.1)  # the retry_after the client was given (1 s) is honoured
        results = []
        for i in range(3):
            results.append((await send(http, fake, 43, f"paced {i}"))[0])
            await asyncio.sleep(0.1)  # 2x the scaled private window of 0.05 s
        assert results == [200, 200, 200]


# --- fault injection ----------------------------------------------------------------------------


async def test_fail_next(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    fake.fail_next(2, status=503, method="sendMessage")
    assert (await call(http, fake, "getMe"))[0] == 200
    first, second = await send(http, fake, 50, "a"), await send(http, fake, 50, "b")
    assert [first[0], second[0]] == [503, 503]
    assert first[1] == {"ok": False, "error_code": 503, "description": "Service Unavailable"}
    assert fake.messages(50) == []  # not executed
    assert (await send(http, fake, 50, "c"))[0] == 200
    assert fake.stats.injected_failures == 2
    with pytest.raises(ValueError, match="not a Bot API method"):
        fake.fail_next(1, method="sendMesage")


async def test_fail_next_429_opens_a_window(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    fake.fail_next(1, status=429, method="sendMessage", retry_after=5)
    status, body = await send(http, fake, 51, "a")
    assert (status, body["parameters"]) == (429, {"retry_after": 5})
    status, _ = await send(http, fake, 51, "retry too early")
    assert status == 429 and fake.stats.requests_during_retry_after == 1
    assert (await send(http, fake, 52, "another chat"))[0] == 200
    fake.fail_next(1, status=403, chat_id=53)
    status, body = await send(http, fake, 53, "x")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")


async def test_fail_next_429_on_get_updates_is_enforced_for_that_method(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    fake.fail_next(1, status=429, method="getUpdates", retry_after=3)
    assert (await call(http, fake, "getUpdates"))[0] == 429
    assert (await send(http, fake, 57, "messages are not affected"))[0] == 200
    status, body = await call(http, fake, "getUpdates")
    assert status == 429 and 1 <= body["parameters"]["retry_after"] <= 3
    assert fake.stats.requests_during_retry_after == 1 and fake.stats.rate_limited == 2
    assert fake.rate_limit_windows[-1].scope == "method:getupdates"


async def test_drop_next_without_execution(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    fake.drop_next(1, method="sendMessage")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(http, fake, 54, "lost")
    assert fake.messages(54) == [] and fake.stats.dropped == 1
    assert fake.requests[-1].dropped and fake.requests[-1].status is None
    assert (await send(http, fake, 54, "next"))[0] == 200


async def test_drop_next_after_execution(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    fake.drop_next(1, method="sendMessage", execute=True)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(http, fake, 55, "sent but unanswered")
    assert [m.text for m in fake.messages(55)] == ["sent but unanswered"]
    assert fake.stats.executed_but_dropped == 1 and fake.stats.messages_sent == 1


async def raw_call(
    http: aiohttp.ClientSession, fake: FakeBotAPI, method: str, /, **params: Any
) -> tuple[int, str, bytes]:
    """Status, content type and body as they came, whatever they are."""
    async with http.post(f"{fake.api_base}/bot{fake.token}/{method}", json=params) as resp:
        return resp.status, resp.content_type, await resp.read()


@pytest.mark.parametrize("name", sorted(RAW_ANSWERS))
async def test_answer_next_gives_any_answer_byte_for_byte_without_executing(
    fake: FakeBotAPI, http: aiohttp.ClientSession, name: str
) -> None:
    fake.answer_next(name, method="sendMessage")
    answer = RAW_ANSWERS[name]
    got = await raw_call(http, fake, "sendMessage", chat_id=60, text="a")
    assert got == (answer.status, answer.content_type, answer.body)
    assert fake.messages(60) == [] and fake.stats.injected_failures == 1
    assert (await send(http, fake, 60, "b"))[0] == 200


async def test_answer_next_nginx_page_for_one_chat_n_times(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    fake.answer_next(RawAnswer(502, NGINX_502, "text/html"), count=2, chat_id=61)
    assert fake.faults_waiting == 2
    assert (await send(http, fake, 62, "other chat"))[0] == 200
    for _ in range(2):
        status, kind, body = await raw_call(http, fake, "sendMessage", chat_id=61, text="x")
        assert (status, kind) == (502, "text/html") and b"<h1>502 Bad Gateway</h1>" in body
    assert (await send(http, fake, 61, "served"))[0] == 200 and fake.faults_waiting == 0
    assert [m.text for m in fake.messages(61)] == ["served"]


async def test_answer_next_after_execution_replaces_only_the_answer(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    fake.answer_next("truncated 200", method="sendMessage", execute=True)
    status, _, body = await raw_call(http, fake, "sendMessage", chat_id=63, text="went out")
    assert status == 200 and body == RAW_ANSWERS["truncated 200"].body
    assert [m.text for m in fake.messages(63)] == ["went out"]


async def test_hang_next_with_seconds_answers_late_and_executes(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    fake.hang_next(1, method="sendMessage", seconds=0.3)
    status, _ = await send(http, fake, 64, "late")
    assert status == 200
    assert [m.text for m in fake.messages(64)] == ["late"] and fake.stats.hung == 1


async def test_hang_next_for_ever_never_answers_nor_executes(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    fake.hang_next(1, method="sendMessage", chat_id=65)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await send(http, fake, 65, "held")
    assert (await send(http, fake, 66, "other chats go on"))[0] == 200
    held = asyncio.create_task(send(http, fake, 65, "held again"))
    assert (await held)[0] == 200  # one-shot: the next request is answered
    fake.hang_next(1, method="getMe")
    pending = asyncio.create_task(call(http, fake, "getMe"))

    async def held() -> bool:
        return fake.stats.hung == 2

    await until(held, 5, every=0.01, what="getMe being held")
    fake.release_hangs()
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await pending
    assert fake.messages(65)[0].text == "held again" and len(fake.messages(65)) == 1


async def test_outage(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    fake.set_outage(True)
    status, body = await call(http, fake, "getMe")
    assert (status, body["description"]) == (502, "Bad Gateway")
    fake.set_outage(False)
    assert (await call(http, fake, "getMe"))[0] == 200


async def test_blocked_chat(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    user = fake.user(56)
    update = user.block_bot()
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    status, body = await send(http, fake, 56, "hello?")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    user.unblock_bot()
    assert (await send(http, fake, 56, "hello again"))[0] == 200


async def test_latency(http: aiohttp.ClientSession) -> None:
    async with relaxed(latency=0.05) as fake:
        assert (await call(http, fake, "getMe"))[0] == 200


# --- files --------------------------------------------------------------------------------------


async def test_upload_document_get_file_and_download(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", "60")
    form.add_field("caption", "<b>contract</b>")
    form.add_field("parse_mode", "HTML")
    form.add_field("document", b"%PDF-1.4 hello", filename="contract.pdf")
    async with http.post(f"{fake.api_base}/bot{fake.token}/sendDocument", data=form) as resp:
        body = await resp.json()
    assert resp.status == 200, body
    document = body["result"]["document"]
    assert document["file_name"] == "contract.pdf" and document["mime_type"] == "application/pdf"
    assert body["result"]["caption"] == "contract"
    assert fake.messages(60)[-1].document == document

    _, file_body = await call(http, fake, "getFile", file_id=document["file_id"])
    path = file_body["result"]["file_path"]
    async with http.get(f"{fake.api_base}/file/bot{fake.token}/{path}") as resp:
        assert resp.status == 200 and await resp.read() == b"%PDF-1.4 hello"
    async with http.get(f"{fake.api_base}/file/bot{fake.token}/documents/nope") as resp:
        assert resp.status == 404

    # Re-sending by file_id reuses the file; unknown ids are rejected.
    status, again = await call(http, fake, "sendDocument", chat_id=61, document=document["file_id"])
    assert status == 200 and again["result"]["document"]["file_id"] == document["file_id"]
    status, bad = await call(http, fake, "sendDocument", chat_id=61, document="nope")
    assert status == 400 and "wrong file identifier" in bad["description"]
    status, bad = await call(http, fake, "getFile", file_id="nope")
    assert status == 400


async def test_an_upload_arriving_in_small_pieces_keeps_every_byte(fake: FakeBotAPI) -> None:
    content = b"\r\n".join(bytes(range(256)) for _ in range(64)) + b"\r\n--not-the-boundary\r"
    fields = [
        (b'name="chat_id"', b"63"),
        (b'name="caption"', "第一行\r\n第二行".encode()),
        (b'name="document"; filename="chart.png"\r\nContent-Type: image/png', content),
    ]
    body = b"".join(
        b"--cut\r\nContent-Disposition: form-data; " + head + b"\r\n\r\n" + value + b"\r\n"
        for head, value in fields
    )
    body += b"--cut--\r\n"
    request = (
        f"POST /bot{fake.token}/sendDocument HTTP/1.1\r\nHost: fake\r\n"
        "Content-Type: multipart/form-data; boundary=cut\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    address = urlsplit(fake.api_base)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    for start in range(0, len(request), 7):
        writer.write(request[start : start + 7])
        await writer.drain()
    status_line = await reader.readline()
    writer.close()

    assert b" 200 " in status_line
    sent = fake.messages(63)[-1]
    assert sent.document is not None and sent.document["file_name"] == "chart.png"
    assert sent.caption == "第一行\r\n第二行"
    assert fake.file(sent.document["file_id"]).data == content


async def test_a_malformed_multipart_body_is_a_json_bad_request(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    async with http.post(
        f"{fake.api_base}/bot{fake.token}/sendMessage",
        data=b"--b\r\nno headers and no closing boundary",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    ) as resp:
        body = await resp.json()
    assert resp.status == 400 and body["ok"] is False
    assert "multipart" in body["description"]


async def test_user_media_can_be_downloaded(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    user = fake.user(62)
    photo = user.send_photo(content=b"jpeg-bytes")["message"]["photo"]
    assert len(photo) == 3 and len({p["file_id"] for p in photo}) == 3
    for item in (photo[-1], user.send_voice()["message"]["voice"]):
        _, body = await call(http, fake, "getFile", file_id=item["file_id"])
        async with http.get(
            f"{fake.api_base}/file/bot{fake.token}/{body['result']['file_path']}"
        ) as resp:
            assert resp.status == 200 and len(await resp.read()) == item["file_size"]
    status, body = await call(http, fake, "sendPhoto", chat_id=62, photo=photo[0]["file_id"])
    assert status == 200 and body["result"]["photo"] == photo


# --- users, buttons, waiting --------------------------------------------------------------------


async def test_user_updates_have_telegram_shapes(fake: FakeBotAPI) -> None:
    from aiogram.types import Update as AiogramUpdate

    user = fake.user(70, "Li", username="li_w")
    group_user = user.in_chat(-1002003)
    updates = [
        user.send_text("/start ref"),
        user.send_contact("+8613800000000"),
        user.send_contact("+8613900000000", own=False, first_name="Boss"),
        user.send_location(31.23, 121.47),
        user.send_photo(caption="payslip"),
        user.send_document("wage.xlsx", "application/vnd.ms-excel"),
        user.send_sticker(),
        user.send_voice(),
        group_user.send_text("/status@arrears_test_bot"),
    ]
    for update in updates:
        AiogramUpdate.model_validate(update)  # the real client's models accept every shape
    start = updates[0]["message"]
    assert start["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert updates[1]["message"]["contact"]["user_id"] == 70
    assert "user_id" not in updates[2]["message"]["contact"]
    assert updates[-1]["message"]["chat"] == {
        "id": -1002003,
        "type": "supergroup",
        "title": "Test group",
    }
    assert [u["update_id"] for u in updates] == sorted({u["update_id"] for u in updates})


async def test_press_and_answer_callback_query_once(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    user = fake.user(71)
    _, body = await send(http, fake, 71, "Proceed?", reply_markup=INLINE)
    message = fake.messages(71)[-1]
    assert message.buttons() == [("Yes", "yes"), ("No", "no")]
    update = user.press(message, "No")
    query = update["callback_query"]
    assert query["data"] == "no" and query["message"] == body["result"]
    assert query["from"]["id"] == 71
    assert user.press(body["result"], "Yes")["callback_query"]["id"] != query["id"]
    with pytest.raises(AssertionError, match="no inline button 'Maybe'"):
        user.press(message, "Maybe")

    status, _ = await call(
        http,
        fake,
        "answerCallbackQuery",
        callback_query_id=query["id"],
        text="Noted",
        show_alert=True,
    )
    assert status == 200
    assert fake.callback_answers[-1].text == "Noted" and fake.callback_answers[-1].show_alert
    for query_id in (query["id"], "123456"):
        status, body = await call(http, fake, "answerCallbackQuery", callback_query_id=query_id)
        assert status == 400 and "query is too old" in body["description"]
    other = user.press(message, "Yes")["callback_query"]["id"]
    status, body = await call(
        http, fake, "answerCallbackQuery", callback_query_id=other, text="x" * 201
    )
    assert status == 400


async def test_wait_for_message_after_mark(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    await send(http, fake, 72, "before")
    mark = fake.mark(72)

    async def bot_replies_later() -> None:
        await asyncio.sleep(0.1)
        await send(http, fake, 72, "Please describe your <b>employer</b>", parse_mode="HTML")

    task = asyncio.create_task(bot_replies_later())
    message = await fake.wait_for_text(72, "employer", after=mark)
    await task
    assert isinstance(message, BotMessage) and message.text == "Please describe your employer"
    assert (await fake.wait_for_message(72, after=1)).message_id == message.message_id
    with pytest.raises(AssertionError, match="before") as caught:
        await fake.wait_for_text(72, "never", timeout=0.2, after=fake.mark(72))
    assert "employer" in str(caught.value)


async def test_wait_for_message_sees_edits_when_asked(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    _, body = await send(http, fake, 73, "Choose", reply_markup=INLINE)
    mark = fake.mark(73)
    await call(
        http,
        fake,
        "editMessageText",
        chat_id=73,
        message_id=body["result"]["message_id"],
        text="Chosen",
    )
    edited = await fake.wait_for_text(73, "Chosen", after=mark, include_edits=True)
    assert edited.edited and edited.history[0].text == "Choose"


# --- the real clients ---------------------------------------------------------------------------


async def test_real_aiogram_bot(fake: FakeBotAPI) -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
    from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.api_base))
    bot = Bot(fake.token, session=session)
    try:
        me = await bot.get_me()
        assert me.username == "arrears_test_bot"
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="确认", callback_data="case:1:ok")]]
        )
        sent = await bot.send_message(
            80, "<b>工资</b> 已登记", parse_mode="HTML", reply_markup=markup
        )
        assert sent.text == "工资 已登记" and sent.reply_markup is not None
        assert sent.reply_markup.inline_keyboard[0][0].callback_data == "case:1:ok"
        assert fake.messages(80)[-1].buttons() == [("确认", "case:1:ok")]
        pressed = fake.user(80).press(sent, "确认")  # a client's Message object works too
        assert pressed["callback_query"]["data"] == "case:1:ok"

        doc = await bot.send_document(80, BufferedInputFile(b"report", filename="r.txt"))
        assert doc.document is not None
        file = await bot.get_file(doc.document.file_id)
        assert file.file_path is not None
        downloaded = await bot.download_file(file.file_path)
        assert downloaded is not None and downloaded.read() == b"report"

        fake.user(80).send_text("hello bot")
        updates = await bot.get_updates(timeout=1)
        assert [u.callback_query is not None for u in updates] == [True, False]
        assert updates[1].message is not None and updates[1].message.text == "hello bot"

        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(80, "1 < 2", parse_mode="HTML")
        with pytest.raises(TelegramBadRequest, match="message text is empty"):
            await bot.send_message(80, "")
        fake.fail_next(1, status=429, method="sendMessage", retry_after=7)
        with pytest.raises(TelegramRetryAfter) as retry:
            await bot.send_message(81, "x")
        assert retry.value.retry_after == 7
        fake.block_chat(82)
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(82, "x")
        assert await bot.set_my_commands([])
    finally:
        await bot.session.close()


async def test_real_aiogram_dispatcher_polling(fake: FakeBotAPI) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.filters import CommandStart
    from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.api_base)))
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        button = InlineKeyboardButton(text="Report unpaid wages", callback_data="report")
        await message.answer(
            "Welcome", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]])
        )

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("OK")
        assert query.message is not None
        await bot.send_message(query.message.chat.id, f"You chose {query.data}")

    polling = asyncio.create_task(
        dispatcher.start_polling(bot, polling_timeout=1, handle_signals=False)
    )
    try:
        user = fake.user(90)
        mark = fake.mark(90)
        user.send_text("/start")
        welcome = await fake.wait_for_text(90, "Welcome", after=mark)
        user.press(welcome, "Report unpaid wages")
        await fake.wait_for_text(90, "You chose report", after=mark)
        assert fake.callback_answers[-1].text == "OK"
    finally:
        await dispatcher.stop_polling()
        await polling


async def test_real_aiogram_webhook_with_reply_method(fake: FakeBotAPI) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.methods import SendMessage
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler

    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.api_base)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> SendMessage:
        # Returned methods travel back in the webhook response (multipart), not as a request.
        return SendMessage(chat_id=message.chat.id, text=f"echo: {message.text}")

    app = web.Application()
    handler = SimpleRequestHandler(
        dispatcher, bot, handle_in_background=False, secret_token="hook-secret"
    )
    handler.register(app, path="/hook")
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        await bot.set_webhook(f"http://{host}:{port}/hook", secret_token="hook-secret")
        fake.user(95).send_text("hi")
        reply = await fake.wait_for_text(95, "echo: hi")
        assert reply.method == "sendMessage" and fake.requests[-1].via_webhook_reply
        await fake.wait_until_delivered()
        assert fake.stats.webhook_failures == 0
    finally:
        await runner.cleanup()
        await bot.session.close()


async def test_real_python_telegram_bot(fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.error import BadRequest, RetryAfter

    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to PTB 23's timedelta retry_after

    bot = Bot(
        fake.token, base_url=f"{fake.api_base}/bot", base_file_url=f"{fake.api_base}/file/bot"
    )
    async with bot:
        assert bot.username == "arrears_test_bot"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y")]])
        sent = await bot.send_message(
            100, "<i>PTB</i> here", parse_mode="HTML", reply_markup=markup
        )
        assert sent.text == "PTB here" and sent.reply_markup == markup

        doc = await bot.send_document(100, b"ptb bytes", filename="p.txt")
        assert doc.document is not None
        file = await bot.get_file(doc.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"ptb bytes"

        fake.user(100).send_contact("+8613700000000")
        updates = await bot.get_updates(timeout=1)
        assert updates[0].message is not None and updates[0].message.contact is not None
        assert updates[0].message.contact.user_id == 100
        updates = await bot.get_updates(offset=updates[-1].update_id + 1)
        assert updates == ()

        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(100, "<b>open", parse_mode="HTML")
        fake.fail_next(1, status=429, method="sendMessage", retry_after=4)
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(101, "x")
        assert retry.value.retry_after == datetime.timedelta(seconds=4)
        chat = await bot.get_chat(100)
        assert chat.id == 100 and chat.type == "private"


# --- smaller methods and knobs ------------------------------------------------------------------


async def test_chat_action_commands_and_get_chat(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    assert (await call(http, fake, "sendChatAction", chat_id=110, action="typing"))[0] == 200
    assert (await call(http, fake, "sendChatAction", chat_id=110, action="dancing"))[0] == 400

    commands = [
        {"command": "start", "description": "开始"},
        {"command": "help", "description": "h"},
    ]
    assert (await call(http, fake, "setMyCommands", commands=commands, language_code="zh"))[
        0
    ] == 200
    assert fake.commands(language_code="zh") == commands and fake.commands() == []
    _, body = await call(http, fake, "getMyCommands", language_code="zh")
    assert body["result"] == commands
    for bad in ({"command": "Start", "description": "x"}, {"command": "ok", "description": ""}):
        assert (await call(http, fake, "setMyCommands", commands=[bad]))[0] == 400, bad

    status, body = await call(http, fake, "getChat", chat_id=111)
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    fake.user(111, "Zhang", username="zhang")
    _, body = await call(http, fake, "getChat", chat_id="@zhang")
    assert body["result"]["id"] == 111 and body["result"]["first_name"] == "Zhang"


async def test_strict_chats(http: aiohttp.ClientSession) -> None:
    async with relaxed(strict_chats=True) as fake:
        status, body = await send(http, fake, 120, "cold message")
        assert status == 403 and "can't initiate conversation" in body["description"]
        fake.user(120).send_text("/start")
        assert (await send(http, fake, 120, "hello"))[0] == 200


async def test_press_reply_button(fake: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    keyboard = {
        "keyboard": [[{"text": "Share phone", "request_contact": True}], [{"text": "Skip"}]]
    }
    await send(http, fake, 121, "phone?", reply_markup=keyboard)
    user = fake.user(121)
    message = fake.messages(121)[-1]
    assert user.press_reply_button(message, "Share phone")["message"]["contact"]["user_id"] == 121
    assert user.press_reply_button(message, "Skip")["message"]["text"] == "Skip"
    with pytest.raises(AssertionError):
        user.press_reply_button(message, "Nope")


def test_missing_spec_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="TELEGRAM_API_SPEC"):
        load_spec(tmp_path / "missing.json")

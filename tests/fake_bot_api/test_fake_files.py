"""The fake's files on demand: failing downloads, expired file ids, albums, voice and audio."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fake_bot_api import FakeBotAPI

JsonDict = dict[str, Any]
WRONG_ID = "Bad Request: wrong file identifier/HTTP URL specified"


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(global_per_second=10_000, private_per_second=10_000) as api:
        yield api


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, fake: FakeBotAPI, method: str, **params: Any
) -> tuple[int, JsonDict]:
    async with http.post(f"{fake.api_base}/bot{fake.token}/{method}", json=params) as resp:
        return resp.status, await resp.json()


async def upload(
    http: aiohttp.ClientSession,
    fake: FakeBotAPI,
    method: str,
    fields: dict[str, Any],
    files: dict[str, bytes],
) -> tuple[int, JsonDict]:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value if isinstance(value, str) else json.dumps(value))
    for name, content in files.items():
        form.add_field(name, content, filename=f"{name}.pdf")
    async with http.post(f"{fake.api_base}/bot{fake.token}/{method}", data=form) as resp:
        return resp.status, await resp.json()


async def download(
    http: aiohttp.ClientSession, fake: FakeBotAPI, file_id: str
) -> tuple[int, bytes]:
    _, found = await call(http, fake, "getFile", file_id=file_id)
    url = f"{fake.api_base}/file/bot{fake.token}/{found['result']['file_path']}"
    async with http.get(url) as resp:
        return resp.status, await resp.read()


async def test_downloads_of_one_file_fail_on_demand_and_then_succeed(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    worker = fake.user(70, "Li")
    voice = worker.send_voice()["message"]["voice"]["file_id"]
    other = worker.send_document()["message"]["document"]["file_id"]
    fake.fail_downloads(2, file_id=voice)
    assert (await download(http, fake, other))[0] == 200
    for _ in range(2):
        status, body = await download(http, fake, voice)
        assert status == 502 and body.startswith(b"<html>")
    status, body = await download(http, fake, voice)
    assert status == 200 and body == fake.file(voice).data
    assert fake.downloads == [other, voice, voice, voice] and fake.faults_waiting == 0


@pytest.mark.parametrize("answer", ["drop", "truncated"])
async def test_a_download_can_be_cut_off(
    fake: FakeBotAPI, http: aiohttp.ClientSession, answer: str
) -> None:
    document = fake.user(71).send_document(content=b"%PDF-1.4" + bytes(4096))["message"]["document"]
    fake.fail_downloads(2, answer=answer)  # type: ignore[arg-type]
    with pytest.raises(aiohttp.ClientError):  # aiohttp repeats a GET whose connection drops
        await download(http, fake, document["file_id"])
    fake.clear_faults()
    assert (await download(http, fake, document["file_id"]))[0] == 200


async def test_a_download_can_fail_in_telegrams_words(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    photo = fake.user(72).send_photo()["message"]["photo"][-1]["file_id"]
    fake.fail_downloads(answer="json 500")
    status, body = await download(http, fake, photo)
    assert status == 500 and json.loads(body)["error_code"] == 500


async def test_get_file_takes_the_usual_faults(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    document = fake.user(73).send_document()["message"]["document"]["file_id"]
    fake.fail_next(method="getFile", status=502)
    status, _ = await call(http, fake, "getFile", file_id=document)
    assert status == 502
    status, _ = await call(http, fake, "getFile", file_id=document)
    assert status == 200


async def test_an_expired_file_id_is_refused_by_get_file_and_by_sends(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    worker = fake.user(74)
    sizes = worker.send_photo()["message"]["photo"]
    document = worker.send_document()["message"]["document"]["file_id"]
    fake.expire_file(sizes[-1]["file_id"])
    fake.expire_file(document)
    for method, field, file_id in (
        ("sendPhoto", "photo", sizes[0]["file_id"]),
        ("sendDocument", "document", document),
    ):
        status, body = await call(http, fake, method, chat_id=74, **{field: file_id})
        assert (status, body["description"]) == (400, WRONG_ID)
    status, body = await call(http, fake, "getFile", file_id=document)
    assert (status, body["description"]) == (400, WRONG_ID)


async def test_an_album_of_documents_is_one_message_per_file_sharing_a_group(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    known = fake.user(75).send_document(file_name="iou.pdf")["message"]["document"]["file_id"]
    media = [
        {"type": "document", "media": known, "caption": "<b>IOU</b>", "parse_mode": "HTML"},
        {"type": "document", "media": "attach://contract"},
    ]
    status, body = await upload(
        http,
        fake,
        "sendMediaGroup",
        {"chat_id": "75", "media": media},
        {"contract": b"%PDF-1.4 contract"},
    )
    assert status == 200, body
    first, second = body["result"]
    assert first["media_group_id"] == second["media_group_id"]
    assert first["document"]["file_id"] == known and first["caption"] == "IOU"
    assert fake.file(second["document"]["file_id"]).data == b"%PDF-1.4 contract"
    assert [m.method for m in fake.messages(75)] == ["sendMediaGroup"] * 2


async def test_an_album_of_photos_is_sent_by_file_id(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    worker = fake.user(76)
    photos = [worker.send_photo()["message"]["photo"][-1]["file_id"] for _ in range(2)]
    media = [{"type": "photo", "media": file_id} for file_id in photos]
    status, body = await call(http, fake, "sendMediaGroup", chat_id=76, media=media)
    assert status == 200 and all("photo" in message for message in body["result"])


@pytest.mark.parametrize(
    ("kinds", "description"),
    [
        (["document"], "wrong number of media items"),
        (["document", "photo"], "document can't be mixed with other media types"),
        (["audio", "document"], "can't be mixed with other media types"),
        (["voice", "voice"], "media type is invalid"),
    ],
)
async def test_an_album_telegram_would_refuse_is_refused(
    fake: FakeBotAPI, http: aiohttp.ClientSession, kinds: list[str], description: str
) -> None:
    worker = fake.user(77)
    files = {
        "document": worker.send_document()["message"]["document"]["file_id"],
        "photo": worker.send_photo()["message"]["photo"][-1]["file_id"],
        "audio": worker.send_document()["message"]["document"]["file_id"],
        "voice": worker.send_voice()["message"]["voice"]["file_id"],
    }
    media = [{"type": kind, "media": files[kind]} for kind in kinds]
    status, body = await call(http, fake, "sendMediaGroup", chat_id=77, media=media)
    assert status == 400 and description in body["description"]
    assert fake.messages(77) == []


async def test_voice_and_audio_are_sent_by_file_id_and_by_upload(
    fake: FakeBotAPI, http: aiohttp.ClientSession
) -> None:
    voice = fake.user(78).send_voice(duration=42)["message"]["voice"]["file_id"]
    status, body = await call(http, fake, "sendVoice", chat_id=78, voice=voice, caption="🎤 0:42")
    assert status == 200 and body["result"]["voice"]["file_id"] == voice
    status, body = await upload(http, fake, "sendAudio", {"chat_id": "78"}, {"audio": b"ID3 song"})
    assert status == 200 and fake.file(body["result"]["audio"]["file_id"]).data == b"ID3 song"
    status, body = await call(http, fake, "sendVoice", chat_id=78)
    assert status == 400

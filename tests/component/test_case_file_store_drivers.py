"""Both drivers against the fake Bot API: downloads under the one failure rule, and the
messages that show a case file (voice, audio, albums by id and by upload)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import Driver, make_driver
from bot.case_files.outgoing import by_file_id
from bot.settings import load_settings
from bot.transport import Rejected, TooBig, TransientError
from handlers.case_file import MAX_BYTES
from handlers.replies import Kept, Upload
from tests.fake_bot_api import FakeBotAPI

CHAT = 80


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(global_per_second=10_000, private_per_second=10_000) as api:
        yield api


@pytest.fixture(params=["aiogram", "ptb"])
async def driver(
    request: pytest.FixtureRequest, fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Driver]:
    monkeypatch.setenv("BOT_TOKEN", fake.token)
    monkeypatch.setenv("BOT_API_BASE_URL", fake.api_base)
    monkeypatch.setenv("BOT_DRIVER", str(request.param))
    monkeypatch.setenv("DELIVERY_REQUEST_TIMEOUT_SECONDS", "5")
    made = make_driver(load_settings())
    yield made
    await made.close()


def document(fake: FakeBotAPI, content: bytes = b"%PDF-1.4 IOU") -> str:
    return str(fake.user(CHAT).send_document(content=content)["message"]["document"]["file_id"])


async def test_a_download_gives_the_files_bytes(fake: FakeBotAPI, driver: Driver) -> None:
    voice = fake.user(CHAT).send_voice()["message"]["voice"]["file_id"]
    assert await driver.download(voice) == fake.file(voice).data


@pytest.mark.parametrize("answer", ["html 502", "json 500", "drop", "truncated"])
async def test_a_failed_download_is_transient(
    fake: FakeBotAPI, driver: Driver, answer: str
) -> None:
    file_id = document(fake)
    fake.fail_downloads(2, file_id=file_id, answer=answer)  # type: ignore[arg-type]
    with pytest.raises(TransientError):
        await driver.download(file_id)


async def test_a_get_file_outage_is_transient(fake: FakeBotAPI, driver: Driver) -> None:
    file_id = document(fake)
    fake.fail_next(method="getFile", status=502)
    with pytest.raises(TransientError):
        await driver.download(file_id)


async def test_an_expired_file_id_is_rejected(fake: FakeBotAPI, driver: Driver) -> None:
    file_id = document(fake)
    fake.expire_file(file_id)
    with pytest.raises(Rejected, match="wrong file identifier") as refused:
        await driver.download(file_id)
    assert not isinstance(refused.value, TooBig)


async def test_a_file_over_the_download_limit_is_too_big(fake: FakeBotAPI, driver: Driver) -> None:
    file_id = document(fake, b"%PDF-1.4" + bytes(MAX_BYTES))
    with pytest.raises(TooBig):
        await driver.download(file_id)


async def test_voice_and_audio_go_by_file_id_and_by_upload(
    fake: FakeBotAPI, driver: Driver
) -> None:
    voice = fake.user(CHAT).send_voice()["message"]["voice"]["file_id"]
    payload: dict[str, Any] = {
        "voice": Kept(voice).to_json(),
        "caption": "🎤 <b>0:03</b>",
        "parse_mode": "HTML",
    }
    assert await driver.call("sendVoice", CHAT, by_file_id(payload)) is not None
    song = {"audio": Upload("song.mp3", b"ID3 song").to_json()}
    assert await driver.call("sendAudio", CHAT, song) is not None
    sent = fake.messages(CHAT)
    assert sent[0].media["voice"]["file_id"] == voice and sent[0].caption == "🎤 0:03"
    assert fake.file(sent[1].media["audio"]["file_id"]).data == b"ID3 song"


async def test_an_album_mixes_file_ids_and_uploads(fake: FakeBotAPI, driver: Driver) -> None:
    known = document(fake)
    media = [
        {"type": "document", "media": known, "caption": "<b>IOU</b>", "parse_mode": "HTML"},
        {"type": "document", "media": Upload("contract.pdf", b"%PDF-1.4 contract").to_json()},
    ]
    first = await driver.call("sendMediaGroup", CHAT, {"media": media})
    sent = fake.messages(CHAT)
    assert first == sent[0].message_id and len(sent) == 2
    assert sent[0].document is not None and sent[0].document["file_id"] == known
    assert sent[0].caption == "IOU"
    assert sent[1].document is not None
    assert fake.file(sent[1].document["file_id"]).data == b"%PDF-1.4 contract"


async def test_an_album_of_photos_by_upload(fake: FakeBotAPI, driver: Driver) -> None:
    jpeg = b"\xff\xd8\xff\xe0 photo"
    media = [{"type": "photo", "media": Upload(f"{n}.jpg", jpeg).to_json()} for n in range(2)]
    await driver.call("sendMediaGroup", CHAT, {"media": media})
    assert [m.photo is not None for m in fake.messages(CHAT)] == [True, True]

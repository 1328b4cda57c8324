"""📎 Evidence: the case's files, sent privately to staff who may see the worker's contact,
each view on the audit trail."""

from dataclasses import replace

import pytest
from sqlmodel import select

from handlers import HandlerConfig
from handlers.replies import (
    Kept,
    MediaItem,
    SendAudio,
    SendDocument,
    SendMediaGroup,
    SendPhoto,
    SendVoice,
)
from storage.db import Database
from storage.models import Attachment, Case, CaseEvent, FetchStatus, StaffRole
from tests.support.chat import Bench, WorkerChat, complete_report
from tests.support.clock import FakeClock
from tests.support.people import make_staff

GROUP = -1001000000101  # 安定区住建局
OFFICER = 901
ADMIN = 906
ONLY_THE_DEPARTMENT = "Only staff of the department that has this case can do that."


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en", admin_ids=frozenset({ADMIN})), clock)


@pytest.fixture
async def worker(bench: Bench) -> WorkerChat:
    """A report told by voice, with two photos, a contract and a recorded phone call."""
    chat = bench.chat(501)
    await complete_report(chat, submit=False, amount="5万", workers="3", since="2026-03")
    await chat.press("✏️ What happened")
    await chat.send_voice(42)
    await chat.press("Keep current answer")
    await chat.press("✏️ Evidence")
    await chat.send_photo()
    await chat.send_document("contract.pdf")
    await chat.send_photo()
    await chat.send_audio("boss-call.m4a", 95)
    await chat.press("Done")
    await chat.press("Submit report")
    return chat


@pytest.fixture
async def officer(bench: Bench, worker: WorkerChat) -> WorkerChat:
    await make_staff(bench.db, bench.clock, OFFICER, name="Officer Li")
    return bench.chat(OFFICER, chat_id=GROUP, name="Officer Li")


async def files(db: Database) -> list[Attachment]:
    async with db.reader() as session:
        return list((await session.exec(select(Attachment).order_by(Attachment.id))).all())


async def case_events(db: Database) -> list[CaseEvent]:
    async with db.reader() as session:
        return list((await session.exec(select(CaseEvent).order_by(CaseEvent.id))).all())


async def case_id(db: Database) -> int:
    async with db.reader() as session:
        found = (await session.exec(select(Case.id))).one()
        assert found is not None
        return found


async def test_the_handler_gets_every_file_privately_as_what_it_is(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    story, photo_1, contract, photo_2, call = await files(bench.db)
    await officer.press("📎 Evidence")

    header = bench.to(OFFICER)[-1]
    assert "Evidence for case DX-2026-000001: 5 files; 5 still being fetched" in header.text
    assert "I have sent you the evidence in a private message." in (bench.answers[-1].text or "")
    voice, album, document, audio = bench.files
    assert isinstance(voice, SendVoice) and voice.chat_id == OFFICER
    assert voice.caption == "What happened, told by the worker"
    assert voice.to_json()["voice"] == {
        "file_id": story.file_id,
        "_stored": None,
        "file_name": None,
    }
    assert isinstance(album, SendMediaGroup) and album.chat_id == OFFICER
    assert album.to_json()["media"] == [
        {"type": "photo", "media": {"file_id": p.file_id, "_stored": None, "file_name": None}}
        for p in (photo_1, photo_2)
    ]
    assert isinstance(document, SendDocument) and document.chat_id == OFFICER
    assert document.to_json()["document"]["file_id"] == contract.file_id
    assert document.to_json()["document"]["file_name"] == "contract.pdf"
    assert isinstance(audio, SendAudio) and audio.to_json()["audio"]["file_id"] == call.file_id
    assert (album.method, voice.method, audio.method) == (
        "sendMediaGroup",
        "sendVoice",
        "sendAudio",
    )
    assert all(m.chat_id != GROUP for m in bench.files)


async def test_each_view_is_on_the_audit_trail_without_personal_data(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("📎 Evidence")
    await officer.press("📎 Evidence")
    viewed = [e for e in await case_events(bench.db) if e.kind == "evidence_viewed"]
    assert [(e.actor, e.data) for e in viewed] == [("staff:1", {"files": 5})] * 2


async def test_a_file_kept_in_the_store_carries_its_copy_and_one_not_kept_is_named(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    async with bench.db.transaction() as session:
        rows = list((await session.exec(select(Attachment).order_by(Attachment.id))).all())
        rows[0].fetch_status, rows[0].stored_path = FetchStatus.STORED, "2026/12/ab/story.ogg"
        rows[2].fetch_status = FetchStatus.FAILED
        rows[4].fetch_status = FetchStatus.REFUSED
        for row in (rows[0], rows[2], rows[4]):
            session.add(row)
    await officer.press("📎 Evidence")

    header = bench.to(OFFICER)[-1].text
    assert "5 files; 2 still being fetched" in header
    assert "contract.pdf: could not be downloaded into the case file" in header
    assert "boss-call.m4a: not kept in the case file" in header
    voice = bench.files[0]
    assert isinstance(voice, SendVoice) and voice.voice.stored_path == "2026/12/ab/story.ogg"
    assert len(bench.files) == 4, "files not kept still go by Telegram's id"


@pytest.mark.parametrize(
    ("role", "department", "county"),
    [
        (None, None, None),
        (StaffRole.HANDLER, "anding.transport", None),
        (StaffRole.LEAD, None, "tongwei"),
        (StaffRole.SUPERVISOR, None, None),
    ],
    ids=["stranger", "handler of another department", "lead of another county", "supervisor"],
)
async def test_who_may_not_see_the_contact_may_not_open_the_evidence(
    bench: Bench,
    worker: WorkerChat,
    role: StaffRole | None,
    department: str | None,
    county: str | None,
) -> None:
    if role is not None:
        await make_staff(bench.db, bench.clock, 950, role, department=department, county=county)
    intruder = bench.chat(950, chat_id=GROUP)
    for verb in ("contact", "evidence"):
        await intruder.press_data(f"case:{await case_id(bench.db)}:{verb}")
        assert bench.answers[-1].show_alert
        assert bench.answers[-1].text == ONLY_THE_DEPARTMENT
    assert bench.files == [] and bench.to(950) == []
    assert [e.kind for e in await case_events(bench.db)] == ["created"]


async def test_a_county_lead_and_an_admin_may_open_the_evidence(
    bench: Bench, worker: WorkerChat
) -> None:
    await make_staff(bench.db, bench.clock, 960, StaffRole.LEAD, department=None, county="anding")
    for presser in (960, ADMIN):
        await bench.chat(presser, chat_id=GROUP).press_data(
            f"case:{await case_id(bench.db)}:evidence"
        )
        assert {m.chat_id for m in bench.files[-4:]} == {presser}


@pytest.mark.parametrize(
    "data", ["case:2147483647:evidence", "case:abc:evidence", "case:0:evidence", "case:1:evidenc"]
)
async def test_forged_evidence_buttons_send_nothing(
    bench: Bench, worker: WorkerChat, officer: WorkerChat, data: str
) -> None:
    await officer.press_data(data)
    assert bench.answers[-1].show_alert
    assert bench.files == []
    assert [e.kind for e in await case_events(bench.db)] == ["created"]


async def test_one_photo_goes_as_a_photo_and_a_case_without_files_has_no_button(
    bench: Bench,
) -> None:
    await make_staff(bench.db, bench.clock, OFFICER)
    officer = bench.chat(OFFICER, chat_id=GROUP)
    plain = bench.chat(501)
    await complete_report(plain, amount="5万", workers="3", since="2026-03")
    assert "📎 Evidence" not in [b.text for row in officer.last.buttons for b in row]
    await officer.press_data(f"case:{await case_id(bench.db)}:evidence")
    assert bench.answers[-1].text == "The worker sent no files with this case."
    assert bench.files == []

    other = bench.chat(502)
    await complete_report(other, submit=False, amount="5万", workers="3", since="2026-03")
    await other.press("✏️ Evidence")
    await other.send_photo()
    await other.press("Done")
    await other.press("Submit report")
    await officer.press("📎 Evidence")
    (photo,) = bench.files
    assert isinstance(photo, SendPhoto) and photo.to_json()["photo"]["_stored"] is None


async def test_the_case_card_offers_the_evidence_too(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.send("/case DX-2026-000001")
    (card,) = [m for m in officer.messages[-2:] if "Case DX-2026-000001" in m.text]
    assert "Evidence: 2 photos, 1 document, 1 recording" in card.text
    assert "🎤 voice message, 0:42" in card.text
    assert "📎 Evidence" in [b.text for row in card.buttons for b in row]


def test_files_from_a_case_file_are_sent_by_id_with_the_stores_copy_beside_it() -> None:
    kept = Kept("AwACAgIAAx0", "2026/12/ab/cd.ogg", None)
    voice = SendVoice(OFFICER, kept, "What happened, told by the worker")
    assert voice.to_json() == {
        "voice": {"file_id": "AwACAgIAAx0", "_stored": "2026/12/ab/cd.ogg", "file_name": None},
        "caption": "What happened, told by the worker",
        "parse_mode": "HTML",
    }
    assert SendAudio(OFFICER, kept).to_json() == {"audio": kept.to_json()}
    album = SendMediaGroup(
        OFFICER, (MediaItem("photo", kept, "<b>IOU</b>"), MediaItem("photo", kept))
    )
    assert album.to_json()["media"][0] == {
        "type": "photo",
        "media": kept.to_json(),
        "caption": "<b>IOU</b>",
        "parse_mode": "HTML",
    }


@pytest.mark.parametrize("size", [0, 1, 11])
def test_an_album_holds_two_to_ten_items(size: int) -> None:
    item = MediaItem("photo", Kept("id"))
    with pytest.raises(ValueError, match="2 to 10"):
        SendMediaGroup(OFFICER, (item,) * size)

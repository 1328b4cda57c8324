"""One raw Telegram update means the same event whichever framework parsed it.

Each update below is the JSON the Bot API sends; aiogram and python-telegram-bot each parse it
into their own types, and ``event_from_update`` must read both to the same ``Event``.
"""

from typing import Any

import aiogram.types
import pytest
import telegram

from bot.drivers.updates import event_from_update
from handlers.events import Event, EventKind

USER = {"id": 7001, "is_bot": False, "first_name": "Wang", "last_name": "Wu", "language_code": "zh"}
BOT_USER = {"id": 42, "is_bot": True, "first_name": "Arrears", "username": "arrears_bot"}
PRIVATE = {"id": 7001, "type": "private", "first_name": "Wang"}
GROUP = {"id": -1001000000101, "type": "supergroup", "title": "安定区住建局"}


SENT_AT = 1_700_000_000
NOT_MESSAGES = frozenset({EventKind.CALLBACK, EventKind.BLOCKED, EventKind.UNBLOCKED})
"""Events whose update has no date of the user's own (a press, a membership change)."""


def message(chat: dict[str, Any] = PRIVATE, **content: Any) -> dict[str, Any]:
    return {"message_id": 11, "date": SENT_AT, "chat": chat, "from": USER, **content}


def membership(status: str, chat: dict[str, Any] = PRIVATE) -> dict[str, Any]:
    before = "kicked" if status == "member" else "member"
    return {
        "chat": chat,
        "from": USER,
        "date": 1_700_000_000,
        "old_chat_member": {"user": BOT_USER, "status": before, **until(before)},
        "new_chat_member": {"user": BOT_USER, "status": status, **until(status)},
    }


def until(status: str) -> dict[str, Any]:
    """The fields a member of this status carries besides its user and status."""
    if status == "administrator":
        rights = ("manage_chat", "delete_messages", "manage_video_chats", "restrict_members")
        rights += ("promote_members", "change_info", "invite_users", "post_stories")
        rights += ("edit_stories", "delete_stories", "send_welcome_messages")
        flags = {f"can_{right}": right == "invite_users" for right in rights}
        return {"can_be_edited": False, "is_anonymous": False, **flags}
    if status == "restricted":
        rights = ("messages", "audios", "documents", "photos", "videos", "video_notes")
        rights += ("voice_notes", "polls", "other_messages", "add_web_page_previews")
        rights += ("change_info", "invite_users", "pin_messages", "manage_topics")
        rights += ("react_to_messages", "edit_tag")
        return (
            {"is_member": True, "until_date": 0}
            | {f"can_send_{r}": False for r in rights[:9]}
            | {f"can_{r}": False for r in rights[9:]}
        )
    return {"until_date": 0} if status == "kicked" else {}


def photo_size(side: int, tag: str) -> dict[str, Any]:
    return {
        "file_id": f"photo-{tag}",
        "file_unique_id": f"u-{tag}",
        "width": side,
        "height": side,
        "file_size": side * 10,
    }


def event(kind: EventKind, update_id: int, **fields: Any) -> Event:
    sender = {"chat_id": 7001, "user_id": 7001, "user_name": "Wang Wu", "language_code": "zh"}
    if kind not in NOT_MESSAGES:
        sender["sent_at"] = SENT_AT
    return Event(update_id=update_id, kind=kind, **{**sender, **fields})


CASES: dict[str, tuple[dict[str, Any], Event | None]] = {
    "plain text is a text event": (
        {"update_id": 1, "message": message(text="Wang Wu")},
        event(EventKind.TEXT, 1, text="Wang Wu"),
    ),
    "a command drops the @botname and keeps its arguments": (
        {
            "update_id": 2,
            "message": message(
                text="/start@arrears_bot case-17 now",
                entities=[{"type": "bot_command", "offset": 0, "length": 18}],
            ),
        },
        event(
            EventKind.COMMAND,
            2,
            text="/start@arrears_bot case-17 now",
            command="start",
            args="case-17 now",
        ),
    ),
    "a button press carries its data and the message it was on": (
        {
            "update_id": 3,
            "callback_query": {
                "id": "cb-1",
                "from": USER,
                "chat_instance": "ci-1",
                "data": "county:anding",
                "message": {
                    "message_id": 12,
                    "date": 1_700_000_000,
                    "chat": PRIVATE,
                    "from": BOT_USER,
                    "text": "Choose the county",
                },
            },
        },
        event(
            EventKind.CALLBACK, 3, callback_id="cb-1", callback_data="county:anding", message_id=12
        ),
    ),
    "a shared contact gives its phone and whose it is": (
        {
            "update_id": 4,
            "message": message(
                contact={"phone_number": "+8613812345678", "first_name": "Wang", "user_id": 7001}
            ),
        },
        event(EventKind.CONTACT, 4, phone="+8613812345678", contact_user_id=7001),
    ),
    "a location gives its coordinates": (
        {"update_id": 5, "message": message(location={"latitude": 35.58, "longitude": 104.61})},
        event(EventKind.LOCATION, 5, latitude=35.58, longitude=104.61),
    ),
    "a photo is read at its largest size, with its size in bytes": (
        {
            "update_id": 6,
            "message": message(
                photo=[photo_size(90, "s"), photo_size(320, "m"), photo_size(800, "x")],
                caption="wage slip",
            ),
        },
        event(EventKind.PHOTO, 6, file_id="photo-x", file_unique_id="u-x", file_size=8000),
    ),
    "a document keeps its name, type and size": (
        {
            "update_id": 7,
            "message": message(
                document={
                    "file_id": "doc-1",
                    "file_unique_id": "u-doc-1",
                    "file_name": "contract.pdf",
                    "mime_type": "application/pdf",
                    "file_size": 48_213,
                }
            ),
        },
        event(
            EventKind.DOCUMENT,
            7,
            file_id="doc-1",
            file_unique_id="u-doc-1",
            file_name="contract.pdf",
            mime_type="application/pdf",
            file_size=48_213,
        ),
    ),
    "a sticker is a sticker event": (
        {
            "update_id": 8,
            "message": message(
                sticker={
                    "file_id": "st-1",
                    "file_unique_id": "u-st-1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            ),
        },
        event(EventKind.STICKER, 8),
    ),
    "a voice message keeps its file, length, type and size": (
        {
            "update_id": 9,
            "message": message(
                voice={
                    "file_id": "v-1",
                    "file_unique_id": "u-v-1",
                    "duration": 42,
                    "mime_type": "audio/ogg",
                    "file_size": 51_200,
                }
            ),
        },
        event(
            EventKind.VOICE,
            9,
            file_id="v-1",
            file_unique_id="u-v-1",
            duration=42,
            mime_type="audio/ogg",
            file_size=51_200,
        ),
    ),
    "an audio file keeps its name, length and type": (
        {
            "update_id": 9,
            "message": message(
                audio={
                    "file_id": "a-1",
                    "file_unique_id": "u-a-1",
                    "duration": 95,
                    "file_name": "boss-call.m4a",
                    "mime_type": "audio/mp4",
                }
            ),
        },
        event(
            EventKind.AUDIO,
            9,
            file_id="a-1",
            file_unique_id="u-a-1",
            duration=95,
            file_name="boss-call.m4a",
            mime_type="audio/mp4",
        ),
    ),
    "a video note is a round video, which the bot cannot read": (
        {
            "update_id": 9,
            "message": message(
                video_note={
                    "file_id": "vn-1",
                    "file_unique_id": "u-vn-1",
                    "length": 240,
                    "duration": 5,
                }
            ),
        },
        event(EventKind.VIDEO_NOTE, 9),
    ),
    "blocking the bot in a private chat is a blocked event": (
        {"update_id": 10, "my_chat_member": membership("kicked")},
        event(EventKind.BLOCKED, 10),
    ),
    "unblocking the bot is an unblocked event": (
        {"update_id": 11, "my_chat_member": membership("member")},
        event(EventKind.UNBLOCKED, 11),
    ),
    "the bot removed from a group is a blocked event in the group": (
        {"update_id": 12, "my_chat_member": membership("kicked", GROUP)},
        event(EventKind.BLOCKED, 12, chat_id=GROUP["id"], chat_type="supergroup"),
    ),
    "the bot leaving a group is a blocked event in the group": (
        {"update_id": 12, "my_chat_member": membership("left", GROUP)},
        event(EventKind.BLOCKED, 12, chat_id=GROUP["id"], chat_type="supergroup"),
    ),
    "the bot muted in a group (restricted, may not send) is a blocked event": (
        {"update_id": 12, "my_chat_member": membership("restricted", GROUP)},
        event(EventKind.BLOCKED, 12, chat_id=GROUP["id"], chat_type="supergroup"),
    ),
    "the bot added back to a group as an administrator is an unblocked event": (
        {"update_id": 12, "my_chat_member": membership("administrator", GROUP)},
        event(EventKind.UNBLOCKED, 12, chat_id=GROUP["id"], chat_type="supergroup"),
    ),
    "text in a department group keeps the group chat and its type": (
        {"update_id": 13, "message": message(GROUP, text="/cases")},
        event(
            EventKind.COMMAND,
            13,
            chat_id=GROUP["id"],
            chat_type="supergroup",
            text="/cases",
            command="cases",
        ),
    ),
    "an edited message is ignored": (
        {"update_id": 14, "edited_message": {**message(text="Wang Wu"), "edit_date": 1}},
        None,
    ),
    "a message without a sender is ignored": (
        {
            "update_id": 15,
            "message": {
                "message_id": 13,
                "date": 1_700_000_000,
                "chat": GROUP,
                "sender_chat": {"id": -1002, "type": "channel", "title": "News"},
                "text": "posted as the channel",
            },
        },
        None,
    ),
}


def by_aiogram(raw: dict[str, Any]) -> Event | None:
    return event_from_update(aiogram.types.Update.model_validate(raw))


def by_ptb(raw: dict[str, Any]) -> Event | None:
    return event_from_update(telegram.Update.de_json(raw, bot=None))


@pytest.mark.parametrize(("raw", "expected"), CASES.values(), ids=CASES.keys())
def test_aiogram_and_ptb_read_an_update_as_the_same_event(
    raw: dict[str, Any], expected: Event | None
) -> None:
    assert by_aiogram(raw) == expected
    assert by_ptb(raw) == expected


def test_events_from_both_frameworks_survive_the_inbox_round_trip() -> None:
    for raw, expected in CASES.values():
        for parsed in (by_aiogram(raw), by_ptb(raw)):
            if expected is not None:
                assert parsed is not None
                assert Event.from_json(parsed.to_json()) == expected


def test_ptb_chat_types_become_plain_strings_not_enum_members() -> None:
    raw, _ = CASES["text in a department group keeps the group chat and its type"]
    parsed = by_ptb(raw)
    assert parsed is not None
    assert type(parsed.chat_type) is str and parsed.chat_type == "supergroup"

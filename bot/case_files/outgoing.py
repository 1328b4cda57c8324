"""Kept files in outgoing payloads: sent by Telegram's file id, or uploaded from the store.

A file field (``photo``, ``document``, ``voice``, ``audio``, and each ``media[i]["media"]`` of a
``sendMediaGroup``) holds ``Kept.to_json()``. The sender first sends the ids; when Telegram no
longer knows one (a new bot token, an id expired), it sends the same message again with the
store's copies as uploads.
"""

from collections.abc import Callable
from typing import Any

from bot.transport import Rejected
from handlers.replies import Kept, Upload, with_uploads

__all__ = ["by_file_id", "file_id_refused", "from_store", "with_all_uploads"]

FILE_FIELDS = ("photo", "document", "voice", "audio")
REFUSED_ID = ("file identifier", "file_id", "file id", "file reference", "file_reference")
"""Telegram's words for an id it does not (or no longer) know: "wrong file identifier/HTTP URL
specified", "wrong remote file identifier specified", "FILE_REFERENCE_EXPIRED", "invalid
file_id"…"""


def with_all_uploads(payload: dict[str, Any], make: Callable[[Upload], Any]) -> dict[str, Any]:
    """``with_uploads``, also inside a media group's items."""
    done = with_uploads(payload, make)
    media = done.get("media")
    if isinstance(media, list):
        done["media"] = [with_uploads(i, make) if isinstance(i, dict) else i for i in media]
    return done


def by_file_id(payload: dict[str, Any]) -> dict[str, Any]:
    """Every kept file given by its Telegram file id."""
    return _replaced(payload, lambda kept: kept.file_id)


def from_store(payload: dict[str, Any], read: Callable[[str], bytes]) -> dict[str, Any] | None:
    """Every kept file with a copy in the store given as an upload of that copy (the others by
    id); None when no file in the payload has one."""
    if not any(kept.stored_path for kept in _kept(payload)):
        return None

    def upload(kept: Kept) -> Any:
        if kept.stored_path is None:
            return kept.file_id
        name = kept.file_name or kept.stored_path.rsplit("/", 1)[-1]
        return Upload(name, read(kept.stored_path)).to_json()

    return _replaced(payload, upload)


def file_id_refused(error: Rejected) -> bool:
    said = str(error).lower()
    return any(words in said for words in REFUSED_ID)


def _kept(payload: dict[str, Any]) -> list[Kept]:
    found = [Kept.from_json(payload.get(field)) for field in FILE_FIELDS]
    media = payload.get("media")
    if isinstance(media, list):
        found += [Kept.from_json(item.get("media")) for item in media if isinstance(item, dict)]
    return [kept for kept in found if kept is not None]


def _replaced(payload: dict[str, Any], make: Callable[[Kept], Any]) -> dict[str, Any]:
    def one(value: Any) -> Any:
        kept = Kept.from_json(value)
        return value if kept is None else make(kept)

    done = {key: one(value) if key in FILE_FIELDS else value for key, value in payload.items()}
    media = payload.get("media")
    if isinstance(media, list):
        done["media"] = [
            {**item, "media": one(item.get("media"))} if isinstance(item, dict) else item
            for item in media
        ]
    return done

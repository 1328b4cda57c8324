"""What the case file accepts: the one rule for the files a worker may send.

Intake uses it to answer a file it cannot take (nothing already entered is lost), and the
case file store uses it again before keeping a download, since what Telegram reported when the
file was sent is only the sender's word.
"""

from enum import StrEnum

__all__ = ["MAX_BYTES", "MAX_FILES", "UNKNOWN", "Refusal", "normal_mime", "refusal"]

MAX_BYTES = 20 * 1024 * 1024
"""Telegram lets a bot download files up to 20 MB (getFile)."""
MAX_FILES = 10
"""Files per report: an IOU, a contract, pay records, a few photos of the site."""

ACCEPTED_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/wps-office.doc",
        "application/wps-office.docx",
        "application/wps-office.xls",
        "application/wps-office.xlsx",
        "text/plain",
    }
)
"""Documents as workers have them: PDF, Office and WPS files, plain text."""
ACCEPTED_FAMILIES = ("image/", "audio/")
"""Photos sent as files, screenshots of chats, recordings."""
SELF_EVIDENT_KINDS = {"photo": "image/", "voice": "audio/"}
"""Telegram reports no type for photos and records voice itself, so intake takes them on
sight; the download's bytes must still be of the family (a program is not a voice message)."""
UNKNOWN = "application/octet-stream"
MAX_MIME_LENGTH = 128


class Refusal(StrEnum):
    TOO_BIG = "too_big"
    TYPE = "type"


def normal_mime(value: str | None) -> str | None:
    """A MIME type as compared and stored: without parameters, lower case; None when absent
    or longer than any real type (the column holds 128 characters)."""
    mime = (value or "").split(";", 1)[0].strip().lower()
    return mime if 0 < len(mime) <= MAX_MIME_LENGTH else None


def refusal(kind: str, mime_type: str | None, size: int | None) -> Refusal | None:
    """Why the case file cannot take this file, or None when it can. An unknown size is
    allowed (the download checks it again). Photos and voice messages need no declared type,
    but once their bytes are known they must be a picture or a sound; a document or a
    recording must be of a type the list accepts."""
    if size is not None and size > MAX_BYTES:
        return Refusal.TOO_BIG
    mime = normal_mime(mime_type)
    if kind in SELF_EVIDENT_KINDS:
        family = SELF_EVIDENT_KINDS[kind]
        return None if mime in (None, UNKNOWN) or mime.startswith(family) else Refusal.TYPE
    if mime is not None and (mime in ACCEPTED_TYPES or mime.startswith(ACCEPTED_FAMILIES)):
        return None
    return Refusal.TYPE

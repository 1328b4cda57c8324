"""What the case file accepts: the one rule for the files a worker may send.

Intake uses it to answer a file it cannot take (nothing already entered is lost), and the
case file store uses it again before keeping a download, since what Telegram reported when the
file was sent is only the sender's word.
"""

from enum import StrEnum

__all__ = ["MAX_BYTES", "MAX_FILES", "Refusal", "refusal"]

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
ALWAYS_ACCEPTED_KINDS = frozenset({"photo", "voice"})
"""Telegram re-encodes these itself (JPEG, OGG/Opus): their type is never in doubt."""


class Refusal(StrEnum):
    TOO_BIG = "too_big"
    TYPE = "type"


def refusal(kind: str, mime_type: str | None, size: int | None) -> Refusal | None:
    """Why the case file cannot take this file, or None when it can. An unknown size is
    allowed (the download checks it again); an unknown type is allowed only for photos and
    voice messages."""
    if size is not None and size > MAX_BYTES:
        return Refusal.TOO_BIG
    if kind in ALWAYS_ACCEPTED_KINDS:
        return None
    mime = (mime_type or "").split(";", 1)[0].strip().lower()
    if mime in ACCEPTED_TYPES or mime.startswith(ACCEPTED_FAMILIES):
        return None
    return Refusal.TYPE

"""The notice a worker reads before their first report (PIPL arts. 13-17): the operator's text.

It lives in a TOML file the operator edits (``PRIVACY_NOTICE_FILE``)::

    version = "2026-12"
    [zh]
    text = '''...'''
    [en]
    text = '''...'''

A worker's agreement is recorded with the ``version``; changing it asks every worker again
before their next report. ``{inbox_days}``, ``{outbox_days}``, ``{draft_days}`` and
``{closed_case_days}`` in a text are replaced with the configured retention periods, so the
notice cannot drift from the settings.
The file is checked at start-up and every problem is one line naming the file.
"""

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from handlers.i18n import LANGUAGES
from handlers.operator_files import read_operator_file

__all__ = ["PLACEHOLDERS", "PrivacyNotice", "PrivacyNoticeError", "load_privacy_notice"]

PLACEHOLDERS = ("inbox_days", "outbox_days", "draft_days", "closed_case_days")
MAX_LENGTH = 3500
"""Characters of a text: Telegram takes 4,096 in a message, and the buttons' answer and the
numbers put in must fit too. A notice too long to send would stop every first report."""
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class PrivacyNoticeError(ValueError):
    """The notice file is missing or wrong; ``str(error)`` is one line naming the file."""


@dataclass(frozen=True, slots=True)
class PrivacyNotice:
    version: str
    texts: MappingProxyType[str, str]
    """The operator's text by language, placeholders still in it."""

    @property
    def tag(self) -> str:
        """A short fingerprint of the version for button data: an "I agree" pressed under an
        older notice is not taken as agreement to a newer one."""
        return hashlib.sha256(self.version.encode()).hexdigest()[:8]

    def text(self, language: str, **values: int) -> str:
        raw = self.texts.get(language) or self.texts[LANGUAGES[0]]
        return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), raw)


def load_privacy_notice(path: Path) -> PrivacyNotice:
    text = read_operator_file(path, "privacy notice file", PrivacyNoticeError)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PrivacyNoticeError(f"privacy notice file {path}: not valid TOML: {error}") from None
    try:
        return _notice(raw)
    except ValueError as error:
        raise PrivacyNoticeError(f"privacy notice file {path}: {error}") from None


def _notice(raw: dict[str, Any]) -> PrivacyNotice:
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ValueError('"version" is missing or empty: give it e.g. version = "2026-12"')
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        section = raw.get(language)
        text = section.get("text") if isinstance(section, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"[{language}] text is missing or empty")
        if len(text.strip()) > MAX_LENGTH:
            raise ValueError(
                f"[{language}] text is {len(text.strip())} characters; at most {MAX_LENGTH} "
                "fit in one Telegram message"
            )
        for name in _PLACEHOLDER.findall(text):
            if name not in PLACEHOLDERS:
                known = ", ".join("{" + known + "}" for known in PLACEHOLDERS)
                raise ValueError(f"[{language}] text: unknown placeholder {{{name}}} (use {known})")
        texts[language] = text.strip()
    return PrivacyNotice(version.strip(), MappingProxyType(texts))

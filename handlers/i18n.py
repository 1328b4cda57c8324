"""Translations from the gettext catalogs under ``handlers/locale``.

Message ids are English; ``zh`` is the first language of the people we serve. The ``.po``
files are compiled in memory at first use, so the repository holds no binary ``.mo`` files
and there is no build step to forget.
"""

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["LANGUAGES", "LOCALE_DIR", "Translator", "translator"]

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")


class Translator:
    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def __call__(self, message: str) -> str:
        return self._translations.gettext(message)

    def plural(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)


@cache
def translator(language: str) -> Translator:
    catalog = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not catalog.exists():
        return Translator(language, gettext.NullTranslations())
    with catalog.open("rb") as po:
        parsed = read_po(po, locale=language)
    buffer = BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return Translator(language, gettext.GNUTranslations(buffer))

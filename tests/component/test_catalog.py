"""The Chinese catalog matches the texts in the code: complete, current, and safe to format.

The texts are extracted from ``handlers/`` exactly as ``pybabel extract -F babel.cfg`` does it
(same mapping, same keywords: babel.cfg is the one place they are defined), so a text that is
added to the code without a translation fails here, not in front of a worker.
"""

import ast
import re
from collections import Counter
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from handlers.i18n import translator

ROOT = Path(__file__).parents[2]
MAPPING = ROOT / "babel.cfg"
LOCALE_DIR = ROOT / "handlers" / "locale"
ZH_CATALOG = LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po"

UPDATE_COMMANDS = f"""
To bring the catalog up to date, run from {ROOT}:

    pybabel extract -F babel.cfg --no-location --sort-output --project=arrears-bot \\
        -o handlers/locale/messages.pot .
    pybabel update -i handlers/locale/messages.pot -d handlers/locale

then fill every empty msgstr in handlers/locale/zh/LC_MESSAGES/messages.po and remove the
"#, fuzzy" flag of each entry you have checked (a fuzzy entry is not used at runtime).
"""

# Texts marked in the code that Babel's Python extractor cannot see, so they reach workers in
# English whatever their language. Each one is a bug in the code, listed here only so that this
# test catches *new* cases; remove an entry once the code is fixed (and translate the text).
#   - ``_("...")`` inside an f-string: on Python 3.11 an f-string is one opaque token to Babel.
#     Fix: "<b>" + _("Your rights") + "</b>".
#   - ``N_("...")`` nested in another call inside a ``_(...)`` call:
#     ``_(REASONS.get(error.reason, N_("I could not understand that.")))`` in steps.py.
#     Fix: give the default a name of its own at module level, or put it in REASONS.
NOT_EXTRACTED_YET: set[str] = set()

HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
CJK = re.compile(r"[\u4e00-\u9fff]")

Msgid = str | tuple[str, ...] | list[str]
Msgstr = str | tuple[str, ...] | list[str] | None
Options = dict[str, Any]


@cache
def mapping() -> tuple[list[tuple[str, str]], dict[str, Options]]:
    with MAPPING.open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(MAPPING))  # type: ignore[no-untyped-call]
    return method_map, options_map


@cache
def extraction() -> tuple[dict[str, Msgid], tuple[tuple[str, Options], ...]]:
    """Every text of the code, keyed like a catalog (by its singular msgid), and the files
    read, each with its options from babel.cfg."""
    method_map, options_map = mapping()
    texts: dict[str, Msgid] = {}
    files: list[tuple[str, Options]] = []
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=DEFAULT_KEYWORDS,
        callback=lambda filename, _method, options: files.append((filename, options)),
    ):
        texts[key(message)] = message
    return texts, tuple(files)


def extracted() -> dict[str, Msgid]:
    return extraction()[0]


@cache
def zh_catalog() -> Catalog:
    with ZH_CATALOG.open("rb") as po:
        return read_po(po, locale="zh", abort_invalid=True)


def key(msgid: Msgid) -> str:
    """How a catalog files a text: by its msgid, or a plural text by its singular."""
    return msgid if isinstance(msgid, str) else msgid[0]


def translations() -> list[tuple[Msgid, Msgstr]]:
    return [(m.id, m.string) for m in zh_catalog() if m.id]


def placeholders(text: str) -> set[str]:
    """``{name}``, ``{month:02d}``, ``{x!r}``: the fields ``str.format`` fills in."""
    fields = set()
    for _literal, name, spec, conversion in Formatter().parse(text):
        if name is not None:
            conversion = f"!{conversion}" if conversion else ""
            spec = f":{spec}" if spec else ""
            fields.add(f"{{{name}{conversion}{spec}}}")
    return fields


def forms(msgid: Msgid, msgstr: Msgstr) -> list[tuple[str, str]]:
    """(English, translation) pairs to compare; every plural form is held to the plural."""
    if isinstance(msgid, str):
        return [(msgid, msgstr if isinstance(msgstr, str) else "")]
    return [(msgid[-1], form) for form in msgstr or ()]


def is_translated(msgstr: Msgstr) -> bool:
    if msgstr is None or isinstance(msgstr, str):
        return bool(msgstr)
    return bool(msgstr) and all(msgstr)


def test_every_text_in_the_code_has_a_chinese_translation() -> None:
    catalog = zh_catalog()
    missing = []
    for msgid in sorted(extracted().values(), key=key):
        entry = catalog.get(key(msgid))
        if entry is None:
            missing.append(f"{msgid!r}: not in the catalog")
        elif entry.id != msgid:
            missing.append(f"{msgid!r}: the catalog has {entry.id!r}")
        elif entry.fuzzy:
            missing.append(f"{msgid!r}: marked fuzzy (guessed, not yet checked)")
        elif not is_translated(entry.string):
            missing.append(f"{msgid!r}: empty translation")
    assert not missing, (
        f"{len(missing)} text(s) of the code have no Chinese translation:\n  "
        + "\n  ".join(missing)
        + "\n"
        + UPDATE_COMMANDS
    )


def test_the_chinese_catalog_holds_no_texts_the_code_no_longer_uses() -> None:
    code = extracted()
    unused = sorted(str(m.id) for m in zh_catalog() if m.id and code.get(key(m.id)) != m.id)
    assert not unused, (
        "The catalog translates texts that are no longer in the code (pybabel update turns "
        "them into #~ obsolete entries):\n  " + "\n  ".join(unused) + "\n" + UPDATE_COMMANDS
    )


def test_the_chinese_catalog_has_the_one_plural_form_of_chinese() -> None:
    assert zh_catalog().plural_forms == "nplurals=1; plural=0;"
    for msgid, msgstr in translations():
        if not isinstance(msgid, str):
            count = len(forms(msgid, msgstr))
            assert count == 1, f"{msgid!r} has {count} plural forms; Chinese has one"


def test_translations_keep_every_placeholder_of_the_english_text() -> None:
    wrong = []
    for msgid, msgstr in translations():
        for english, chinese in forms(msgid, msgstr):
            if not chinese:
                continue
            try:
                found = placeholders(chinese)
            except ValueError as error:  # an unbalanced { or }
                wrong.append(f"{english!r} -> {chinese!r}: {error}")
                continue
            if found != placeholders(english):
                wrong.append(
                    f"{english!r} -> {chinese!r}: has {sorted(found)}, "
                    f"needs {sorted(placeholders(english))}"
                )
    assert not wrong, "Translations that would not format like the English text:\n  " + (
        "\n  ".join(wrong)
    )


def test_translations_keep_the_html_tags_of_the_english_text() -> None:
    wrong = []
    for msgid, msgstr in translations():
        for english, chinese in forms(msgid, msgstr):
            expected, found = Counter(HTML_TAG.findall(english)), Counter(HTML_TAG.findall(chinese))
            if chinese and found != expected:
                wrong.append(
                    f"{english!r} -> {chinese!r}: tags {dict(found)}, needs {dict(expected)}"
                )
    assert not wrong, "Telegram refuses a message whose HTML tags do not match:\n  " + (
        "\n  ".join(wrong)
    )


def marked_in_code() -> dict[str, Msgid]:
    """Texts given as literals to a keyword call, found by Python's own parser."""
    texts: dict[str, Msgid] = {}
    for filename, options in extraction()[1]:
        keywords = {**DEFAULT_KEYWORDS, **options.get("keywords", {})}
        for node in ast.walk(ast.parse((ROOT / filename).read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in keywords:
                continue
            spec = keywords[name]
            if isinstance(spec, dict):
                spec = spec.get(len(node.args), spec.get(None))
            positions = [p for p in (spec or (1,)) if isinstance(p, int)]
            args = [node.args[p - 1] for p in positions if p <= len(node.args)]
            values = tuple(
                a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
            if values and len(values) == len(positions):
                texts[values[0]] = values[0] if len(values) == 1 else values
    return texts


def test_babel_finds_every_text_marked_in_the_code() -> None:
    missed = marked_in_code().keys() - extracted().keys()
    new = sorted(missed - NOT_EXTRACTED_YET)
    assert not new, (
        "These texts are marked for translation, but pybabel cannot extract them, so they "
        "will never be translated. Move _(...) out of f-strings and do not nest N_(...) inside "
        "another call:\n  " + "\n  ".join(map(repr, new))
    )
    fixed = sorted(NOT_EXTRACTED_YET - missed)
    assert not fixed, (
        "These texts are extracted now: remove them from NOT_EXTRACTED_YET and translate "
        "them:\n  " + "\n  ".join(map(repr, fixed)) + "\n" + UPDATE_COMMANDS
    )


def test_chinese_speakers_get_chinese_texts() -> None:
    zh = translator("zh")
    assert CJK.search(zh("What is your name?"))
    assert zh("{amount} yuan").format(amount="195,000") == "195,000 元"
    assert zh.plural("{n} photo", "{n} photos", 3).format(n=3) == "3 张照片"


def test_english_speakers_get_the_english_texts_of_the_code() -> None:
    en = translator("en")
    for msgid in extracted().values():
        if isinstance(msgid, str):
            assert en(msgid) == msgid
        else:
            assert en.plural(msgid[0], msgid[1], 1) == msgid[0]
            assert en.plural(msgid[0], msgid[1], 2) == msgid[1]

"""Tolerant parsing of what workers type into the intake chat.

Workers answer on cheap phones, mostly in Chinese, often with full-width characters, currency
signs and colloquial numerals ("19万5", "十九万五千元", "两万").  Every parser here accepts the
common forms, normalises them to one canonical value and otherwise raises :class:`ParseError`
with a stable ``reason`` code that the conversation maps to a translated hint, so the worker
is asked again instead of losing what they already typed.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import cn2an  # type: ignore[import-untyped]
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

__all__ = [
    "MAX_AMOUNT",
    "MAX_NAME_LENGTH",
    "MAX_WORKERS",
    "MIN_YEAR",
    "ParseError",
    "format_phone",
    "mask_phone",
    "parse_amount",
    "parse_free_text",
    "parse_month",
    "parse_name",
    "parse_phone",
    "parse_worker_count",
]

MAX_AMOUNT: Decimal = Decimal(100_000_000)
"""Largest amount in yuan accepted from a worker; anything above is a typo, not a wage claim."""

MAX_WORKERS = 10_000
"""Largest crew a single complaint may speak for."""

MIN_YEAR = 1980
"""Months before this are refused as ``too_old``: almost certainly a typo."""

MAX_NAME_LENGTH = 50

# Nothing a worker legitimately types for a number, month or phone is this long; refusing early
# also bounds the work the numeral library's regular expressions do on hostile input.
_MAX_SHORT_INPUT = 64

_FEN = Decimal("0.01")

# NFKC already folds full-width forms ("１９５０００", "，", "￥"); these are the traditional
# characters and dashes it leaves alone but that workers use in numbers.
_FOLD = str.maketrans(
    {"萬": "万", "億": "亿", "點": "点", "兩": "两", "負": "负", "−": "-", "—": "-", "–": "-"}
)
_SIGNS = ("-", "负")
_APPROX_PREFIXES = ("大约", "大概", "约")
_APPROX_SUFFIXES = ("左右",)
_AMOUNT_PREFIXES = (*_APPROX_PREFIXES, "人民币", "rmb", "cny", "¥", "共计", "合计", "一共", "总共")
_AMOUNT_SUFFIXES = (
    *_APPROX_SUFFIXES,
    "人民币",
    "元整",
    "块钱",
    "元",
    "圆",
    "块",
    "yuan",
    "rmb",
    "cny",
)
_COUNT_PREFIXES = (*_APPROX_PREFIXES, "共计", "合计", "一共", "总共", "共")
_COUNT_SUFFIXES = (
    *_APPROX_SUFFIXES,
    "个农民工",
    "名农民工",
    "个工人",
    "名工人",
    "位工人",
    "农民工",
    "工人",
    "个人",
    "个",
    "名",
    "位",
    "人",
    "workers",
    "worker",
    "people",
    "persons",
    "person",
)
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# A thousands separator is a comma followed by exactly three digits; "1,5" stays ambiguous.
_THOUSANDS_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
# cn2an reads "19.5万" but truncates to whole yuan and cannot read "十九点五万" at all, so a
# decimal mantissa followed by one magnitude is multiplied out here with exact Decimals.
_DECIMAL_TIMES_UNIT = re.compile(r"(.*[.点].*)([百千万亿])")
_UNITS = {"百": Decimal(100), "千": Decimal(1_000), "万": Decimal(10_000), "亿": Decimal(10**8)}
_LETTER_UNITS = {"k": "千", "w": "万"}  # "3k", "2w": chat shorthand for 千 and 万

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS_BY_NAME = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_YEAR_MONTH_PATTERNS = (
    re.compile(r"(?P<y>[0-9]{4}|[0-9]{2})年(?P<m>[0-9]{1,2})月份?(?:(?P<d>[0-9]{1,2})[日号])?"),
    re.compile(r"(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})(?:[-/.](?P<d>[0-9]{1,2}))?"),
    re.compile(r"(?P<m>[0-9]{1,2})[-/.](?P<y>[0-9]{4})"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})"),
    re.compile(r"(?P<name>[a-z]+)\.?,?(?P<y>[0-9]{4})"),
    re.compile(r"(?P<y>[0-9]{4}),?(?P<name>[a-z]+)\.?"),
)
_RELATIVE_YEAR = re.compile(r"(?P<rel>今年|去年|前年)(?P<m>[0-9]{1,2})月份?")
_YEAR_OFFSETS = {"今年": 0, "去年": 1, "前年": 2}
_MONTH_ONLY = re.compile(r"(?:(?P<m>[0-9]{1,2})月份?|(?P<name>[a-z]+)\.?)")
_THIS_MONTH = frozenset({"本月", "这个月", "这月", "当月", "thismonth"})
_LAST_MONTH = frozenset({"上个月", "上月", "lastmonth"})

_LONG_DIGIT_RUN = re.compile(r"[0-9]{5,}")
# Bidirectional overrides let a name render differently from what it is (spoofing in staff
# chats); they are never needed in what a worker types.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_EXCESS_NEWLINES = re.compile(r"\n{3,}")
_TRAILING_SPACES = re.compile(r"[ \t]+\n")


class ParseError(ValueError):
    """A worker's answer could not be understood.

    ``reason`` is a stable code that the caller maps to a translated message; ``str(error)``
    is the code as well, so logs stay readable without a translation catalogue.
    """

    reason: str
    details: dict[str, int]
    """What the explanation needs besides the reason: ``limit`` and ``count`` for ``too_long``."""

    def __init__(self, reason: str, **details: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def parse_amount(text: str) -> Decimal:
    """Read an amount of money in yuan, rounded half-up to the fen (0.01).

    Extra decimals are rounded rather than refused: "12.345" is a plausible thing to type
    and refusing it would only annoy the worker.

    Reasons: ``empty``, ``not_a_number``, ``zero``, ``negative``, ``too_large``.
    """
    compact = _compact(text, too_long_reason="not_a_number")
    body, negative = _strip_words(compact, _AMOUNT_PREFIXES, _AMOUNT_SUFFIXES)
    value = _read_number(body)
    if value < 0:
        negative, value = True, -value
    if value == 0:
        raise ParseError("zero")
    if negative:
        raise ParseError("negative")
    if value > MAX_AMOUNT:
        raise ParseError("too_large")
    amount = value.quantize(_FEN, rounding=ROUND_HALF_UP)
    if amount == 0:
        raise ParseError("zero")
    return amount


def parse_worker_count(text: str) -> int:
    """Read how many workers are owed wages ("12", "12人", "十二个人", "12 workers").

    Reasons: ``empty``, ``not_a_number``, ``zero``, ``negative``, ``not_whole``, ``too_large``.
    """
    compact = _compact(text, too_long_reason="not_a_number")
    body, negative = _strip_words(compact, _COUNT_PREFIXES, _COUNT_SUFFIXES)
    value = _read_number(body)
    if value < 0:
        negative, value = True, -value
    if value == 0:
        raise ParseError("zero")
    if negative:
        raise ParseError("negative")
    if value > MAX_WORKERS:
        raise ParseError("too_large")
    if value != value.to_integral_value():
        raise ParseError("not_whole")
    return int(value)


def parse_month(text: str, today: date) -> date:
    """Read a month ("2021年5月", "2021-05", "May 2021", "去年5月") as its first day.

    A month without a year ("5月", "May") means the most recent such month, because a wage
    claim is always about the past.  A full date is accepted and its day dropped.

    Reasons: ``empty``, ``format``, ``future`` (after today's month), ``too_old`` (before
    :data:`MIN_YEAR`).
    """
    compact = _compact(text, too_long_reason="format")
    compact = _chinese_numerals_to_digits(compact)
    year, month = _read_year_month(compact, today)
    if not 1 <= month <= 12:
        raise ParseError("format")
    if year < MIN_YEAR:
        raise ParseError("too_old")
    first = date(year, month, 1)
    if first > today.replace(day=1):
        raise ParseError("future")
    return first


def parse_phone(text: str, region: str = "CN") -> str:
    """Read a phone number and return it in E.164 form ("+8613812345678").

    ``region`` is where a number written without a country code is assumed to be; the
    phonenumbers metadata decides validity, so landlines ("0932-8212345") and foreign
    numbers work as well as Chinese mobiles.

    Reasons: ``empty``, ``invalid_phone``.
    """
    if not text.strip():
        raise ParseError("empty")
    normalized = unicodedata.normalize("NFKC", text).strip()
    if len(normalized) > _MAX_SHORT_INPUT:
        raise ParseError("invalid_phone")
    try:
        number = phonenumbers.parse(normalized, region)
    except NumberParseException:
        raise ParseError("invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ParseError("invalid_phone")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """A stored number the way its owner writes it: a Chinese one in national form
    ("138 1234 5678", "0932 821 2345"), any other with its country code ("+44 20 7946 0958").
    Anything that is not an E.164 number is returned as it is."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    chinese = number.country_code == 86
    form = PhoneNumberFormat.NATIONAL if chinese else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, form)


def mask_phone(e164: str) -> str:
    """Hide most of a worker's number before it is shown in a department chat.

    A Chinese mobile keeps the familiar "138****5678" shape; any other number keeps only its
    country code and the last four digits ("+44 ******0958").  Raises ``ParseError``
    (``invalid_phone``) for anything that is not an E.164 number, rather than echoing it.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        raise ParseError("invalid_phone") from None
    national = phonenumbers.national_significant_number(number)
    if number.country_code == 86 and phonenumbers.number_type(number) == PhoneNumberType.MOBILE:
        return f"{national[:3]}****{national[-4:]}"
    visible = national[-4:] if len(national) > 4 else ""
    return f"+{number.country_code} {'*' * (len(national) - len(visible))}{visible}"


def parse_name(text: str) -> str:
    """Read a person's name: trimmed, inner whitespace collapsed, 1..50 characters.

    Refuses (``not_a_name``) what is evidently an answer to another question or a mistake:
    no letter at all (digits, punctuation, emoji), a long run of digits (a phone or ID
    number), control characters, or a bot command ("/start").

    Reasons: ``empty``, ``too_long``, ``not_a_name``.
    """
    if not text.strip():
        raise ParseError("empty")
    name = unicodedata.normalize("NFC", text)
    if any(_is_control(char) for char in name if char not in "\t\n\r"):
        raise ParseError("not_a_name")
    name = " ".join(name.split())
    if name.startswith("/"):
        raise ParseError("not_a_name")
    if len(name) > MAX_NAME_LENGTH:
        raise ParseError("too_long", limit=MAX_NAME_LENGTH, count=len(name))
    if not any(char.isalpha() for char in name) or _LONG_DIGIT_RUN.search(name):
        raise ParseError("not_a_name")
    return name


def parse_free_text(text: str, max_length: int) -> str:
    """Clean a free-text answer (employer, project, address, account) for storage and display.

    Strips the ends, drops control and bidirectional-override characters (keeping newlines;
    tabs become spaces), and collapses more than one blank line, so alerts stay readable.
    The length limit applies to the cleaned text, in characters.

    Reasons: ``empty``, ``too_long``.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    cleaned = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    cleaned = cleaned.replace("\t", " ")
    cleaned = "".join(char for char in cleaned if char == "\n" or not _is_control(char))
    cleaned = _TRAILING_SPACES.sub("\n", cleaned)
    cleaned = _EXCESS_NEWLINES.sub("\n\n", cleaned).strip()
    if not cleaned:
        raise ParseError("empty")
    if len(cleaned) > max_length:
        raise ParseError("too_long", limit=max_length, count=len(cleaned))
    return cleaned


def _is_control(char: str) -> bool:
    """True for characters that must never reach storage or a chat (incl. lone surrogates)."""
    return unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI_CONTROLS


def _compact(text: str, *, too_long_reason: str) -> str:
    """Fold width, traditional forms and case, and drop all whitespace ("19.5 万" → "19.5万")."""
    if not text.strip():
        raise ParseError("empty")
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD).lower()
    compact = "".join(folded.split())
    if len(compact) > _MAX_SHORT_INPUT:
        raise ParseError(too_long_reason)
    return compact


def _strip_words(
    text: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]
) -> tuple[str, bool]:
    """Peel currency, unit and sign words off both ends; report whether a minus sign was seen."""
    negative = False
    changed = True
    while changed and text:
        changed = False
        for sign in _SIGNS:
            if text.startswith(sign):
                text, negative, changed = text[len(sign) :], True, True
        if text.startswith("+"):
            text, changed = text[1:], True
        for prefix in prefixes:
            if text.startswith(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in suffixes:
            if text.endswith(suffix):
                text, changed = text[: -len(suffix)], True
    return text, negative


def _read_number(text: str) -> Decimal:
    """Turn an Arabic, Chinese or mixed numeral ("195,000", "19万5", "十九点五万") into Decimal."""
    text = _THOUSANDS_COMMA.sub("", text)
    if text[-1:] in _LETTER_UNITS:
        text = text[:-1] + _LETTER_UNITS[text[-1]]
    if not text:
        raise ParseError("not_a_number")
    if _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)
    scaled = _DECIMAL_TIMES_UNIT.fullmatch(text)
    if scaled:
        return _read_number(scaled[1]) * _UNITS[scaled[2]]
    return _cn2an(text)


def _cn2an(text: str) -> Decimal:
    """Ask cn2an for the value of a Chinese numeral, turning all of its failures into ParseError.

    cn2an reports bad input with assorted exceptions and, for very long decimals, a warning
    (an error under ``-W error``); neither may escape to the conversation.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value: object = cn2an.cn2an(text, "smart")
    except Exception:  # cn2an raises ValueError, KeyError, IndexError… for malformed numerals
        raise ParseError("not_a_number") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError("not_a_number")
    number = Decimal(str(value))
    if not number.is_finite():
        raise ParseError("not_a_number")
    return number


def _chinese_numerals_to_digits(text: str) -> str:
    """Rewrite Chinese numerals as digits ("二〇二一年五月" → "2021年5月") via cn2an.transform."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            converted: object = cn2an.transform(text, "cn2an")
    except Exception:  # same assorted failures as cn2an.cn2an
        raise ParseError("format") from None
    if not isinstance(converted, str):
        raise ParseError("format")
    return converted


def _read_year_month(text: str, today: date) -> tuple[int, int]:
    """Match the accepted month spellings; years are filled in for relative forms."""
    if text in _THIS_MONTH:
        return today.year, today.month
    if text in _LAST_MONTH:
        return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    for pattern in _YEAR_MONTH_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month = _year_from_digits(match["y"], today), _month_of(match)
            if "d" in match.groupdict() and match["d"] is not None:
                _check_day(year, month, int(match["d"]))
            return year, month
    match = _RELATIVE_YEAR.fullmatch(text)
    if match:
        return today.year - _YEAR_OFFSETS[match["rel"]], int(match["m"])
    match = _MONTH_ONLY.fullmatch(text)
    if match:
        month = _month_of(match)
        return (today.year if month <= today.month else today.year - 1), month
    raise ParseError("format")


def _year_from_digits(digits: str, today: date) -> int:
    """A two-digit year ("21年") is the latest such year that is not in the future."""
    year = int(digits)
    if len(digits) == 2:
        century = today.year - today.year % 100
        year += century if year <= today.year % 100 else century - 100
    return year


def _month_of(match: re.Match[str]) -> int:
    """The month number from either a numeric ``m`` group or an English ``name`` group."""
    groups = match.groupdict()
    if groups.get("m") is not None:
        return int(groups["m"])
    month = _MONTHS_BY_NAME.get(groups.get("name") or "")
    if month is None:
        raise ParseError("format")
    return month


def _check_day(year: int, month: int, day: int) -> None:
    """Refuse impossible full dates ("2021-02-30") instead of silently keeping their month."""
    if not 1 <= month <= 12 or year < 1:
        return  # reported by the caller as format / too_old
    try:
        date(year, month, day)
    except ValueError:
        raise ParseError("format") from None

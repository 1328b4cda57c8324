"""When people meet: working days, office-hour slots, and a typed date and time read tolerantly.

Shared by the seven-party consultation (staff type a date and time) and the booking of a visit
to a reception point (workers pick a day and a slot). Which days and hours offices work is a
rule (``handlers.domain.office_hours``); this module shows them and reads what people type.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.domain.office_hours import OFFICE_SLOTS, working_days
from handlers.formatting import N_
from handlers.i18n import Translator
from handlers.parsing import ParseError

__all__ = [
    "OFFICE_SLOTS",
    "When",
    "format_day",
    "format_when",
    "local_moment",
    "parse_when",
    "pressed_date",
    "working_days",
]

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_MAX_INPUT = 64


@dataclass(frozen=True, slots=True)
class When:
    """What a person typed: a day, a time of day, or both."""

    day: date | None
    at: time | None


def pressed_date(value: str) -> date:
    """A day packed in a button as ``YYYYMMDD``; ParseError (``format``) if forged."""
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ParseError("format") from None


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, zone)


def format_day(day: date, _: Translator) -> str:
    weekday = _(WEEKDAYS[day.weekday()])
    return _("{weekday} {month}/{day}").format(weekday=weekday, month=day.month, day=day.day)


def format_when(moment: datetime, zone: ZoneInfo, _: Translator) -> str:
    local = moment.astimezone(zone)
    return _("{date} ({weekday}) {time}").format(
        date=local.date().isoformat(),
        weekday=_(WEEKDAYS[local.weekday()]),
        time=local.strftime("%H:%M"),
    )


# --- reading a typed date and time ----------------------------------------------------------

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_NUMBER = re.compile("[零〇一二两三四五六七八九十]+")
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_YEAR = r"(?:,?\s*(?P<y>\d{4})\b)?"
_EN_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EN_WEEKDAY_NAMES = (
    "mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    "|sat(?:urday)?|sun(?:day)?"
)
_DATES = (
    re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"),
    re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"),
    re.compile(r"(?<![\d:.])(?P<m>\d{1,2})\s*[-/]\s*(?P<d>\d{1,2})(?![\d:])"),
    re.compile(rf"(?<![\d:])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*(?P<name>{_MONTHS})\b\.?{_YEAR}"),
    re.compile(rf"\b(?P<name>{_MONTHS})\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!:){_YEAR}"),
)
_RELATIVE = re.compile(r"day after tomorrow|大后天|后天|明天|明日|tomorrow|今天|今日|today")
_RELATIVE_DAYS = {"大后天": 3, "后天": 2, "day after tomorrow": 2, "明天": 1, "明日": 1}
_RELATIVE_DAYS |= {"tomorrow": 1, "今天": 0, "今日": 0, "today": 0}
_CN_WEEKDAY = re.compile(r"(?P<next>下\s*个?\s*)?(?:周|星期|礼拜)\s*(?P<wd>[1-7日天])")
_EN_WEEKDAY = re.compile(rf"\b(?P<next>next\s+)?(?P<wd>{_EN_WEEKDAY_NAMES})\b")
_DAY_ONLY = re.compile(r"(?<![\d:])(?P<d>\d{1,2})\s*[日号]")
_CLOCK = re.compile(r"(?<![\d.])(?P<h>\d{1,2})\s*[:.]\s*(?P<mi>\d{2})(?!\d)")
_CN_HOUR = re.compile(r"(?P<h>\d{1,2})\s*[点时](?:\s*(?P<mi>\d{1,2})\s*分?)?")
_BARE_HOUR = re.compile(r"(?<![\d:.])(?P<h>\d{1,2})(?![\d:.])")
_PERIOD = re.compile(r"上午|早上|早晨|中午|下午|傍晚|晚上|(?<![a-z])[ap]\.?m(?![a-z])\.?")
_AFTERNOON = ("下午", "傍晚", "晚上", "p")
_FILLER = re.compile(r"\b(?:at|on|the|of|o'?clock)\b|在|的|钟|整|[\s,，、;；]")


def parse_when(text: str, today: date) -> When:
    """Read "2026-12-03 14:30", "12月3日下午2点半", "tomorrow 10:00", "下周一上午9点", "Dec 3 2pm".

    A day without a year is the next such day from ``today``. Whether the moment is in the
    future is for the caller to judge, with the time zone it knows.

    Reasons: ``empty``, ``format`` (unreadable, or an impossible date or time).
    """
    if not text.strip():
        raise ParseError("empty")
    rest = _normalise(text)
    if len(rest) > _MAX_INPUT:
        raise ParseError("format")
    day, rest = _read_day(rest, today)
    at, rest = _read_time(rest)
    if (day is None and at is None) or _FILLER.sub("", rest):
        raise ParseError("format")
    return When(day, at)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower().strip()
    folded = folded.replace("一刻", "15分").replace("三刻", "45分").replace("点半", "点30分")
    return _CN_NUMBER.sub(lambda match: _cn_number(match[0]), folded)


def _cn_number(run: str) -> str:
    """Chinese numerals as digits: 二〇二六 → 2026, 十二 → 12, 二十三 → 23; others left alone."""
    if "十" not in run:
        return "".join(str(_CN_DIGITS[char]) for char in run)
    tens, _, ones = run.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return run
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


def _read_day(text: str, today: date) -> tuple[date | None, str]:
    for pattern in _DATES:
        match = pattern.search(text)
        if match:
            found = match.groupdict()
            name, year = found.get("name"), found.get("y")
            month = _MONTH_NUMBERS[name[:3]] if name else int(found["m"])
            day = _dated(year, month, int(found["d"]), today)
            return day, _cut(text, match)
    match = _RELATIVE.search(text)
    if match:
        return today + timedelta(days=_RELATIVE_DAYS[match[0]]), _cut(text, match)
    for pattern in (_CN_WEEKDAY, _EN_WEEKDAY):
        match = pattern.search(text)
        if match:
            return _weekday(match, today), _cut(text, match)
    match = _DAY_ONLY.search(text)
    if match:
        return _this_or_next_month(int(match["d"]), today), _cut(text, match)
    return None, text


def _dated(year: str | None, month: int, day: int, today: date) -> date:
    try:
        if year is not None:
            return date(int(year), month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        raise ParseError("format") from None


def _weekday(match: re.Match[str], today: date) -> date:
    wd = match["wd"][:3]
    index = _EN_WEEKDAYS.index(wd) if wd in _EN_WEEKDAYS else 6 if wd in "日天" else int(wd) - 1
    if match["next"]:
        return today - timedelta(days=today.weekday() - 7) + timedelta(days=index)
    return today + timedelta(days=(index - today.weekday() - 1) % 7 + 1)


def _this_or_next_month(day: int, today: date) -> date:
    try:
        candidate = today.replace(day=day)
        if candidate >= today:
            return candidate
        following = today.replace(day=1) + timedelta(days=32)
        return following.replace(day=day)
    except ValueError:
        raise ParseError("format") from None


def _read_time(text: str) -> tuple[time | None, str]:
    period = _PERIOD.search(text)
    if period:
        text = _cut(text, period)
    for pattern in (_CLOCK, _CN_HOUR, _BARE_HOUR) if period else (_CLOCK, _CN_HOUR):
        match = pattern.search(text)
        if match:
            minute = int(match.groupdict().get("mi") or 0)
            hour = _on_the_clock(int(match["h"]), period[0] if period else "")
            if hour > 23 or minute > 59:
                raise ParseError("format")
            return time(hour, minute), _cut(text, match)
    if period:
        raise ParseError("format")
    return None, text


def _on_the_clock(hour: int, period: str) -> int:
    """12-hour readings: 下午2点 and 2pm are 14:00, 中午1点 is 13:00, 12am is midnight."""
    if period.startswith(_AFTERNOON) and hour < 12:
        return hour + 12
    if period == "中午" and hour < 3:
        return hour + 12
    if period.startswith("a") and hour == 12:
        return 0
    return hour


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end() :]

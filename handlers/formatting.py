"""How amounts, dates and closed-list values read in each language."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers.domain.errors import N_
from handlers.i18n import Translator
from storage.models import Department

__all__ = [
    "N_",
    "SECTOR_NAMES",
    "STATUS_NAMES",
    "department_name",
    "fen_to_yuan",
    "file_counts",
    "format_amount",
    "format_date",
    "format_month",
    "format_voice",
    "join_list",
    "yuan_to_fen",
]


SECTOR_NAMES = {
    "construction": N_("Construction"),
    "transport": N_("Transport"),
    "water": N_("Water works"),
    "education": N_("Education (schools)"),
    "other": N_("Other"),
}

STATUS_NAMES = {
    "received": N_("Received"),
    "in_progress": N_("In progress"),
    "overdue": N_("Overdue"),
    "resolved": N_("Resolved"),
    "rejected": N_("Rejected"),
    "reopened": N_("Reopened"),
}


def department_name(department: Department, language: str) -> str:
    return department.name_zh if language == "zh" else department.name_en


def yuan_to_fen(amount: Decimal) -> int:
    return int(amount * 100)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_amount(fen: int, _: Translator) -> str:
    yuan = fen_to_yuan(fen)
    number = f"{yuan:,.0f}" if yuan == yuan.to_integral_value() else f"{yuan:,.2f}"
    return _("{amount} yuan").format(amount=number)


def format_date(moment: datetime | date, zone: ZoneInfo) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone).date()
    return moment.isoformat()


def format_month(month: date, _: Translator) -> str:
    return _("{month:02d}/{year}").format(month=month.month, year=month.year)


def join_list(items: Iterable[str], _: Translator, *, clauses: bool = False) -> str:
    """Items shown together: in Chinese with the enumeration comma (、), or with the ordinary
    full-width comma (，) when they are ``clauses`` rather than a list of like things; in
    English with ", "."""
    if _.language != "zh":
        return ", ".join(items)
    return ("，" if clauses else "、").join(items)


def format_voice(duration: int | None, _: Translator) -> str:
    """A story told by voice as the review and the card show it: "🎤 voice message, 0:42"."""
    if duration is None:
        return "🎤 " + _("voice message")
    length = f"{duration // 60}:{duration % 60:02d}"
    return "🎤 " + _("voice message, {length}").format(length=length)


def file_counts(kinds: Mapping[str, int], _: Translator) -> str:
    """ "2 photos, 1 document, 1 voice message": how many files of each kind, "none" if none."""
    parts = []
    if n := kinds.get("photo", 0):
        parts.append(_.plural("{n} photo", "{n} photos", n).format(n=n))
    if n := kinds.get("document", 0):
        parts.append(_.plural("{n} document", "{n} documents", n).format(n=n))
    if n := kinds.get("voice", 0):
        parts.append(_.plural("{n} voice message", "{n} voice messages", n).format(n=n))
    if n := kinds.get("audio", 0):
        parts.append(_.plural("{n} recording", "{n} recordings", n).format(n=n))
    return join_list(parts, _) if parts else _("none")

"""Which department owns a case: "whoever is in charge is responsible" (谁主管、谁负责).

The department that regulates a project's sector in its county owns the complaint.  The mapping
lives in a TOML file that a local administrator edits, so it is validated strictly and every
mistake is reported as one line naming the offending key, before the bot starts routing cases
to the wrong chat.

Lookup order for a case: the explicit ``[[rules]]`` entry for county × sector; else the
county's fallback department (its human resources & social security bureau); else, for a
county the file does not know, the city's fallback department.

Codes outlive the file: cases, staff, bookings, drafts and old buttons keep the code they were
given. A county, department or reception point that changes its code says so
(``renamed_from = ["old"]``), and every lookup of a code goes through :meth:`Routing.county`,
:meth:`Routing.department` or :meth:`Routing.reception_point`, which follow the rename; a code
the file no longer knows is None there, never an exception.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from handlers.operator_files import read_operator_file
from handlers.parsing import ParseError, parse_phone

__all__ = [
    "SECTORS",
    "County",
    "Department",
    "ReceptionPoint",
    "Renames",
    "Routing",
    "RoutingError",
    "load_routing",
    "parse_routing",
]

SECTORS: tuple[str, ...] = ("construction", "transport", "water", "education", "other")
"""Project sectors a worker can choose; each maps to the regulator of that sector."""

# Codes end up in Telegram callback data (64 bytes at most) and in logs, so keep them short
# and plain.
_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_CODE_HINT = "use 1-40 lowercase letters, digits, '.', '_' or '-'"


class RoutingError(ValueError):
    """The routing file is missing or wrong; ``str(error)`` is one line naming the key."""


def _is_chinese(language: str) -> bool:
    """Telegram reports language codes such as "zh-hans"; all Chinese variants get Chinese."""
    return language.lower().startswith("zh")


@dataclass(frozen=True)
class Department:
    """A department that handles cases, reached through its staff chat."""

    code: str
    name_zh: str
    name_en: str
    chat_id: int
    """Telegram chat of the department's staff group (negative) or of one person (positive)."""
    county: str | None
    """County code, or None for a city-level department."""
    deadline_days: int | None
    """Overrides the default case deadline when set."""

    def name(self, language: str) -> str:
        return self.name_zh if _is_chinese(language) else self.name_en


@dataclass(frozen=True)
class County:
    """A county-level division as offered to workers, with its catch-all department."""

    code: str
    name_zh: str
    name_en: str
    fallback: str
    """Department code that takes the county's cases no rule matches."""
    lead_chat_id: int | None = None
    """The county leaders' chat: escalations and overdue cases of the county go there."""

    def name(self, language: str) -> str:
        return self.name_zh if _is_chinese(language) else self.name_en


@dataclass(frozen=True)
class ReceptionPoint:
    """A place where workers can complain face to face or book a visit (集中接访点)."""

    code: str
    name_zh: str
    name_en: str
    address_zh: str
    address_en: str
    phone: str
    """As the administrator wrote it (e.g. "0932-8000105"); validated as a phone number."""
    hours_zh: str
    hours_en: str
    chat_id: int | None
    """Staff chat notified of bookings, if any."""
    county: str | None
    visits_per_slot: int = 3
    """Workers the point receives in one hourly slot; a full slot is not offered."""

    def name(self, language: str) -> str:
        return self.name_zh if _is_chinese(language) else self.name_en

    def address(self, language: str) -> str:
        return self.address_zh if _is_chinese(language) else self.address_en

    def hours_text(self, language: str) -> str:
        return self.hours_zh if _is_chinese(language) else self.hours_en


@dataclass(frozen=True)
class Renames:
    """Old code → code now, from the ``renamed_from`` keys of the file."""

    counties: Mapping[str, str] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)
    reception_points: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Routing:
    """The validated routing file; build it with :func:`load_routing` or :func:`parse_routing`."""

    counties: tuple[County, ...]
    """In file order, which is the order the county buttons are shown in."""
    departments: Mapping[str, Department]
    city_fallback: str
    reception_points: tuple[ReceptionPoint, ...]
    rules: Mapping[tuple[str, str], str]
    """(county code, sector) → department code."""
    city_lead_chat_id: int | None = None
    """The city leaders' chat; also takes a county's escalations when it has no chat of its own."""
    supervisor_chat_id: int | None = None
    """The discipline commission's chat (纪委监委): every escalation is copied there."""
    renamed: Renames = field(default_factory=Renames)
    source: str = "<string>"
    """Where the file was read from, to name it in messages."""

    def names_chat(self, chat_id: int) -> bool:
        """Is this one of the groups the file names (a department's, leaders', supervisors' or
        a reception point's)? The bot answers in no other group."""
        return chat_id in self._group_chat_ids

    @functools.cached_property
    def _group_chat_ids(self) -> frozenset[int]:
        named = [d.chat_id for d in self.departments.values()]
        named += [c.lead_chat_id for c in self.counties if c.lead_chat_id is not None]
        named += [p.chat_id for p in self.reception_points if p.chat_id is not None]
        named += [i for i in (self.city_lead_chat_id, self.supervisor_chat_id) if i is not None]
        return frozenset(named)

    def lead_chat_for(self, county: str) -> int | None:
        """Where a county's escalations go: its leaders' chat, else the city's."""
        known = self.county(county)
        if known is not None and known.lead_chat_id is not None:
            return known.lead_chat_id
        return self.city_lead_chat_id

    def county(self, code: str) -> County | None:
        """The county with this code, or that was renamed from it; None if the file has neither."""
        code = self.county_code(code)
        return next((county for county in self.counties if county.code == code), None)

    def department(self, code: str) -> Department | None:
        """The department with this code, or renamed from it; None if the file has neither."""
        return self.departments.get(self.renamed.departments.get(code, code))

    def reception_point(self, code: str) -> ReceptionPoint | None:
        """The reception point with this code, or renamed from it; None if the file has neither."""
        code = self.renamed.reception_points.get(code, code)
        return next((point for point in self.reception_points if point.code == code), None)

    def county_code(self, code: str) -> str:
        """The code now of a county stored as ``code`` (itself unless renamed)."""
        return self.renamed.counties.get(code, code)

    def county_name(self, code: str, language: str) -> str:
        """For display: the county's name, or the code as stored if the file no longer knows it
        (a closed case of a county since removed still shows)."""
        known = self.county(code)
        return known.name(language) if known is not None else code

    def department_name(self, code: str, language: str) -> str:
        """For display: the department's name, or the code as stored if the file no longer
        knows it (the audit trail keeps the codes of its time)."""
        known = self.department(code)
        return known.name(language) if known is not None else code

    def department_for(self, county: str, sector: str) -> Department:
        """The department that owns a case; never fails, so no complaint is left unassigned.

        A county or sector the file does not know falls through to the county's and then the
        city's fallback (start-up refuses while a draft names a county the file lost).
        """
        known = self.county(county)
        code = self.rules.get((known.code, sector)) if known is not None else None
        if code is None:
            code = known.fallback if known is not None else self.city_fallback
        return self.departments[code]


def load_routing(path: Path) -> Routing:
    """Read and validate a routing file; every problem becomes a one-line RoutingError."""
    text = read_operator_file(path, "routing file", RoutingError)
    return parse_routing(text, source=str(path))


def parse_routing(text: str, source: str = "<string>") -> Routing:
    """Validate routing TOML given as text; ``source`` names it in error messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = f"routing file {source}: TOML syntax error: {error}"
        raise RoutingError(_one_line(message)) from None
    try:
        model = _RoutingFile.model_validate(raw)
    except PydanticValidationError as error:
        problems = [_describe(detail) for detail in error.errors(include_url=False)]
        raise _routing_error(source, problems) from None
    problems = _check_references(model)
    if problems:
        raise _routing_error(source, problems)
    return _build(model, source)


# --- file schema -----------------------------------------------------------------------------


def _nonzero(chat_id: int) -> int:
    """0 is what an admin leaves when they have not looked the id up yet; alerts would vanish."""
    if chat_id == 0:
        raise ValueError("must not be 0; put the real Telegram chat id here")
    return chat_id


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_ChatId = Annotated[int, AfterValidator(_nonzero)]


class _Entry(BaseModel):
    # strict: TOML already has real types, so "123" for a chat id or true for a number is a
    # mistake to report, not to coerce.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _CityEntry(_Entry):
    fallback: _Text
    lead_chat_id: _ChatId | None = None
    supervisor_chat_id: _ChatId | None = None


class _DepartmentEntry(_Entry):
    name_zh: _Text
    name_en: _Text
    chat_id: _ChatId
    county: _Text | None = None
    deadline_days: Annotated[int, Field(ge=1, le=365)] | None = None
    renamed_from: list[_Text] = []


class _CountyEntry(_Entry):
    code: _Text
    name_zh: _Text
    name_en: _Text
    fallback: _Text
    lead_chat_id: _ChatId | None = None
    renamed_from: list[_Text] = []


class _RuleEntry(_Entry):
    county: _Text
    sector: _Text
    department: _Text


class _ReceptionPointEntry(_Entry):
    code: _Text
    name_zh: _Text
    name_en: _Text
    address_zh: _Text
    address_en: _Text
    phone: _Text
    hours_zh: _Text
    hours_en: _Text
    chat_id: _ChatId | None = None
    county: _Text | None = None
    visits_per_slot: Annotated[int, Field(ge=1, le=100)] = 3
    renamed_from: list[_Text] = []


class _RoutingFile(_Entry):
    city: _CityEntry
    departments: dict[str, _DepartmentEntry]
    counties: Annotated[list[_CountyEntry], Field(min_length=1)]
    rules: list[_RuleEntry] = []
    reception_points: list[_ReceptionPointEntry] = []


# --- validation beyond the schema ---------------------------------------------------------------


def _check_references(model: _RoutingFile) -> list[str]:
    """Cross-references the schema cannot express: codes, unknown names, duplicate rules."""
    problems: list[str] = []
    county_codes: set[str] = set()
    for index, county in enumerate(model.counties):
        where = f"counties[{index}].code"
        if not _CODE.fullmatch(county.code):
            problems.append(f"{where}: invalid code {county.code!r} ({_CODE_HINT})")
        elif county.code in county_codes:
            problems.append(f"{where}: duplicate county {county.code!r}")
        county_codes.add(county.code)

    departments = model.departments
    for code, department in departments.items():
        if not _CODE.fullmatch(code):
            problems.append(f"departments.{code}: invalid code {code!r} ({_CODE_HINT})")
        if department.county is not None and department.county not in county_codes:
            problems.append(
                f"departments.{code}.county: {_unknown('county', department.county, county_codes)}"
            )

    if model.city.fallback not in departments:
        problems.append(
            f"city.fallback: {_unknown('department', model.city.fallback, departments)}"
        )
    for index, county in enumerate(model.counties):
        if county.fallback not in departments:
            problems.append(
                f"counties[{index}].fallback: "
                f"{_unknown('department', county.fallback, departments)}"
            )

    first_rule: dict[tuple[str, str], int] = {}
    for index, rule in enumerate(model.rules):
        where = f"rules[{index}]"
        if rule.county not in county_codes:
            problems.append(f"{where}.county: {_unknown('county', rule.county, county_codes)}")
        if rule.sector not in SECTORS:
            problems.append(
                f"{where}.sector: {_unknown('sector', rule.sector, SECTORS)}"
                f" (sectors: {', '.join(SECTORS)})"
            )
        if rule.department not in departments:
            problems.append(
                f"{where}.department: {_unknown('department', rule.department, departments)}"
            )
        key = (rule.county, rule.sector)
        if key in first_rule:
            problems.append(
                f"{where}: duplicate rule for county {rule.county!r} and sector {rule.sector!r}"
                f" (already given in rules[{first_rule[key]}])"
            )
        else:
            first_rule[key] = index

    point_codes: set[str] = set()
    for index, point in enumerate(model.reception_points):
        where = f"reception_points[{index}]"
        if not _CODE.fullmatch(point.code):
            problems.append(f"{where}.code: invalid code {point.code!r} ({_CODE_HINT})")
        elif point.code in point_codes:
            problems.append(f"{where}.code: duplicate reception point {point.code!r}")
        point_codes.add(point.code)
        if point.county is not None and point.county not in county_codes:
            problems.append(f"{where}.county: {_unknown('county', point.county, county_codes)}")
        try:
            parse_phone(point.phone)
        except ParseError:
            problems.append(f"{where}.phone: not a valid phone number {point.phone!r}")

    problems += _check_renames(
        "county",
        county_codes,
        ((f"counties[{i}]", c.renamed_from) for i, c in enumerate(model.counties)),
    )
    problems += _check_renames(
        "department",
        set(departments),
        ((f"departments.{code}", d.renamed_from) for code, d in departments.items()),
    )
    problems += _check_renames(
        "reception point",
        point_codes,
        ((f"reception_points[{i}]", p.renamed_from) for i, p in enumerate(model.reception_points)),
    )
    return problems


def _check_renames(
    kind: str, current: set[str], entries: Iterable[tuple[str, list[str]]]
) -> list[str]:
    """An old code must be a code, no longer in use, and lead to one place only."""
    problems: list[str] = []
    claimed: dict[str, str] = {}
    for where, old_codes in entries:
        for index, old in enumerate(old_codes):
            at = f"{where}.renamed_from[{index}]"
            if not _CODE.fullmatch(old):
                problems.append(f"{at}: invalid code {old!r} ({_CODE_HINT})")
            elif old in current:
                problems.append(f"{at}: {kind} {old!r} is still in the file under that code")
            elif old in claimed:
                problems.append(f"{at}: {kind} {old!r} is already renamed in {claimed[old]}")
            else:
                claimed[old] = where
    return problems


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    """Name the unknown value and the closest known one, since most mistakes are typos."""
    close = difflib.get_close_matches(value, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown {kind} {value!r}{hint}"


# Pydantic's wording for these names internal classes or Python types; say it in TOML terms.
_MESSAGES = {
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "dict_type": "expected a table",
    "list_type": "expected an array of tables",
    "extra_forbidden": "unknown key (check the spelling)",
    "missing": "required key is missing",
}


def _describe(detail: Any) -> str:
    """One pydantic error as "key.path: message"."""
    kind = str(detail["type"])
    if kind in _MESSAGES:
        message = _MESSAGES[kind]
    elif kind == "value_error":
        message = str(detail["ctx"]["error"])
    else:
        message = str(detail["msg"])
        value = detail.get("input")
        if isinstance(value, bool):  # as written in TOML, not as Python prints it
            message += f" (got {str(value).lower()})"
        elif isinstance(value, str | int | float):
            message += f" (got {value!r})"
    return f"{_key_path(detail['loc'])}: {message}"


def _key_path(loc: tuple[int | str, ...]) -> str:
    """("rules", 3, "department") → "rules[3].department", as the admin sees the file."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "(top level)"


def _routing_error(source: str, problems: list[str]) -> RoutingError:
    """Report the first problem; mention how many more there are so the admin keeps going."""
    more = len(problems) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return RoutingError(_one_line(f"routing file {source}: {problems[0]}{suffix}"))


def _one_line(message: str) -> str:
    """Start-up logs and chat replies show the error on one line."""
    return " ".join(message.split())


def _build(model: _RoutingFile, source: str) -> Routing:
    departments = {
        code: Department(
            code=code,
            name_zh=entry.name_zh,
            name_en=entry.name_en,
            chat_id=entry.chat_id,
            county=entry.county,
            deadline_days=entry.deadline_days,
        )
        for code, entry in model.departments.items()
    }
    return Routing(
        counties=tuple(
            County(
                code=c.code,
                name_zh=c.name_zh,
                name_en=c.name_en,
                fallback=c.fallback,
                lead_chat_id=c.lead_chat_id,
            )
            for c in model.counties
        ),
        departments=MappingProxyType(departments),
        city_fallback=model.city.fallback,
        reception_points=tuple(
            ReceptionPoint(
                code=p.code,
                name_zh=p.name_zh,
                name_en=p.name_en,
                address_zh=p.address_zh,
                address_en=p.address_en,
                phone=p.phone,
                hours_zh=p.hours_zh,
                hours_en=p.hours_en,
                chat_id=p.chat_id,
                county=p.county,
                visits_per_slot=p.visits_per_slot,
            )
            for p in model.reception_points
        ),
        rules=MappingProxyType({(r.county, r.sector): r.department for r in model.rules}),
        city_lead_chat_id=model.city.lead_chat_id,
        supervisor_chat_id=model.city.supervisor_chat_id,
        renamed=Renames(
            counties=_renames((c.code, c.renamed_from) for c in model.counties),
            departments=_renames((code, d.renamed_from) for code, d in model.departments.items()),
            reception_points=_renames((p.code, p.renamed_from) for p in model.reception_points),
        ),
        source=source,
    )


def _renames(entries: Iterable[tuple[str, list[str]]]) -> Mapping[str, str]:
    return MappingProxyType({old: code for code, olds in entries for old in olds})

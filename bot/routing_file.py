"""Reading and checking the routing file an administrator edits (``CASES_ROUTING_FILE``).

The file is validated strictly, and every mistake is reported as one line naming the offending
key, before the bot starts routing cases to the wrong chat. What it describes, and every lookup
the rules make in it, is :class:`handlers.routing.Routing`; this module only builds one from the
TOML text, which is why the schema (pydantic) lives with the runtime and not with the rules.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from handlers.operator_files import read_operator_file
from handlers.parsing import ParseError, parse_phone
from handlers.routing import (
    SECTORS,
    County,
    DepartmentEntry,
    ReceptionPoint,
    Renames,
    Routing,
    RoutingError,
)

__all__ = ["RoutingError", "load_routing", "parse_routing"]

# Codes end up in Telegram callback data (64 bytes at most) and in logs, so keep them short
# and plain.
_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_CODE_HINT = "use 1-40 lowercase letters, digits, '.', '_' or '-'"


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
        code: DepartmentEntry(
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

"""Which department owns a case: "whoever is in charge is responsible" (谁主管、谁负责).

The department that regulates a project's sector in its county owns the complaint. The mapping
lives in a TOML file that a local administrator edits; ``bot.routing_file`` reads and checks it
and builds the plain objects here, which the rules look codes up in (no file, no schema here).

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

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "SECTORS",
    "County",
    "DepartmentEntry",
    "ReceptionPoint",
    "Renames",
    "Routing",
    "RoutingError",
]

SECTORS: tuple[str, ...] = ("construction", "transport", "water", "education", "other")
"""Project sectors a worker can choose; each maps to the regulator of that sector."""


class RoutingError(ValueError):
    """The routing file is missing or wrong, or dropped a code still in use (both found at
    start-up: ``bot.routing_file``, ``handlers.routing_changes``); ``str(error)`` is one line."""


def _is_chinese(language: str) -> bool:
    """Telegram reports language codes such as "zh-hans"; all Chinese variants get Chinese."""
    return language.lower().startswith("zh")


@dataclass(frozen=True)
class DepartmentEntry:
    """A department as the routing file names it: one that handles cases, reached through its
    staff chat (its table row, which the cases point at, is ``storage.models.Department``)."""

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
    """The validated routing file; ``bot.routing_file`` builds it (``load_routing``)."""

    counties: tuple[County, ...]
    """In file order, which is the order the county buttons are shown in."""
    departments: Mapping[str, DepartmentEntry]
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

    def department(self, code: str) -> DepartmentEntry | None:
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

    def department_for(self, county: str, sector: str) -> DepartmentEntry:
        """The department that owns a case; never fails, so no complaint is left unassigned.

        A county or sector the file does not know falls through to the county's and then the
        city's fallback (start-up refuses while a draft names a county the file lost).
        """
        known = self.county(county)
        code = self.rules.get((known.code, sector)) if known is not None else None
        if code is None:
            code = known.fallback if known is not None else self.city_fallback
        return self.departments[code]

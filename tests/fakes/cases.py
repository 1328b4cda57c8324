"""The case ports in memory: a case book that checks a case is read for change before it is
saved, a staff list, and a trail that keeps every event in order."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.domain.cases import OPEN_STATUSES, CaseRecord
from handlers.domain.ids import CaseId, UserId
from handlers.domain.permissions import StaffMember

__all__ = ["FakeCaseBook", "FakeCaseTrail", "FakeStaffDirectory", "TrailEvent"]


def same_employer(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class FakeCaseBook:
    cases: dict[CaseId, CaseRecord] = field(default_factory=dict)
    held: set[CaseId] = field(default_factory=set)
    """The cases read for change: only those may be saved, as with the row lock."""
    holds: list[tuple[str, int]] = field(default_factory=list)
    """What was held, in order: ``("case", id)``; share it with the surveys' to see both."""

    def add(self, *cases: CaseRecord) -> None:
        self.cases |= {case.id: case for case in cases}

    async def for_change(self, case_id: CaseId) -> CaseRecord | None:
        self.held.add(case_id)
        self.holds.append(("case", case_id))
        return self.cases.get(case_id)

    async def save(self, case: CaseRecord) -> None:
        assert case.id in self.held, "saved without being read for change"
        self.cases[case.id] = case

    async def count_open_of_employer(self, employer: str) -> int:
        key = same_employer(employer)
        return sum(
            1
            for case in self.cases.values()
            if same_employer(case.employer) == key and case.status in OPEN_STATUSES
        )


@dataclass
class FakeStaffDirectory:
    staff: dict[UserId, StaffMember] = field(default_factory=dict)

    async def active_by_user(self, user_id: UserId) -> StaffMember | None:
        return self.staff.get(user_id)


@dataclass(frozen=True)
class TrailEvent:
    case_id: CaseId
    actor: str
    kind: str
    at: datetime
    data: Mapping[str, Any]


@dataclass
class FakeCaseTrail:
    events: list[TrailEvent] = field(default_factory=list)

    async def append(
        self, case_id: CaseId, *, actor: str, kind: str, at: datetime, data: Mapping[str, Any]
    ) -> None:
        self.events.append(TrailEvent(case_id, actor, kind, at, data))

    @property
    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]

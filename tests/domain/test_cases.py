"""The case's status machine: where each staff action takes a case, that none applies to a
closed case, and how a resolved case is reopened."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from handlers.domain.cases import (
    OPEN_STATUSES,
    Action,
    CaseStatus,
    NotResolved,
    ensure_open,
    moved,
    reopen,
)
from handlers.domain.errors import CaseClosed, Stale
from tests.fakes.people import a_case

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)
RESOLVED = a_case(
    30, status=CaseStatus.RESOLVED, outcome="paid_in_full", resolved_at=NOW, deadline_at=NOW
)


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS),
        (CaseStatus.REOPENED, CaseStatus.IN_PROGRESS),
        (CaseStatus.IN_PROGRESS, CaseStatus.IN_PROGRESS),
        (CaseStatus.OVERDUE, CaseStatus.OVERDUE),
    ],
)
def test_accepting_starts_the_work_on_a_received_or_reopened_case(
    status: CaseStatus, after: CaseStatus
) -> None:
    assert moved(status, "accept") == after


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (CaseStatus.IN_PROGRESS, CaseStatus.RECEIVED),
        (CaseStatus.RECEIVED, CaseStatus.RECEIVED),
        (CaseStatus.OVERDUE, CaseStatus.OVERDUE),
        (CaseStatus.REOPENED, CaseStatus.REOPENED),
    ],
)
def test_a_transfer_puts_a_case_in_progress_back_to_received(
    status: CaseStatus, after: CaseStatus
) -> None:
    assert moved(status, "transfer") == after


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_resolving_and_rejecting_close_any_open_case(status: CaseStatus) -> None:
    assert moved(status, "resolve") == CaseStatus.RESOLVED
    assert moved(status, "reject") == CaseStatus.REJECTED


@pytest.mark.parametrize("action", ["accept", "transfer", "resolve", "reject"])
@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.REJECTED])
def test_no_action_applies_to_a_closed_case(status: CaseStatus, action: Action) -> None:
    with pytest.raises(CaseClosed) as refused:
        moved(status, action)
    assert isinstance(refused.value, Stale)
    assert refused.value.status == status
    assert refused.value.values == {"status": status}


def test_an_open_case_passes_the_open_check() -> None:
    for status in OPEN_STATUSES:
        ensure_open(status)


def test_reopening_clears_the_outcome_and_keeps_the_before_and_after_for_the_audit() -> None:
    reopening = reopen(RESOLVED, NOW, default_days=15)
    deadline = NOW + timedelta(days=15)
    assert reopening.case == replace(
        RESOLVED, status=CaseStatus.REOPENED, outcome=None, resolved_at=None, deadline_at=deadline
    )
    assert reopening.before == {
        "status": "resolved",
        "outcome": "paid_in_full",
        "resolved_at": NOW.isoformat(),
        "deadline_at": NOW.isoformat(),
    }
    assert reopening.after == {"status": "reopened", "deadline_at": deadline.isoformat()}


def test_the_departments_own_days_set_the_reopened_deadline() -> None:
    reopened = reopen(replace(RESOLVED, deadline_days=5), NOW, default_days=15).case
    assert reopened.deadline_at == NOW + timedelta(days=5)


@pytest.mark.parametrize("status", [*OPEN_STATUSES, CaseStatus.REJECTED])
def test_only_a_resolved_case_is_reopened(status: CaseStatus) -> None:
    with pytest.raises(NotResolved) as refused:
        reopen(replace(RESOLVED, status=status), NOW, default_days=15)
    assert refused.value.status == status
    assert refused.value.message == "This button is no longer active."

"""The case's status machine: where each staff action takes a case, and that none applies
to a closed case."""

import pytest

from handlers.domain.cases import OPEN_STATUSES, Action, CaseStatus, ensure_open, moved
from handlers.domain.errors import CaseClosed, Stale


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

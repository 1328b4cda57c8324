"""The hard-case rules, given the facts and the employer's open cases: each at its threshold."""

from datetime import date
from typing import Any

import pytest

from handlers.domain.hard_cases import HardCaseRules, hard_case_reasons

ORDINARY: dict[str, Any] = {
    "amount_fen": 50_000_00,
    "workers_owed": 3,
    "owed_since": date(2026, 6, 1),
    "filed_on": date(2026, 11, 26),
    "open_of_employer": 1,
}


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ({}, []),
        ({"amount_fen": 99_999_99}, []),
        ({"amount_fen": 100_000_00}, ["amount"]),
        ({"workers_owed": 9}, []),
        ({"workers_owed": 10}, ["workers"]),
        ({"owed_since": date(2025, 11, 1)}, []),
        ({"owed_since": date(2025, 10, 1)}, ["long_owed"]),
        ({"open_of_employer": 2}, []),
        ({"open_of_employer": 3}, ["repeat_employer"]),
    ],
)
def test_each_rule_applies_from_its_threshold_on(
    changed: dict[str, Any], expected: list[str]
) -> None:
    assert hard_case_reasons(HardCaseRules(), **(ORDINARY | changed)) == expected


def test_months_owed_are_calendar_months_to_the_day_of_filing() -> None:
    """Filed on 1 December: November of the year before is 13 months back, December 12."""
    filed = ORDINARY | {"filed_on": date(2026, 12, 1)}
    rules = HardCaseRules()
    assert hard_case_reasons(rules, **(filed | {"owed_since": date(2025, 11, 30)})) == ["long_owed"]
    assert hard_case_reasons(rules, **(filed | {"owed_since": date(2025, 12, 1)})) == []


def test_every_rule_that_applies_is_a_reason_in_a_fixed_order() -> None:
    facts = ORDINARY | {
        "amount_fen": 195_000_00,
        "workers_owed": 12,
        "owed_since": date(2022, 5, 1),
        "open_of_employer": 4,
    }
    assert hard_case_reasons(HardCaseRules(), **facts) == [
        "amount",
        "workers",
        "long_owed",
        "repeat_employer",
    ]


def test_the_thresholds_are_the_rules_given() -> None:
    rules = HardCaseRules(min_amount_fen=5_000_000, min_workers=3, months_owed=24)
    assert hard_case_reasons(rules, **ORDINARY) == ["amount", "workers"]

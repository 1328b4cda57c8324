"""Hard cases (骨头案): the rules that send a new case to the leaders the moment it is filed.

A large amount, many workers, wages owed for over a year, or an employer with several open
cases: the city takes such cases over (提级包抓) rather than leave them to one department.
"""

from dataclasses import dataclass
from datetime import date

__all__ = ["HardCaseRules", "hard_case_reasons"]


@dataclass(frozen=True, slots=True)
class HardCaseRules:
    """Thresholds that make a new case a hard case."""

    min_amount_fen: int = 100_000_00
    min_workers: int = 10
    months_owed: int = 12
    """Owed for more than this many calendar months before the report."""
    min_open_per_employer: int = 3


def hard_case_reasons(
    rules: HardCaseRules,
    *,
    amount_fen: int,
    workers_owed: int,
    owed_since: date,
    filed_on: date,
    open_of_employer: int,
) -> list[str]:
    """Which rules make a case filed on ``filed_on`` (a local date) a hard case; empty if none.
    ``open_of_employer`` counts the employer's open cases, this one included."""
    reasons = []
    if amount_fen >= rules.min_amount_fen:
        reasons.append("amount")
    if workers_owed >= rules.min_workers:
        reasons.append("workers")
    months = (filed_on.year - owed_since.year) * 12 + filed_on.month - owed_since.month
    if months > rules.months_owed:
        reasons.append("long_owed")
    if open_of_employer >= rules.min_open_per_employer:
        reasons.append("repeat_employer")
    return reasons

"""Hard cases (骨头案) at filing: the rules of ``handlers.domain.hard_cases`` applied to a new
case, which is escalated at once, before the department's alert is drawn (so the alert
shows the flag from the start)."""

from zoneinfo import ZoneInfo

from handlers.context import Unit
from handlers.domain.hard_cases import HardCaseRules
from handlers.domain.hard_cases import hard_case_reasons as reasons_of
from handlers.domain.ids import CaseId
from handlers.escalation import escalate
from handlers.ports_case_book import CaseBook
from storage.models import Case

__all__ = ["flag_hard_case", "hard_case_reasons"]


async def hard_case_reasons(
    cases: CaseBook, case: Case, rules: HardCaseRules, zone: ZoneInfo
) -> list[str]:
    """Which rules make ``case`` (already in ``cases``) a hard case; empty if none."""
    return reasons_of(
        rules,
        amount_fen=case.amount_fen,
        workers_owed=case.workers_owed,
        owed_since=case.owed_since,
        filed_on=case.created_at.astimezone(zone).date(),
        open_of_employer=await cases.count_open_of_employer(case.employer),
    )


async def flag_hard_case(unit: Unit, case: Case) -> None:
    """At filing, before the department's alert is drawn: a hard case is escalated at once."""
    config = unit.config
    reasons = await hard_case_reasons(unit.ports.cases, case, config.hard_cases, config.zone)
    if reasons:
        assert case.id is not None
        await escalate(unit, None, CaseId(case.id), reasons, alert_drawn=False)

"""Hard cases (骨头案): the rules that send a new case to the leaders the moment it is filed.

A large amount, many workers, wages owed for over a year, or an employer with several open
cases: the city takes such cases over (提级包抓) rather than leave them to one department.
"""

from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.case_card import OPEN_STATUSES, alert_ref, load_case
from handlers.context import HardCaseRules, Unit
from handlers.escalation import escalate
from handlers.replies import EditMessage
from storage.models import Case, employer_key

__all__ = ["flag_hard_case", "hard_case_reasons"]


async def hard_case_reasons(
    session: AsyncSession, case: Case, rules: HardCaseRules, zone: ZoneInfo
) -> list[str]:
    """Which rules make ``case`` (already in ``session``) a hard case; empty if none."""
    reasons = []
    if case.amount_fen >= rules.min_amount_fen:
        reasons.append("amount")
    if case.workers_owed >= rules.min_workers:
        reasons.append("workers")
    filed = case.created_at.astimezone(zone).date()
    months = (filed.year - case.owed_since.year) * 12 + filed.month - case.owed_since.month
    if months > rules.months_owed:
        reasons.append("long_owed")
    same_employer = (
        select(func.count())
        .select_from(Case)
        .where(
            col(Case.employer_key) == employer_key(case.employer),
            col(Case.status).in_(OPEN_STATUSES),
        )
    )
    if (await session.exec(same_employer)).one() >= rules.min_open_per_employer:
        reasons.append("repeat_employer")
    return reasons


async def flag_hard_case(unit: Unit, case: Case) -> None:
    """At filing, before the department's alert is drawn: a hard case is escalated at once.

    The alert drawn afterwards already shows the flag, so escalation's edit of it (a message
    not sent yet) is withdrawn.
    """
    config = unit.config
    reasons = await hard_case_reasons(unit.session, case, config.hard_cases, config.zone)
    if not reasons:
        return
    assert case.id is not None
    view = await load_case(unit.session, case.id)
    assert view is not None
    await escalate(unit, view, reasons, actor="system")
    ref = alert_ref(case)
    unit.outgoing[:] = [
        m for m in unit.outgoing if not (isinstance(m, EditMessage) and m.target_ref == ref)
    ]

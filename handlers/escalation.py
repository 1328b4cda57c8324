"""Escalation (提级包抓): a case goes to the leaders' and the supervisors' chats.

Used by the Escalate button, by the hard-case rules at filing, and at the deadline. A case is
escalated once; later reasons are added to its hard-case flag and audit trail, not re-sent.
"""

from handlers.case_card import CaseView, case_card, refresh_alert
from handlers.context import Unit
from handlers.i18n import translator
from handlers.replies import SendMessage
from storage.cases import add_case_event

__all__ = ["escalate"]


async def escalate(unit: Unit, view: CaseView, reasons: list[str], actor: str) -> bool:
    """Flag the case hard with ``reasons`` and alert leads and supervisors; False if it was
    already escalated (the new reasons are still recorded)."""
    case = view.case
    before = {"hard": case.hard, "hard_reasons": list(case.hard_reasons)}
    case.hard = True
    case.hard_reasons = sorted(set(case.hard_reasons) | set(reasons))
    first = case.escalated_at is None
    if first:
        case.escalated_at = unit.now
    unit.session.add(case)
    after = {"hard": True, "hard_reasons": case.hard_reasons}
    await add_case_event(
        unit.session,
        case,
        actor=actor,
        kind="escalated",
        at=unit.now,
        data={"before": before, "after": after, "reasons": reasons},
    )
    if not first:
        await refresh_alert(unit, view)
        return False
    _ = translator(unit.config.default_language)
    card = "⬆️ " + _("<b>Escalated</b>") + "\n" + case_card(unit, view)
    routing = unit.config.routing
    for chat in {routing.lead_chat_for(case.county), routing.supervisor_chat_id} - {None}:
        assert chat is not None
        unit.send(SendMessage(chat, card))
    await refresh_alert(unit, view)
    return True

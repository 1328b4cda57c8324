"""Escalation in the chats: the leaders' and the supervisors' chats get the case's card the
first time a case is escalated, and the department's alert shows the flag.

What escalating does to the case is ``handlers.usecases.escalate_case``; this draws it for
every door that escalates (the Escalate button, the hard-case rules, the deadline).
"""

from handlers.case_card import case_card, load_case, refresh_alert
from handlers.context import Unit
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor
from handlers.i18n import translator
from handlers.replies import SendMessage
from handlers.usecases.escalate_case import Escalated, Escalation, escalate_case

__all__ = ["announce_escalation", "escalate"]


async def escalate(
    unit: Unit,
    actor: Actor | None,
    case_id: CaseId,
    reasons: list[str],
    *,
    alert_drawn: bool = True,
) -> Escalated:
    """Escalate the case for ``reasons`` (``actor`` None: the system) and tell the chats;
    ``alert_drawn`` False when the department's alert is yet to be drawn, already flagged."""
    request = Escalation(case_id, tuple(reasons), unit.now)
    escalated = await escalate_case(actor, request, cases=unit.ports.cases, trail=unit.ports.trail)
    await announce_escalation(unit, escalated, alert_drawn=alert_drawn)
    return escalated


async def announce_escalation(unit: Unit, escalated: Escalated, *, alert_drawn: bool) -> None:
    """The leaders' and supervisors' chats get the card of a ``first`` escalation; the
    department's alert shows the flag if it is ``alert_drawn`` already."""
    view = await load_case(unit.session, escalated.case.id)
    assert view is not None
    if escalated.first:
        _ = translator(unit.config.default_language)
        card = "⬆️ " + _("<b>Escalated</b>") + "\n" + case_card(unit, view)
        routing = unit.config.routing
        for chat in {routing.lead_chat_for(view.case.county), routing.supervisor_chat_id} - {None}:
            assert chat is not None
            unit.send(SendMessage(chat, card))
    if alert_drawn:
        await refresh_alert(unit, view)

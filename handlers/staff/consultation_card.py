"""How a seven-party consultation (七方会商) reads, and who hears of it.

The seven parties are those of Dingxi's practice: the labour bureau, the local government, the
sector's regulator, the owner, the general contractor, the labour subcontractor and the
workers meet, settle the facts and agree a plan and a deadline.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from handlers.context import Unit
from handlers.formatting import N_, join_list
from handlers.i18n import Translator
from handlers.meeting_time import format_when
from handlers.replies import escape

__all__ = ["PARTIES", "consultation_details"]

PARTIES = {
    "hrss": N_("HR and social security bureau"),
    "local": N_("Local government"),
    "regulator": N_("Industry regulator"),
    "owner": N_("Owner / client"),
    "contractor": N_("General contractor"),
    "subcontractor": N_("Labour subcontractor"),
    "workers": N_("The workers"),
}


def party_line(party: Mapping[str, Any], _: Translator, *, contacts: bool) -> str:
    role = _(PARTIES.get(party["role"], party["role"]))
    shown = ("name", "contact") if contacts else ("name",)
    details = join_list((escape(party[key]) for key in shown if party.get(key)), _, clauses=True)
    return f"• {role} — {details}" if details else f"• {role}"


def consultation_details(
    unit: Unit,
    scheduled_at: datetime,
    place: str,
    parties: Sequence[Mapping[str, Any]],
    _: Translator,
    *,
    contacts: bool = True,
) -> str:
    """When, where and who; the parties' contacts are for staff, not for the worker."""
    lines = [
        _("When: {when}").format(when=format_when(scheduled_at, unit.config.zone, _)),
        _("Place: {place}").format(place=escape(place)),
        _("Taking part:"),
        *(party_line(party, _, contacts=contacts) for party in parties),
    ]
    return "\n".join(lines)

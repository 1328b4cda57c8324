"""The audit trail of a case as staff read it under /case: when, who, and what, in order.

A case's trail is short (tens of events), so it is read whole and cut into pages by length,
not by count: no message passes Telegram's 4,096 characters however long the notes are.
Pages are counted from the oldest event, so a page keeps its events as new ones are added;
the newest page is shown first, with buttons to earlier ones.

What a line shows of an event's ``data`` (read from ``after``, else from ``data`` itself): a
change of ``status`` or ``department`` (a code) from ``before`` to ``after``; the ``department``
a case was filed with; a yes/no ``after`` (a worker's answer); ``scheduled_at``, ``outcome`` (a
closed-list code), ``agreed_amount_fen``, ``amount_recovered_fen``, ``workers_paid``,
``payment_due``, ``reasons`` (hard-case reasons), ``reason``; and, quoted, the ``place``, the
``text`` of a note (``worker_sees`` tells whether the worker was shown it), a ``comment`` and
``notes``; the ``notice`` the worker could not be sent. Anything else stays in the database,
where the trail is complete.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.case_card import HARD_REASONS, OUTCOME_NAMES
from handlers.context import Unit
from handlers.formatting import N_, STATUS_NAMES, format_amount, join_list
from handlers.i18n import Translator
from handlers.replies import escape, plain
from storage.anonymise import DATA_DELETED
from storage.case_queries import case_events, staff_names
from storage.models import Case, CaseEvent
from storage.people import NOT_REACHED

__all__ = ["PAGE_LIMIT", "TimelinePage", "timeline", "visible_length"]

PAGE_LIMIT = 3800
"""Characters of events on one page, leaving room for the heading within Telegram's 4,096."""
QUOTE_LIMIT = 2000
"""Characters of a note quoted in the trail (notes are at most 2,000); longer ones are cut,
and cut to a quarter when an event quotes so much that its line would not fit on a page."""

KINDS = {
    "created": N_("case filed"),
    "accepted": N_("accepted the case"),
    "contact_viewed": N_("viewed the worker's contact details"),
    "evidence_viewed": N_("opened the evidence"),
    "note": N_("added a note"),
    "comment": N_("commented"),
    "transferred": N_("transferred the case"),
    "resolved": N_("resolved the case"),
    "rejected": N_("rejected the case"),
    "escalated": N_("escalated the case"),
    "overdue": N_("the deadline passed"),
    "reopened": N_("reopened the case"),
    "consultation_scheduled": N_("scheduled a seven-party consultation"),
    "consultation_attendance": N_("answered the consultation invitation"),
    "consultation_outcome": N_("recorded the consultation's outcome"),
    "payment_check": N_("answered whether the money arrived"),
    "survey_asked": N_("return-visit survey sent"),
    "survey_answer": N_("answered the return-visit survey"),
    "survey_unanswered": N_("the return-visit survey went unanswered"),
    "survey_undeliverable": N_("the return-visit survey could not be delivered"),
    NOT_REACHED: N_("📵 worker cannot be reached in chat: phone them"),
    "survey_cancelled": N_("the return-visit survey was cancelled"),
    DATA_DELETED: N_("asked for their personal data to be deleted"),
}
AMOUNTS = {
    "agreed_amount_fen": N_("agreed: {amount}"),
    "amount_recovered_fen": N_("recovered: {amount}"),
}
ACTORS = {"worker": N_("worker"), "system": N_("system"), "admin": N_("administrator")}
TO_WORKER = N_("the worker sees this")
STAFF_ONLY = N_("staff only")
TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True, slots=True)
class TimelinePage:
    text: str
    page: int
    pages: int


async def timeline(unit: Unit, case: Case, page: int | None, _: Translator) -> TimelinePage:
    """Page ``page`` (1 holds the oldest events; None or past the end, the newest)."""
    assert case.id is not None
    events = await case_events(unit.session, case.id)
    names = await staff_names(unit.session, _staff_ids(events))
    pages = paginate([event_line(unit, event, names, _) for event in events])
    index = len(pages) if page is None else min(max(page, 1), len(pages))
    heading = _("<b>Timeline of {number}</b>").format(number=case.number)
    if len(pages) > 1:
        heading += " · " + _("page {page} of {pages}").format(page=index, pages=len(pages))
    body = "\n".join(pages[index - 1]) or _("Nothing has happened yet.")
    return TimelinePage(heading + "\n\n" + body, index, len(pages))


def paginate(lines: Sequence[str]) -> list[list[str]]:
    """Lines in pages of at most ``PAGE_LIMIT`` visible characters, filled from the oldest."""
    pages: list[list[str]] = [[]]
    size = 0
    for line in lines:
        length = visible_length(line) + 1
        if pages[-1] and size + length > PAGE_LIMIT:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += length
    return pages


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text without its HTML tags."""
    return len(plain(text).encode("utf-16-le")) // 2


def event_line(unit: Unit, event: CaseEvent, names: dict[int, str], _: Translator) -> str:
    when = event.created_at.astimezone(unit.config.zone).strftime(TIME_FORMAT)
    what = _(KINDS[event.kind]) if event.kind in KINDS else escape(event.kind)
    head = f"<code>{when}</code> · {_who(event.actor, names, _)} · <b>{what}</b>"
    for limit in (QUOTE_LIMIT, QUOTE_LIMIT // 4):
        details = _details(unit, event.data, _, limit)
        line = head + (" — " + "; ".join(details) if details else "")
        if visible_length(line) <= PAGE_LIMIT:
            break
    return line


def _staff_ids(events: Sequence[CaseEvent]) -> set[int]:
    found: set[int] = set()
    for event in events:
        kind, _sep, ident = event.actor.partition(":")
        if kind == "staff" and ident.isascii() and ident.isdigit():
            found.add(int(ident))
    return found


def _who(actor: str, names: dict[int, str], _: Translator) -> str:
    kind, _sep, ident = actor.partition(":")
    if kind == "staff" and ident.isascii() and ident.isdigit() and int(ident) in names:
        return escape(names[int(ident)])
    return _(ACTORS[kind]) if kind in ACTORS else escape(actor)


def _details(unit: Unit, data: dict[str, Any], _: Translator, limit: int) -> list[str]:
    before, after = _mapping(data.get("before")), _mapping(data.get("after"))
    facts = data | after
    found: list[str] = []
    if "status" in after and before.get("status") != after["status"]:
        old, new = before.get("status"), after["status"]
        found.append(_named(old, STATUS_NAMES, _) + " → " + _named(new, STATUS_NAMES, _))
    if "department" in after and before.get("department") != after["department"]:
        old, new = before.get("department"), after["department"]
        found.append(_department(unit, old, _) + " → " + _department(unit, new, _))
    elif "department" in data:
        found.append(_department(unit, data["department"], _))
    if isinstance(data.get("after"), bool | str):
        found.append(_("answer: {answer}").format(answer=_answer(data["after"], _)))
    if isinstance(facts.get("scheduled_at"), str):
        found.append(_moment(unit, facts["scheduled_at"]))
    if facts.get("outcome"):
        outcome = _named(facts["outcome"], OUTCOME_NAMES, _)
        found.append(_("outcome: {outcome}").format(outcome=outcome))
    for key, text in AMOUNTS.items():
        if isinstance(facts.get(key), int) and facts[key] > 0:
            found.append(_(text).format(amount=format_amount(facts[key], _)))
    if isinstance(facts.get("workers_paid"), int) and facts["workers_paid"] > 0:
        found.append(_("workers paid: {n}").format(n=facts["workers_paid"]))
    if facts.get("payment_due"):
        found.append(_("to be paid by {date}").format(date=escape(facts["payment_due"])))
    if isinstance(facts.get("reasons"), list):
        found.append(join_list((_named(r, HARD_REASONS, _) for r in facts["reasons"]), _))
    if facts.get("reason"):
        found.append(_("reason: {reason}").format(reason=_quote(facts["reason"], limit)))
    if facts.get("notice"):
        found.append(_("not sent: {notice}").format(notice=_quote(facts["notice"], limit)))
    for key in ("place", "text", "comment", "notes"):
        if facts.get(key):
            found.append(_quote(facts[key], limit) + _audience(facts.get("worker_sees"), _))
    return found


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _named(value: object, names: dict[str, str], _: Translator) -> str:
    """A closed-list code in words, or the value as it was written."""
    if isinstance(value, str) and value in names:
        return _(names[value])
    return escape(value)


def _department(unit: Unit, code: object, _: Translator) -> str:
    """The audit trail keeps the code of its time; shown under its name now if still known."""
    if isinstance(code, str):
        return escape(unit.config.routing.department_name(code, _.language))
    return escape(code)


def _answer(answer: bool | str, _: Translator) -> str:
    if answer in (True, "yes"):
        return _("yes")
    return _("no") if answer in (False, "no") else escape(answer)


def _moment(unit: Unit, iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return escape(iso)
    return moment.astimezone(unit.config.zone).strftime(TIME_FORMAT)


def _quote(text: object, limit: int) -> str:
    words = str(text)
    if len(words) > limit:
        words = words[:limit] + "…"
    return "«" + escape(words) + "»"


def _audience(worker_sees: object, _: Translator) -> str:
    """Whether the worker was shown a note; nothing when the event does not say."""
    if not isinstance(worker_sees, bool):
        return ""
    return " (" + _(TO_WORKER if worker_sees else STAFF_ONLY) + ")"

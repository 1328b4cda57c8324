"""Staff commands: /cases, /overdue and /mine (lists), /case NUMBER (card and timeline).

Every command and every press works out again, on the server, which cases the person may
see: a handler, their department's; a county lead, the county's; a city lead, a supervisor or
an admin, all. In a group that is narrowed to the cases the group is for (a department's
group: the department's; a county leaders' group: the county's), so a list typed into a group
never shows its members another department's cases; a group the routing file does not name
gets none.

/cases from someone who is not staff shows, in a private chat, the worker's own cases: it was
the workers' alias of /mycases before staff had lists, and workers may still type it.
"""

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from handlers import callbacks
from handlers.callbacks import CallbackDataError, parse_id
from handlers.case_card import OPEN_STATUSES, CaseView, case_buttons, case_card, load_case
from handlers.context import Context, Keyboard
from handlers.domain.errors import NotAllowed
from handlers.formatting import N_, STATUS_NAMES, format_amount, format_date
from handlers.menu import show_my_cases
from handlers.replies import Button, EditMessage, escape
from handlers.staff.actor import Actor, actor_of, can_act, ensure_can_view, ensure_staff
from handlers.staff.timeline import timeline
from storage.case_queries import (
    EVERY_CASE,
    NO_CASE,
    CasePage,
    CaseRow,
    CaseScope,
    case_number,
    cases_numbered,
    department_ids_for_chat,
    open_cases_page,
)
from storage.models import Case, StaffRole

__all__ = ["CASES", "CaseList", "CaseNumber", "actor_scope", "chat_scope", "parse_case_number"]

log = logging.getLogger(__name__)

CASES = "cases"
OPEN, PAGE, LOG = "open", "page", "log"
SHAPES = {OPEN: 1, PAGE: 2, LOG: 2}
"""Parts after the verb: ``cases:open:<case>``, ``cases:page:<list>:<n>``,
``cases:log:<case>:<n>``."""
PAGE_SIZE = 10
EMPLOYER_LIMIT = 40


class CaseList(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    MINE = "mine"


TITLES = {
    CaseList.OPEN: N_("<b>Open cases</b>: {total}"),
    CaseList.OVERDUE: N_("<b>Overdue cases</b>: {total}"),
    CaseList.MINE: N_("<b>Cases assigned to you</b>: {total}"),
}
EMPTY = {
    CaseList.OPEN: N_("No open cases."),
    CaseList.OVERDUE: N_("No overdue cases."),
    CaseList.MINE: N_("No open cases are assigned to you."),
}
WRONG_GROUP = N_(
    "Cases are shown only in a department's or the leaders' group, or in a private chat with me."
)
OTHER_GROUP = N_("This case is not for this group: open it in a private chat with me.")


async def list_open_cases(ctx: Context) -> None:
    actor = await actor_of(ctx)
    if actor.staff is None and not actor.is_admin and ctx.event.is_private:
        await show_my_cases(ctx)
        return
    await show_list(ctx, actor, CaseList.OPEN, 1)


async def list_overdue_cases(ctx: Context) -> None:
    await show_list(ctx, await actor_of(ctx), CaseList.OVERDUE, 1)


async def list_my_cases(ctx: Context) -> None:
    await show_list(ctx, await actor_of(ctx), CaseList.MINE, 1)


async def open_case_by_number(ctx: Context) -> None:
    actor = await actor_of(ctx)
    ensure_staff(actor)
    _ = ctx._
    example = case_number(ctx.config.case_number_prefix, ctx.local_now.year, 42)
    wanted = parse_case_number(ctx.event.args)
    if wanted is None:
        text = _("Type the case number after /case, for example: /case {example}")
        ctx.reply(text.format(example=example))
        return
    prefix = wanted.prefix or ctx.config.case_number_prefix
    found = await cases_numbered(ctx.session, prefix, wanted.sequence, wanted.year)
    if not found:
        text = _(
            "There is no case {number}. Type the number as the alert shows it, for example: "
            "/case {example}"
        )
        ctx.reply(text.format(number=escape(ctx.event.args.strip()), example=example))
        return
    scopes = [actor_scope(actor), await chat_scope(ctx)]
    visible = [case for case in found if all(scope.admits(case) for scope in scopes)]
    if len(visible) > 1:
        ctx.reply(_("Several cases have that number. Which one?"), _open_buttons(visible))
        return
    view = await load_case(ctx.session, (visible or found)[0].id or 0)
    assert view is not None
    await show_case(ctx, actor, view)


async def on_press(ctx: Context) -> None:
    """A list page, a case's card, or a page of its timeline; forged payloads change nothing."""
    try:
        pressed = _read(ctx.event.callback_data)
        actor = await actor_of(ctx)
        if pressed.verb == PAGE:
            await show_list(ctx, actor, pressed.kind, pressed.page, edit=True)
            return
        ensure_staff(actor)
        view = await load_case(ctx.session, pressed.case_id)
        if view is None:
            raise CallbackDataError(f"no case {pressed.case_id}")
        if pressed.verb == OPEN:
            await show_case(ctx, actor, view)
        else:
            await _ensure_can_view(ctx, actor, view.case)
            await show_timeline(ctx, view.case, pressed.page, edit=True)
    except CallbackDataError:
        data = (ctx.event.callback_data or "")[:80]
        log.warning("refused callback data %r from user %s", data, ctx.event.user_id)
        ctx.answer(ctx._("This button is no longer active."))


async def show_list(
    ctx: Context, actor: Actor, kind: CaseList, page: int, *, edit: bool = False
) -> None:
    ensure_staff(actor)
    scopes = [actor_scope(actor), await chat_scope(ctx)]
    if kind is CaseList.MINE:
        staff_id = actor.staff.id if actor.staff else None
        scopes.append(CaseScope(assignee_id=staff_id) if staff_id else NO_CASE)
    found = await open_cases_page(
        ctx.session,
        scopes,
        OPEN_STATUSES,
        page=page,
        size=PAGE_SIZE,
        overdue_at=ctx.now if kind is CaseList.OVERDUE else None,
    )
    _show(ctx, *_list_message(ctx, kind, found), edit=edit)


async def show_case(ctx: Context, actor: Actor, view: CaseView) -> None:
    """The card, with the action buttons for those who may act, then the newest timeline page."""
    await _ensure_can_view(ctx, actor, view.case)
    buttons = case_buttons(ctx, view, ctx._) if can_act(actor, view.case) else ()
    ctx.reply(case_card(ctx, view, ctx._), buttons)
    await show_timeline(ctx, view.case, None)


async def show_timeline(ctx: Context, case: Case, page: int | None, *, edit: bool = False) -> None:
    found = await timeline(ctx, case, page, ctx._)
    nav = _nav(found.page, found.pages, lambda n: callbacks.pack(CASES, LOG, case.id or 0, n))
    _show(ctx, found.text, nav, edit=edit)


def actor_scope(actor: Actor) -> CaseScope:
    """The cases a person may see (``ensure_can_view`` as a query)."""
    staff = actor.staff
    if actor.is_admin:
        return EVERY_CASE
    if staff is None:
        return NO_CASE
    if staff.role == StaffRole.HANDLER:
        return CaseScope(department_ids=(staff.department_id,)) if staff.department_id else NO_CASE
    if staff.role == StaffRole.LEAD:
        return CaseScope(county=staff.county)
    return EVERY_CASE if staff.role == StaffRole.SUPERVISOR else NO_CASE


async def chat_scope(ctx: Context) -> CaseScope:
    """The cases this chat is for: in private, any; in a group, the group's own."""
    chat, routing = ctx.event.chat_id, ctx.config.routing
    if ctx.event.is_private or chat in (routing.city_lead_chat_id, routing.supervisor_chat_id):
        return EVERY_CASE
    county = next((c.code for c in routing.counties if c.lead_chat_id == chat), None)
    if county is not None:
        return CaseScope(county=county)
    departments = await department_ids_for_chat(ctx.session, chat)
    if not departments:
        raise NotAllowed(WRONG_GROUP)
    return CaseScope(department_ids=departments)


async def _ensure_can_view(ctx: Context, actor: Actor, case: Case) -> None:
    ensure_can_view(actor, case)
    if not (await chat_scope(ctx)).admits(case):
        raise NotAllowed(OTHER_GROUP)


@dataclass(frozen=True, slots=True)
class CaseNumber:
    prefix: str | None
    year: int | None
    sequence: int


NUMBER = re.compile(
    r"#?(?:(?P<prefix>[A-Z]{1,16})\W{0,3})?(?:(?P<year>\d{4})\W{1,3})?(?P<sequence>\d{1,7})",
    re.ASCII,
)


def parse_case_number(text: str) -> CaseNumber | None:
    """``DX-2026-000042``, ``dx-2026-42``, ``2026-42`` or ``42``, full-width forms too."""
    match = NUMBER.fullmatch(unicodedata.normalize("NFKC", text).strip().upper())
    if match is None:
        return None
    year = int(match["year"]) if match["year"] else None
    return CaseNumber(match["prefix"], year, int(match["sequence"]))


@dataclass(frozen=True, slots=True)
class Pressed:
    verb: str
    case_id: int = 0
    kind: CaseList = CaseList.OPEN
    page: int = 1


def _read(data: str | None) -> Pressed:
    """The press a payload of this module's stands for, every part checked."""
    parts = (data or "").split(callbacks.SEPARATOR)
    size = SHAPES.get(parts[1]) if len(parts) > 1 else None
    if size is None:
        raise CallbackDataError(f"unexpected callback data {data!r}")
    verb, subject, *rest = callbacks.unpack(data, prefix=CASES, size=size + 1)
    page = parse_id(rest[0]) if rest else 1
    if verb != PAGE:
        return Pressed(verb, case_id=parse_id(subject), page=page)
    try:
        return Pressed(verb, kind=CaseList(subject), page=page)
    except ValueError as error:
        raise CallbackDataError(f"unknown list {subject!r}") from error


def _list_message(ctx: Context, kind: CaseList, found: CasePage) -> tuple[str, Keyboard]:
    _ = ctx._
    if not found.total:
        return _(EMPTY[kind]), ()
    heading = _(TITLES[kind]).format(total=found.total)
    if found.pages > 1:
        heading += " · " + _("page {page} of {pages}").format(page=found.page, pages=found.pages)
    lines = [heading, *("\n" + _case_line(ctx, row) for row in found.rows)]
    nav = _nav(found.page, found.pages, lambda n: callbacks.pack(CASES, PAGE, kind, n))
    return "\n".join(lines), _open_buttons([row.case for row in found.rows]) + nav


def _case_line(ctx: Context, row: CaseRow) -> str:
    _, case = ctx._, row.case
    employer = case.employer
    if len(employer) > EMPLOYER_LIMIT:
        employer = employer[:EMPLOYER_LIMIT] + "…"
    head = f"<b>{case.number}</b>" + (" 🦴" if case.hard else "")
    facts = [
        escape(employer),
        format_amount(case.amount_fen, _),
        _("due {date}").format(date=format_date(case.deadline_at, ctx.config.zone)),
    ]
    if row.assignee is not None:
        facts.append("👤 " + escape(row.assignee))
    return head + " · " + _(STATUS_NAMES[case.status]) + "\n" + " · ".join(facts)


def _open_buttons(cases: Sequence[Case]) -> Keyboard:
    buttons = [
        Button(
            case.number + (" 🦴" if case.hard else ""), callbacks.pack(CASES, OPEN, case.id or 0)
        )
        for case in cases
    ]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def _nav(page: int, pages: int, payload: Callable[[int], str]) -> Keyboard:
    buttons = []
    if page > 1:
        buttons.append(Button("◀︎", payload(page - 1)))
    if page < pages:
        buttons.append(Button("▶︎", payload(page + 1)))
    return (tuple(buttons),) if buttons else ()


def _show(ctx: Context, text: str, buttons: Keyboard, *, edit: bool = False) -> None:
    """Edit the message whose button was pressed, or send a new one."""
    if edit and ctx.event.message_id is not None:
        ctx.send(EditMessage(ctx.event.chat_id, ctx.event.message_id, text, buttons))
    else:
        ctx.reply(text, buttons)

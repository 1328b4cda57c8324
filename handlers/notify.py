"""Telling people what happened to a case, each in their own language.

Everything the bot says to a worker unasked (case notices, consultation invitations and
reminders, payment checks, visit reminders, survey questions) goes through :func:`reach`, the
one place that decides whether the worker's chat can be written to (a survey applies
:func:`reachable` first, to close itself as undeliverable rather than wait). A worker who
blocked the bot (``unreachable_since``) is sent nothing until they write again — which clears
the mark before their message is handled (``handlers.dispatch``), so replies to it always go
out; each case notice held back is recorded on the case's timeline, so staff phone instead.
"""

from collections.abc import Callable

from sqlmodel import select

from handlers.case_card import CaseView
from handlers.context import Keyboard, Unit
from handlers.i18n import Translator, translator
from handlers.replies import SendMessage, plain
from storage.cases import add_case_event
from storage.models import Case, Staff, StaffRole, Worker
from storage.people import NOT_REACHED, notice_ref

__all__ = [
    "reach",
    "reachable",
    "tell_department",
    "tell_staff",
    "tell_worker",
    "to_worker",
]

PREVIEW = 200
"""Characters of a held-back notice kept on the timeline (the notice is rebuilt, not stored)."""

Render = Callable[[Translator], tuple[str, Keyboard]]


def reachable(worker: Worker) -> bool:
    """The rule: a worker whose chat refused the bot (they blocked it) is not written to."""
    return worker.unreachable_since is None


async def reach(
    unit: Unit, worker: Worker, render: Render, *, case: Case | None, ref: str | None = None
) -> bool:
    """Send what ``render`` writes in the worker's language, if the worker can be reached;
    otherwise record on ``case``'s timeline (in staff's language) what was not sent. A case
    notice carries the case in its ``ref``, so Telegram refusing it is recorded there too.

    Returns whether it was sent.
    """
    if reachable(worker):
        text, buttons = render(translator(worker.language or unit.config.default_language))
        if ref is None and case is not None and case.id is not None:
            ref = notice_ref(case.id)
        unit.send(SendMessage(worker.chat_id, text, buttons, ref=ref))
        return True
    if case is not None:
        text, _buttons = render(translator(unit.config.default_language))
        notice = plain(text).strip()
        if len(notice) > PREVIEW:
            notice = notice[:PREVIEW] + "…"
        await add_case_event(
            unit.session,
            case,
            actor="system",
            kind=NOT_REACHED,
            at=unit.now,
            data={"notice": notice},
        )
    return False


async def to_worker(unit: Unit, case: Case, render: Render) -> bool:
    """Tell ``case``'s worker what ``render`` writes; False when it could not be sent in chat: a
    walk-in worker who is not on Telegram, or one who blocked the bot (the department phones)."""
    if case.worker_id is None:
        return False
    worker = await unit.session.get(Worker, case.worker_id)
    if worker is None:
        return False
    return await reach(unit, worker, render, case=case)


async def tell_worker(
    unit: Unit,
    case: Case,
    message: str,
    buttons: Keyboard = (),
    **values: object | Callable[[Translator], str],
) -> bool:
    """``message`` is a catalog text with ``{number}`` and ``values`` filled in; a value may be
    a function of the worker's translator, for what reads differently per language."""

    def render(_: Translator) -> tuple[str, Keyboard]:
        filled = {key: value(_) if callable(value) else value for key, value in values.items()}
        return _(message).format(number=case.number, **filled), buttons

    return await to_worker(unit, case, render)


async def tell_department(unit: Unit, view: CaseView, message: str, **values: object) -> None:
    _ = translator(unit.config.default_language)
    text = _(message).format(number=view.case.number, **values)
    unit.send(SendMessage(view.department.chat_id, text))


async def tell_staff(unit: Unit, staff: Staff, text: str) -> None:
    """A private message to one staff member (already translated)."""
    unit.send(SendMessage(staff.chat_id, text))


async def staff_of_role(unit: Unit, role: StaffRole) -> list[Staff]:
    statement = select(Staff).where(Staff.role == role, Staff.active == True)  # noqa: E712
    return list((await unit.session.exec(statement)).all())

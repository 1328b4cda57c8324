"""Telling people what happened to a case, each in their own language."""

from collections.abc import Callable

from sqlmodel import select

from handlers.case_card import CaseView
from handlers.context import Unit
from handlers.i18n import Translator, translator
from handlers.replies import Button, SendMessage
from storage.models import Case, Staff, StaffRole, Worker

__all__ = ["tell_department", "tell_staff", "tell_worker"]


async def tell_worker(
    unit: Unit,
    case: Case,
    message: str,
    buttons: tuple[tuple[Button, ...], ...] = (),
    **values: object | Callable[[Translator], str],
) -> None:
    """``message`` is a catalog text with ``{number}`` and ``values`` filled in; a value may be
    a function of the worker's translator, for what reads differently per language.

    A case filed at a reception point for someone not on Telegram has no worker to tell.
    """
    if case.worker_id is None:
        return
    worker = await unit.session.get(Worker, case.worker_id)
    if worker is None:
        return
    _ = translator(worker.language or unit.config.default_language)
    filled = {key: value(_) if callable(value) else value for key, value in values.items()}
    text = _(message).format(number=case.number, **filled)
    unit.send(SendMessage(worker.chat_id, text, buttons))


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

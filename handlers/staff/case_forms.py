"""Actions that need more than a press: a note, a transfer, a resolution, a rejection.

They continue in the staff member's private chat as a short form (``flow = case_form``).
The case is checked again when the form is finished: if it moved on meanwhile, nothing
changes and the person is told why.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from handlers.case_card import (
    REJECTIONS,
    RESOLUTIONS,
    CaseView,
    alert_ref,
    load_case,
    refresh_alert,
    send_alert,
)
from handlers.context import Context
from handlers.domain.cases import PAID_OUTCOMES
from handlers.domain.ids import CaseId, DepartmentId
from handlers.explanations import Asked, explain
from handlers.formatting import N_, department_name, format_amount, format_date
from handlers.notify import tell_worker
from handlers.parsing import ParseError, parse_amount, parse_free_text, parse_worker_count
from handlers.replies import Button, EditMessage, SendMessage, escape
from handlers.staff.actor import Actor, actor_of, status_named
from handlers.staff.deadlines import cancel_deadlines
from handlers.staff.private_form import PrivateForm, close_form, closed_if_refused, staff_translator
from handlers.surveys import plan_return_visit
from handlers.usecases.add_note import Note, add_note
from handlers.usecases.reject_case import Rejection, reject_case
from handlers.usecases.resolve_case import Resolution, resolve_case
from handlers.usecases.transfer_case import Transfer, transfer_case
from storage.conversations import save_conversation
from storage.models import Department
from storage.people import department_by_code

__all__ = ["FLOW", "start_form"]

FLOW = "case_form"
FIRST_STEP = {"note": "text", "transfer": "department", "resolve": "outcome", "reject": "reason"}
FORM = PrivateForm(FLOW, prefix="cf")
ASKED: dict[str, Asked] = {"amount": "amount", "workers": "workers"}
"""What each typed step asks for, to explain an answer that cannot be read; else text."""
button = FORM.button


@dataclass
class Form:
    """The form's state as stored in the staff member's conversation row."""

    case_id: int
    action: str
    step: str
    values: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "action": self.action, "values": self.values}


async def start_form(ctx: Context, actor: Actor, view: CaseView, action: str) -> None:
    """Open the form in the presser's private chat."""
    form = Form(view.case.id or 0, action, FIRST_STEP[action], {})
    chat = await FORM.open(ctx, actor, form.step, form.to_json())
    ask(ctx, chat, form, view)


def ask(ctx: Context, chat: int, form: Form, view: CaseView, problem: str | None = None) -> None:
    _ = staff_translator(ctx)
    number = view.case.number
    rows: list[tuple[Button, ...]] = []
    if form.step == "text":
        text = _("Type the note for case {number}.").format(number=number)
    elif form.step == "visibility":
        text = _("Should the worker see this note?")
        rows.append(
            (
                button(_("Yes, tell the worker"), "visibility", "worker"),
                button(_("No, staff only"), "visibility", "staff"),
            )
        )
    elif form.step == "department":
        text = _("Transfer case {number} to which department?").format(number=number)
        rows += [(button(name, "department", code),) for code, name in transfer_choices(ctx, view)]
    elif form.step == "reason" and form.action == "transfer":
        text = _("Why is it transferred? The reason is recorded and told to the worker.")
    elif form.step == "outcome":
        text = _("How was case {number} resolved?").format(number=number)
        rows += [(button(_(name), "outcome", key),) for key, name in RESOLUTIONS.items()]
    elif form.step == "amount":
        owed = format_amount(view.case.amount_fen, _)
        text = _("How much was recovered, in yuan? The claim was {amount}.").format(amount=owed)
        rows.append((button(_("All of it ({amount})").format(amount=owed), "amount", "all"),))
    elif form.step == "workers":
        text = _("How many workers were paid?")
        label = _("All {n}").format(n=view.case.workers_owed)
        rows.append((button(label, "workers", "all"),))
    elif form.step == "reason":
        text = _("Why is case {number} rejected?").format(number=number)
        rows += [(button(_(name), "reason", key),) for key, name in REJECTIONS.items()]
    else:
        text = _("Any comment for the worker? Type it, or skip.")
        rows.append((button(_("Skip"), "comment", "skip"),))
    FORM.send_question(ctx, chat, form.step, text, rows, problem=problem)


def transfer_choices(ctx: Context, view: CaseView) -> list[tuple[str, str]]:
    """Departments of the case's county and of the city, except the one that has it."""
    routing = ctx.config.routing
    language = ctx.config.default_language
    return [
        (code, department.name(language))
        for code, department in routing.departments.items()
        if department.county in (view.case.county, None) and code != view.department.code
    ]


async def take(ctx: Context, value: str | None, text: str | None) -> None:
    form = current_form(ctx)
    if form is not None:
        await advance(ctx, form, value, text)


def current_form(ctx: Context) -> Form | None:
    data = ctx.conversation.data
    if ctx.conversation.flow != FLOW or "case_id" not in data:
        return None
    step = ctx.conversation.step or ""
    return Form(int(data["case_id"]), str(data["action"]), step, dict(data.get("values", {})))


async def advance(ctx: Context, form: Form, value: str | None, text: str | None) -> None:
    """Take one answer; ask the next question, or apply the action when the form is full."""
    _ = staff_translator(ctx)
    view = await load_case(ctx.session, form.case_id, lock=True)
    if view is None:
        close_form(ctx, _("This case no longer exists; nothing changed."))
        return
    problem = take_answer(ctx, form, view, value, text)
    if problem is not None:
        ask(ctx, ctx.event.chat_id, form, view, problem)
        return
    following = next_step(form)
    if following is not None:
        form.step = following
        save_conversation(
            ctx.session, ctx.conversation, ctx.now, flow=FLOW, step=following, data=form.to_json()
        )
        ask(ctx, ctx.event.chat_id, form, view)
        return
    actor = await actor_of(ctx)
    with closed_if_refused(ctx), status_named(_):
        closed = await APPLY[form.action](ctx, actor, view, form.values)
    if closed:
        await cancel_deadlines(ctx, view.case)
    close_form(ctx, _("Done: case {number} is updated.").format(number=view.case.number))


def take_answer(
    ctx: Context, form: Form, view: CaseView, value: str | None, text: str | None
) -> str | None:
    """Store the answer for the current step; a problem text when it cannot be taken."""
    _ = staff_translator(ctx)
    step, values = form.step, form.values
    try:
        if step in ("text", "comment") and value != "skip":
            if text is None:
                return _("Please type the text.")
            values[step] = parse_free_text(text, 2000)
        elif step == "comment":
            values["comment"] = ""
        elif step == "reason" and form.action == "transfer":
            if text is None:
                return _("Please type the reason.")
            values["reason"] = parse_free_text(text, 500)
        elif step == "department":
            codes = dict(transfer_choices(ctx, view))
            chosen = ctx.config.routing.department(value or (text or "").strip())
            if chosen is None or chosen.code not in codes:
                return _("Please choose a department with the buttons.")
            values["department"] = chosen.code
        elif step in ("visibility", "outcome", "reason"):
            allowed = {
                "visibility": ("worker", "staff"),
                "outcome": RESOLUTIONS,
                "reason": REJECTIONS,
            }
            if value not in allowed[step]:
                return _("Please use the buttons.")
            values[step] = value
        elif step == "amount":
            values["amount_fen"] = view.case.amount_fen if value == "all" else yuan_to_fen(text)
        elif step == "workers":
            values["workers"] = (
                view.case.workers_owed if value == "all" else parse_worker_count(text or "")
            )
    except ParseError as error:
        return explain(_, ASKED.get(step, "text"), error)
    return None


def yuan_to_fen(text: str | None) -> int:
    return int(parse_amount(text or "") * 100)


def next_step(form: Form) -> str | None:
    """The question after the current one; None when the form is complete."""
    order = {
        "note": ["text", "visibility"],
        "transfer": ["department", "reason"],
        "resolve": ["outcome", "amount", "workers"]
        if form.values.get("outcome") in PAID_OUTCOMES
        else ["outcome"],
        "reject": ["reason", "comment"],
    }[form.action]
    index = order.index(form.step)
    return order[index + 1] if index + 1 < len(order) else None


async def apply_note(ctx: Context, actor: Actor, view: CaseView, values: dict[str, Any]) -> bool:
    ports = ctx.ports
    note = Note(case_id_of(view), values["text"], values["visibility"] == "worker", ctx.now)
    added = await add_note(actor, note, cases=ports.cases, trail=ports.trail)
    _ = staff_translator(ctx)
    ctx.send(
        SendMessage(
            view.department.chat_id,
            _("📝 Note on case {number} by {name}: {text}").format(
                number=added.case.number, name=escape(added.author), text=escape(added.text)
            ),
        )
    )
    if added.worker_told:
        await tell_worker(
            ctx, view.case, N_("News on your case {number}: {text}"), text=escape(added.text)
        )
    return False


async def apply_transfer(
    ctx: Context, actor: Actor, view: CaseView, values: dict[str, Any]
) -> bool:
    """The new department is alerted and the old alert says where the case went; the
    deadline does not restart."""
    old = view.department
    chosen = ctx.config.routing.department(values["department"])  # renamed since it was chosen?
    code = chosen.code if chosen is not None else values["department"]
    new: Department = await department_by_code(ctx.session, code)
    ports = ctx.ports
    transfer = Transfer(
        case_id_of(view), DepartmentId(new.id or 0), new.code, values["reason"], ctx.now
    )
    old_alert = alert_ref(view.case)
    passed = await transfer_case(actor, transfer, cases=ports.cases, trail=ports.trail)
    _ = staff_translator(ctx)
    ctx.send(
        EditMessage(
            old.chat_id,
            None,
            _("↪️ Case {number} was transferred to {department}. Reason: {reason}").format(
                number=passed.case.number,
                department=escape(department_name(new, _.language)),
                reason=escape(passed.reason),
            ),
            target_ref=old_alert,
        )
    )
    moved = await reloaded(ctx, view)
    await send_alert(ctx, moved)
    await tell_worker(
        ctx,
        moved.case,
        N_(
            "Your case {number} has been passed to {department}, which is responsible for it. "
            "Reason: {reason}. The deadline stays {deadline}."
        ),
        department=lambda t: escape(department_name(new, t.language)),
        reason=escape(passed.reason),
        deadline=format_date(moved.case.deadline_at, ctx.config.zone),
    )
    return False


async def apply_resolve(ctx: Context, actor: Actor, view: CaseView, values: dict[str, Any]) -> bool:
    ports = ctx.ports
    resolution = Resolution(
        case_id_of(view),
        values["outcome"],
        values.get("amount_fen", 0),
        values.get("workers", 0),
        ctx.now,
    )
    resolved = await resolve_case(actor, resolution, cases=ports.cases, trail=ports.trail)
    closed = await reloaded(ctx, view)
    await refresh_alert(ctx, closed)
    case = closed.case
    await plan_return_visit(ctx, case)
    outcome = RESOLUTIONS[resolution.outcome]
    if resolved.paid:
        await tell_worker(
            ctx,
            case,
            N_("Your case {number} is resolved: {outcome}. Amount recovered: {amount}."),
            outcome=lambda t: t(outcome),
            amount=lambda t: format_amount(resolution.amount_recovered_fen, t),
        )
    else:
        await tell_worker(
            ctx,
            case,
            N_("Your case {number} is closed: {outcome}. If you disagree, call a reception point."),
            outcome=lambda t: t(outcome),
        )
    return True


async def apply_reject(ctx: Context, actor: Actor, view: CaseView, values: dict[str, Any]) -> bool:
    ports = ctx.ports
    rejection = Rejection(case_id_of(view), values["reason"], values.get("comment"), ctx.now)
    rejected = await reject_case(actor, rejection, cases=ports.cases, trail=ports.trail)
    closed = await reloaded(ctx, view)
    await refresh_alert(ctx, closed)
    reason = REJECTIONS[rejection.reason]
    await tell_worker(
        ctx,
        closed.case,
        N_(
            "Your case {number} was not taken up: {reason}. {comment}\nIf you disagree, call a "
            "reception point (see Help) or report again with more details."
        ),
        reason=lambda t: t(reason),
        comment=escape(rejected.case.outcome_note or ""),
    )
    return True


def case_id_of(view: CaseView) -> CaseId:
    assert view.case.id is not None
    return CaseId(view.case.id)


async def reloaded(ctx: Context, view: CaseView) -> CaseView:
    """The case as the decision left it, to draw."""
    changed = await load_case(ctx.session, case_id_of(view))
    assert changed is not None
    return changed


Apply = Callable[[Context, Actor, CaseView, dict[str, Any]], Awaitable[bool]]
APPLY: dict[str, Apply] = {
    "note": apply_note,
    "transfer": apply_transfer,
    "resolve": apply_resolve,
    "reject": apply_reject,
}
"""What finishing each form does; True when it closed the case (its deadlines are moot)."""

"""Moving through a report: next, back, edit from the review, cancel with confirmation.

The draft lives in the chat's conversation row (``data["answers"]``), so every answer
survives a restart and the worker resumes at the step they were on. Staff at a reception
point run the same questions for a walk-in worker (``data["on_behalf"]``, started by /file).
"""

from typing import Any

from handlers import callbacks
from handlers.context import Context
from handlers.events import EventKind
from handlers.menu import show_menu
from handlers.replies import Button, KeyButton, ReplyKeyboard
from handlers.report_arrears.steps import (
    KEEP,
    PREFIX,
    STEPS,
    Advance,
    Problem,
    Question,
    Stay,
    button,
    keep_label,
    nav_row,
    step_named,
)
from handlers.report_arrears.submit import file_for_worker, submit_report, under_daily_limit
from storage.conversations import save_conversation
from storage.retention import forget_chat

__all__ = ["FLOW", "begin", "begin_prefilled", "on_event", "resume"]

FLOW = "report"
REVIEW = "review"
CANCEL = "cancel"
ON_BEHALF = "on_behalf"


def answers_of(ctx: Context) -> dict[str, Any]:
    data = ctx.conversation.data
    answers: dict[str, Any] = data.setdefault("answers", {})
    return answers


def on_behalf(ctx: Context) -> bool:
    return bool(ctx.conversation.data.get(ON_BEHALF))


def save(ctx: Context, step: str, **flags: Any) -> None:
    kept = {ON_BEHALF: True} if on_behalf(ctx) else {}
    data = {"answers": answers_of(ctx), **kept, **flags}
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=FLOW, step=step, data=data)


async def begin(ctx: Context, *, for_walk_in: bool = False) -> None:
    """A worker's own report, or (``for_walk_in``) staff filing for someone in front of them."""
    _ = ctx._
    if ctx.conversation.flow == FLOW:
        await resume(ctx)
        return
    if not for_walk_in and not await under_daily_limit(ctx):
        return
    ctx.conversation.data = {ON_BEHALF: True} if for_walk_in else {}
    save(ctx, STEPS[0].name)
    if for_walk_in:
        intro = (
            _(
                "Filing a case for a worker who came to a reception point or phoned. Ask them the "
                "{n} questions; their phone number is required so the department can reach them."
            )
            + "\n\n"
            + _(
                "First tell them, in person, what is collected, why and who sees it (/privacy "
                "shows the notice workers agree to); by filing you record that they were told."
            )
        )
    else:
        intro = _(
            "Let's report your unpaid wages. There are {n} short questions; you can go back "
            "or cancel at any time, and nothing you answer is lost if you stop halfway."
        )
    ctx.reply(intro.format(n=len(STEPS)))
    ask(ctx, STEPS[0].name)


async def begin_prefilled(ctx: Context, answers: dict[str, Any], intro: str) -> None:
    """A report that starts at the first question ``answers`` leaves open; everything stays
    changeable on the review screen. A report already in progress is resumed instead."""
    if ctx.conversation.flow == FLOW:
        await resume(ctx)
        return
    if not await under_daily_limit(ctx):
        return
    ctx.conversation.data = {"answers": dict(answers)}
    first = next(step.name for step in STEPS if step.name not in answers)
    save(ctx, first)
    ctx.reply(intro)
    ask(ctx, first)


async def resume(ctx: Context) -> None:
    ctx.reply(ctx._("Let's continue your report where you left off."))
    ask(ctx, ctx.conversation.step or STEPS[0].name)


def ask(ctx: Context, step: str, problem: str | None = None) -> None:
    send_question(ctx, step, question_for(ctx, step), problem)


def question_for(ctx: Context, step: str) -> Question:
    if step == REVIEW:
        return review_question(ctx)
    if on_behalf(ctx) and step in ("name", "phone"):
        question = walk_in_question(ctx, step)
    else:
        question = step_named(step).ask(ctx, answers_of(ctx))
    return with_current_answer(ctx, step, question) if has_answer(ctx, step) else question


def has_answer(ctx: Context, step: str) -> bool:
    return step != REVIEW and step_named(step).keepable and step in answers_of(ctx)


def with_current_answer(ctx: Context, step: str, question: Question) -> Question:
    """A question asked again (Back, Edit, a resumed report) shows the answer already given,
    with a button that keeps it: the worker need not type it again, and an answer changes
    only when the worker gives another one."""
    _ = ctx._
    shown = step_named(step).show(ctx, answers_of(ctx))
    current = _("Current answer: {answer}").format(answer=shown)
    text = f"{question.text}\n\n{current}"
    if question.keyboard is not None:
        rows = question.keyboard.rows
        keep_key = (KeyButton(keep_label(ctx)),)
        return Question(text, question.buttons, ReplyKeyboard((keep_key, *rows)))
    keep = (button(ctx, step, keep_label(ctx), KEEP),)
    return Question(text, (keep, *question.buttons))


def walk_in_question(ctx: Context, step: str) -> Question:
    """Without the buttons that would offer the staff member's own name or phone."""
    _ = ctx._
    if step == "name":
        return Question(_("What is the worker's name?"), (nav_row(ctx, step, back=False),))
    return Question(
        _("The worker's phone number (required): the department will call them on it."),
        (nav_row(ctx, step),),
    )


def send_question(ctx: Context, step: str, question: Question, problem: str | None = None) -> None:
    _ = ctx._
    if step == REVIEW:
        header = ""
    else:
        index = next(i for i, s in enumerate(STEPS) if s.name == step) + 1
        header = _("Question {i} of {n}").format(i=index, n=len(STEPS)) + "\n"
    text = f"<i>{header}</i>{question.text}" if header else question.text
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    ctx.reply(text, question.buttons, keyboard=question.keyboard)


def review_question(ctx: Context) -> Question:
    _ = ctx._
    answers = answers_of(ctx)
    lines = ["<b>" + _("Please check your report") + "</b>", ""]
    lines += [
        _("<b>{label}:</b> {value}").format(label=_(step.label), value=step.show(ctx, answers))
        for step in STEPS
    ]
    lines += ["", _("Tap a field to change it, or submit the report.")]
    edits = [button(ctx, REVIEW, "✏️ " + _(step.label), f"e.{step.name}") for step in STEPS]
    rows: list[tuple[Button, ...]] = [tuple(edits[i : i + 3]) for i in range(0, len(edits), 3)]
    rows.append((button(ctx, REVIEW, _("✅ Submit report"), "submit"),))
    rows.append(
        (button(ctx, REVIEW, _("« Back"), "back"), button(ctx, REVIEW, _("✖ Cancel"), "cancel"))
    )
    return Question("\n".join(lines), tuple(rows))


async def on_event(ctx: Context) -> None:
    """Any input while a report is open."""
    step = ctx.conversation.step or STEPS[0].name
    pressed = pressed_for(ctx)
    cancelling = bool(ctx.conversation.data.get("cancelling"))
    if pressed is not None and pressed[0] != step and not (pressed[0] == CANCEL and cancelling):
        ctx.answer(ctx._("That question is already answered. Please use the latest message."))
        return
    value = pressed[1] if pressed else None
    if cancelling:
        if pressed and pressed[0] == CANCEL:
            await finish_cancel(ctx, discard=value == "yes")
            return
        ctx.conversation.data.pop("cancelling", None)
    if value == "cancel" or typed_nav(ctx) == "cancel" or is_command(ctx, "cancel"):
        ask_cancel(ctx)
        return
    if value == "back" or typed_nav(ctx) == "back":
        go_back(ctx, step)
        return
    if (value == KEEP or typed_nav(ctx) == KEEP) and has_answer(ctx, step):
        ctx.answer()
        keep_answer(ctx, step)
        return
    if step == REVIEW:
        await on_review(ctx, value)
        return
    if ctx.event.kind == EventKind.COMMAND:
        ask(ctx, step, ctx._("Please answer the question, or use /cancel to stop the report."))
        return
    result = await step_named(step).accept(ctx, answers_of(ctx))
    ctx.answer()
    if isinstance(result, Problem):
        save(ctx, step, **flags_of(ctx))
        ask(ctx, step, result.text)
    elif isinstance(result, Stay):
        screen = {"screen": result.screen} if result.screen else {}
        save(ctx, step, **flags_of(ctx), **screen)
        question = result.question
        if not result.screen and has_answer(ctx, step):
            question = with_current_answer(ctx, step, question)
        send_question(ctx, step, question)
    else:
        advance(ctx, step, result)


def advance(ctx: Context, step: str, result: Advance) -> None:
    if result.note:
        ctx.reply("✓ " + result.note, remove_keyboard=True)
    editing = bool(ctx.conversation.data.get("editing"))
    names = [s.name for s in STEPS]
    if editing or step == names[-1]:
        save(ctx, REVIEW, back_to=step)
        ask(ctx, REVIEW)
        return
    following = names[names.index(step) + 1]
    save(ctx, following)
    ask(ctx, following)


def keep_answer(ctx: Context, step: str) -> None:
    """On to the next screen with the answer unchanged; a reply keyboard is taken away."""
    note = None
    if question_for(ctx, step).keyboard is not None:
        shown = step_named(step).show(ctx, answers_of(ctx))
        note = ctx._("Kept: {answer}").format(answer=shown)
    advance(ctx, step, Advance(note))


def go_back(ctx: Context, step: str) -> None:
    """To the screen the worker saw before this one: the step's own question from a screen
    within it (the month list), the question the review was reached from (then back to the
    review once answered), the review from a question opened there, else the question before."""
    ctx.answer()
    data = ctx.conversation.data
    names = [s.name for s in STEPS]
    if data.get("screen"):
        save(ctx, step, **flags_of(ctx))
        ask(ctx, step)
        return
    flags: dict[str, Any] = {}
    if step == REVIEW:
        previous, flags = data.get("back_to") or names[-1], {"editing": True}
    elif data.get("editing"):
        previous, flags = REVIEW, {"back_to": step}
    elif step == names[0]:
        ask(ctx, step, ctx._("This is the first question."))
        return
    else:
        previous = names[names.index(step) - 1]
    if question_for(ctx, step).keyboard is not None and previous != REVIEW:
        ctx.reply("↩️", remove_keyboard=True)
    save(ctx, previous, **flags)
    ask(ctx, previous)


async def on_review(ctx: Context, value: str | None) -> None:
    _ = ctx._
    if value == "submit":
        ctx.answer()
        if "account" not in answers_of(ctx):
            # The story's voice messages taken back on its question, and nothing typed.
            save(ctx, "account", editing=True)
            ask(ctx, "account", _("Please answer this question before submitting the report."))
            return
        if on_behalf(ctx):
            await file_for_worker(ctx, answers_of(ctx))
        elif not await submit_report(ctx, answers_of(ctx)):
            save(ctx, REVIEW)
        return
    if value and value.startswith("e.") and value[2:] in {s.name for s in STEPS}:
        ctx.answer()
        save(ctx, value[2:], editing=True)
        ask(ctx, value[2:])
        return
    ask(ctx, REVIEW, _("Please use the buttons: change a field, submit, or cancel."))


def ask_cancel(ctx: Context) -> None:
    _ = ctx._
    ctx.answer()
    save(ctx, ctx.conversation.step or STEPS[0].name, **flags_of(ctx), cancelling=True)
    ctx.reply(
        _("Discard this report? Everything you entered will be deleted."),
        (
            (
                Button(_("🗑 Yes, discard it"), callbacks.pack(PREFIX, CANCEL, "yes")),
                Button(_("↩️ No, continue"), callbacks.pack(PREFIX, CANCEL, "no")),
            ),
        ),
        remove_keyboard=False,
    )


async def finish_cancel(ctx: Context, *, discard: bool) -> None:
    _ = ctx._
    ctx.answer()
    step = ctx.conversation.step or STEPS[0].name
    if not discard:
        ctx.conversation.data.pop("cancelling", None)
        save(ctx, step, **flags_of(ctx))
        ask(ctx, step)
        return
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
    await forget_chat(ctx.session, ctx.event.chat_id, ctx.now)
    ctx.reply(_("The report was discarded."), remove_keyboard=True)
    await show_menu(ctx)


def flags_of(ctx: Context) -> dict[str, Any]:
    """What stays true while the worker is on the same step: editing from the review, and
    which question the review was reached from."""
    data = ctx.conversation.data
    return {key: data[key] for key in ("editing", "back_to") if data.get(key)}


def pressed_for(ctx: Context) -> tuple[str, str] | None:
    if ctx.event.kind != EventKind.CALLBACK:
        return None
    try:
        step, value = callbacks.unpack(ctx.event.callback_data, prefix=PREFIX, size=2)
    except callbacks.CallbackDataError:
        return None
    return step, value


def typed_nav(ctx: Context) -> str | None:
    """The reply-keyboard buttons send their label as text."""
    if ctx.event.kind != EventKind.TEXT or ctx.event.text is None:
        return None
    text = ctx.event.text.strip()
    if text == ctx._("« Back"):
        return "back"
    if text == ctx._("✖ Cancel"):
        return "cancel"
    if text == keep_label(ctx):
        return KEEP
    return None


def is_command(ctx: Context, name: str) -> bool:
    return ctx.event.kind == EventKind.COMMAND and ctx.event.command == name

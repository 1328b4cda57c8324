"""The worker's home: greeting, language, main menu, help, and their own cases."""

import logging
from collections.abc import Awaitable, Callable, Mapping

from handlers import callbacks
from handlers.context import Context, Keyboard
from handlers.formatting import STATUS_NAMES, department_name, format_amount, format_date
from handlers.i18n import LANGUAGES
from handlers.replies import Button, escape
from storage.cases import list_worker_cases

__all__ = [
    "MENU",
    "VISIT",
    "ask_language",
    "choice_press",
    "main_menu_buttons",
    "on_language_press",
    "set_language",
    "show_help",
    "show_menu",
    "show_my_cases",
    "start",
]

log = logging.getLogger(__name__)

MENU = "m"
"""Prefix of the main menu's buttons, ``m:<choice>``."""
LANGUAGE = "lang"
"""Prefix of the language buttons, ``lang:<code>``."""
VISIT = "visit"
"""Prefix of the buttons that book a visit to a reception point (``handlers.book_visit``)."""
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def main_menu_buttons(ctx: Context) -> Keyboard:
    _ = ctx._
    in_report = ctx.conversation.flow == "report"
    report = _("▶️ Continue my report") if in_report else _("📝 Report unpaid wages")
    return (
        (Button(report, callbacks.pack(MENU, "report")),),
        (
            Button(_("📂 My cases"), callbacks.pack(MENU, "cases")),
            Button(_("ℹ️ Help"), callbacks.pack(MENU, "help")),
        ),
        (Button(_("📅 Book a visit"), callbacks.pack(VISIT, "start")),),
        (Button("🌐 语言 / Language", callbacks.pack(MENU, "language")),),
    )


async def start(ctx: Context) -> None:
    assert ctx.worker is not None
    if ctx.worker.language is None:
        await ask_language(ctx, greeting=True)
        return
    await show_menu(ctx, greeting=True)


async def show_menu(ctx: Context, *, greeting: bool = False) -> None:
    _ = ctx._
    text = _("What would you like to do?")
    if greeting:
        text = (
            _(
                "Hello! I help workers get unpaid wages back. Tell me who owes you what, and "
                "the responsible department is alerted at once and must answer by a deadline."
            )
            + "\n\n"
            + text
        )
    ctx.answer()
    ctx.reply(text, main_menu_buttons(ctx))


async def ask_language(ctx: Context, *, greeting: bool = False) -> None:
    text = "请选择语言 / Choose your language"
    if greeting:
        text = "您好！欠薪投诉请点下面选择语言。\nHello! Please choose your language."
    ctx.answer()
    ctx.reply(
        text,
        (
            tuple(
                Button(LANGUAGE_NAMES[code], callbacks.pack(LANGUAGE, code)) for code in LANGUAGES
            ),
        ),
    )


def choice_press(
    choices: Mapping[str, Callable[[Context], Awaitable[None]]],
) -> Callable[[Context], Awaitable[None]]:
    """The handler of the main menu's buttons: each ``m:<choice>`` does what ``choices`` says."""

    async def on_choice(ctx: Context) -> None:
        choice = pressed(ctx, MENU)
        handler = choices.get(choice or "")
        if handler is None:
            ctx.answer(ctx._("This button is no longer active."))
        else:
            await handler(ctx)

    return on_choice


async def on_language_press(ctx: Context) -> None:
    language = pressed(ctx, LANGUAGE)
    if language is None:
        ctx.answer(ctx._("This button is no longer active."))
    else:
        await set_language(ctx, language)


def pressed(ctx: Context, prefix: str) -> str | None:
    """The one value of a ``<prefix>:<value>`` press; None (and a log line) if malformed."""
    try:
        (value,) = callbacks.unpack(ctx.event.callback_data, prefix=prefix, size=1)
    except callbacks.CallbackDataError:
        log.warning("refused malformed callback data from user %s", ctx.event.user_id)
        return None
    return value


async def set_language(ctx: Context, language: str) -> None:
    assert ctx.worker is not None
    if language not in LANGUAGES:
        ctx.answer()
        return
    ctx.worker.language = language
    ctx.session.add(ctx.worker)
    ctx.answer(LANGUAGE_NAMES[language])
    await show_menu(ctx, greeting=True)


async def show_help(ctx: Context) -> None:
    _ = ctx._
    lines = [
        "<b>" + _("Your rights") + "</b>",
        _(
            "Wages must be paid in full and on time. Owing wages to migrant workers is against "
            "the law (Regulations on Guaranteeing Wage Payments to Migrant Workers); refusing to "
            "pay after an order to do so is a crime."
        ),
        "",
        "<b>" + _("How it works") + "</b>",
        _(
            "1. You report here in a few minutes and get a case number.\n"
            "2. The department in charge of the project's sector in your county is alerted at "
            "once and must act before the deadline.\n"
            "3. You are told of every step. After the case is closed we ask whether you were "
            "really paid; if not, the case is reopened."
        ),
        "",
        "<b>" + _("Your information") + "</b>",
        _(
            "What the bot keeps about you, why, who sees it and for how long: /privacy. "
            "/mydata sends you a copy of everything the bot holds about you. /deletemydata "
            "deletes what no open case needs. A closed case loses your name, phone and evidence "
            "{days} days after closing in any case."
        ).format(days=ctx.config.retention.closed_case.days),
        "",
        "<b>" + _("Reception points") + "</b>",
    ]
    for point in ctx.config.routing.reception_points:
        lines.append(
            f"• {escape(point.name(ctx.language))}: {escape(point.address(ctx.language))}, "
            f"☎ {escape(point.phone)} ({escape(point.hours_text(ctx.language))})"
        )
    ctx.answer()
    ctx.reply("\n".join(lines), main_menu_buttons(ctx))


async def show_my_cases(ctx: Context) -> None:
    _ = ctx._
    assert ctx.worker is not None and ctx.worker.id is not None
    rows = await list_worker_cases(ctx.session, ctx.worker.id)
    ctx.answer()
    if not rows:
        ctx.reply(_("You have no cases yet."), main_menu_buttons(ctx))
        return
    lines = ["<b>" + _("Your cases") + "</b>"]
    for case, department in rows:
        lines += [
            "",
            f"<b>{case.number}</b> · " + _(STATUS_NAMES[case.status]),
            f"{escape(case.employer)} · {format_amount(case.amount_fen, _)}",
            _("Handled by: {department}").format(
                department=escape(department_name(department, ctx.language))
            ),
            _("Deadline: {date}").format(date=format_date(case.deadline_at, ctx.config.zone)),
        ]
    ctx.reply("\n".join(lines), main_menu_buttons(ctx))

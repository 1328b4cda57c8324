"""Notice before collection: a worker agrees to the privacy notice before their first report.

The notice (``handlers.privacy_notice``) says what is collected, why, who sees it, how long
it is kept and how to see or delete it. "I agree" records the time and the notice's version
on the worker and starts the report; "No" keeps nothing and starts nothing. A worker who agreed
to the current version goes straight to the questions; a new version asks again. A draft
already open is resumed without asking: the worker began it before the notice changed.
"""

from handlers import callbacks
from handlers.context import Context
from handlers.domain.errors import Stale
from handlers.formatting import N_
from handlers.menu import main_menu_buttons
from handlers.replies import Button, escape
from handlers.report_arrears import flow as report

__all__ = ["PRIVACY", "begin_own_report", "notice_text"]

PRIVACY = "privacy"
AGREE = "ok"
REFUSE = "no"


def notice_text(ctx: Context) -> str:
    kept = ctx.config.retention
    return escape(
        ctx.config.privacy.text(
            ctx.language,
            inbox_days=kept.inbox.days,
            outbox_days=kept.outbox.days,
            draft_days=kept.drafts.days,
            closed_case_days=kept.closed_case.days,
        )
    )


def has_agreed(ctx: Context) -> bool:
    assert ctx.worker is not None
    return ctx.worker.consent_version == ctx.config.privacy.version


async def begin_own_report(ctx: Context) -> None:
    """The worker pressed "Report unpaid wages" or sent /report."""
    if ctx.conversation.flow == report.FLOW or has_agreed(ctx):
        await report.begin(ctx)
        return
    _ = ctx._
    ctx.answer()
    tag = ctx.config.privacy.tag
    ctx.reply(
        notice_text(ctx),
        (
            (
                Button(_("✅ I agree"), callbacks.pack(PRIVACY, AGREE, tag)),
                Button(_("✖ No"), callbacks.pack(PRIVACY, REFUSE, tag)),
            ),
        ),
    )


async def on_privacy_press(ctx: Context) -> None:
    try:
        if ctx.worker is None:
            raise callbacks.CallbackDataError("privacy notice pressed outside a private chat")
        choice, tag = callbacks.unpack(ctx.event.callback_data, prefix=PRIVACY, size=2)
    except callbacks.CallbackDataError:
        raise Stale(N_("This button is no longer active.")) from None
    if choice == AGREE and tag != ctx.config.privacy.tag:
        ctx.answer(ctx._("The notice has changed. Please read the new one."))
        await begin_own_report(ctx)
    elif choice == AGREE:
        ctx.answer()
        if not has_agreed(ctx):
            ctx.worker.consent_version = ctx.config.privacy.version
            ctx.worker.consent_at = ctx.now
            ctx.session.add(ctx.worker)
        await report.begin(ctx)
    elif choice == REFUSE and (has_agreed(ctx) or ctx.conversation.flow == report.FLOW):
        raise Stale(N_("This button is no longer active."))
    elif choice == REFUSE:
        ctx.answer()
        ctx.reply(
            ctx._(
                "Nothing was kept. A report cannot be made without your agreement to how the "
                "information in it is used. You can come back to it at any time from the menu; "
                "/help explains how the bot works and /privacy shows the notice again."
            ),
            main_menu_buttons(ctx),
        )
    else:
        raise Stale(N_("This button is no longer active."))


async def show_notice(ctx: Context) -> None:
    """The notice again, at any time, in a private chat; groups are not told it."""
    if not ctx.event.is_private:
        return
    ctx.reply(notice_text(ctx), main_menu_buttons(ctx))

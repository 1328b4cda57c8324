"""The return visit (回访): were you paid, how satisfied are you, anything to add; thank you.

"Only part" or "not yet" reopens the case at once, before the worker is asked for a rating, so a
worker who stops there has still set the department back to work.
"""

from dataclasses import replace

from handlers.context import Context
from handlers.menu import main_menu_buttons
from handlers.surveys.consequences import (
    LOW_RATING,
    forward_comment,
    reopen_case,
    review_low_rating,
)
from handlers.surveys.questions import COMMENT, comment_question, rating_question
from handlers.surveys.record import Answer, record, worker_actor
from storage.conversations import save_conversation
from storage.models import CaseStatus

__all__ = ["COMMENT_FLOW", "skip_comment", "take_comment", "take_paid", "take_rating"]

COMMENT_FLOW = "survey"
"""The worker's chat while a typed comment is awaited (``data["survey"]``)."""


async def take_paid(ctx: Context, answer: Answer, value: str) -> None:
    await record(ctx, answer, value)
    if value != "full" and answer.view.case.status == CaseStatus.RESOLVED:
        await reopen_case(ctx, answer.view, value, worker_actor(ctx))
    ctx.reply(*rating_question(answer.survey, ctx._))


async def take_rating(ctx: Context, answer: Answer, value: str) -> None:
    """A report the worker is filling in keeps the chat: then no comment is asked for."""
    await record(ctx, answer, int(value))
    if int(value) <= LOW_RATING:
        review_low_rating(ctx, answer.view, int(value))
    if ctx.conversation.flow is not None:
        await take_comment(ctx, replace(answer, question=COMMENT), "")
        return
    data = {"survey": answer.survey.id}
    save_conversation(
        ctx.session, ctx.conversation, ctx.now, flow=COMMENT_FLOW, step=None, data=data
    )
    ctx.reply(*comment_question(answer.survey, ctx._))


async def skip_comment(ctx: Context, answer: Answer, value: str) -> None:
    await take_comment(ctx, answer, "")


async def take_comment(ctx: Context, answer: Answer, comment: str) -> None:
    """The last step: an empty comment records that the worker had nothing to add."""
    await record(ctx, answer, comment)
    if comment and (answer.survey.rating or 0) <= LOW_RATING:
        forward_comment(ctx, answer.view, comment)
    if ctx.conversation.flow == COMMENT_FLOW:
        save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
    ctx.reply(
        ctx._("Thank you for your answers! They help us make sure every worker gets paid."),
        main_menu_buttons(ctx),
    )

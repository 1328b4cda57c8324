"""The return visit (回访): were you paid, how satisfied are you, anything to add; thank you.

"Only part" or "not yet" reopens the case at once, before the worker is asked for a rating, so a
worker who stops there has still set the department back to work.
"""

from handlers.context import Context
from handlers.domain.surveys import COMMENT
from handlers.menu import main_menu_buttons
from handlers.surveys.consequences import announce_reopened, forward_comment, review_low_rating
from handlers.surveys.questions import comment_question, rating_question
from handlers.surveys.record import Answer, record
from storage.conversations import save_conversation

__all__ = ["COMMENT_FLOW", "take_comment", "take_paid", "take_rating"]

COMMENT_FLOW = "survey"
"""The worker's chat while a typed comment is awaited (``data["survey"]``)."""


async def take_paid(ctx: Context, answer: Answer) -> None:
    if answer.answered.reopened is not None:
        await announce_reopened(ctx, answer.view, answer.answered.reopened.paid)
    ctx.reply(*rating_question(answer.answered.survey.id, ctx._))


async def take_rating(ctx: Context, answer: Answer) -> None:
    """A report the worker is filling in keeps the chat: then no comment is asked for."""
    survey_id, rating = answer.answered.survey.id, answer.answered.consequences.review_rating
    if rating is not None:
        review_low_rating(ctx, answer.view, rating)
    if ctx.conversation.flow is not None:
        await take_comment(ctx, await record(ctx, survey_id, COMMENT, ""))
        return
    data = {"survey": survey_id}
    save_conversation(
        ctx.session, ctx.conversation, ctx.now, flow=COMMENT_FLOW, step=None, data=data
    )
    ctx.reply(*comment_question(survey_id, ctx._))


async def take_comment(ctx: Context, answer: Answer) -> None:
    """The last step: an empty comment records that the worker had nothing to add."""
    comment = answer.answered.consequences.forward_comment
    if comment is not None:
        forward_comment(ctx, answer.view, comment)
    if ctx.conversation.flow == COMMENT_FLOW:
        save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
    ctx.reply(
        ctx._("Thank you for your answers! They help us make sure every worker gets paid."),
        main_menu_buttons(ctx),
    )

"""A worker answers a survey: its buttons (``sv:<survey>:<question>:<value>``) and the typed
comment. Every answer is checked again before it counts: the survey exists, the case is the
presser's own, and the question is the survey's current one; a survey that is closed, or that
a later resolution's survey has replaced, is stale.
"""

import logging
from collections.abc import Awaitable, Callable

from handlers import callbacks
from handlers.context import Context
from handlers.domain.errors import NotAllowed, Refusal
from handlers.domain.surveys import AlreadyAnswered
from handlers.events import EventKind
from handlers.explanations import explain
from handlers.menu import show_menu
from handlers.parsing import ParseError, parse_free_text
from handlers.surveys.questions import COMMENT, NEW_ARREARS, PAID, PREFIX, RATING, VALUES
from handlers.surveys.rebound import take_new_arrears
from handlers.surveys.record import INVALID, Answer, record
from handlers.surveys.return_visit import take_comment, take_paid, take_rating
from handlers.usecases.answer_return_visit import open_question
from storage.conversations import save_conversation

__all__ = ["on_comment", "on_survey_press"]

log = logging.getLogger(__name__)

COMMENT_LIMIT = 1000
TAKES: dict[str, Callable[[Context, Answer], Awaitable[None]]] = {
    PAID: take_paid,
    RATING: take_rating,
    COMMENT: take_comment,
    NEW_ARREARS: take_new_arrears,
}


async def on_survey_press(ctx: Context) -> None:
    try:
        raw_id, question, value = callbacks.unpack(ctx.event.callback_data, prefix=PREFIX, size=3)
        survey_id = callbacks.parse_id(raw_id)
    except callbacks.CallbackDataError:
        survey_id, question, value = 0, "", ""
    if question not in TAKES or value not in VALUES[question]:
        log.warning("refused survey button from user %s", ctx.event.user_id)
        raise NotAllowed(INVALID)
    typed = "" if question == COMMENT else value  # Skip: nothing to add
    try:
        answer = await record(ctx, survey_id, question, typed)
    except AlreadyAnswered as refusal:  # a second press counts once, and says so quietly
        ctx.answer(ctx._(refusal.message))
        return
    ctx.answer()
    await TAKES[question](ctx, answer)


async def on_comment(ctx: Context) -> None:
    """The typed comment; /cancel skips it. A survey closed meanwhile frees the chat."""
    event = ctx.event
    if event.kind not in (EventKind.TEXT, EventKind.COMMAND):
        ctx.reply(ctx._("Please type your comment, or tap Skip."))
        return
    survey_id = int(ctx.conversation.data.get("survey", 0))
    text = event.text if event.kind == EventKind.TEXT and event.text else ""
    try:
        comment, too_long = parse_free_text(text, COMMENT_LIMIT), None
    except ParseError as error:
        comment, too_long = "", error if error.reason == "too_long" else None
    try:
        if too_long is None:
            answer = await record(ctx, survey_id, COMMENT, comment)
        else:  # asked again only while the survey still takes it
            worker_id = ctx.worker.id if ctx.worker else None
            await open_question(worker_id, survey_id, COMMENT, ctx.ports.surveys, ctx.ports.cases)
    except Refusal:
        save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
        await show_menu(ctx)
        return
    if too_long is not None:
        ctx.reply(explain(ctx._, "text", too_long))
        return
    await take_comment(ctx, answer)

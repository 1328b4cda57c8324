"""A worker answers a survey: its buttons (``sv:<survey>:<question>:<value>``) and the typed
comment. Every answer is checked again before it counts: the survey exists, the case is the
presser's own, and the question is the survey's current one; a survey that is closed, or that
a later resolution's survey has replaced, is stale.
"""

import logging
from collections.abc import Awaitable, Callable

from handlers import callbacks
from handlers.case_card import load_case
from handlers.context import Context
from handlers.domain.errors import NotAllowed, Refusal, Stale
from handlers.events import EventKind
from handlers.explanations import explain
from handlers.formatting import N_
from handlers.menu import show_menu
from handlers.parsing import ParseError, parse_free_text
from handlers.surveys.questions import (
    COMMENT,
    NEW_ARREARS,
    PAID,
    PREFIX,
    RATING,
    VALUES,
    already_answered,
    current_question,
)
from handlers.surveys.rebound import take_new_arrears
from handlers.surveys.record import INVALID, Answer
from handlers.surveys.return_visit import (
    skip_comment,
    take_comment,
    take_paid,
    take_rating,
)
from storage.conversations import save_conversation
from storage.models import SurveyStatus
from storage.surveys import case_of_survey, lock_survey, newer_round_exists

__all__ = ["on_comment", "on_survey_press"]

log = logging.getLogger(__name__)

COMMENT_LIMIT = 1000
TAKES: dict[str, Callable[[Context, Answer, str], Awaitable[None]]] = {
    PAID: take_paid,
    RATING: take_rating,
    COMMENT: skip_comment,
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
    answer = await checked(ctx, survey_id, question)
    if answer is None:
        ctx.answer(ctx._("Your answer is already recorded."))
        return
    ctx.answer()
    await TAKES[question](ctx, answer, value)


async def on_comment(ctx: Context) -> None:
    """The typed comment; /cancel skips it. A survey closed meanwhile frees the chat."""
    event = ctx.event
    if event.kind not in (EventKind.TEXT, EventKind.COMMAND):
        ctx.reply(ctx._("Please type your comment, or tap Skip."))
        return
    try:
        answer = await checked(ctx, int(ctx.conversation.data.get("survey", 0)), COMMENT)
    except Refusal:
        answer = None
    if answer is None:
        save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
        await show_menu(ctx)
        return
    text = event.text if event.kind == EventKind.TEXT and event.text else ""
    try:
        comment = parse_free_text(text, COMMENT_LIMIT)
    except ParseError as error:
        if error.reason == "too_long":
            ctx.reply(explain(ctx._, "text", error))
            return
        comment = ""
    await take_comment(ctx, answer, comment)


async def checked(ctx: Context, survey_id: int, question: str) -> Answer | None:
    """The answer if it may count; None when this question was answered already."""
    case_id = await case_of_survey(ctx.session, survey_id)
    if case_id is None:
        raise NotAllowed(INVALID)
    view = await load_case(ctx.session, case_id, lock=True)
    survey = await lock_survey(ctx.session, survey_id)
    assert view is not None
    if ctx.worker is None or view.case.worker_id != ctx.worker.id:
        raise NotAllowed(N_("This button is not for you."))
    open_ = survey.status in (SurveyStatus.ASKED, SurveyStatus.ANSWERED)
    if not open_ or await newer_round_exists(ctx.session, survey):
        raise Stale(N_("This survey is closed; nothing changed."))
    if question == current_question(survey):
        return Answer(survey, view, question)
    if already_answered(survey, question):
        return None
    raise NotAllowed(INVALID)

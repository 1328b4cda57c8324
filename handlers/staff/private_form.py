"""Short forms that staff fill in in their private chat with the bot.

A group chat's conversation is shared by everyone in it, so a form started by a press in a
department group asks its questions in the presser's private chat. Each question's buttons
are ``<prefix>:<step>:<value>``; a press on an older question changes nothing.
"""

from typing import Any

from handlers import callbacks
from handlers.context import Context
from handlers.errors import NotAllowed, Stale
from handlers.events import EventKind
from handlers.formatting import N_
from handlers.i18n import Translator, translator
from handlers.report_arrears.flow import FLOW as REPORT
from handlers.staff.actor import Actor
from storage.conversations import lock_conversation, save_conversation

__all__ = ["close_form", "open_private_form", "pressed_answer", "staff_translator", "typed_answer"]


async def open_private_form(
    ctx: Context, actor: Actor, flow: str, step: str, data: dict[str, Any]
) -> int:
    """Put the actor's private chat in ``flow`` and return that chat; a press in a group is
    answered with where to continue. Another staff form open there is replaced, but a report
    draft (a worker's, or one filed with /file) is never lost to a button press."""
    chat = actor.staff.chat_id if actor.staff else actor.user_id
    private = chat == ctx.event.chat_id
    conversation = ctx.conversation
    if not private:
        conversation = await lock_conversation(ctx.session, chat, ctx.now)
    if conversation.flow == REPORT:
        raise Stale(N_("Please submit or cancel the report open in our private chat first."))
    if not private:
        where = ctx._("I have sent you a private message to finish this.")
        ctx.answer(where) if ctx.event.kind == EventKind.CALLBACK else ctx.reply(where)
    save_conversation(ctx.session, conversation, ctx.now, flow=flow, step=step, data=data)
    return chat


def staff_translator(ctx: Context) -> Translator:
    """Staff read the bot in the bureau's language, whatever their Telegram is set to."""
    return translator(ctx.config.default_language)


def pressed_answer(ctx: Context, prefix: str, flow: str) -> str:
    """The value of a press on the open question of ``flow``; anything else is refused."""
    try:
        step, value = callbacks.unpack(ctx.event.callback_data, prefix=prefix, size=2)
    except callbacks.CallbackDataError:
        raise NotAllowed(N_("This button is not valid.")) from None
    if ctx.conversation.flow != flow or step != ctx.conversation.step:
        raise Stale(N_("This question is already answered."))
    ctx.answer()
    return value


def typed_answer(ctx: Context) -> tuple[str | None, str | None]:
    """What was sent while a form is open, as (button value, text): /cancel is the Cancel button."""
    if ctx.event.command == "cancel":
        return "cancel", None
    return None, ctx.event.text


def close_form(ctx: Context, message: str | None) -> None:
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
    if message:
        ctx.reply(message)

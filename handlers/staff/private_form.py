"""Short forms that staff fill in in their private chat with the bot.

A group chat's conversation is shared by everyone in it, so a form started by a press in a
department group asks its questions in the presser's private chat. Each question's buttons
are ``<prefix>:<step>:<value>``; a press on an older question changes nothing.
"""

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from handlers import callbacks
from handlers.context import Context
from handlers.domain.errors import NotAllowed, Refusal, Stale
from handlers.events import EventKind
from handlers.formatting import N_
from handlers.i18n import Translator, translator
from handlers.replies import Button, SendMessage
from handlers.report_arrears.flow import FLOW as REPORT
from handlers.staff.actor import Actor
from storage.conversations import lock_conversation, save_conversation

__all__ = ["AnsweredForm", "PrivateForm", "close_form", "closed_if_refused", "staff_translator"]

Take = Callable[[Context, str | None, str | None], Awaitable[None]]
"""A form's handler for one answer: ``take(ctx, button value, typed text)``."""


@dataclass(frozen=True)
class PrivateForm:
    """One kind of form: the conversation ``flow`` it runs in and its buttons' ``prefix``."""

    flow: str
    prefix: str

    async def open(self, ctx: Context, actor: Actor, step: str, data: dict[str, Any]) -> int:
        """Put the actor's private chat in this form and return that chat; a press in a group
        is answered with where to continue. Another staff form open there is replaced, but a
        report draft (a worker's, or one filed with /file) is never lost to a button press."""
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
        save_conversation(ctx.session, conversation, ctx.now, flow=self.flow, step=step, data=data)
        return chat

    def button(self, text: str, step: str, value: str) -> Button:
        return Button(text, callbacks.pack(self.prefix, step, value))

    def send_question(
        self,
        ctx: Context,
        chat: int,
        step: str,
        text: str,
        rows: Sequence[tuple[Button, ...]],
        *,
        back: bool = False,
        problem: str | None = None,
    ) -> None:
        """Ask ``step``: its own buttons, then « Back (where there is a question to go back
        to) and ✖ Cancel; what was wrong with the last answer, if anything, comes first."""
        _ = staff_translator(ctx)
        back_button = (self.button(_("« Back"), step, "back"),) if back else ()
        cancel = self.button(_("✖ Cancel"), step, "cancel")
        if problem:
            text = f"⚠️ {problem}\n\n{text}"
        ctx.send(SendMessage(chat, text, (*rows, (*back_button, cancel))))

    def answered_by(self, take: Take) -> "AnsweredForm":
        """This form with ``take`` for the answers to its open question, for the router to
        list: its press handler and its input handler."""
        return AnsweredForm(self, take)

    def pressed_answer(self, ctx: Context) -> str:
        """The value of a press on the open question; anything else is refused."""
        try:
            step, value = callbacks.unpack(ctx.event.callback_data, prefix=self.prefix, size=2)
        except callbacks.CallbackDataError:
            raise NotAllowed(N_("This button is not valid.")) from None
        if ctx.conversation.flow != self.flow or step != ctx.conversation.step:
            raise Stale(N_("This question is already answered."))
        ctx.answer()
        return value


@dataclass(frozen=True)
class AnsweredForm:
    """A form and what takes its answers: a press on one of its buttons (``on_press``) or what
    is typed while it is open (``on_input``). Cancel (the button or /cancel) closes the form
    before ``take`` sees anything."""

    form: PrivateForm
    take: Take

    async def on_press(self, ctx: Context) -> None:
        await self.answered(ctx, self.form.pressed_answer(ctx), None)

    async def on_input(self, ctx: Context) -> None:
        await self.answered(ctx, *typed_answer(ctx))

    async def answered(self, ctx: Context, value: str | None, text: str | None) -> None:
        if value == "cancel":
            _ = staff_translator(ctx)
            close_form(ctx, _("Cancelled; nothing changed."))
        else:
            await self.take(ctx, value, text)


def typed_answer(ctx: Context) -> tuple[str | None, str | None]:
    """What was sent while a form is open, as (button value, text): /cancel is the Cancel button."""
    if ctx.event.command == "cancel":
        return "cancel", None
    return None, ctx.event.text


def staff_translator(ctx: Context) -> Translator:
    """Staff read the bot in the bureau's language, whatever their Telegram is set to."""
    return translator(ctx.config.default_language)


@contextmanager
def closed_if_refused(ctx: Context) -> Iterator[None]:
    """Around a form's final check: a refusal there ends the form too, as its answers can no
    longer be used; the refusal is still told."""
    try:
        yield
    except Refusal:
        close_form(ctx, None)
        raise


def close_form(ctx: Context, message: str | None) -> None:
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
    if message:
        ctx.reply(message)

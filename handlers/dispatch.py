"""The one entry point of ``handlers``: an event and an open transaction in, messages out."""

import logging
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import callbacks, lost_groups, menu
from handlers.context import Context, HandlerConfig
from handlers.domain.errors import NotAllowed, Refusal
from handlers.events import Event, EventKind
from handlers.formatting import N_
from handlers.ports import Ports
from handlers.replies import Outgoing
from handlers.router import CANCEL, build_router
from storage.models import Conversation
from storage.people import get_or_create_worker

__all__ = ["handle_event"]

log = logging.getLogger(__name__)

MEMBERSHIP = (EventKind.BLOCKED, EventKind.UNBLOCKED)
"""The bot's own membership of a chat changed: it is noted, never answered."""
ROUTER = build_router()


async def handle_event(
    session: AsyncSession,
    config: HandlerConfig,
    event: Event,
    now: datetime,
    conversation: Conversation,
    ports: Ports,
) -> list[Outgoing]:
    """Decide what ``event`` means for the chat whose (locked) ``conversation`` is given.

    In a group the routing file does not name, nothing: anyone can add the bot to a group, and
    answering there let a stranger spend the bot's sending capacity (and read its refusals).
    The bot stays in such a group, silent, so that a group named later needs no re-adding and
    its id can still be read from getUpdates as the routing file's header explains.
    """
    if not event.is_private and not config.routing.names_chat(event.chat_id):
        log.debug("ignored an update in group %s, which no routing entry names", event.chat_id)
        return []
    ctx = Context(session, config, now, event=event, conversation=conversation, ports=ports)
    if event.is_private:
        ctx.worker = await get_or_create_worker(session, event.user_id, event.chat_id, now)
        note_reachability(ctx)
    try:
        await route(ctx)
    except Refusal as refusal:
        text = ctx._(refusal.message).format(**refusal.values)
        if event.kind == EventKind.CALLBACK and not ctx.callback_answered:
            ctx.answer(text, alert=True)
        else:
            ctx.reply(text)
    ctx.answer()
    return ctx.outgoing


def note_reachability(ctx: Context) -> None:
    """Blocking the bot marks the worker unreachable (``handlers.notify``); anything else
    they do — a message, a button, unblocking — clears the mark before it is handled, so
    the replies to it go out."""
    assert ctx.worker is not None
    blocked = ctx.event.kind == EventKind.BLOCKED
    if blocked != (ctx.worker.unreachable_since is not None):
        ctx.worker.unreachable_since = ctx.now if blocked else None
        ctx.session.add(ctx.worker)


async def route(ctx: Context) -> None:
    event = ctx.event
    if event.kind in MEMBERSHIP:
        if not event.is_private:
            await lost_groups.on_group_membership(ctx)
        return
    if event.kind == EventKind.COMMAND:
        await on_command(ctx)
    elif event.kind == EventKind.CALLBACK:
        await on_press(ctx)
    elif event.is_private:
        await on_input(ctx)


async def on_input(ctx: Context) -> None:
    """Anything sent in a private chat (text, a contact, a file …) is the open flow's; with
    none open, the menu answers."""
    flow = ROUTER.flow(ctx.conversation.flow)
    if flow is None:
        await menu.show_menu(ctx)
    else:
        await flow.on_input(ctx)


async def on_command(ctx: Context) -> None:
    """The router's commands; in a private chat, the rest go to the open flow that takes them,
    else are told apart: /cancel with nothing to cancel, or an unknown command. A group is
    not answered commands the bot does not know."""
    event = ctx.event
    handler = ROUTER.command(event.command, event.is_private)
    if handler is not None:
        await handler(ctx)
        return
    if not event.is_private:
        return
    flow = ROUTER.flow(ctx.conversation.flow)
    if flow and (flow.owns_chat or event.command == CANCEL):
        await flow.on_input(ctx)
    elif event.command == CANCEL:
        ctx.reply(ctx._("There is nothing to cancel."), menu.main_menu_buttons(ctx))
    else:
        ctx.reply(ctx._("I do not know that command."), menu.main_menu_buttons(ctx))


async def on_press(ctx: Context) -> None:
    """The router's buttons, by prefix; in a private chat, the rest go to an open flow that
    owns the chat, else are stale. In a group a button the router does not know is forged."""
    event = ctx.event
    prefix = (event.callback_data or "").split(callbacks.SEPARATOR, 1)[0]
    handler = ROUTER.press(prefix, event.is_private)
    flow = ROUTER.flow(ctx.conversation.flow) if event.is_private else None
    if handler is not None:
        await handler(ctx)
    elif flow and flow.owns_chat:
        await flow.on_input(ctx)
    elif event.is_private:
        ctx.answer(ctx._("This button is no longer active."))
    else:
        log.warning("refused unknown button data in chat %s", event.chat_id)
        raise NotAllowed(N_("This button is not valid."))

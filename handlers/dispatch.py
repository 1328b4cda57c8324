"""The one entry point of ``handlers``: an event and an open transaction in, messages out."""

import logging
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import (  # noqa: F401 - self-registering
    book_visit,
    callbacks,
    lost_groups,
    menu,
    registry,
    staff,
    surveys,
    worker_data,
)
from handlers.context import Context, HandlerConfig
from handlers.errors import NotAllowed, Refusal
from handlers.events import Event, EventKind
from handlers.formatting import N_
from handlers.ports import Ports
from handlers.replies import Outgoing
from handlers.report_arrears import consent
from handlers.report_arrears import flow as report
from storage.models import Conversation
from storage.people import get_or_create_worker

__all__ = ["handle_event"]

log = logging.getLogger(__name__)

MEMBERSHIP = (EventKind.BLOCKED, EventKind.UNBLOCKED)
"""The bot's own membership of a chat changed: it is noted, never answered."""


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
    if event.kind == EventKind.COMMAND and event.command in registry.COMMANDS:
        await registry.COMMANDS[event.command](ctx)
        return
    prefix = (event.callback_data or "").split(callbacks.SEPARATOR, 1)[0]
    if event.kind == EventKind.CALLBACK and prefix in registry.PRESSES:
        await registry.PRESSES[prefix](ctx)
        return
    if event.is_private:
        await on_private(ctx)
    elif event.kind == EventKind.CALLBACK:
        log.warning("refused unknown button data in chat %s", event.chat_id)
        raise NotAllowed(N_("This button is not valid."))


async def on_private(ctx: Context) -> None:
    event = ctx.event
    if event.kind == EventKind.COMMAND and await on_command(ctx):
        return
    if event.kind == EventKind.CALLBACK and await on_menu_press(ctx):
        return
    flow = ctx.conversation.flow
    if flow in registry.FLOWS and event.kind != EventKind.CALLBACK:
        await registry.FLOWS[flow](ctx)
        return
    if flow == report.FLOW:
        await report.on_event(ctx)
        return
    if event.kind == EventKind.CALLBACK:
        ctx.answer(ctx._("This button is no longer active."))
        return
    await menu.show_menu(ctx)


async def on_command(ctx: Context) -> bool:
    """Commands that work anywhere; False lets the open flow see the rest."""
    command = ctx.event.command
    if command == "start":
        await menu.start(ctx)
    elif command == "help":
        await menu.show_help(ctx)
    elif command == "mycases":
        await menu.show_my_cases(ctx)
    elif command == "language":
        menu.ask_language(ctx)
    elif command == "report":
        await consent.begin_own_report(ctx)
    elif command == "cancel" and ctx.conversation.flow in registry.FLOWS:
        return False
    elif command == "cancel" and ctx.conversation.flow != report.FLOW:
        ctx.reply(ctx._("There is nothing to cancel."), menu.main_menu_buttons(ctx))
    elif ctx.conversation.flow != report.FLOW:
        ctx.reply(ctx._("I do not know that command."), menu.main_menu_buttons(ctx))
    else:
        return False
    return True


async def on_menu_press(ctx: Context) -> bool:
    data = ctx.event.callback_data or ""
    try:
        if data.startswith(menu.LANGUAGE + callbacks.SEPARATOR):
            (language,) = callbacks.unpack(data, prefix=menu.LANGUAGE, size=1)
            await menu.set_language(ctx, language)
            return True
        if not data.startswith(menu.MENU + callbacks.SEPARATOR):
            return False
        (choice,) = callbacks.unpack(data, prefix=menu.MENU, size=1)
    except callbacks.CallbackDataError:
        log.warning("refused malformed callback data from user %s", ctx.event.user_id)
        ctx.answer(ctx._("This button is no longer active."))
        return True
    if choice == "report":
        await consent.begin_own_report(ctx)
    elif choice == "cases":
        await menu.show_my_cases(ctx)
    elif choice == "help":
        await menu.show_help(ctx)
    elif choice == "language":
        menu.ask_language(ctx)
    else:
        ctx.answer(ctx._("This button is no longer active."))
    return True

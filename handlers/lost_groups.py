"""Staff groups that removed the bot: flagged, and the administrators told once.

A group named in the routing file (a department's, a county's or the city's leaders', the
supervisors', a reception point's) that removes the bot — its membership update, or Telegram
refusing a message to it (``storage.people.mark_chat_unreachable``) — is flagged, and the
``LOST_GROUP`` due task tells each administrator privately, in ``DEFAULT_LANGUAGE``, which
group it is and what to do. Messages to a flagged group are still attempted: each fails
visibly on its outbox row, and the first one after the bot is back goes through. Adding the
bot back clears the flag, so a later removal is told again.
"""

import logging

from handlers.context import Context, Unit
from handlers.events import EventKind
from handlers.i18n import Translator, translator
from handlers.replies import SendMessage, escape
from handlers.routing import Routing
from storage.models import DueTask
from storage.people import bot_back_in_group, lost_since, mark_chat_unreachable

__all__ = ["group_purposes", "on_group_membership"]

log = logging.getLogger(__name__)


def group_purposes(routing: Routing, chat_id: int, _: Translator) -> list[str]:
    """What the routing file uses the group for, in words (a group may serve several)."""
    found = [
        _("the group of {department}").format(department=department.name(_.language))
        for department in routing.departments.values()
        if department.chat_id == chat_id
    ]
    found += [
        _("the leaders' group of {county}").format(county=county.name(_.language))
        for county in routing.counties
        if county.lead_chat_id == chat_id
    ]
    if routing.city_lead_chat_id == chat_id:
        found.append(_("the city leaders' group"))
    if routing.supervisor_chat_id == chat_id:
        found.append(_("the supervisors' group (discipline commission)"))
    found += [
        _("the group of the reception point {point}").format(point=point.name(_.language))
        for point in routing.reception_points
        if point.chat_id == chat_id
    ]
    return found


async def on_group_membership(ctx: Context) -> None:
    """The bot was removed from a group (``BLOCKED``) or added to one (``UNBLOCKED``)."""
    chat_id = ctx.event.chat_id
    if ctx.event.kind == EventKind.BLOCKED:
        await mark_chat_unreachable(ctx.session, chat_id, ctx.now)
    else:
        await bot_back_in_group(ctx.session, chat_id)


async def tell_admins(unit: Unit, task: DueTask) -> None:
    chat_id = int(task.data["chat"])
    if await lost_since(unit.session, chat_id) is None:
        return  # added back before anyone was told
    _ = translator(unit.config.default_language)
    purposes = group_purposes(unit.config.routing, chat_id, _)
    if not purposes:
        log.info("the bot left chat %s, which the routing file does not name", chat_id)
        return
    text = _(
        "⚠️ The bot was removed from {group} (chat {chat}), or the group no longer exists. "
        "Alerts and notices for it cannot be delivered. Please add the bot back to the group "
        "as a member; if the group was replaced, put the new group's chat id in the routing "
        "file and restart the bot."
    ).format(group=escape("; ".join(purposes)), chat=chat_id)
    for admin in sorted(unit.config.admin_ids):
        unit.send(SendMessage(admin, text))

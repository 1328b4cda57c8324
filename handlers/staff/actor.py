"""The person behind a command or button press, for the chat: who they are (``actor_of``)
and the permission rules of ``handlers.domain.permissions`` with their refusals worded for
the chat (a closed case's status named in the reader's language).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from handlers.context import Context
from handlers.domain.errors import CaseClosed
from handlers.domain.ids import UserId
from handlers.domain.permissions import (
    Actor,
    can_act,
    ensure_admin,
    ensure_can_act,
    ensure_can_comment,
    ensure_can_view,
    ensure_staff,
)
from handlers.formatting import STATUS_NAMES
from handlers.i18n import Translator

__all__ = [
    "Actor",
    "actor_of",
    "can_act",
    "ensure_admin",
    "ensure_can_act",
    "ensure_can_comment",
    "ensure_can_view",
    "ensure_staff",
    "status_named",
]


async def actor_of(ctx: Context) -> Actor:
    user_id = UserId(ctx.event.user_id)
    staff = await ctx.ports.staff.active_by_user(user_id)
    name = staff.name if staff else ctx.event.user_name
    return Actor(user_id, name, staff, user_id in ctx.config.admin_ids)


@contextmanager
def status_named(_: Translator) -> Iterator[None]:
    """Around a decision: a refusal because the case is closed names its status with ``_``."""
    try:
        yield
    except CaseClosed as closed:
        closed.values["status"] = _(STATUS_NAMES[closed.status])
        raise

"""Filing a case for a worker who came to a reception point or phoned (集中接访点): ``/file``.

The staff member answers the worker's twelve questions in a private chat with the bot, the
same questions and checks as a worker's own report; the worker's phone is the contact. The
case has source ``reception`` and no Telegram account: a phone number typed into the bot is
not proof of who owns a Telegram account, so linking by phone could show one person's case
to another. The department is alerted as usual and reaches the worker by phone.
"""

from handlers.context import Context
from handlers.domain.errors import NotAllowed
from handlers.formatting import N_
from handlers.report_arrears.flow import begin
from handlers.staff.actor import actor_of, ensure_staff
from storage.models import StaffRole

__all__ = ["file_case"]


async def file_case(ctx: Context) -> None:
    actor = await actor_of(ctx)
    ensure_staff(actor)
    if actor.role == StaffRole.SUPERVISOR:
        raise NotAllowed(N_("Supervisors follow cases but do not file them."))
    if not ctx.event.is_private:
        ctx.reply(ctx._("Please send /file in a private chat with me."))
        return
    await begin(ctx, for_walk_in=True)

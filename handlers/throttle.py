"""A budget of updates a minute per user: past it, updates are kept but not handled.

A fast worker taps a button or types a line every second or two; one person sending far more
(a script, a stuck client, a stranger flooding groups) would otherwise hold the bot's handling
and sending for everyone. Their updates past the budget are stored as ``throttled`` and never
replayed: a flood is not a conversation, and whoever is real resends what they need. They are
told so once per burst, not once per update.

The budget is of what a user sends in a minute, by Telegram's clock where it says (a message's
``date``): after the bot was down, Telegram hands over hours of messages at once, and those
are a backlog to work through, not a flood.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import HandlerConfig
from handlers.events import Event
from handlers.formatting import N_
from handlers.i18n import translator
from handlers.replies import Outgoing, SendMessage
from storage.people import language_of

__all__ = ["SLOW_DOWN", "Ration", "ration", "slow_down"]

SLOW_DOWN = N_(
    "You are sending messages faster than I can read them, so I set the latest ones aside. "
    "Please wait a minute, then send again what you need."
)


@dataclass(frozen=True)
class Ration:
    throttled: frozenset[int] = frozenset()
    """Update ids past their user's budget."""
    warn: tuple[Event, ...] = field(default=())
    """The first throttled update of each burst: its chat is told to slow down."""


def ration(
    events: Sequence[Event],
    recent: Mapping[int, tuple[int, int]],
    budget: int,
    *,
    fresh_since: int,
) -> Ration:
    """Which of ``events`` (in update order) exceed ``budget`` updates a minute, given each
    user's ``recent`` (other updates received in the last minute, of which throttled). A
    message sent before ``fresh_since`` (Unix time) is a backlog's and neither counts nor is
    throttled. A burst begins with the first throttled update of a user who had none in the
    last minute."""
    seen: dict[int, int] = defaultdict(int)
    held: dict[int, int] = defaultdict(int)
    for user, (total, throttled) in recent.items():
        seen[user], held[user] = total, throttled
    throttled_ids: set[int] = set()
    warn: list[Event] = []
    for event in sorted(events, key=lambda e: e.update_id):
        if event.sent_at is not None and event.sent_at < fresh_since:
            continue
        seen[event.user_id] += 1
        if seen[event.user_id] <= budget:
            continue
        throttled_ids.add(event.update_id)
        if held[event.user_id] == 0:
            warn.append(event)
        held[event.user_id] += 1
    return Ration(frozenset(throttled_ids), tuple(warn))


async def slow_down(session: AsyncSession, config: HandlerConfig, event: Event) -> list[Outgoing]:
    """The one notice of a burst, in the user's language, where the burst crossed the budget
    (nothing in a group the bot does not answer in)."""
    if not event.is_private and not config.routing.names_chat(event.chat_id):
        return []
    language = await language_of(session, event.user_id) or config.default_language
    return [SendMessage(event.chat_id, translator(language)(SLOW_DOWN))]

"""What the bot says and decides. Free of any Telegram library: drivers hand in plain events.

The handler configuration and the dispatcher are imported when first asked for, not with the
package: the tables (``storage.models``) import the domain's enumerations from
``handlers.domain``, which must not pull the handlers (and the tables) in behind it.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from handlers.events import Event, EventKind
from handlers.replies import AnswerCallback, EditMessage, Outgoing, SendMessage

if TYPE_CHECKING:
    from handlers.context import HandlerConfig
    from handlers.dispatch import handle_event

__all__ = [
    "AnswerCallback",
    "EditMessage",
    "Event",
    "EventKind",
    "HandlerConfig",
    "Outgoing",
    "SendMessage",
    "handle_event",
]

LATER = {"HandlerConfig": "handlers.context", "handle_event": "handlers.dispatch"}


def __getattr__(name: str) -> object:
    if name not in LATER:
        raise AttributeError(f"module 'handlers' has no attribute {name!r}")
    return getattr(import_module(LATER[name]), name)

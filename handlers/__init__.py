"""What the bot says and decides. Free of any Telegram library: drivers hand in plain events."""

from handlers.context import HandlerConfig
from handlers.dispatch import handle_event
from handlers.events import Event, EventKind
from handlers.replies import AnswerCallback, EditMessage, Outgoing, SendMessage

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

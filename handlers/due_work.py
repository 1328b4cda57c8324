"""What to do when a due task falls due, by kind; feature modules register their kinds.

A handler gets a bare ``Unit`` (no update behind it) and the task row; like any handler it
decides and sends, and never commits.
"""

from collections.abc import Awaitable, Callable

from handlers.context import Unit
from storage.models import DueTask

__all__ = ["DUE", "DueHandler", "due"]

DueHandler = Callable[[Unit, DueTask], Awaitable[None]]
DUE: dict[str, DueHandler] = {}


def due(kind: str) -> Callable[[DueHandler], DueHandler]:
    def decorate(handler: DueHandler) -> DueHandler:
        if kind in DUE:
            raise ValueError(f"due task kind {kind!r} is registered twice")
        DUE[kind] = handler
        return handler

    return decorate

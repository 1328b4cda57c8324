"""Which function handles which command, button prefix or conversation flow.

Feature modules register themselves with the decorators below and the dispatcher looks them
up, so a new capability is a new module, not an edit to the dispatcher. Button payloads start
with their prefix (``case:42:accept`` → ``case``).
"""

from collections.abc import Awaitable, Callable

from handlers.context import Context

__all__ = ["COMMANDS", "FLOWS", "PRESSES", "Handler", "command", "flow", "press"]

Handler = Callable[[Context], Awaitable[None]]

COMMANDS: dict[str, Handler] = {}
PRESSES: dict[str, Handler] = {}
FLOWS: dict[str, Handler] = {}


def _register(table: dict[str, Handler], *names: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        for name in names:
            if name in table:
                raise ValueError(f"{name!r} is registered twice")
            table[name] = handler
        return handler

    return decorate


def command(*names: str) -> Callable[[Handler], Handler]:
    """Handles ``/name`` in any chat; the handler checks who may use it."""
    return _register(COMMANDS, *names)


def press(prefix: str) -> Callable[[Handler], Handler]:
    """Handles button presses whose payload starts with ``prefix:``."""
    return _register(PRESSES, prefix)


def flow(name: str) -> Callable[[Handler], Handler]:
    """Handles a private chat's input while its conversation is in flow ``name``."""
    return _register(FLOWS, name)

"""The domain's refusals, each turned into a polite answer by the dispatcher::

Refusal          nothing changed; ``message`` is a catalog text shown to the person
├── NotAllowed   the person may not do this (not staff, wrong department, not admin)
└── Stale        the case moved on since the button was drawn
    └── CaseClosed   …to a status no action applies to; the door names the status
"""

__all__ = ["N_", "CaseClosed", "NotAllowed", "Refusal", "Stale"]


def N_(message: str) -> str:
    """Marks a text for the catalog where it is defined; it is translated where it is shown."""
    return message


class Refusal(Exception):
    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


class NotAllowed(Refusal):
    pass


class Stale(Refusal):
    pass


class CaseClosed(Stale):
    """The case is no longer open. ``status`` is its status as stored; the domain has no
    words, so the door that shows the refusal puts the status's name in ``values``."""

    def __init__(self, status: str) -> None:
        super().__init__(N_("This case is now {status}; nothing changed."), status=status)
        self.status = status

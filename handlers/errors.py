"""The domain's refusals, each turned into a polite answer by the dispatcher::

Refusal          nothing changed; ``message`` is a catalog text shown to the person
├── NotAllowed   the person may not do this (not staff, wrong department, not admin)
└── Stale        the case moved on since the button was drawn
"""

__all__ = ["NotAllowed", "Refusal", "Stale"]


class Refusal(Exception):
    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


class NotAllowed(Refusal):
    pass


class Stale(Refusal):
    pass

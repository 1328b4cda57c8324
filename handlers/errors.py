"""Where the refusals were before they moved to ``handlers.domain.errors``; kept only for the
modules other branches are changing this session (the dispatcher, visit booking)."""

from handlers.domain.errors import NotAllowed, Refusal, Stale

__all__ = ["NotAllowed", "Refusal", "Stale"]

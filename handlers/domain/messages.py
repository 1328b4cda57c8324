"""Message ids: a rule names the text its refusal shows; the door showing it translates it."""

__all__ = ["N_"]


def N_(message: str) -> str:
    """Marks a text for the catalog where it is defined; it is translated where it is shown."""
    return message

"""What to tell someone whose answer was not understood: one place, per kind of question.

The parsers in :mod:`handlers.parsing` share reason codes ("not_a_number" from both the amount
and the worker count), so the code alone cannot say what was expected. Every caller names the
kind of question it asked, and the explanation is that question's own, else one that reads
right for any question.
"""

from typing import Literal

from handlers.formatting import N_
from handlers.i18n import Translator
from handlers.parsing import MAX_WORKERS, ParseError

__all__ = ["TYPE_OR_PRESS", "USE_BUTTONS", "Asked", "explain"]

Asked = Literal["name", "phone", "amount", "workers", "month", "text"]

UNCLEAR = N_("I could not understand that.")

TYPE_OR_PRESS = N_("Please type your answer, or use the buttons below.")
"""Something other than text or a press was sent where either would do: the worker's report
and the staff's forms alike."""
USE_BUTTONS = N_("Please use the buttons.")
"""A question only its buttons answer."""

FOR_ANY_QUESTION: dict[str, str] = {
    "empty": N_("The answer is empty."),
    "zero": N_("The number must be more than zero."),
    "negative": N_("The number cannot be negative."),
    "too_large": N_("That number is too large. Please check it and type it again."),
    "too_long": N_("Please keep it under {limit} characters (you sent {count})."),
}

FOR_QUESTION: dict[tuple[Asked, str], str] = {
    ("name", "not_a_name"): N_("That does not look like a name. Please type your name in words."),
    ("phone", "invalid_phone"): N_(
        "That is not a valid phone number. Example: 138 1234 5678, or tap the button."
    ),
    ("amount", "not_a_number"): N_(
        "I could not read an amount. Examples: 195000, 19.5万, 十九万五千元."
    ),
    ("workers", "not_a_number"): N_(
        "Please give the number of workers as a number, e.g. 3 (or 3人)."
    ),
    ("workers", "not_whole"): N_("Please give a whole number of people, such as 12."),
    ("workers", "too_large"): N_("At most {n} workers per report."),
    ("month", "format"): N_("I could not read a month. Examples: 2021年5月, 2021-05."),
    ("month", "future"): N_("That month is in the future. When did the wages stop being paid?"),
    ("month", "too_old"): N_("That is too long ago. Please check the year."),
}

LIMITS = {"n": f"{MAX_WORKERS:,}"}


def explain(_: Translator, question: Asked, error: ParseError) -> str:
    """The explanation of ``error`` for ``question``, translated, with the error's details."""
    text = FOR_QUESTION.get((question, error.reason)) or FOR_ANY_QUESTION.get(error.reason)
    return _(text or UNCLEAR).format_map(LIMITS | error.details)

"""What a survey asks, in the worker's language, and the buttons that answer it.

A button carries the survey, the question and the answer (``sv:12:paid:none``) and nothing
else; who pressed it and whether the question is still open is checked when it is pressed.
"""

from zoneinfo import ZoneInfo

from handlers import callbacks
from handlers.context import Keyboard
from handlers.domain.surveys import (
    COMMENT,
    NEW_ARREARS,
    PAID,
    RATING,
    REBOUND,
    RETURN_VISIT,
)
from handlers.formatting import N_, format_date
from handlers.i18n import Translator
from handlers.replies import Button
from storage.models import Case, Survey

__all__ = [
    "COMMENT",
    "NEW_ARREARS",
    "PAID",
    "PREFIX",
    "RATING",
    "REBOUND",
    "RETURN_VISIT",
    "VALUES",
    "comment_question",
    "opening_question",
    "rating_question",
]

PREFIX = "sv"

PAID_CHOICES = {
    "full": N_("✅ Yes, all of it"),
    "partly": N_("➗ Only part"),
    "none": N_("❌ Not yet"),
}
NEW_ARREARS_CHOICES = {"yes": N_("😟 Yes, I am owed wages again"), "no": N_("🙂 No, all is well")}
RATINGS = ("1", "2", "3", "4", "5")
VALUES = {
    PAID: tuple(PAID_CHOICES),
    RATING: RATINGS,
    COMMENT: ("skip",),
    NEW_ARREARS: tuple(NEW_ARREARS_CHOICES),
}
"""What a button may carry for each question; anything else is forged."""
ASK = {
    RETURN_VISIT: N_(
        "👋 Hello! This is a return visit about your case {number}, resolved on {date}.\n\n"
        "Have you received the money?"
    ),
    REBOUND: N_(
        "👋 Hello! Your case {number} was settled on {date}, and we want to be sure it stays "
        "that way.\n\nHas anyone owed you wages again since then?"
    ),
}
REMIND = {
    RETURN_VISIT: N_(
        "🔔 A reminder about your case {number}: we would still like to know. Have you "
        "received the money?"
    ),
    REBOUND: N_(
        "🔔 A reminder about your case {number}: has anyone owed you wages again since it was "
        "settled?"
    ),
}


def button(survey_id: int, question: str, value: str | int, label: str) -> Button:
    return Button(label, callbacks.pack(PREFIX, survey_id, question, value))


def opening_question(
    survey: Survey, case: Case, zone: ZoneInfo, _: Translator, *, reminder: bool
) -> tuple[str, Keyboard]:
    """The survey's first question, or the same again as a reminder."""
    assert case.resolved_at is not None
    text = _((REMIND if reminder else ASK)[survey.kind])
    text = text.format(number=case.number, date=format_date(case.resolved_at, zone))
    choices = PAID_CHOICES if survey.kind == RETURN_VISIT else NEW_ARREARS_CHOICES
    question = PAID if survey.kind == RETURN_VISIT else NEW_ARREARS
    rows = tuple(
        (button(survey.id or 0, question, key, _(label)),) for key, label in choices.items()
    )
    return text, rows


def rating_question(survey_id: int, _: Translator) -> tuple[str, Keyboard]:
    text = _(
        "How satisfied are you with how your case was handled? Tap a number: 1 means very "
        "unhappy, 5 means very satisfied."
    )
    return text, (tuple(button(survey_id, RATING, n, n) for n in RATINGS),)


def comment_question(survey_id: int, _: Translator) -> tuple[str, Keyboard]:
    text = _("Is there anything else you would like to tell us? Type it here, or tap Skip.")
    return text, ((button(survey_id, COMMENT, "skip", _("Skip")),),)

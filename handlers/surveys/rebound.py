"""The anti-rebound check (防反弹): a month after a resolution, is the worker owed again?

"Yes" tells the old case's department and starts a new report with what cannot have changed
filled in from the old case: the worker's name and phone, and the county and kind of work,
which decide the department. The employer is asked afresh (it may be another boss) and the
worker can change any answer on the review screen.
"""

from typing import Any

from handlers.context import Context
from handlers.formatting import N_
from handlers.i18n import translator
from handlers.menu import main_menu_buttons
from handlers.replies import SendMessage
from handlers.report_arrears.flow import begin_prefilled
from handlers.surveys.record import Answer
from storage.models import Case

__all__ = ["take_new_arrears"]

OWED_AGAIN = N_(
    "⚠️ The worker of case {number} says they are owed wages again since the case was settled. "
    "They are filling in a new report."
)


async def take_new_arrears(ctx: Context, answer: Answer) -> None:
    if not answer.answered.consequences.owed_again:
        ctx.reply(
            ctx._(
                "Good to hear, thank you! If anyone ever owes you wages again, tap “Report "
                "unpaid wages” in the menu."
            ),
            main_menu_buttons(ctx),
        )
        return
    view = answer.view
    _ = translator(ctx.config.default_language)
    ctx.send(SendMessage(view.department.chat_id, _(OWED_AGAIN).format(number=view.case.number)))
    await report_again(ctx, view.case)


async def report_again(ctx: Context, case: Case) -> None:
    """A new report with the worker's details and the old case's county and kind of work."""
    answers: dict[str, Any] = {
        "name": case.reporter_name,
        "phone": case.reporter_phone,
        "county": case.county,
        "sector": case.sector,
    }
    if case.anonymised_at is None:
        intro = ctx._(
            "We are sorry to hear that. Let's report it. Your name, phone number, county and "
            "kind of work are filled in from your last case; you can change any of them on the "
            "review screen before you send the report."
        )
    else:  # the last case no longer holds the name and phone: they are asked again
        answers = {"county": case.county, "sector": case.sector}
        intro = ctx._(
            "We are sorry to hear that. Let's report it. The county and kind of work are filled "
            "in from your last case; you can change them on the review screen before you send "
            "the report."
        )
    await begin_prefilled(ctx, answers, intro)

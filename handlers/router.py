"""Which function answers which command, button and open conversation: all of them, here.

``build_router`` lists every command, every button prefix, every conversation flow and the
worker's menu choices, so that "who handles /file?" is answered by reading one table, and a new
capability is one line here beside its module. ``handlers.dispatch`` reads the tables; the few
rules between them (a private chat's commands, /cancel in a form, what an open report sees)
are ``Router``'s and ``handlers.dispatch``'s, stated once.

Button payloads start with their prefix (``case:42:accept`` → ``case``).
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from handlers import book_visit, case_card, menu, worker_data
from handlers.context import Context
from handlers.report_arrears import consent
from handlers.report_arrears import flow as report
from handlers.staff import (
    case_actions,
    case_forms,
    commands,
    consultation,
    consultation_invite,
    consultation_outcome,
    invites,
    payment_check,
    reception,
    stats,
)
from handlers.surveys import answer as survey_answer
from handlers.surveys import questions as survey_questions
from handlers.surveys import return_visit

__all__ = ["CANCEL", "Flow", "Handler", "Router", "build_router"]

Handler = Callable[[Context], Awaitable[None]]

CANCEL = "cancel"
"""The command an open form takes (and closes on); with nothing open, there is nothing to
cancel. An open report takes it like any command it is sent."""


@dataclass(frozen=True)
class Flow:
    """What a private chat's open conversation does with what is sent there.

    A form sees what is typed (or sent) and /cancel; other commands are answered as unknown and
    stale buttons as no longer active. A flow that ``owns_chat`` (the report draft) sees every
    press and command that no table routes: its own buttons, /cancel, and commands it answers
    with its open question.
    """

    on_input: Handler
    owns_chat: bool = False


@dataclass(frozen=True)
class Router:
    commands: Mapping[str, Handler]
    """``/name`` in any chat, whatever is open; the handler checks who may use it."""
    worker_commands: Mapping[str, Handler]
    """``/name`` in a private chat, whatever is open there; in a group, nothing."""
    presses: Mapping[str, Handler]
    """Buttons by prefix, in any chat; the handler checks who may press."""
    worker_presses: Mapping[str, Handler]
    """Buttons by prefix in a private chat (the worker's menu); in a group, not valid."""
    flows: Mapping[str, Flow]
    """A private chat's open conversation by its ``flow``."""

    def command(self, name: str | None, private: bool) -> Handler | None:
        """Any chat's command ``name``, else (in a private chat) the worker's."""
        found = self.commands.get(name or "")
        return found or (self.worker_commands.get(name or "") if private else None)

    def press(self, prefix: str, private: bool) -> Handler | None:
        """Any chat's button ``prefix``, else (in a private chat) the worker's."""
        found = self.presses.get(prefix)
        return found or (self.worker_presses.get(prefix) if private else None)

    def flow(self, name: str | None) -> Flow | None:
        """The open conversation's flow; None when nothing (or nothing known) is open."""
        return self.flows.get(name or "")


def build_router() -> Router:
    """The one list of what the bot answers to."""
    case_form = case_forms.FORM.answered_by(case_forms.take)
    consultation_form = consultation.FORM.answered_by(consultation.take)
    outcome_form = consultation_outcome.FORM.answered_by(consultation_outcome.take)
    menu_choices: dict[str, Handler] = {
        "report": consent.begin_own_report,
        "cases": menu.show_my_cases,
        "help": menu.show_help,
        "language": menu.ask_language,
    }
    return Router(
        commands={
            "privacy": consent.show_notice,
            "mydata": worker_data.send_my_data,
            "deletemydata": worker_data.ask_to_delete,
            "report": stats.send_report,  # a worker's own report, or staff's figures export
            "stats": stats.show_stats,
            "cases": commands.list_open_cases,
            "overdue": commands.list_overdue_cases,
            "mine": commands.list_my_cases,
            "case": commands.open_case_by_number,
            "file": reception.file_case,
            "outcome": consultation_outcome.outcome_command,
            "invite": invites.invite,
            "join": invites.join,
        },
        worker_commands={
            "start": menu.start,
            "help": menu.show_help,
            "mycases": menu.show_my_cases,
            "language": menu.ask_language,
        },
        presses={
            consent.PRIVACY: consent.on_privacy_press,
            worker_data.PREFIX: worker_data.on_confirmation,
            menu.VISIT: book_visit.on_visit_press,
            survey_questions.PREFIX: survey_answer.on_survey_press,
            case_card.CASE: case_actions.on_case_press,
            commands.CASES: commands.on_press,
            consultation_invite.CONSULT: consultation_invite.on_consultation_press,
            payment_check.PREFIX: payment_check.on_payment_answer,
            case_forms.FORM.prefix: case_form.on_press,
            consultation.FORM.prefix: consultation_form.on_press,
            consultation_outcome.FORM.prefix: outcome_form.on_press,
        },
        worker_presses={
            menu.MENU: menu.choice_press(menu_choices),
            menu.LANGUAGE: menu.on_language_press,
        },
        flows={
            report.FLOW: Flow(report.on_event, owns_chat=True),
            return_visit.COMMENT_FLOW: Flow(survey_answer.on_comment),
            case_forms.FORM.flow: Flow(case_form.on_input),
            consultation.FORM.flow: Flow(consultation_form.on_input),
            consultation_outcome.FORM.flow: Flow(outcome_form.on_input),
        },
    )

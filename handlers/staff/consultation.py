"""Scheduling a seven-party consultation (七方会商) on a case.

The "🤝 Consultation" button on the alert starts a short form in the presser's private chat
(``flow = consultation``): the day and time, the place, who takes part (each party with an
optional name and contact), a review. The case and the presser's rights are checked again
when they confirm; then the worker is invited (``consultation_invite``).
"""

import re
from datetime import date, datetime, time
from typing import Any

from handlers.case_card import CaseView, load_case
from handlers.context import Context
from handlers.domain.consultations import PAST, TOO_FAR_AHEAD, TimeRefused, time_problem
from handlers.domain.errors import NotAllowed, Refusal
from handlers.domain.ids import CaseId
from handlers.explanations import TYPE_OR_PRESS, USE_BUTTONS, explain
from handlers.formatting import N_
from handlers.i18n import Translator
from handlers.meeting_time import (
    OFFICE_SLOTS,
    When,
    format_day,
    local_moment,
    parse_when,
    pressed_date,
    working_days,
)
from handlers.parsing import ParseError, parse_free_text, parse_phone
from handlers.replies import Button
from handlers.staff.actor import actor_of, ensure_can_act, status_named
from handlers.staff.consultation_card import PARTIES, consultation_details, party_line
from handlers.staff.consultation_invite import invite
from handlers.staff.private_form import PrivateForm, close_form, staff_translator
from handlers.usecases.schedule_consultation import JOIN_FIRST, Scheduling, schedule_consultation
from storage.conversations import save_conversation

__all__ = ["FLOW", "start_consultation"]

FLOW = "consultation"
DAYS_OFFERED = 6
ORDER = ("day", "time", "place", "parties", "review")
FORM = PrivateForm(FLOW, prefix="consf")
button = FORM.button


async def start_consultation(ctx: Context, view: CaseView) -> None:
    """The alert's "🤝 Consultation" press, already authorised by the case buttons."""
    actor = await actor_of(ctx)
    ensure_can_act(actor, view.case)
    if actor.staff is None:
        raise NotAllowed(JOIN_FIRST)
    data = {
        "case_id": view.case.id,
        "number": view.case.number,
        "parties": [{"role": role, "on": True} for role in PARTIES],
    }
    chat = await FORM.open(ctx, actor, "day", data)
    ask(ctx, chat, "day", data)


def ask(ctx: Context, chat: int, step: str, data: dict[str, Any], problem: str = "") -> None:
    _ = staff_translator(ctx)
    text, rows = QUESTIONS[step](ctx, data, _)
    back = step != "day" or bool(data.get("editing"))
    FORM.send_question(ctx, chat, step, text, rows, back=back, problem=problem)


Rows = list[tuple[Button, ...]]


def ask_day(ctx: Context, data: dict[str, Any], _: Translator) -> tuple[str, Rows]:
    text = _(
        "🤝 Seven-party consultation on case {number}.\n\n"
        "When will it be? Choose a day, or type the day and time, e.g. 2026-12-03 14:30, "
        "12月3日下午2点半 or tomorrow 10:00."
    ).format(number=data["number"])
    days = [
        button(format_day(day, _), "day", day.strftime("%Y%m%d"))
        for day in working_days(ctx.local_now.date(), DAYS_OFFERED)
    ]
    return text, [tuple(days[i : i + 3]) for i in range(0, len(days), 3)]


def ask_time(ctx: Context, data: dict[str, Any], _: Translator) -> tuple[str, Rows]:
    day = date.fromisoformat(data["day"])
    text = _("What time on {day}? Choose, or type it (e.g. 14:30).").format(day=format_day(day, _))
    slots = [button(slot.strftime("%H:%M"), "time", slot.strftime("%H%M")) for slot in OFFICE_SLOTS]
    return text, [tuple(slots[:3]), tuple(slots[3:])]


def ask_place(ctx: Context, data: dict[str, Any], _: Translator) -> tuple[str, Rows]:
    return _("Where will it be held? Type the place, e.g. “Meeting room 2, Anding HR bureau”."), []


def ask_parties(ctx: Context, data: dict[str, Any], _: Translator) -> tuple[str, Rows]:
    chosen = [party for party in data["parties"] if party["on"]]
    lines = [
        _(
            "Who takes part? Tap a party to include or leave it out; tap ✏️ to add a name "
            "and contact."
        ),
        "",
        *(party_line(party, _, contacts=True) for party in chosen),
    ]
    rows: Rows = [
        (
            button(
                ("✅ " if party["on"] else "⬜ ") + _(PARTIES[party["role"]]),
                "parties",
                f"t.{party['role']}",
            ),
            button("✏️", "parties", f"e.{party['role']}"),
        )
        for party in data["parties"]
    ]
    rows.append((button(_("Continue »"), "parties", "next"),))
    return "\n".join(lines), rows


def ask_party(ctx: Context, data: dict[str, Any], _: Translator) -> tuple[str, Rows]:
    role = _(PARTIES[data["party"]])
    text = _(
        "Type the name and contact for “{role}”, separated by a comma, e.g. “Zhang Wei, "
        "0932-8000105”."
    ).format(role=role)
    return text, []


def ask_review(ctx: Context, data: dict[str, Any], _: Translator) -> tuple[str, Rows]:
    moment = datetime.fromisoformat(data["at"])
    lines = [
        "<b>"
        + _("Seven-party consultation on case {number}").format(number=data["number"])
        + "</b>",
        consultation_details(ctx, moment, data["place"], chosen_parties(data), _),
        "",
        _(
            "The worker will be invited and asked to confirm; reminders go out the day before "
            "and two hours before."
        ),
    ]
    rows: Rows = [
        (button(_("✅ Schedule and invite"), "review", "ok"),),
        (
            button("✏️ " + _("When"), "review", "e.day"),
            button("✏️ " + _("Place"), "review", "e.place"),
            button("✏️ " + _("Parties"), "review", "e.parties"),
        ),
    ]
    return "\n".join(lines), rows


QUESTIONS = {
    "day": ask_day,
    "time": ask_time,
    "place": ask_place,
    "parties": ask_parties,
    "party": ask_party,
    "review": ask_review,
}


def chosen_parties(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {key: party.get(key) for key in ("role", "name", "contact")}
        for party in data["parties"]
        if party["on"]
    ]


async def take(ctx: Context, value: str | None, text: str | None) -> None:
    _ = staff_translator(ctx)
    data, step = ctx.conversation.data, ctx.conversation.step or "day"
    if value == "back":
        go(ctx, previous(step, data), data)
    elif step == "review" and value == "ok":
        await confirm(ctx, data)
    elif step == "review" and value in ("e.day", "e.place", "e.parties"):
        data["editing"] = True
        go(ctx, value[2:], data)
    else:
        try:
            following = read_answer(ctx, step, data, value, text)
        except ParseError as error:
            ask(ctx, ctx.event.chat_id, step, data, problem_text(error, _))
            return
        go(ctx, following, data)


def read_answer(
    ctx: Context, step: str, data: dict[str, Any], value: str | None, text: str | None
) -> str:
    """Store the answer to ``step``; the step to go to, or ParseError with a reason."""
    if step in ("day", "time"):
        return read_when(ctx, step, data, value, text)
    if step == "place" and text is not None:
        data["place"] = parse_free_text(text, 300)
        return after(step, data)
    if step == "parties" and value:
        return read_parties(data, value)
    if step == "party" and text is not None:
        party = next(p for p in data["parties"] if p["role"] == data["party"])
        party.update(split_details(text), on=True)
        return "parties"
    raise ParseError("use_buttons" if step in ("parties", "review") else "type")


def read_when(
    ctx: Context, step: str, data: dict[str, Any], value: str | None, text: str | None
) -> str:
    today = ctx.local_now.date()
    if value:
        when = When(pressed_date(value), None) if step == "day" else When(None, pressed_time(value))
    else:
        when = parse_when(text or "", today)
    day = when.day or (date.fromisoformat(data["day"]) if step == "time" else None)
    if day is None:
        raise ParseError("no_day" if when.at else "format")
    data["day"] = day.isoformat()
    if when.at is None:
        return "time"
    moment = local_moment(day, when.at, ctx.config.zone)
    problem = time_problem(moment, ctx.now)
    if problem is not None:
        raise ParseError(problem)
    data["at"] = moment.isoformat()
    return after("time", data)


def pressed_time(value: str) -> time:
    try:
        return time(int(value[:2]), int(value[2:]))
    except ValueError:
        raise ParseError("format") from None


def read_parties(data: dict[str, Any], value: str) -> str:
    action, _, role = value.partition(".")
    party = next((p for p in data["parties"] if p["role"] == role), None)
    if value == "next":
        if not any(p["on"] for p in data["parties"]):
            raise ParseError("no_party")
        return "review"
    if party is None or action not in ("t", "e"):
        raise ParseError("use_buttons")
    if action == "t":
        party["on"] = not party["on"]
        return "parties"
    data["party"] = role
    return "party"


def split_details(text: str) -> dict[str, str | None]:
    """Name and contact from “Zhang Wei, 0932-8000105”; a lone phone number is a contact."""
    cleaned = parse_free_text(text, 200)
    parts = re.split(r"[,，;；]", cleaned, maxsplit=1)
    if len(parts) == 2:
        name, contact = parts[0].strip(), parts[1].strip()
    elif is_phone(cleaned):
        name, contact = "", cleaned
    else:
        name, contact = cleaned, ""
    return {"name": name or None, "contact": contact or None}


def is_phone(text: str) -> bool:
    try:
        parse_phone(text)
    except ParseError:
        return False
    return True


def after(step: str, data: dict[str, Any]) -> str:
    if data.get("editing"):
        return "review"
    return ORDER[ORDER.index(step) + 1]


def previous(step: str, data: dict[str, Any]) -> str:
    if step == "party":
        return "parties"
    if step == "time":
        return "day"
    if data.get("editing"):
        return "review"
    return ORDER[max(ORDER.index(step) - 1, 0)]


PROBLEMS = {
    "past": PAST,
    "too_far": TOO_FAR_AHEAD,
    "no_day": N_("Please give the day as well, or choose one below."),
    "format": N_(
        "I could not read a day and time. Examples: 2026-12-03 14:30, 12月3日下午2点半, "
        "tomorrow 10:00."
    ),
    "no_party": N_("Choose at least one party."),
    "use_buttons": USE_BUTTONS,
    "type": TYPE_OR_PRESS,
}


def problem_text(error: ParseError, _: Translator) -> str:
    """The day-and-time problems are this form's own; the rest come from the place or a
    party's details, both typed text."""
    known = PROBLEMS.get(error.reason)
    return _(known) if known else explain(_, "text", error)


def go(ctx: Context, step: str, data: dict[str, Any]) -> None:
    if step == "review":
        data.pop("editing", None)
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=FLOW, step=step, data=data)
    ask(ctx, ctx.event.chat_id, step, data)


async def confirm(ctx: Context, data: dict[str, Any]) -> None:
    """Schedule it, checking the case and the presser again; a time that passed meanwhile is
    asked again, any other refusal ends the form."""
    _ = staff_translator(ctx)
    request = Scheduling(
        CaseId(data["case_id"]),
        datetime.fromisoformat(data["at"]),
        data["place"],
        tuple(chosen_parties(data)),
        ctx.now,
    )
    actor = await actor_of(ctx)
    ports = ctx.ports
    try:
        with status_named(ctx._):
            scheduled = await schedule_consultation(
                actor,
                request,
                cases=ports.cases,
                consultations=ports.consultations,
                trail=ports.trail,
            )
    except TimeRefused as refused:
        data["editing"] = True
        save_conversation(ctx.session, ctx.conversation, ctx.now, flow=FLOW, step="day", data=data)
        ask(ctx, ctx.event.chat_id, "day", data, _(refused.message))
        return
    except Refusal:
        close_form(ctx, None)
        raise
    view = await load_case(ctx.session, scheduled.case.id)
    assert view is not None and actor.staff is not None
    if not await invite(ctx, actor.staff, view, scheduled.consultation):
        done = _(
            "Scheduled. The worker cannot be reached in chat (not on Telegram, or blocked the "
            "bot): please invite them by phone."
        )
    else:
        done = _(
            "Scheduled. The worker has been invited; their answer will be posted in the "
            "department chat."
        )
    close_form(ctx, done)

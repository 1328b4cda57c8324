"""The questions of a report, one ``Step`` each: how it is asked and how an answer is taken.

``accept`` never raises on bad input: it returns a ``Problem`` that explains what is expected,
and the flow asks the same question again with every earlier answer kept.
"""

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers import callbacks
from handlers.case_file import MAX_BYTES, MAX_FILES, Refusal, normal_mime, refusal
from handlers.context import Context, Keyboard
from handlers.events import EventKind
from handlers.explanations import TYPE_OR_PRESS, Asked, explain
from handlers.formatting import (
    N_,
    SECTOR_NAMES,
    file_counts,
    format_amount,
    format_month,
    format_voice,
    yuan_to_fen,
)
from handlers.parsing import (
    ParseError,
    format_phone,
    parse_amount,
    parse_free_text,
    parse_month,
    parse_name,
    parse_phone,
    parse_worker_count,
)
from handlers.replies import Button, KeyButton, ReplyKeyboard, escape
from handlers.routing import SECTORS

__all__ = ["STEPS", "STORY", "Advance", "Problem", "Question", "Stay", "Step", "step_named"]

PREFIX = "in"
MONTHS = "months"
KEEP = "keep"
STORY = "story"
"""Draft key of the voice messages (or audio files) that tell what happened."""
FILE_KINDS = (EventKind.PHOTO, EventKind.DOCUMENT, EventKind.VOICE, EventKind.AUDIO)
SPOKEN = (EventKind.VOICE, EventKind.AUDIO)


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    buttons: Keyboard = ()
    keyboard: ReplyKeyboard | None = None


@dataclass(frozen=True, slots=True)
class Advance:
    """The answer is recorded; ``note`` (if any) confirms it and clears a reply keyboard."""

    note: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    text: str


@dataclass(frozen=True, slots=True)
class Stay:
    """Still on this step, with a message of its own (a month picker, an evidence count).

    ``screen`` names a screen the step shows instead of its question (the month list after a
    year): Back from it returns to the step's question, the screen the worker saw before.
    """

    question: Question
    screen: str | None = None


StepResult = Advance | Problem | Stay


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    label: str
    ask: Callable[[Context, dict[str, Any]], Question]
    accept: Callable[[Context, dict[str, Any]], Awaitable[StepResult]]
    show: Callable[[Context, dict[str, Any]], str]
    keepable: bool = True
    """Asked again with an answer given, it shows the answer and offers to keep it."""


def button(ctx: Context, step: str, text: str, value: str | int) -> Button:
    return Button(text, callbacks.pack(PREFIX, step, value))


def nav_row(ctx: Context, step: str, *, back: bool = True) -> tuple[Button, ...]:
    _ = ctx._
    row = [button(ctx, step, _("« Back"), "back")] if back else []
    return (*row, button(ctx, step, _("✖ Cancel"), "cancel"))


def keep_label(ctx: Context) -> str:
    return "✔ " + ctx._("Keep current answer")


def nav_keys(ctx: Context) -> tuple[KeyButton, ...]:
    _ = ctx._
    return (KeyButton(_("« Back")), KeyButton(_("✖ Cancel")))


def chosen(ctx: Context, step: str) -> str | None:
    """The value of a button press for ``step``; None when the event is not such a press."""
    if ctx.event.kind != EventKind.CALLBACK:
        return None
    try:
        pressed_step, value = callbacks.unpack(ctx.event.callback_data, prefix=PREFIX, size=2)
    except callbacks.CallbackDataError:
        return None
    return value if pressed_step == step else None


def typed(ctx: Context) -> str | None:
    return ctx.event.text if ctx.event.kind == EventKind.TEXT else None


def wrong_kind(ctx: Context) -> Problem:
    _ = ctx._
    if ctx.event.kind in (EventKind.PHOTO, EventKind.DOCUMENT):
        return Problem(_("Files are collected at the evidence step, near the end."))
    if ctx.event.kind in (EventKind.STICKER, EventKind.VIDEO_NOTE, *SPOKEN):
        return Problem(_("I cannot read stickers or voice messages. Please type your answer."))
    return Problem(_(TYPE_OR_PRESS))


def problem_for(ctx: Context, asked: Asked, error: ParseError) -> Problem:
    return Problem(explain(ctx._, asked, error))


# --- name -----------------------------------------------------------------------------------


def ask_name(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    rows: list[tuple[Button, ...]] = []
    known = ctx.worker.name if ctx.worker else None
    if known and "name" not in answers:
        rows.append((button(ctx, "name", _("Use: {name}").format(name=known), "known"),))
    rows.append(nav_row(ctx, "name", back=False))
    return Question(_("What is your name?"), tuple(rows))


async def accept_name(ctx: Context, answers: dict[str, Any]) -> StepResult:
    if chosen(ctx, "name") == "known" and ctx.worker and ctx.worker.name:
        answers["name"] = ctx.worker.name
        return Advance()
    text = typed(ctx)
    if text is None:
        return wrong_kind(ctx)
    try:
        answers["name"] = parse_name(text)
    except ParseError as error:
        return problem_for(ctx, "name", error)
    return Advance()


# --- phone ----------------------------------------------------------------------------------


def ask_phone(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    share = KeyButton(_("📱 Share my phone number"), request_contact=True)
    return Question(
        _("Your phone number, so the department can reach you. Tap the button or type it."),
        keyboard=ReplyKeyboard(((share,), nav_keys(ctx))),
    )


async def accept_phone(ctx: Context, answers: dict[str, Any]) -> StepResult:
    _ = ctx._
    event = ctx.event
    raw = event.phone if event.kind == EventKind.CONTACT else typed(ctx)
    if raw is None:
        return wrong_kind(ctx)
    try:
        answers["phone"] = parse_phone(raw)
    except ParseError as error:
        return problem_for(ctx, "phone", error)
    return Advance(_("Phone number saved: {phone}").format(phone=show_phone(ctx, answers)))


# --- county and sector ----------------------------------------------------------------------


def ask_county(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    counties = [
        button(ctx, "county", c.name(ctx.language), c.code) for c in ctx.config.routing.counties
    ]
    rows = [tuple(counties[i : i + 2]) for i in range(0, len(counties), 2)]
    return Question(
        _("Where is the work site? Choose the county or district."), (*rows, nav_row(ctx, "county"))
    )


async def accept_county(ctx: Context, answers: dict[str, Any]) -> StepResult:
    _ = ctx._
    routing = ctx.config.routing
    value = chosen(ctx, "county")
    pressed = routing.county(value) if value else None  # a button drawn before a rename too
    text = (typed(ctx) or "").strip().lower()
    for county in routing.counties:
        names = {county.code, county.name_zh, county.name_en.lower()}
        short = {name[:-1] for name in (county.name_zh,) if name[-1:] in "县区"}
        if county == pressed or (text and text in names | short):
            answers["county"] = county.code
            return Advance()
    return Problem(_("Please choose the county with one of the buttons."))


def ask_sector(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    items = [button(ctx, "sector", _(SECTOR_NAMES[s]), s) for s in SECTORS]
    rows = [tuple(items[i : i + 2]) for i in range(0, len(items), 2)]
    return Question(_("What kind of work was it?"), (*rows, nav_row(ctx, "sector")))


async def accept_sector(ctx: Context, answers: dict[str, Any]) -> StepResult:
    _ = ctx._
    value = chosen(ctx, "sector")
    text = (typed(ctx) or "").strip().lower()
    for sector in SECTORS:
        if value == sector or (text and text in {sector, _(SECTOR_NAMES[sector]).lower()}):
            answers["sector"] = sector
            return Advance()
    return Problem(_("Please choose the kind of work with one of the buttons."))


# --- free-text questions --------------------------------------------------------------------


def take_text(ctx: Context, answers: dict[str, Any], key: str, limit: int) -> Problem | None:
    """Record typed words under ``key``, or say what is wrong with them."""
    text = typed(ctx)
    if text is None:
        return wrong_kind(ctx)
    try:
        answers[key] = parse_free_text(text, limit)
    except ParseError as error:
        return problem_for(ctx, "text", error)
    return None


def free_text_step(name: str, label: str, prompt: str, limit: int) -> Step:
    def ask(ctx: Context, answers: dict[str, Any]) -> Question:
        return Question(ctx._(prompt), (nav_row(ctx, name),))

    async def accept(ctx: Context, answers: dict[str, Any]) -> StepResult:
        return take_text(ctx, answers, name, limit) or Advance()

    def show(ctx: Context, answers: dict[str, Any]) -> str:
        return escape(answers.get(name, "—"))

    return Step(name, label, ask, accept, show)


# --- site -----------------------------------------------------------------------------------


def ask_site(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    pin = KeyButton(_("📍 Send my location"), request_location=True)
    return Question(
        _("Where is the site? Type the address, or send a location pin if you are there now."),
        keyboard=ReplyKeyboard(((pin,), nav_keys(ctx))),
    )


async def accept_site(ctx: Context, answers: dict[str, Any]) -> StepResult:
    _ = ctx._
    event = ctx.event
    if event.kind == EventKind.LOCATION and event.latitude is not None:
        answers["site"] = None
        answers["site_location"] = [event.latitude, event.longitude]
        return Advance(_("Location saved."))
    problem = take_text(ctx, answers, "site", 300)
    if problem is not None:
        return problem
    answers.pop("site_location", None)
    return Advance(_("Address saved."))


def show_site(ctx: Context, answers: dict[str, Any]) -> str:
    if answers.get("site_location"):
        lat, lon = answers["site_location"]
        return ctx._("location pin ({lat:.5f}, {lon:.5f})").format(lat=lat, lon=lon)
    return escape(answers.get("site") or "—")


# --- amount and workers ---------------------------------------------------------------------


def ask_amount(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    return Question(
        _("How much are you owed in total, in yuan? For example 195000, 19.5万 or 十九万五千元."),
        (nav_row(ctx, "amount"),),
    )


async def accept_amount(ctx: Context, answers: dict[str, Any]) -> StepResult:
    text = typed(ctx)
    if text is None:
        return wrong_kind(ctx)
    try:
        answers["amount_fen"] = yuan_to_fen(parse_amount(text))
    except ParseError as error:
        return problem_for(ctx, "amount", error)
    return Advance()


def ask_workers(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    return Question(
        _("How many workers are owed, counting you? Type a number."),
        ((button(ctx, "workers", _("Just me"), 1),), nav_row(ctx, "workers")),
    )


async def accept_workers(ctx: Context, answers: dict[str, Any]) -> StepResult:
    if chosen(ctx, "workers") == "1":
        answers["workers"] = 1
        return Advance()
    text = typed(ctx)
    if text is None:
        return wrong_kind(ctx)
    try:
        answers["workers"] = parse_worker_count(text)
    except ParseError as error:
        return problem_for(ctx, "workers", error)
    return Advance()


# --- owed since -----------------------------------------------------------------------------


def ask_since(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    year = ctx.local_now.year
    years = [button(ctx, "since", str(y), f"y{y}") for y in range(year, year - 5, -1)]
    return Question(
        _("Since when have the wages been owed? Choose the year, or type the month (2021年5月)."),
        (tuple(years[:3]), tuple(years[3:]), nav_row(ctx, "since")),
    )


def ask_month_of(ctx: Context, year: int) -> Question:
    _ = ctx._
    today = ctx.local_now.date()
    last = today.month if year == today.year else 12
    months = [button(ctx, "since", str(m), f"m{year}-{m:02d}") for m in range(1, last + 1)]
    rows = [tuple(months[i : i + 4]) for i in range(0, len(months), 4)]
    return Question(_("Which month of {year}?").format(year=year), (*rows, nav_row(ctx, "since")))


async def accept_since(ctx: Context, answers: dict[str, Any]) -> StepResult:
    today = ctx.local_now.date()
    value = chosen(ctx, "since")
    if value and value[0] == "y":
        with contextlib.suppress(callbacks.CallbackDataError):
            year = callbacks.parse_id(value[1:], largest=today.year)
            if today.year - 5 < year:
                return Stay(ask_month_of(ctx, year), screen=MONTHS)
    text = typed(ctx)
    if value and value[0] == "m":
        text = value[1:]
    if text is None:
        return wrong_kind(ctx)
    try:
        month = parse_month(text, today)
    except ParseError as error:
        return problem_for(ctx, "month", error)
    answers["since"] = month.isoformat()
    return Advance()


def show_since(ctx: Context, answers: dict[str, Any]) -> str:
    value = answers.get("since")
    return format_month(date.fromisoformat(value), ctx._) if value else "—"


# --- files: the story told by voice, and evidence ------------------------------------------


def files_of(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Every file of the draft; together they count against the report's limit."""
    return [*answers.get(STORY, []), *answers.get("evidence", [])]


def take_file(ctx: Context, answers: dict[str, Any], key: str) -> Problem | None:
    """Add the event's file to the draft's ``key`` list, or say why it cannot be taken (the
    draft unchanged). The same file sent twice is kept once."""
    _ = ctx._
    event = ctx.event
    if event.file_id is None or event.file_unique_id is None:
        return wrong_kind(ctx)  # a voice event from an inbox written before files were read
    held = files_of(answers)
    if any(f["file_unique_id"] == event.file_unique_id for f in held):
        return None
    if len(held) >= MAX_FILES:
        return Problem(
            _(
                "You have already sent {max} files, the most one report can hold. "
                "Everything you sent so far is kept."
            ).format(max=MAX_FILES)
        )
    why = refusal(event.kind.value, event.mime_type, event.file_size)
    if why == Refusal.TOO_BIG:
        return Problem(
            _(
                "This file is larger than {mb} MB, more than I can receive. Please send a "
                "smaller copy, or a photo of the paper. Everything you sent before is kept."
            ).format(mb=MAX_BYTES // (1024 * 1024))
        )
    if why == Refusal.TYPE:
        return Problem(
            _(
                "I cannot keep this kind of file. Please send photos, PDF, Word or Excel "
                "documents, or recordings. Everything you sent before is kept."
            )
        )
    answers.setdefault(key, []).append(
        {
            "kind": event.kind.value,
            "file_id": event.file_id,
            "file_unique_id": event.file_unique_id,
            "file_name": event.file_name,
            "mime_type": normal_mime(event.mime_type),
            "file_size": event.file_size,
            "duration": event.duration,
        }
    )
    return None


def ask_account(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    text = _(
        "In a few sentences, what happened? What work did you do, what was promised, what "
        "was paid? You can type it, or send a voice message and tell it in your own words."
    )
    rows: list[tuple[Button, ...]] = []
    if answers.get(STORY):
        rows.append((button(ctx, "account", _("🗑 Remove the voice messages"), "drop"),))
    return Question(text, (*rows, nav_row(ctx, "account")))


def voice_received(ctx: Context, answers: dict[str, Any]) -> Question:
    """After a voice message: more may follow, or a few typed words, or the next question
    (the flow adds the answer so far and the button that keeps it)."""
    text = ctx._(
        "Thank you, I have your voice message. You can send another, type a few words to go "
        "with it (a name, a date, a sum), or keep the answer and go on."
    )
    return Question(text, ask_account(ctx, answers).buttons)


async def accept_account(ctx: Context, answers: dict[str, Any]) -> StepResult:
    """Typed words replace the typed answer; a voice message is added to the spoken one; the
    worker may give both, in either order."""
    if chosen(ctx, "account") == "drop":
        answers.pop(STORY, None)
        if not answers.get("account"):
            answers.pop("account", None)
        return Stay(ask_account(ctx, answers))
    if ctx.event.kind in SPOKEN:
        problem = take_file(ctx, answers, STORY)
        if problem is not None:
            return problem
        answers.setdefault("account", "")
        return Stay(voice_received(ctx, answers))
    return take_text(ctx, answers, "account", 2000) or Advance()


def show_account(ctx: Context, answers: dict[str, Any]) -> str:
    """The voice messages by their length, then the typed words."""
    spoken = [format_voice(f.get("duration"), ctx._) for f in answers.get(STORY, [])]
    written = [escape(answers["account"])] if answers.get("account") else []
    return "\n".join([*spoken, *written]) or "—"


def ask_evidence(ctx: Context, answers: dict[str, Any]) -> Question:
    _ = ctx._
    count = len(answers.get("evidence", []))
    room = MAX_FILES - len(answers.get(STORY, []))  # the story's voice messages count too
    text = _(
        "Do you have evidence? Send photos, documents (contract, IOU, pay slips, chat "
        "screenshots) or recordings, up to {max} files of {mb} MB each. Tap Done when "
        "finished, or Skip."
    ).format(max=room, mb=MAX_BYTES // (1024 * 1024))
    if count:
        text += "\n" + _("Received so far: {count} of {max} ({files}).").format(
            count=count, max=room, files=show_evidence(ctx, answers)
        )
    done = button(ctx, "evidence", _("✅ Done") if count else _("Skip"), "done")
    return Question(text, ((done,), nav_row(ctx, "evidence")))


async def accept_evidence(ctx: Context, answers: dict[str, Any]) -> StepResult:
    _ = ctx._
    if chosen(ctx, "evidence") == "done":
        answers.setdefault("evidence", [])
        return Advance()
    if ctx.event.kind not in FILE_KINDS:
        return Problem(_("Please send a photo, a document or a recording, or tap Done."))
    problem = take_file(ctx, answers, "evidence")
    if problem is not None:
        return problem
    if len(files_of(answers)) >= MAX_FILES:
        return Advance()
    return Stay(ask_evidence(ctx, answers))


def show_evidence(ctx: Context, answers: dict[str, Any]) -> str:
    kinds = Counter(f["kind"] for f in answers.get("evidence", []))
    return file_counts(kinds, ctx._)


def show_plain(key: str) -> Callable[[Context, dict[str, Any]], str]:
    def show(ctx: Context, answers: dict[str, Any]) -> str:
        return escape(answers.get(key, "—"))

    return show


def show_phone(ctx: Context, answers: dict[str, Any]) -> str:
    phone = answers.get("phone")
    return format_phone(phone) if phone else "—"


def show_county(ctx: Context, answers: dict[str, Any]) -> str:
    code = answers.get("county")
    return ctx.config.routing.county_name(code, ctx.language) if code else "—"


def show_sector(ctx: Context, answers: dict[str, Any]) -> str:
    code = answers.get("sector")
    return ctx._(SECTOR_NAMES[code]) if code else "—"


def show_amount(ctx: Context, answers: dict[str, Any]) -> str:
    fen = answers.get("amount_fen")
    return format_amount(fen, ctx._) if fen is not None else "—"


STEPS: tuple[Step, ...] = (
    Step("name", N_("Name"), ask_name, accept_name, show_plain("name")),
    Step("phone", N_("Phone"), ask_phone, accept_phone, show_phone),
    Step("county", N_("County"), ask_county, accept_county, show_county),
    Step("sector", N_("Kind of work"), ask_sector, accept_sector, show_sector),
    free_text_step(
        "employer",
        N_("Employer"),
        N_("Who owes you the wages? The company's name, or the boss's name."),
        200,
    ),
    free_text_step(
        "project",
        N_("Project"),
        N_("What is the project called? For example: greenhouse repair, Xijiang village."),
        200,
    ),
    Step("site", N_("Site"), ask_site, accept_site, show_site),
    Step("amount", N_("Amount owed"), ask_amount, accept_amount, show_amount),
    Step("workers", N_("Workers owed"), ask_workers, accept_workers, show_plain("workers")),
    Step("since", N_("Owed since"), ask_since, accept_since, show_since),
    Step("account", N_("What happened"), ask_account, accept_account, show_account),
    # Its Done button keeps what was received, and the count is in its question.
    Step("evidence", N_("Evidence"), ask_evidence, accept_evidence, show_evidence, keepable=False),
)


def step_named(name: str) -> Step:
    for step in STEPS:
        if step.name == name:
            return step
    raise KeyError(name)

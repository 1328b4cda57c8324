"""A bot in every state a person can leave a chat in, for fuzzing each step in isolation.

Workers are walked to every question of the report (and its review, an edit from the review,
the cancel confirmation, the survey comment); staff to every step of every form (note,
transfer, resolution, rejection, consultation, consultation outcome, filing for a walk-in)
and to their group and private chats at rest. Each state is recorded as the chat's
conversation row; ``restore`` puts it back, together with the cases, consultations, surveys
and workers as they were when the scene was built, so every fuzzed input meets the same state.
"""

import copy
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import SQLModel, col, select

from bot.scheduler import run_due_work
from handlers import HandlerConfig
from handlers.context import Unit
from handlers.replies import Button, SendMessage
from handlers.surveys import plan_return_visit
from storage.conversations import lock_conversation, save_conversation
from storage.db import Database
from storage.models import (
    Case,
    CaseStatus,
    Consultation,
    Conversation,
    OutboxMessage,
    Survey,
    Worker,
)
from storage.repositories import ports
from tests.support.chat import Bench, WorkerChat, complete_report
from tests.support.clock import FakeClock
from tests.support.people import make_staff

__all__ = ["GROUP", "OTHER_GROUP", "Scene", "State", "build_scene"]

GROUP = -1001000000101  # 安定区住建局: Anding × construction
OTHER_GROUP = -1001000000102  # 安定区交通运输局
ADMIN = 990
OTHER_HANDLER = 980  # a handler of the transport bureau
STRANGER = 970  # writes to the bot, is no staff
MEETING = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)
"""2026-12-03 14:30 in Dingxi; the scene's clock starts on 2026-11-26 at 10:00 there."""


@dataclass(frozen=True)
class State:
    label: str
    group: str
    """``intake`` or ``staff``."""
    chat_id: int
    user_id: int
    flow: str | None
    step: str | None
    data: dict[str, Any]

    @property
    def chat_type(self) -> str:
        return "private" if self.chat_id > 0 else "supergroup"


@dataclass
class Scene:
    bench: Bench
    states: list[State]
    baseline: dict[type[SQLModel], list[dict[str, Any]]]
    closed_case: int
    """A case rejected while its alert's buttons were still shown: pressing them is stale."""

    @property
    def db(self) -> Database:
        return self.bench.db

    def of(self, group: str) -> list[State]:
        return [s for s in self.states if s.group == group]

    def button_data(self) -> list[str]:
        """Every callback payload the bot has drawn so far."""
        return sorted({b.data for m in self.bench.sent for row in m.buttons for b in row})

    async def restore(self, state: State) -> None:
        """The chat back in ``state``; cases, consultations, surveys, workers as at the start."""
        now = self.bench.clock.now()
        current = await snapshot(self.db)
        async with self.db.transaction() as session:
            for model, rows in self.baseline.items():
                key = model.__table__.c.id  # type: ignore[attr-defined]
                for row in rows:
                    if row in current[model]:
                        continue
                    values = {k: v for k, v in row.items() if k != "id"}
                    await session.exec(update(model).where(key == row["id"]).values(**values))
            conversation = await lock_conversation(session, state.chat_id, now)
            save_conversation(
                session,
                conversation,
                now,
                flow=state.flow,
                step=state.step,
                data=copy.deepcopy(state.data),
            )


async def ordinary_report(chat: WorkerChat) -> None:
    """A report below every hard-case threshold, so no escalation gets in the way."""
    await complete_report(chat, amount="5万", workers="3", since="2026-06")


async def capture(
    bench: Bench, states: list[State], label: str, group: str, chat: WorkerChat
) -> None:
    async with bench.db.reader() as session:
        row = await session.get(Conversation, chat.chat_id)
    flow, step, data = (row.flow, row.step, dict(row.data)) if row else (None, None, {})
    states.append(State(label, group, chat.chat_id, chat.user_id, flow, step, copy.deepcopy(data)))


async def snapshot(db: Database) -> dict[type[SQLModel], list[dict[str, Any]]]:
    taken: dict[type[SQLModel], list[dict[str, Any]]] = {}
    async with db.reader() as session:
        for model in (Case, Consultation, Survey, Worker):
            rows = (await session.exec(select(model))).all()
            taken[model] = [row.model_dump() for row in rows]
    return taken


async def case_id_of(db: Database, worker: WorkerChat) -> int:
    async with db.reader() as session:
        statement = (
            select(Case.id)
            .join(Worker, col(Worker.id) == col(Case.worker_id))
            .where(col(Worker.telegram_user_id) == worker.user_id)
        )
        found = (await session.exec(statement)).first()
    assert found is not None
    return found


async def build_scene(db: Database, config: HandlerConfig, clock: FakeClock) -> Scene:
    bench = Bench(db, replace(config, default_language="en", admin_ids=frozenset({ADMIN})), clock)
    states: list[State] = []
    await intake_states(bench, states)
    closed = await staff_states(bench, states)
    return Scene(bench, states, await snapshot(db), closed)


async def intake_states(bench: Bench, states: list[State]) -> None:
    newcomer = bench.chat(510)
    await capture(bench, states, "newcomer (no language yet)", "intake", newcomer)

    worker = bench.chat(501)
    await worker.send("/start")
    await worker.press("English")
    await capture(bench, states, "main menu", "intake", worker)
    await worker.press("Report unpaid wages")
    await capture(bench, states, "privacy notice", "intake", worker)
    await worker.press("I agree")
    answers: list[tuple[str, Any]] = [
        ("name", "Wang Wu"),
        ("phone", "13812345678"),
        ("county", "Anding"),
        ("sector", "Construction"),
        ("employer", "Xijiang Co-op"),
        ("project", "Greenhouse repair"),
        ("site", "Xijiang village"),
        ("amount", "19.5万"),
        ("workers", "12"),
        ("since", "2022-05"),
        ("account", "We repaired 70 greenhouses."),
    ]
    for step, answer in answers:
        await capture(bench, states, f"report: {step}", "intake", worker)
        if step in ("county", "sector"):
            await worker.press(answer)
        else:
            await worker.send(answer)
    await capture(bench, states, "report: evidence", "intake", worker)
    await worker.send_photo()
    await capture(bench, states, "report: evidence, one photo", "intake", worker)
    await worker.press("Done")
    await capture(bench, states, "report: review", "intake", worker)
    await worker.press("Employer")
    await capture(bench, states, "report: editing from the review", "intake", worker)
    await worker.send("/cancel")
    await capture(bench, states, "report: discard?", "intake", worker)

    year_picker = bench.chat(502)
    await complete_report(year_picker, submit=False)
    await year_picker.press("Owed since")
    await year_picker.press("2025")
    await capture(bench, states, "report: month of a year", "intake", year_picker)

    surveyed = bench.chat(503)
    await ordinary_report(surveyed)
    now = bench.clock.now()
    async with bench.db.transaction() as session:
        case = await session.get(Case, await case_id_of(bench.db, surveyed))
        assert case is not None
        case.status, case.outcome, case.resolved_at = CaseStatus.RESOLVED, "paid_in_full", now
        session.add(case)
        await plan_return_visit(Unit(session, bench.config, now, ports=ports(session)), case)
    bench.clock.advance(hours=24)
    await run_due_work(bench.db, bench.config, bench.clock, limit=100)
    await sent_from_outbox(bench, surveyed.chat_id)
    await surveyed.press("Yes, all of it")
    await capture(bench, states, "survey: rating", "intake", surveyed)
    await surveyed.press("4")
    await capture(bench, states, "survey: comment", "intake", surveyed)


async def sent_from_outbox(bench: Bench, chat_id: int) -> None:
    """Due work writes to the outbox only; show the bench what it sent to ``chat_id``."""
    async with bench.db.reader() as session:
        rows = (
            await session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.chat_id) == chat_id)
                .order_by(col(OutboxMessage.id))
            )
        ).all()
    for row in rows:
        markup = row.payload.get("reply_markup", {})
        buttons = tuple(
            tuple(Button(b["text"], b["callback_data"]) for b in line)
            for line in markup.get("inline_keyboard", [])
        )
        bench.sent.append(SendMessage(row.chat_id, row.payload["text"], buttons, ref=row.ref))


async def officer(bench: Bench, user_id: int, name: str) -> tuple[WorkerChat, WorkerChat]:
    """A handler of the Anding housing bureau: (in the department group, in private)."""
    await make_staff(bench.db, bench.clock, user_id, name=name)
    return bench.chat(user_id, chat_id=GROUP, name=name), bench.chat(user_id, name=name)


async def filed_case(bench: Bench, worker_id: int) -> int:
    worker = bench.chat(worker_id)
    await ordinary_report(worker)
    return await case_id_of(bench.db, worker)


async def staff_states(bench: Bench, states: list[State]) -> int:
    """The staff states; returns the id of a case closed after its alert went out."""
    await make_staff(bench.db, bench.clock, OTHER_HANDLER, department="anding.transport")
    await bench.chat(OTHER_HANDLER, chat_id=OTHER_GROUP).send("/cases")
    stranger = bench.chat(STRANGER)
    await stranger.send("/start")
    await stranger.press("English")

    in_group, private = await officer(bench, 901, "Officer Li")
    await filed_case(bench, 601)
    await capture(bench, states, "department group", "staff", in_group)
    await capture(bench, states, "staff private chat", "staff", private)
    await capture(bench, states, "admin private chat", "staff", bench.chat(ADMIN))

    forms: list[tuple[str, list[tuple[str, str]]]] = [
        ("note", [("text", "Called the employer."), ("visibility", "")]),
        ("transfer", [("department", "Transport"), ("reason", "")]),
        ("resolve", [("outcome", "partly paid"), ("amount", "4万"), ("workers", "")]),
        ("reject", [("reason", "duplicate"), ("comment", "")]),
    ]
    for number, (action, steps) in enumerate(forms):
        in_group, private = await officer(bench, 911 + number, f"Officer {number}")
        case = await filed_case(bench, 611 + number)
        await in_group.press_data(f"case:{case}:{action}")
        for step, answer in steps:
            await capture(bench, states, f"{action}: {step}", "staff", private)
            if not answer:
                break
            if step in ("text", "amount"):
                await private.send(answer)
            else:
                await private.press(answer)

    in_group, private = await officer(bench, 921, "Officer Wu")
    case = await filed_case(bench, 621)
    await in_group.press_data(f"case:{case}:consult")
    await capture(bench, states, "consultation: day", "staff", private)
    await private.send("2026-12-03")
    await capture(bench, states, "consultation: time", "staff", private)
    await private.send("14:30")
    await capture(bench, states, "consultation: place", "staff", private)
    await private.send("Meeting room 2, Anding HR bureau")
    await capture(bench, states, "consultation: parties", "staff", private)
    await private.press_data("consf:parties:e.owner")
    await capture(bench, states, "consultation: a party's details", "staff", private)
    await private.send("Zhang Wei, 0932-8000105")
    await private.press("Continue")
    await capture(bench, states, "consultation: review", "staff", private)
    await private.press("Schedule and invite")

    saved = bench.clock.current
    bench.clock.current = MEETING + timedelta(hours=2)
    wu = bench.chat(921, name="Officer Wu")
    await wu.send(f"/outcome {await case_number(bench.db, case)}")
    await capture(bench, states, "consultation outcome: amount", "staff", wu)
    await wu.send("15万")
    await capture(bench, states, "consultation outcome: payment date", "staff", wu)
    await wu.send("12月20日")
    await capture(bench, states, "consultation outcome: notes", "staff", wu)
    await wu.send("Paid in one transfer.")
    await capture(bench, states, "consultation outcome: review", "staff", wu)
    bench.clock.current = saved

    filer = bench.chat(931, name="Officer Sun")
    await make_staff(bench.db, bench.clock, 931, name="Officer Sun")
    await filer.send("/file")
    await capture(bench, states, "walk-in: name", "staff", filer)
    await filer.send("Li Si")
    await capture(bench, states, "walk-in: phone", "staff", filer)

    in_group, private = await officer(bench, 941, "Officer Ma")
    closed = await filed_case(bench, 641)
    await in_group.press_data(f"case:{closed}:reject")
    await private.press("not a wage arrears matter")
    await private.press("Skip")
    return closed


async def case_number(db: Database, case_id: int) -> str:
    async with db.reader() as session:
        case = await session.get(Case, case_id)
    assert case is not None
    return case.number

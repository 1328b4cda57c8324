"""Seven-party consultation: scheduling, the worker's answer, reminders, outcome, payment check."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from handlers import Outgoing
from handlers.context import Unit
from handlers.due_work import build_due_work
from storage.db import Database
from storage.due import finish_task
from storage.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Consultation,
    Conversation,
    DueStatus,
    DueTask,
    StaffRole,
)
from storage.repositories import ports
from tests.support.chat import Bench, WorkerChat, bench, complete_report
from tests.support.people import make_staff

__all__ = ["bench"]
"""The English bench fixture from ``tests.support.chat``, imported so pytest finds it."""

GROUP = -1001000000101  # 安定区住建局, Anding × construction
LEADS = -1001000001900  # 安定区 leaders
OFFICER = 901
ORDINARY = {"amount": "5万", "workers": "3", "since": "2026-06"}
"""Below the hard-case thresholds, so no escalation messages get in the way."""
MEETING = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)
"""2026-12-03 14:30 in Dingxi; the fake clock starts on Thursday 2026-11-26 at 10:00."""


@pytest.fixture
async def worker(bench: Bench) -> WorkerChat:
    chat = bench.chat(501)
    await complete_report(chat, **ORDINARY)
    return chat


@pytest.fixture
async def officer(bench: Bench, worker: WorkerChat) -> WorkerChat:
    """The officer in the department group, where the alert is."""
    await make_staff(bench.db, bench.clock, OFFICER, name="Officer Li")
    return bench.chat(OFFICER, chat_id=GROUP, name="Officer Li")


@pytest.fixture
def private(bench: Bench) -> WorkerChat:
    """The officer's private chat with the bot, where the forms run."""
    return bench.chat(OFFICER, name="Officer Li")


async def fill_in_form(officer: WorkerChat, private: WorkerChat) -> None:
    await officer.press("Consultation")
    await private.send("2026-12-03 14:30")
    await private.send("Meeting room 2, Anding HR bureau")
    await private.press_data("consf:parties:e.owner")
    await private.send("Zhang Wei, 0932-8000105")
    await private.press("Local government")
    await private.press("Continue")


@pytest.fixture
async def consultation(officer: WorkerChat, private: WorkerChat, bench: Bench) -> Consultation:
    await fill_in_form(officer, private)
    await private.press("Schedule and invite")
    return await the_consultation(bench.db)


async def the_consultation(db: Database) -> Consultation:
    async with db.reader() as session:
        return (await session.exec(select(Consultation))).one()


async def the_case(db: Database) -> Case:
    async with db.reader() as session:
        return (await session.exec(select(Case))).one()


async def events(db: Database) -> list[CaseEvent]:
    async with db.reader() as session:
        return list(await session.exec(select(CaseEvent).order_by(col(CaseEvent.id))))


async def due_tasks(db: Database) -> dict[str, datetime]:
    async with db.reader() as session:
        rows = await session.exec(select(DueTask))
        return {row.kind: row.due_at for row in rows if row.subject.startswith("consultation:")}


async def run_due(bench: Bench, kind: str) -> list[Outgoing]:
    """Run the pending tasks of ``kind`` that are due by the bench's clock, as the sweep would."""
    now = bench.clock.now()
    async with bench.db.transaction() as session:
        statement = select(DueTask).where(
            DueTask.kind == kind, DueTask.status == DueStatus.PENDING, col(DueTask.due_at) <= now
        )
        unit = Unit(session, bench.config, now, ports=ports(session))
        handler = build_due_work()[kind]
        for task in (await session.exec(statement)).all():
            await handler(unit, task)
            await finish_task(session, task, DueStatus.DONE, now)
    bench.record(unit.outgoing)
    return unit.outgoing


def last_answer(bench: Bench) -> str:
    return bench.answers[-1].text or ""


# --- scheduling --------------------------------------------------------------------------------


async def test_the_press_in_the_group_opens_the_form_in_private(
    officer: WorkerChat, private: WorkerChat, bench: Bench
) -> None:
    await officer.press("Consultation")
    assert "private message" in last_answer(bench)
    assert "Seven-party consultation on case DX-2026-000001" in private.last.text
    assert private.button_labels()[:2] == ["Fri 11/27", "Mon 11/30"]


async def test_staff_schedule_a_consultation_and_the_worker_is_invited(
    consultation: Consultation, worker: WorkerChat, bench: Bench, private: WorkerChat
) -> None:
    assert consultation.scheduled_at == MEETING
    assert consultation.place == "Meeting room 2, Anding HR bureau"
    roles = [party["role"] for party in consultation.parties]
    assert roles == ["hrss", "regulator", "owner", "contractor", "subcontractor", "workers"]
    owner = next(p for p in consultation.parties if p["role"] == "owner")
    assert (owner["name"], owner["contact"]) == ("Zhang Wei", "0932-8000105")
    invitation = worker.last
    assert "invited to a seven-party consultation on your case DX-2026-000001" in invitation.text
    assert "2026-12-03 (Thu) 14:30" in invitation.text
    assert "Zhang Wei" in invitation.text and "0932-8000105" not in invitation.text
    assert [b.text for row in invitation.buttons for b in row] == [
        "✅ I will attend",
        "❌ I cannot attend",
    ]
    department = bench.to(GROUP)[-1].text
    assert "scheduled by Officer Li" in department and "0932-8000105" in department
    assert "not answered the invitation yet" in department
    assert "has been invited" in private.last.text
    (event,) = [e for e in await events(bench.db) if e.kind == "consultation_scheduled"]
    assert event.actor.startswith("staff:")
    assert event.data["after"]["place"] == consultation.place
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, OFFICER)
    assert conversation is not None and conversation.flow is None


async def test_reminders_are_planned_the_day_before_and_two_hours_before(
    consultation: Consultation, bench: Bench
) -> None:
    assert await due_tasks(bench.db) == {
        "consultation_day_before": MEETING - timedelta(days=1),
        "consultation_2h": MEETING - timedelta(hours=2),
    }


async def test_day_and_time_can_be_chosen_with_buttons(
    officer: WorkerChat, private: WorkerChat
) -> None:
    await officer.press("Consultation")
    await private.press("Tue 12/1")
    assert "What time on Tue 12/1?" in private.last.text
    await private.press("15:00")
    assert "Where will it be held?" in private.last.text
    await private.send("Village office")
    await private.press("Continue")
    assert "When: 2026-12-01 (Tue) 15:00" in private.last.text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("12月3日下午2点半", "2026-12-03 (Thu) 14:30"),
        ("tomorrow 10:00", "2026-11-27 (Fri) 10:00"),
        ("下周一上午九点", "2026-11-30 (Mon) 09:00"),
        ("Dec 4 3pm", "2026-12-04 (Fri) 15:00"),
    ],
)
async def test_the_day_and_time_are_read_in_everyday_forms(
    officer: WorkerChat, private: WorkerChat, typed: str, shown: str
) -> None:
    await officer.press("Consultation")
    await private.send(typed)
    await private.send("Village office")
    await private.press("Continue")
    assert f"When: {shown}" in private.last.text


async def test_a_day_alone_asks_for_the_time(officer: WorkerChat, private: WorkerChat) -> None:
    await officer.press("Consultation")
    await private.send("12月3日")
    assert "What time on Thu 12/3?" in private.last.text
    await private.send("9:30")
    assert "Where will it be held?" in private.last.text


@pytest.mark.parametrize(
    ("typed", "explanation"),
    [
        ("2026-11-20 10:00", "already passed"),
        ("today 9:00", "already passed"),
        ("25:00 tomorrow", "could not read a day and time"),
        ("whenever suits", "could not read a day and time"),
        ("14:30", "give the day as well"),
        ("2028-01-05 10:00", "more than a year away"),
    ],
)
async def test_a_bad_time_is_explained_and_asked_again(
    officer: WorkerChat, private: WorkerChat, bench: Bench, typed: str, explanation: str
) -> None:
    await officer.press("Consultation")
    await private.send(typed)
    assert explanation in private.last.text
    assert "When will it be?" in private.last.text
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, OFFICER)
    assert conversation is not None and conversation.step == "day"


async def test_what_was_entered_survives_a_mistake_and_back(
    officer: WorkerChat, private: WorkerChat
) -> None:
    await officer.press("Consultation")
    await private.send("2026-12-03 14:30")
    await private.send_photo()
    assert "Please type your answer" in private.last.text
    await private.send("Village office")
    await private.send("typing instead of tapping")
    assert "Please use the buttons" in private.last.text
    await private.press("Continue")
    await private.press("Place")
    await private.press("Back")
    assert "Village office" in private.last.text and "2026-12-03 (Thu) 14:30" in private.last.text


async def test_leaving_out_every_party_is_refused(officer: WorkerChat, private: WorkerChat) -> None:
    await officer.press("Consultation")
    await private.send("2026-12-03 14:30")
    await private.send("Village office")
    for role in ("hrss", "local", "regulator", "owner", "contractor", "subcontractor", "workers"):
        await private.press_data(f"consf:parties:t.{role}")
    await private.press("Continue")
    assert "Choose at least one party" in private.last.text


async def test_cancel_discards_the_form(
    officer: WorkerChat, private: WorkerChat, bench: Bench
) -> None:
    await officer.press("Consultation")
    await private.send("2026-12-03 14:30")
    await private.send("/cancel")
    assert "Cancelled; nothing changed." in private.last.text
    async with bench.db.reader() as session:
        assert (await session.exec(select(Consultation))).first() is None


@pytest.mark.parametrize(
    ("role", "department"),
    [(None, None), (StaffRole.HANDLER, "anding.transport"), (StaffRole.SUPERVISOR, None)],
)
async def test_people_who_may_not_act_cannot_schedule(
    bench: Bench, worker: WorkerChat, role: StaffRole | None, department: str | None
) -> None:
    if role is not None:
        await make_staff(bench.db, bench.clock, 950, role, department=department)
    case = await the_case(bench.db)
    await bench.chat(950, chat_id=GROUP).press_data(f"case:{case.id}:consult")
    assert bench.answers[-1].show_alert
    assert not bench.to(950)
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, 950)
    assert conversation is None or conversation.flow is None


@pytest.mark.parametrize(
    "data",
    ["consf:time:9999", "consf:day:20261399", "consf:parties:t.nobody", "consf:bad", "consf:x:y"],
)
async def test_forged_form_buttons_change_nothing(
    officer: WorkerChat, private: WorkerChat, bench: Bench, data: str
) -> None:
    await officer.press("Consultation")
    await private.send("12月3日")
    await private.press_data(data)
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, OFFICER)
    assert conversation is not None and conversation.step == "time"
    assert conversation.data["day"] == "2026-12-03"


async def test_a_time_that_passed_during_review_is_asked_again(
    officer: WorkerChat, private: WorkerChat, bench: Bench
) -> None:
    await fill_in_form(officer, private)
    bench.clock.advance(days=8)
    await private.press("Schedule and invite")
    assert "already passed" in private.last.text
    async with bench.db.reader() as session:
        assert (await session.exec(select(Consultation))).first() is None


async def test_a_case_closed_meanwhile_is_not_scheduled(
    officer: WorkerChat, private: WorkerChat, bench: Bench
) -> None:
    await fill_in_form(officer, private)
    async with bench.db.transaction() as session:
        case = (await session.exec(select(Case))).one()
        case.status = CaseStatus.RESOLVED
        session.add(case)
    await private.press("Schedule and invite")
    async with bench.db.reader() as session:
        assert (await session.exec(select(Consultation))).first() is None


# --- the worker's answer -----------------------------------------------------------------------


async def test_the_worker_confirms_and_the_department_is_told(
    consultation: Consultation, worker: WorkerChat, bench: Bench
) -> None:
    await worker.press("I will attend")
    assert (await the_consultation(bench.db)).worker_attends is True
    assert "told the department that you will attend" in worker.last.text
    assert "the worker will attend the consultation on 2026-12-03" in bench.to(GROUP)[-1].text
    await worker.press("I cannot attend")
    assert (await the_consultation(bench.db)).worker_attends is False
    assert "cannot attend" in bench.to(GROUP)[-1].text
    kinds = [e.kind for e in await events(bench.db)]
    assert kinds.count("consultation_attendance") == 2


async def test_the_same_answer_twice_is_recorded_once(
    consultation: Consultation, worker: WorkerChat, bench: Bench
) -> None:
    await worker.press("I will attend")
    await worker.press("I will attend")
    assert "already recorded" in last_answer(bench)
    kinds = [e.kind for e in await events(bench.db)]
    assert kinds.count("consultation_attendance") == 1


async def test_only_the_cases_worker_can_answer_the_invitation(
    consultation: Consultation, bench: Bench, officer: WorkerChat
) -> None:
    stranger = bench.chat(502)
    await stranger.press_data(f"cons:{consultation.id}:yes")
    assert "not for you" in last_answer(bench)
    await officer.press_data(f"cons:{consultation.id}:no")
    assert bench.answers[-1].show_alert
    assert (await the_consultation(bench.db)).worker_attends is None


@pytest.mark.parametrize(
    "data",
    ["cons:999:yes", "cons:abc:yes", "cons:1:maybe", "cons:1", "cons:99999999999999999999:yes"],
)
async def test_forged_invitation_buttons_change_nothing(
    consultation: Consultation, worker: WorkerChat, bench: Bench, data: str
) -> None:
    await worker.press_data(data)
    assert "not valid" in last_answer(bench)
    assert (await the_consultation(bench.db)).worker_attends is None


async def test_an_answer_after_the_meeting_is_stale(
    consultation: Consultation, worker: WorkerChat, bench: Bench
) -> None:
    bench.clock.current = MEETING + timedelta(minutes=1)
    await worker.press("I will attend")
    assert "already taken place" in last_answer(bench)
    assert (await the_consultation(bench.db)).worker_attends is None


# --- reminders ---------------------------------------------------------------------------------


async def test_reminders_go_to_the_worker_and_the_department_on_time(
    consultation: Consultation, worker: WorkerChat, bench: Bench
) -> None:
    bench.clock.current = MEETING - timedelta(days=1, minutes=1)
    assert await run_due(bench, "consultation_day_before") == []
    bench.clock.current = MEETING - timedelta(days=1)
    await run_due(bench, "consultation_day_before")
    assert "consultation on your case DX-2026-000001 is tomorrow" in worker.last.text
    assert "✅ I will attend" in [b.text for row in worker.last.buttons for b in row]
    department = bench.to(GROUP)[-1]
    assert "Tomorrow: seven-party consultation on case DX-2026-000001" in department.text
    assert "📋 Record the outcome" in [b.text for row in department.buttons for b in row]

    await worker.press("I will attend")
    bench.clock.current = MEETING - timedelta(hours=2)
    await run_due(bench, "consultation_2h")
    assert "starts in two hours" in worker.last.text and not worker.last.buttons
    assert "The worker will attend." in bench.to(GROUP)[-1].text
    assert await run_due(bench, "consultation_2h") == []


async def test_no_reminder_for_a_closed_case(consultation: Consultation, bench: Bench) -> None:
    async with bench.db.transaction() as session:
        case = (await session.exec(select(Case))).one()
        case.status = CaseStatus.REJECTED
        session.add(case)
    bench.clock.current = MEETING - timedelta(days=1)
    assert await run_due(bench, "consultation_day_before") == []


# --- the outcome and the payment check ---------------------------------------------------------


async def test_the_outcome_cannot_be_recorded_before_the_meeting(
    consultation: Consultation, private: WorkerChat, bench: Bench
) -> None:
    await private.send("/outcome DX-2026-000001")
    assert "record its outcome after it" in private.last.text
    async with bench.db.reader() as session:
        conversation = await session.get(Conversation, OFFICER)
    assert conversation is not None and conversation.flow is None


async def test_staff_record_the_outcome_and_a_payment_check_is_planned(
    consultation: Consultation, private: WorkerChat, worker: WorkerChat, bench: Bench
) -> None:
    bench.clock.current = MEETING + timedelta(hours=2)
    await private.send("/outcome dx-2026-000001")
    await private.send("lots")
    assert "could not read an amount" in private.last.text
    await private.send("15万")
    await private.send("2026-11-30")
    assert "That date has passed" in private.last.text
    await private.send("12月20日")
    await private.send("The contractor pays in one transfer.")
    assert "Agreed amount: 150,000 yuan" in private.last.text
    await private.press("Record the outcome")

    recorded = await the_consultation(bench.db)
    assert recorded.agreed_amount_fen == 150_000_00
    assert recorded.payment_due == date(2026, 12, 20)
    assert recorded.outcome_notes == "The contractor pays in one transfer."
    assert "paid 150,000 yuan by 2026-12-20" in worker.last.text
    assert "recorded by Officer Li" in bench.to(GROUP)[-1].text
    outcome = [e for e in await events(bench.db) if e.kind == "consultation_outcome"]
    assert outcome[0].data["after"]["agreed_amount_fen"] == 150_000_00
    assert (await due_tasks(bench.db))["payment_check"] == datetime(2026, 12, 20, 10, tzinfo=UTC)

    await private.send("/outcome DX-2026-000001")
    assert "No consultation on case DX-2026-000001 is waiting" in private.last.text


async def test_the_outcome_button_on_a_reminder_opens_the_form(
    consultation: Consultation, officer: WorkerChat, private: WorkerChat, bench: Bench
) -> None:
    bench.clock.current = MEETING - timedelta(hours=2)
    await run_due(bench, "consultation_2h")
    await officer.press("Record the outcome")
    assert "record its outcome after it" in last_answer(bench)
    bench.clock.current = MEETING + timedelta(hours=1)
    await officer.press("Record the outcome")
    assert "private message" in last_answer(bench)
    await private.press("No agreement reached")
    await private.press("Skip")
    assert "No agreement was reached." in private.last.text
    await private.press("Record the outcome")
    assert "ended without an agreement" in bench.to(501)[-1].text
    assert "payment_check" not in await due_tasks(bench.db)


async def test_outcome_sent_in_the_group_continues_in_private(
    consultation: Consultation, officer: WorkerChat, private: WorkerChat, bench: Bench
) -> None:
    bench.clock.current = MEETING + timedelta(hours=1)
    await officer.send("/outcome DX-2026-000001")
    assert "private message" in officer.last.text
    assert "What did the consultation on case DX-2026-000001 agree?" in private.last.text


async def test_staff_of_another_department_cannot_record_the_outcome(
    consultation: Consultation, bench: Bench
) -> None:
    await make_staff(bench.db, bench.clock, 950, department="anding.transport")
    bench.clock.current = MEETING + timedelta(hours=1)
    await bench.chat(950, chat_id=GROUP).press_data(f"cons:{consultation.id}:outcome")
    assert bench.answers[-1].show_alert
    intruder = bench.chat(950)
    await intruder.send("/outcome DX-2026-000001")
    assert "Only staff of the department" in intruder.last.text


async def record_agreement(private: WorkerChat, bench: Bench) -> None:
    bench.clock.current = MEETING + timedelta(hours=2)
    await private.send("/outcome DX-2026-000001")
    await private.send("150000")
    await private.press("Thu 12/10")
    await private.press("Skip")
    await private.press("Record the outcome")


async def test_the_payment_check_asks_the_worker_and_records_the_answer(
    consultation: Consultation, private: WorkerChat, worker: WorkerChat, bench: Bench
) -> None:
    await record_agreement(private, bench)
    bench.clock.current = datetime(2026, 12, 10, 10, tzinfo=UTC)
    await run_due(bench, "payment_check")
    assert "Has the agreed money arrived?" in worker.last.text
    assert "has been asked whether it arrived" in bench.to(GROUP)[-1].text

    await bench.chat(502).press_data(f"paycheck:{consultation.id}:yes")
    assert "not for you" in last_answer(bench)
    await worker.press("Not yet")
    assert "will follow up" in worker.last.text
    assert "has not arrived" in bench.to(GROUP)[-1].text
    await worker.press("Not yet")
    assert "already recorded" in last_answer(bench)
    checks = [e for e in await events(bench.db) if e.kind == "payment_check"]
    assert [(e.data["before"], e.data["after"]) for e in checks] == [(None, "no")]
    assert (await the_case(bench.db)).status == CaseStatus.RECEIVED
    assert "has not arrived" in bench.to(LEADS)[-1].text


async def test_a_resolved_case_whose_agreed_money_did_not_arrive_is_reopened(
    consultation: Consultation, private: WorkerChat, worker: WorkerChat, bench: Bench
) -> None:
    await record_agreement(private, bench)
    async with bench.db.transaction() as session:
        case = (await session.exec(select(Case))).one()
        case.status, case.resolved_at = CaseStatus.RESOLVED, bench.clock.now()
        session.add(case)
    bench.clock.current = datetime(2026, 12, 10, 10, tzinfo=UTC)
    await run_due(bench, "payment_check")
    await worker.press("Only part")
    case = await the_case(bench.db)
    assert (case.status, case.resolved_at) == (CaseStatus.REOPENED, None)
    assert "reopened" in bench.to(GROUP)[-2].text
    assert case.number in bench.to(LEADS)[-1].text
    assert any(e.kind == "reopened" for e in await events(bench.db))


@pytest.mark.parametrize(
    "data",
    ["paycheck:1:maybe", "paycheck:999:yes", "paycheck:x:yes", "paycheck:99999999999999999999:no"],
)
async def test_forged_payment_answers_change_nothing(
    consultation: Consultation, worker: WorkerChat, bench: Bench, data: str
) -> None:
    await worker.press_data(data)
    assert "not valid" in last_answer(bench)
    assert not [e for e in await events(bench.db) if e.kind == "payment_check"]

"""Staff act on a case from its alert: every button, every refusal."""

import re
from dataclasses import replace

import pytest
from sqlmodel import select

from handlers import HandlerConfig
from storage.db import Database
from storage.models import Case, CaseEvent, CaseStatus, StaffRole
from tests.support.chat import Bench, WorkerChat, complete_report
from tests.support.clock import FakeClock
from tests.support.people import make_staff

GROUP = -1001000000101  # 安定区住建局
OTHER_GROUP = -1001000000102
LEADS = -1001000001900  # 安定区 leaders
SUPERVISORS = -1001000000002
ADMIN = 906


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en", admin_ids=frozenset({ADMIN})), clock)


@pytest.fixture
async def worker(bench: Bench) -> WorkerChat:
    """A report below every hard-case threshold, so only staff escalate it."""
    chat = bench.chat(501)
    await complete_report(chat, amount="5万", workers="3", since="2026-03")
    return chat


@pytest.fixture
async def officer(bench: Bench, worker: WorkerChat) -> WorkerChat:
    await make_staff(bench.db, bench.clock, 901, name="Officer Li")
    return bench.chat(901, chat_id=GROUP, name="Officer Li")


async def the_case(db: Database) -> Case:
    async with db.reader() as session:
        return (await session.exec(select(Case))).one()


async def events(db: Database) -> list[str]:
    async with db.reader() as session:
        return [e.kind for e in (await session.exec(select(CaseEvent).order_by(CaseEvent.id)))]


async def test_accept_assigns_the_case_and_tells_the_worker(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Accept")
    case = await the_case(bench.db)
    assert case.status == CaseStatus.IN_PROGRESS and case.assignee_id is not None
    assert "Officer Li is handling it" in worker.last.text
    alert = officer.messages[0]
    assert "In progress" in alert.text and "Officer Li" in alert.text
    assert not any("Accept" in b.text for row in alert.buttons for b in row)
    assert await events(bench.db) == ["created", "accepted"]


async def test_a_second_accept_is_stale_and_changes_nothing(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Accept")
    await officer.press_data(f"case:{(await the_case(bench.db)).id}:accept")
    assert "already been taken" in (bench.answers[-1].text or "")
    assert await events(bench.db) == ["created", "accepted"]


@pytest.mark.parametrize(
    ("who", "role", "department"),
    [
        ("stranger", None, None),
        ("other department", StaffRole.HANDLER, "anding.transport"),
        ("lead of another county", StaffRole.LEAD, None),
        ("supervisor", StaffRole.SUPERVISOR, None),
    ],
)
async def test_people_who_do_not_own_the_case_cannot_act(
    bench: Bench, worker: WorkerChat, who: str, role: StaffRole | None, department: str | None
) -> None:
    if role is not None:
        county = "tongwei" if role == StaffRole.LEAD else None
        await make_staff(bench.db, bench.clock, 950, role, department=department, county=county)
    intruder = bench.chat(950, chat_id=GROUP)
    before = await the_case(bench.db)
    for verb in ("accept", "resolve", "transfer", "reject", "escalate", "contact", "evidence"):
        await intruder.press_data(f"case:{before.id}:{verb}")
        assert bench.answers[-1].show_alert, who
    after = await the_case(bench.db)
    assert after.model_dump() == before.model_dump()
    assert await events(bench.db) == ["created"]


async def test_a_county_lead_and_an_admin_may_act(bench: Bench, worker: WorkerChat) -> None:
    await make_staff(bench.db, bench.clock, 960, StaffRole.LEAD, department=None, county="anding")
    case = await the_case(bench.db)
    await bench.chat(960, chat_id=GROUP).press_data(f"case:{case.id}:escalate")
    assert (await the_case(bench.db)).escalated_at is not None
    await bench.chat(ADMIN, chat_id=GROUP).press_data(f"case:{case.id}:contact")
    assert "138 1234 5678" in bench.to(ADMIN)[-1].text


@pytest.mark.parametrize(
    "data",
    [
        "case:abc:accept",
        "case:999:accept",
        "case:1:explode",
        "case:1",
        "case:-1:accept",
        "case:" + "9" * 70,
    ],
)
async def test_forged_buttons_are_refused_and_change_nothing(
    bench: Bench, worker: WorkerChat, officer: WorkerChat, data: str
) -> None:
    await officer.press_data(data)
    assert bench.answers[-1].show_alert
    assert await events(bench.db) == ["created"]


async def test_contact_goes_privately_to_the_presser_and_is_recorded(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Contact")
    private = bench.to(901)[-1]
    assert "Wang Wu" in private.text and "138 1234 5678" in private.text
    assert private.private, "the outbox forgets the contact once it is delivered"
    assert "1234 5678" not in officer.last.text
    assert await events(bench.db) == ["created", "contact_viewed"]


@pytest.mark.parametrize(("choice", "worker_told"), [("Yes, tell", True), ("No, staff", False)])
async def test_a_note_is_recorded_and_shown_to_the_worker_only_if_chosen(
    bench: Bench, worker: WorkerChat, officer: WorkerChat, choice: str, worker_told: bool
) -> None:
    await officer.press("Note")
    private = bench.chat(901)
    assert "Type the note" in private.last.text
    await private.send("Called the employer; meeting on Monday.")
    await private.press(choice)
    assert ("meeting on Monday" in worker.last.text) is worker_told
    assert "meeting on Monday" in officer.last.text
    assert await events(bench.db) == ["created", "note"]


async def test_transfer_alerts_the_new_department_and_keeps_the_deadline(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    deadline = (await the_case(bench.db)).deadline_at
    await officer.press("Accept")
    await officer.press("Transfer")
    private = bench.chat(901)
    await private.press("Transport")
    await private.send("A road project, not housing.")
    case = await the_case(bench.db)
    assert case.deadline_at == deadline
    assert case.assignee_id is None and case.status == CaseStatus.RECEIVED
    assert "transferred to" in officer.messages[0].text and not officer.messages[0].buttons
    new_alert = bench.to(OTHER_GROUP)[-1]
    assert case.number in new_alert.text and new_alert.buttons
    assert "passed to" in worker.last.text and "road project" in worker.last.text
    assert await events(bench.db) == ["created", "accepted", "transferred"]


async def test_a_press_on_the_old_alert_after_a_transfer_changes_nothing(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    case = await the_case(bench.db)
    await officer.press("Transfer")
    private = bench.chat(901)
    await private.press("Transport")
    await private.send("Wrong department.")
    await officer.press_data(f"case:{case.id}:accept")
    assert bench.answers[-1].show_alert
    assert (await the_case(bench.db)).assignee_id is None


async def test_resolving_records_the_amount_and_tells_the_worker(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Resolve")
    private = bench.chat(901)
    await private.press("partly paid")
    await private.send("4万")
    await private.send("2")
    case = await the_case(bench.db)
    assert (case.status, case.outcome) == (CaseStatus.RESOLVED, "partly_paid")
    assert (case.amount_recovered_fen, case.workers_paid) == (40_000_00, 2)
    assert "40,000" in worker.last.text
    assert not officer.messages[0].buttons


async def test_a_bad_amount_is_asked_again_without_losing_the_outcome(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Resolve")
    private = bench.chat(901)
    await private.press("paid in full")
    await private.send("lots")
    assert private.last.text.startswith("⚠️")
    await private.press("All of it")
    await private.press("All 3")
    assert (await the_case(bench.db)).amount_recovered_fen == 50_000_00


async def test_a_vague_number_of_workers_paid_is_explained_in_words_not_a_code(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Resolve")
    private = bench.chat(901)
    await private.press("partly paid")
    await private.send("lots")
    assert "could not read an amount" in private.last.text
    await private.send("4万")
    await private.send("a few")
    assert "Please give the number of workers as a number" in private.last.text
    assert "not_a_number" not in private.last.text


async def test_rejecting_needs_a_reason_from_the_list(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Reject")
    private = bench.chat(901)
    await private.send("because")
    assert "use the buttons" in private.last.text
    await private.press("not a wage arrears matter")
    await private.press("Skip")
    case = await the_case(bench.db)
    assert (case.status, case.outcome) == (CaseStatus.REJECTED, "not_wage_arrears")
    assert "not taken up" in worker.last.text


@pytest.mark.parametrize("verb", ["resolve", "accept", "contact", "escalate"])
async def test_a_press_on_a_closed_case_says_what_it_is_now(
    bench: Bench, worker: WorkerChat, officer: WorkerChat, verb: str
) -> None:
    case = await the_case(bench.db)
    await officer.press("Reject")
    private = bench.chat(901)
    await private.press("duplicate")
    await private.press("Skip")
    await officer.press_data(f"case:{case.id}:{verb}")
    assert "now Rejected" in (bench.answers[-1].text or "")
    assert await events(bench.db) == ["created", "rejected"]


async def test_a_form_finished_after_the_case_moved_on_changes_nothing(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await make_staff(bench.db, bench.clock, 902, name="Officer Wu")
    colleague = bench.chat(902, chat_id=GROUP)
    await officer.press("Resolve")
    await colleague.press("Reject")
    await bench.chat(902).press("duplicate")
    await bench.chat(902).press("Skip")
    await bench.chat(901).press("withdrawn")
    assert (await the_case(bench.db)).status == CaseStatus.REJECTED
    assert "now Rejected; nothing changed" in bench.to(901)[-1].text


async def test_cancel_closes_a_form_without_changes(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Note")
    private = bench.chat(901)
    await private.send("/cancel")
    assert "Cancelled" in private.last.text
    assert await events(bench.db) == ["created"]


async def test_escalation_goes_to_leads_and_supervisors_once(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Escalate")
    case = await the_case(bench.db)
    assert case.escalated_at is not None and "manual" in case.hard_reasons
    assert case.number in bench.to(LEADS)[-1].text
    assert case.number in bench.to(SUPERVISORS)[-1].text
    assert "Hard case" in officer.messages[0].text
    await officer.press_data(f"case:{case.id}:escalate")
    assert "already been escalated" in (bench.answers[-1].text or "")
    assert len(bench.to(LEADS)) == 1


async def test_every_change_is_in_the_audit_trail_with_before_and_after(
    bench: Bench, worker: WorkerChat, officer: WorkerChat
) -> None:
    await officer.press("Accept")
    async with bench.db.reader() as session:
        accepted = (await session.exec(select(CaseEvent).where(CaseEvent.kind == "accepted"))).one()
    assert accepted.data["before"]["status"] == "received"
    assert accepted.data["after"]["status"] == "in_progress"
    assert re.fullmatch(r"staff:\d+", accepted.actor)

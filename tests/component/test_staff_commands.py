"""/cases, /overdue, /mine and /case as each role sees them, and the audit trail under /case."""

import dataclasses
import logging
import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from handlers import EditMessage, HandlerConfig, SendMessage
from handlers.staff.commands import parse_case_number
from handlers.staff.timeline import visible_length
from storage.cases import next_case_number
from storage.db import Database
from storage.models import Case, CaseEvent, CaseStatus, Staff, StaffRole
from storage.people import department_by_code
from tests.support.chat import Bench, complete_report
from tests.support.clock import FakeClock
from tests.support.people import make_staff

ANDING_BUILDING = -1001000000101
TONGWEI_BUILDING = -1001000000201
ANDING_LEADS = -1001000001900
HANDLER, OTHER_HANDLER, TONGWEI_LEAD, CITY_LEAD, SUPERVISOR, ADMIN = range(9001, 9007)


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    """English texts, so the tests read; ``ADMIN`` is an administrator and no staff member."""
    english = dataclasses.replace(config, default_language="en", admin_ids=frozenset({ADMIN}))
    return Bench(db, english, clock)


@pytest.fixture
async def staff(db: Database, clock: FakeClock) -> dict[int, Staff]:
    made = [
        await make_staff(db, clock, HANDLER, name="Officer Li"),
        await make_staff(db, clock, OTHER_HANDLER, department="tongwei.construction"),
        await make_staff(db, clock, TONGWEI_LEAD, StaffRole.LEAD, county="tongwei"),
        await make_staff(db, clock, CITY_LEAD, StaffRole.LEAD, name="Mayor Zhao"),
        await make_staff(db, clock, SUPERVISOR, StaffRole.SUPERVISOR, name="Inspector Ma"),
    ]
    return {person.telegram_user_id: person for person in made}


async def file_case(
    db: Database,
    clock: FakeClock,
    *,
    department: str = "anding.construction",
    employer: str = "Xijiang Co-op",
    days: float = 15,
    status: CaseStatus = CaseStatus.RECEIVED,
    hard: bool = False,
    assignee: Staff | None = None,
    year: int = 2026,
) -> Case:
    """A case straight in the database, as the intake would leave it."""
    async with db.transaction() as session:
        owner = await department_by_code(session, department)
        assert owner.id is not None and owner.county is not None
        case = Case(
            number=await next_case_number(session, "DX", year),
            department_id=owner.id,
            status=status,
            language="en",
            county=owner.county,
            sector="construction",
            reporter_name="Wang Wu",
            reporter_phone="+8613812345678",
            employer=employer,
            project="Greenhouse repair",
            site_address="Xijiang village",
            amount_fen=19_500_000,
            workers_owed=3,
            owed_since=date(2024, 5, 1),
            account="We repaired 70 greenhouses.",
            deadline_at=clock.now() + timedelta(days=days),
            created_at=clock.now(),
            hard=hard,
            assignee_id=assignee.id if assignee else None,
        )
        session.add(case)
    return case


async def add_events(db: Database, case: Case, *events: tuple[str, str, dict[str, Any]]) -> None:
    """(actor, kind, data) rows of the audit trail, a minute apart from the case's creation."""
    assert case.id is not None
    async with db.transaction() as session:
        for minute, (actor, kind, data) in enumerate(events):
            at = case.created_at + timedelta(minutes=minute)
            session.add(
                CaseEvent(case_id=case.id, actor=actor, kind=kind, data=data, created_at=at)
            )


def numbers_in(message: SendMessage) -> list[str]:
    return re.findall(r"DX-\d{4}-\d{6}", message.text)


def labels(message: SendMessage) -> list[str]:
    return [button.text for row in message.buttons for button in row]


def payloads(message: SendMessage) -> list[str]:
    return [button.data for row in message.buttons for button in row]


async def event_count(db: Database) -> int:
    async with db.reader() as session:
        return (await session.exec(select(func.count()).select_from(CaseEvent))).one()


# --- /cases -------------------------------------------------------------------------------------


async def test_a_handler_lists_their_departments_open_cases_soonest_deadline_first_in_the_group(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    later = await file_case(db, clock, days=10, employer="Late Builders")
    sooner = await file_case(db, clock, days=2, hard=True, assignee=staff[HANDLER])
    await file_case(db, clock, department="tongwei.construction")
    await file_case(db, clock, status=CaseStatus.RESOLVED)
    group = bench.chat(HANDLER, chat_id=ANDING_BUILDING)

    await group.send("/cases")

    listing = group.last
    assert numbers_in(listing) == [sooner.number, later.number]
    assert "Open cases</b>: 2" in listing.text
    assert f"{sooner.number}</b> 🦴 · Received" in listing.text
    assert "195,000 yuan" in listing.text and "due 2026-11-28" in listing.text
    assert "👤 Officer Li" in listing.text and "Late Builders" in listing.text
    assert labels(listing) == [f"{sooner.number} 🦴", later.number]
    assert payloads(listing) == [f"cases:open:{sooner.id}", f"cases:open:{later.id}"]


async def test_a_handler_gets_the_same_list_in_a_private_chat(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    mine = await file_case(db, clock)
    await file_case(db, clock, department="tongwei.construction")
    private = bench.chat(HANDLER)

    await private.send("/cases")

    assert numbers_in(private.last) == [mine.number]


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        (OTHER_HANDLER, ["tongwei"]),
        (TONGWEI_LEAD, ["tongwei", "tongwei-water"]),
        (CITY_LEAD, ["anding", "tongwei", "tongwei-water"]),
        (SUPERVISOR, ["anding", "tongwei", "tongwei-water"]),
        (ADMIN, ["anding", "tongwei", "tongwei-water"]),
    ],
)
async def test_each_role_lists_the_cases_it_may_see(
    bench: Bench,
    db: Database,
    clock: FakeClock,
    staff: dict[int, Staff],
    user: int,
    visible: list[str],
) -> None:
    cases = {
        "anding": await file_case(db, clock, days=1),
        "tongwei": await file_case(db, clock, department="tongwei.construction", days=2),
        "tongwei-water": await file_case(db, clock, department="tongwei.water", days=3),
    }
    private = bench.chat(user)

    await private.send("/cases")

    assert numbers_in(private.last) == [cases[name].number for name in visible]


async def test_a_worker_typing_cases_gets_their_own_cases(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    await file_case(db, clock)
    worker = bench.chat(501)
    await complete_report(worker)

    await worker.send("/cases")

    assert "Your cases" in worker.last.text
    assert numbers_in(worker.last) == ["DX-2026-000002"]


async def test_a_group_shows_only_the_cases_it_is_for_and_an_unnamed_group_gets_nothing(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    anding = await file_case(db, clock)
    await file_case(db, clock, department="tongwei.construction")
    in_department = bench.chat(CITY_LEAD, chat_id=ANDING_BUILDING)
    in_leads_group = bench.chat(CITY_LEAD, chat_id=ANDING_LEADS)
    elsewhere = bench.chat(CITY_LEAD, chat_id=-1009999999999)

    await in_department.send("/cases")
    await in_leads_group.send("/cases")
    await elsewhere.send("/cases")

    assert numbers_in(in_department.last) == [anding.number]
    assert numbers_in(in_leads_group.last) == [anding.number]
    assert elsewhere.messages == []


async def test_someone_who_is_not_staff_is_refused_in_a_group(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    await file_case(db, clock)
    stranger = bench.chat(777, chat_id=ANDING_BUILDING)

    await stranger.send("/cases")

    assert stranger.last.text == "This is for department staff only."


async def test_an_empty_list_says_so(bench: Bench, staff: dict[int, Staff]) -> None:
    private = bench.chat(HANDLER)

    await private.send("/cases")

    assert private.last.text == "No open cases."
    assert not private.last.buttons


async def test_twenty_five_cases_page_by_ten_in_place(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    filed = [await file_case(db, clock, days=30 - n) for n in range(25)]
    expected = [case.number for case in reversed(filed)]
    private = bench.chat(HANDLER)

    await private.send("/cases")
    first = private.last
    outgoing = await private.press("▶︎")
    second = private.last
    await private.press("▶︎")
    third = private.last

    assert "page 1 of 3" in first.text and labels(first)[-1] == "▶︎"
    (edit,) = [m for m in outgoing if isinstance(m, EditMessage)]
    assert (edit.chat_id, edit.message_id) == (HANDLER, 1)
    assert "page 2 of 3" in second.text and labels(second)[-2:] == ["◀︎", "▶︎"]
    assert "page 3 of 3" in third.text and labels(third)[-1] == "◀︎"
    assert numbers_in(first) + numbers_in(second) + numbers_in(third) == expected
    assert len(private.messages) == 1
    await private.press("◀︎")
    assert numbers_in(private.last) == expected[10:20]


async def test_a_page_past_the_end_shows_the_last_page(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    filed = [await file_case(db, clock, days=n + 1) for n in range(12)]
    private = bench.chat(HANDLER)
    await private.send("/cases")

    await private.press_data("cases:page:open:7")

    assert "page 2 of 2" in private.last.text
    assert numbers_in(private.last) == [case.number for case in filed[10:]]


# --- /overdue and /mine -------------------------------------------------------------------------


async def test_overdue_lists_cases_past_their_deadline_oldest_first(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    marked = await file_case(db, clock, days=30, status=CaseStatus.OVERDUE)
    oldest = await file_case(db, clock, days=1)
    newer = await file_case(db, clock, days=2)
    await file_case(db, clock, days=20)
    await file_case(db, clock, days=1, status=CaseStatus.RESOLVED)
    await file_case(db, clock, days=1, department="tongwei.construction")
    clock.advance(days=5)
    private = bench.chat(HANDLER)

    await private.send("/overdue")

    assert "Overdue cases</b>: 3" in private.last.text
    assert numbers_in(private.last) == [oldest.number, newer.number, marked.number]


async def test_overdue_says_when_nothing_is_late(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    await file_case(db, clock)
    private = bench.chat(HANDLER)

    await private.send("/overdue")

    assert private.last.text == "No overdue cases."


async def test_mine_lists_the_open_cases_assigned_to_the_person(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    mine = await file_case(db, clock, assignee=staff[HANDLER])
    await file_case(db, clock)
    await file_case(db, clock, assignee=staff[HANDLER], status=CaseStatus.RESOLVED)
    private = bench.chat(HANDLER)
    admin = bench.chat(ADMIN)

    await private.send("/mine")
    await admin.send("/mine")

    assert "Cases assigned to you</b>: 1" in private.last.text
    assert numbers_in(private.last) == [mine.number]
    assert admin.last.text == "No open cases are assigned to you."


@pytest.mark.parametrize("command", ["/overdue", "/mine", "/case 1"])
async def test_workers_are_told_the_staff_commands_are_for_staff(
    bench: Bench, db: Database, clock: FakeClock, command: str
) -> None:
    await file_case(db, clock)
    worker = bench.chat(501)

    await worker.send(command)

    assert worker.last.text == "This is for department staff only."


# --- /case --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("DX-2026-000042", ("DX", 2026, 42)),
        ("dx-2026-42", ("DX", 2026, 42)),
        (" DX 2026 42 ", ("DX", 2026, 42)),
        ("ＤＸ－２０２６－４２", ("DX", 2026, 42)),
        ("2026-42", (None, 2026, 42)),
        ("#42", (None, None, 42)),
        ("42", (None, None, 42)),
        ("", None),
        ("forty-two", None),
        ("DX-2026-", None),
        ("DX-26-42-1", None),
    ],
)
def test_case_numbers_are_read_tolerantly(
    typed: str, expected: tuple[str | None, int | None, int] | None
) -> None:
    found = parse_case_number(typed)
    assert (found.prefix, found.year, found.sequence) == expected if found else expected is None


@pytest.mark.parametrize("typed", ["DX-2026-000002", "dx-2026-2", "2026-2", "2"])
async def test_a_handler_opens_a_card_by_any_form_of_its_number(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff], typed: str
) -> None:
    await file_case(db, clock)
    case = await file_case(db, clock)
    group = bench.chat(HANDLER, chat_id=ANDING_BUILDING)

    await group.send(f"/case {typed}")

    card, trail = group.messages[-2:]
    assert f"Case {case.number}</b>" in card.text and "138****5678" in card.text
    assert f"case:{case.id}:accept" in payloads(card)
    assert f"Timeline of {case.number}" in trail.text


async def test_a_bare_number_used_in_several_years_asks_which_case(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    last_year = await file_case(db, clock, year=2025)
    this_year = await file_case(db, clock)
    await file_case(db, clock, year=2024, department="tongwei.construction")
    private = bench.chat(HANDLER)

    await private.send("/case 1")

    assert "Several cases have that number" in private.last.text
    assert labels(private.last) == [this_year.number, last_year.number]
    await private.press(last_year.number)
    assert f"Case {last_year.number}</b>" in private.messages[-2].text


async def test_a_bare_number_opens_the_only_case_the_person_may_see(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    await file_case(db, clock, year=2025, department="tongwei.construction")
    this_year = await file_case(db, clock)
    private = bench.chat(HANDLER)

    await private.send("/case 1")

    assert f"Case {this_year.number}</b>" in private.messages[-2].text


@pytest.mark.parametrize("typed", ["", "DX-2026-000099", "hello"])
async def test_an_unknown_or_missing_number_explains_the_format(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff], typed: str
) -> None:
    await file_case(db, clock)
    private = bench.chat(HANDLER)

    await private.send(f"/case {typed}".strip())

    assert "/case DX-2026-000042" in private.last.text
    assert not private.last.buttons


async def test_a_supervisor_opens_any_case_read_only(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    case = await file_case(db, clock, department="tongwei.water")
    private = bench.chat(SUPERVISOR)

    await private.send(f"/case {case.number}")

    card, trail = private.messages
    assert f"Case {case.number}</b>" in card.text
    assert not card.buttons
    assert "Timeline" in trail.text


@pytest.mark.parametrize("user", [OTHER_HANDLER, TONGWEI_LEAD])
async def test_staff_of_another_department_or_county_are_refused_a_card(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff], user: int
) -> None:
    case = await file_case(db, clock)
    private = bench.chat(user)

    await private.send(f"/case {case.number}")

    (refusal,) = private.messages
    assert refusal.text == "You can only see your own department's cases."


@pytest.mark.parametrize("user", [ADMIN, TONGWEI_LEAD, CITY_LEAD])
async def test_admins_and_leads_over_the_county_open_a_card_with_its_actions(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff], user: int
) -> None:
    case = await file_case(db, clock, department="tongwei.water")
    private = bench.chat(user)

    await private.send(f"/case {case.number}")

    assert f"case:{case.id}:resolve" in payloads(private.messages[0])


async def test_a_case_of_another_department_is_not_shown_in_a_departments_group(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    case = await file_case(db, clock, department="tongwei.construction")
    group = bench.chat(SUPERVISOR, chat_id=ANDING_BUILDING)

    await group.send(f"/case {case.number}")

    (refusal,) = group.messages
    assert "open it in a private chat with me" in refusal.text


async def test_a_button_in_the_list_opens_the_card_and_keeps_the_list(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    case = await file_case(db, clock)
    group = bench.chat(HANDLER, chat_id=ANDING_BUILDING)
    await group.send("/cases")

    await group.press(case.number)

    listing, card, trail = group.messages
    assert numbers_in(listing) == [case.number]
    assert f"Case {case.number}</b>" in card.text and "Timeline" in trail.text


# --- the timeline -------------------------------------------------------------------------------


async def test_the_timeline_tells_who_did_what_and_when_in_order(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    case = await file_case(db, clock)
    officer = f"staff:{staff[HANDLER].id}"
    await add_events(
        db,
        case,
        ("worker:501", "created", {"department": "anding.construction", "status": "received"}),
        (
            officer,
            "accepted",
            {"before": {"status": "received"}, "after": {"status": "in_progress"}},
        ),
        (officer, "contact_viewed", {}),
        (officer, "note", {"text": "Called the <employer>.", "worker_sees": False}),
        (officer, "note", {"text": "Payment promised.", "worker_sees": True}),
        (
            "system",
            "overdue",
            {"before": {"status": "in_progress"}, "after": {"status": "overdue"}},
        ),
        ("system", "escalated", {"reasons": ["overdue"], "after": {"hard": True}}),
        (
            officer,
            "transferred",
            {
                "before": {"department": "anding.construction", "status": "overdue"},
                "after": {"department": "anding.hrss", "status": "overdue"},
                "reason": "Labour dispute",
            },
        ),
        (
            f"staff:{staff[CITY_LEAD].id}",
            "resolved",
            {
                "before": {"status": "overdue"},
                "after": {
                    "status": "resolved",
                    "outcome": "paid_in_full",
                    "amount_recovered_fen": 15_000_000,
                    "workers_paid": 3,
                },
            },
        ),
        (f"admin:{ADMIN}", "mystery_kind", {}),
        (
            officer,
            "consultation_scheduled",
            {
                "before": None,
                "after": {"scheduled_at": "2026-11-30T06:30:00+00:00", "place": "Room 3"},
            },
        ),
        ("worker:501", "consultation_attendance", {"before": None, "after": True}),
        (
            officer,
            "consultation_outcome",
            {
                "before": None,
                "after": {
                    "agreed_amount_fen": 15_000_000,
                    "payment_due": "2026-12-20",
                    "notes": "",
                },
            },
        ),
        ("worker:501", "payment_check", {"before": None, "after": "no"}),
    )
    private = bench.chat(SUPERVISOR)

    await private.send(f"/case {case.number}")

    lines = private.last.text.split("\n")[2:]
    assert lines == [
        "<code>2026-11-26 10:00</code> · worker · <b>case filed</b> — "
        "Anding District Housing and Urban-Rural Development Bureau",
        "<code>2026-11-26 10:01</code> · Officer Li · <b>accepted the case</b> — "
        "Received → In progress",
        "<code>2026-11-26 10:02</code> · Officer Li · <b>viewed the worker's contact details</b>",
        "<code>2026-11-26 10:03</code> · Officer Li · <b>added a note</b> — "
        "«Called the &lt;employer&gt;.» (staff only)",
        "<code>2026-11-26 10:04</code> · Officer Li · <b>added a note</b> — "
        "«Payment promised.» (the worker sees this)",
        "<code>2026-11-26 10:05</code> · system · <b>the deadline passed</b> — "
        "In progress → Overdue",
        "<code>2026-11-26 10:06</code> · system · <b>escalated the case</b> — past its deadline",
        "<code>2026-11-26 10:07</code> · Officer Li · <b>transferred the case</b> — "
        "Anding District Housing and Urban-Rural Development Bureau → Anding District Human "
        "Resources and Social Security Bureau (Labour Inspection Brigade); "
        "reason: «Labour dispute»",
        "<code>2026-11-26 10:08</code> · Mayor Zhao · <b>resolved the case</b> — "
        "Overdue → Resolved; outcome: paid in full; recovered: 150,000 yuan; workers paid: 3",
        "<code>2026-11-26 10:09</code> · administrator · <b>mystery_kind</b>",
        "<code>2026-11-26 10:10</code> · Officer Li · "
        "<b>scheduled a seven-party consultation</b> — 2026-11-30 14:30; «Room 3»",
        "<code>2026-11-26 10:11</code> · worker · <b>answered the consultation invitation</b> — "
        "answer: yes",
        "<code>2026-11-26 10:12</code> · Officer Li · <b>recorded the consultation's outcome</b>"
        " — agreed: 150,000 yuan; to be paid by 2026-12-20",
        "<code>2026-11-26 10:13</code> · worker · <b>answered whether the money arrived</b> — "
        "answer: no",
    ]


async def test_a_long_timeline_is_cut_into_pages_that_telegram_accepts(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    case = await file_case(db, clock)
    officer = f"staff:{staff[HANDLER].id}"
    overdue: dict[str, Any] = {"before": {}, "after": {"status": "overdue"}}
    notes = [(officer, "note", {"text": f"Note {n}: " + "很长" * 900}) for n in range(12)]
    notes += [("system", "overdue", overdue)] * 150
    await add_events(db, case, *notes)
    private = bench.chat(HANDLER)

    await private.send(f"/case {case.number}")
    pages = [private.last]
    while "◀︎" in labels(private.last):
        await private.press("◀︎")
        pages.append(private.last)

    assert len(private.messages) == 2
    assert all(visible_length(page.text) <= 4096 for page in pages)
    assert len(pages) > 5 and f"page {len(pages)} of {len(pages)}" in pages[0].text
    shown = "\n".join(page.text for page in reversed(pages))
    assert [f"Note {n}:" in shown for n in range(12)] == [True] * 12
    assert shown.count("the deadline passed") == 150
    assert shown.index("Note 11:") < shown.index("the deadline passed")
    await private.press("▶︎")
    assert "page 2 of" in private.last.text


async def test_a_case_with_no_events_says_nothing_has_happened(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    case = await file_case(db, clock)
    private = bench.chat(HANDLER)

    await private.send(f"/case {case.number}")

    assert private.last.text.endswith("Nothing has happened yet.")
    assert not private.last.buttons


# --- presses are authorised again ---------------------------------------------------------------


async def test_a_forged_open_button_for_a_case_out_of_scope_is_refused(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    case = await file_case(db, clock)
    private = bench.chat(OTHER_HANDLER)

    for data in (f"cases:open:{case.id}", f"cases:log:{case.id}:1"):
        await private.press_data(data)

    assert not private.messages
    assert [answer.text for answer in private.answers] == [
        "You can only see your own department's cases."
    ] * 2
    assert all(answer.show_alert for answer in private.answers)


async def test_a_list_page_pressed_by_someone_who_is_not_staff_is_refused(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    await file_case(db, clock)
    stranger = bench.chat(777, chat_id=ANDING_BUILDING)

    await stranger.press_data("cases:page:open:1")

    assert not stranger.messages
    assert stranger.answers[-1].text == "This is for department staff only."


@pytest.mark.parametrize(
    "data",
    [
        "cases",
        "cases:",
        "cases:open",
        "cases:open:abc",
        "cases:open:0",
        "cases:open:-1",
        "cases:open:99999999999",
        "cases:open:999999",
        "cases:open:1:2",
        "cases:open:１",
        "cases:page:open",
        "cases:page:everything:1",
        "cases:page:open:0",
        "cases:log:1",
        "cases:log:1:x",
        "cases:delete:1",
        "cases:open:" + "1" * 70,
    ],
)
async def test_malformed_payloads_are_refused_logged_and_change_nothing(
    bench: Bench,
    db: Database,
    clock: FakeClock,
    staff: dict[int, Staff],
    data: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await file_case(db, clock)
    before = await event_count(db)
    private = bench.chat(HANDLER)

    with caplog.at_level(logging.WARNING, logger="handlers.staff.commands"):
        await private.press_data(data)

    assert not private.messages
    assert private.answers[-1].text == "This button is no longer active."
    assert "refused callback data" in caplog.text
    assert await event_count(db) == before


async def test_a_list_reflects_the_cases_as_they_are_when_a_page_is_pressed(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    filed = [await file_case(db, clock, days=n + 1) for n in range(11)]
    private = bench.chat(HANDLER)
    await private.send("/cases")
    async with db.transaction() as session:
        first = await session.get(Case, filed[0].id)
        assert first is not None
        first.status, first.resolved_at = CaseStatus.RESOLVED, clock.now()
        session.add(first)

    await private.press("▶︎")

    assert "Open cases</b>: 10" in private.last.text
    assert numbers_in(private.last) == [case.number for case in filed[1:]]


async def test_a_group_the_routing_file_does_not_name_gets_no_reply_to_anything(
    bench: Bench, db: Database, clock: FakeClock, staff: dict[int, Staff]
) -> None:
    case = await file_case(db, clock)
    stranger_group = bench.chat(CITY_LEAD, chat_id=-1009999999999)
    for command in ("/cases", "/case " + case.number, "/start", "/help", "/invite lead city"):
        assert await stranger_group.send(command) == []
    assert await stranger_group.press_data(f"case:{case.id}:accept") == []
    assert bench.sent == []

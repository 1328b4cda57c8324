"""A routing file that renames or drops a code never breaks what was filed under the old one.

Each test files through the real handlers with the example routing, then takes a changed file
into use as start-up does (``adopt_routing``) and carries on with it.
"""

from dataclasses import replace

import pytest
from sqlmodel import select

from bot.routing_file import RoutingError, parse_routing
from handlers import HandlerConfig
from handlers.routing import Routing
from handlers.routing_changes import adopt_routing
from storage.db import Database
from storage.models import Case, CaseStatus, Department, StaffRole, VisitBooking
from tests.conftest import ROUTING_EXAMPLE
from tests.support.chat import Bench, complete_report
from tests.support.clock import FakeClock
from tests.support.people import make_staff

GROUP = -1001000000101  # 安定区住建局
LEADS = -1001000001900  # 安定区 leaders
EXAMPLE = ROUTING_EXAMPLE.read_text(encoding="utf-8")


def county_renamed(*, mapped: bool = True) -> Routing:
    """The example with Anding's code changed from anding to anding-district."""
    mapping = 'renamed_from = ["anding"]\n' if mapped else ""
    text = EXAMPLE.replace('code = "anding"\n', f'code = "anding-district"\n{mapping}')
    text = text.replace('county = "anding"\n', 'county = "anding-district"\n')
    return parse_routing(text, source="routing.toml")


def department_renamed() -> Routing:
    """The example with anding.construction's code changed to anding.housing."""
    text = EXAMPLE.replace(
        '[departments."anding.construction"]\n',
        '[departments."anding.housing"]\nrenamed_from = ["anding.construction"]\n',
    ).replace('department = "anding.construction"', 'department = "anding.housing"')
    return parse_routing(text, source="routing.toml")


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en"), clock)


async def restart_with(bench: Bench, routing: Routing) -> None:
    """What start-up does with a new file; chats made after this use it."""
    async with bench.db.transaction() as session:
        await adopt_routing(session, routing, bench.clock.now())
    bench.config = replace(bench.config, routing=routing)


async def cases(db: Database) -> list[Case]:
    async with db.reader() as session:
        return list((await session.exec(select(Case).order_by(Case.id))).all())


async def test_after_a_county_is_renamed_its_cases_staff_drafts_and_buttons_work(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await complete_report(bench.chat(501), amount="5万", workers="3", since="2026-03")
    await make_staff(db, clock, 901, name="Officer Li")
    await make_staff(db, clock, 902, StaffRole.LEAD, county="anding", name="Lead Ma")
    await complete_report(bench.chat(502), submit=False)  # a draft at the review screen
    picking = bench.chat(503)
    await picking.send("/start")
    await picking.press("English")
    await picking.begin_report()
    await picking.send("Zhao Liu")
    await picking.send("13912345678")  # the county buttons (old codes) are on screen

    await restart_with(bench, county_renamed())

    officer = bench.chat(901, chat_id=GROUP, name="Officer Li")
    await officer.press("Accept")
    (case,) = await cases(db)
    assert (case.status, case.county) == (CaseStatus.IN_PROGRESS, "anding-district")
    await officer.send(f"/case {case.number}")
    assert "County: Anding District" in officer.messages[-2].text

    lead = bench.chat(902, chat_id=LEADS, name="Lead Ma")
    await lead.send("/cases")
    assert case.number in lead.last.text, "the county's lead still sees the county's cases"

    drafter = bench.chat(502)
    await drafter.press("Submit report")
    chooser = bench.chat(503)
    await chooser.press("Anding")  # a button drawn with the old code
    assert "What kind of work" in chooser.last.text
    _, drafted = await cases(db)
    assert drafted.county == "anding-district"
    async with db.reader() as session:
        department = await session.get(Department, drafted.department_id)
    assert department is not None and department.code == "anding.construction"


async def test_a_county_dropped_while_cases_are_open_stops_start_up_with_one_line(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await complete_report(bench.chat(501), amount="5万", workers="3", since="2026-03")
    await make_staff(db, clock, 902, StaffRole.LEAD, county="anding", name="Lead Ma")
    await complete_report(bench.chat(502), submit=False)
    (case,) = await cases(db)

    with pytest.raises(RoutingError) as refused:
        await restart_with(bench, county_renamed(mapped=False))

    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("routing file routing.toml: still in use but no longer in the file")
    uses = f"county 'anding' (1 open case: {case.number}; 1 staff member; 1 form in progress)"
    assert uses in message
    assert 'add renamed_from = ["anding"]' in message
    (unchanged,) = await cases(db)
    assert unchanged.county == "anding", "a refused start changes nothing"


async def test_a_closed_case_of_a_county_no_longer_in_the_file_still_shows(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await complete_report(bench.chat(501), amount="5万", workers="3", since="2026-03")
    async with db.transaction() as session:
        case = (await session.exec(select(Case))).one()
        case.status = CaseStatus.RESOLVED
        session.add(case)

    await restart_with(bench, county_renamed(mapped=False))  # nothing open uses anding

    await make_staff(db, clock, 901, name="Officer Li")
    officer = bench.chat(901, chat_id=GROUP, name="Officer Li")
    await officer.send(f"/case {case.number}")
    card = officer.messages[-2].text
    assert f"Case {case.number}" in card and "County: anding" in card


async def test_after_a_department_is_renamed_its_case_keeps_its_alert_and_trail(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await complete_report(bench.chat(501), amount="5万", workers="3", since="2026-03")
    await make_staff(db, clock, 901, name="Officer Li")
    (before,) = await cases(db)

    await restart_with(bench, department_renamed())

    officer = bench.chat(901, chat_id=GROUP, name="Officer Li")
    await officer.press("Accept")
    (case,) = await cases(db)
    assert case.status == CaseStatus.IN_PROGRESS and case.department_id == before.department_id
    assert "In progress" in officer.messages[0].text, "the alert is edited in place"
    await officer.send(f"/case {case.number}")
    trail = officer.last.text
    assert "anding.construction" not in trail and "Housing and Urban-Rural" in trail
    async with db.reader() as session:
        codes = set((await session.exec(select(Department.code))).all())
    assert "anding.housing" in codes and "anding.construction" not in codes


async def test_a_renamed_reception_point_keeps_its_bookings(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    worker = bench.chat(501)
    await worker.send("/start")
    await worker.press("English")
    await worker.press("Book a visit")
    await worker.press("Anding Housing and Construction Bureau wage complaints desk")
    await worker.press("Mon 11/30")
    await worker.press("10:00")
    await worker.press("Book this visit")
    text = EXAMPLE.replace(
        'code = "anding.construction"\n',
        'code = "anding.desk"\nrenamed_from = ["anding.construction"]\n',
    )
    routing = parse_routing(text, source="routing.toml")
    assert routing.reception_point("anding.desk") is not None

    await restart_with(bench, routing)

    async with db.reader() as session:
        (booking,) = (await session.exec(select(VisitBooking))).all()
    assert booking.point == "anding.desk"
    worker = bench.chat(501)
    await worker.press("Cancel this visit")
    await worker.press("Yes, cancel it")
    assert "is cancelled" in worker.last.text


async def test_a_dropped_reception_point_with_visits_ahead_stops_start_up(
    bench: Bench, db: Database
) -> None:
    worker = bench.chat(501)
    await worker.send("/start")
    await worker.press("English")
    await worker.press("Book a visit")
    await worker.press("Anding Housing and Construction Bureau wage complaints desk")
    await worker.press("Mon 11/30")
    await worker.press("10:00")
    await worker.press("Book this visit")
    text = EXAMPLE.replace(
        'code = "anding.construction"\nname_zh = "安定区住建局',
        'code = "anding.desk"\nname_zh = "安定区住建局',
    )
    with pytest.raises(
        RoutingError, match=r"reception point 'anding.construction' \(1 visit still ahead\)"
    ):
        await restart_with(bench, parse_routing(text))


async def test_a_department_merged_into_another_hands_it_its_cases(
    bench: Bench, db: Database
) -> None:
    await complete_report(bench.chat(501), amount="5万", workers="3", since="2026-03")
    start = EXAMPLE.index('[departments."anding.construction"]')
    end = EXAMPLE.index('[departments."anding.transport"]')
    text = (EXAMPLE[:start] + EXAMPLE[end:]).replace(
        'department = "anding.construction"', 'department = "anding.transport"'
    )
    text = text.replace(
        '[departments."anding.transport"]\n',
        '[departments."anding.transport"]\nrenamed_from = ["anding.construction"]\n',
    )

    await restart_with(bench, parse_routing(text))

    (case,) = await cases(db)
    async with db.reader() as session:
        department = await session.get(Department, case.department_id)
        codes = set((await session.exec(select(Department.code))).all())
    assert department is not None and department.code == "anding.transport"
    assert "anding.construction" not in codes

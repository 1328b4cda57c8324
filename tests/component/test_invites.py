"""Becoming staff with a one-time invite code."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from handlers import HandlerConfig
from storage.db import Database
from storage.models import Invite, Staff
from tests.support.chat import Bench
from tests.support.clock import FakeClock

ADMIN = 906


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en", admin_ids=frozenset({ADMIN})), clock)


async def invite_code(bench: Bench, args: str) -> str:
    admin = bench.chat(ADMIN)
    await admin.send(f"/invite {args}")
    text = admin.last.text
    assert "Invite code" in text, text
    return text.split("<code>")[1].split("</code>")[0]


async def staff(db: Database) -> list[Staff]:
    async with db.reader() as session:
        return list((await session.exec(select(Staff).where(Staff.active == True))).all())  # noqa: E712


async def test_an_invited_person_joins_as_a_handler_of_the_department(bench: Bench) -> None:
    code = await invite_code(bench, "handler anding.construction")
    await bench.chat(777, name="Officer Zhao").send(f"/join {code}")
    (joined,) = await staff(bench.db)
    assert (joined.role, joined.name, joined.telegram_user_id) == ("handler", "Officer Zhao", 777)
    assert joined.department_id is not None
    assert "Welcome" in bench.to(777)[-1].text


@pytest.mark.parametrize(
    ("args", "role", "county"),
    [
        ("lead anding", "lead", "anding"),
        ("lead city", "lead", None),
        ("supervisor", "supervisor", None),
    ],
)
async def test_leads_and_supervisors_are_invited_the_same_way(
    bench: Bench, args: str, role: str, county: str | None
) -> None:
    code = await invite_code(bench, args)
    await bench.chat(778).send(f"/join {code.lower()}")
    (joined,) = await staff(bench.db)
    assert (joined.role, joined.county) == (role, county)


async def test_a_code_works_only_once(bench: Bench) -> None:
    code = await invite_code(bench, "supervisor")
    await bench.chat(778).send(f"/join {code}")
    await bench.chat(779).send(f"/join {code}")
    assert "not valid" in bench.to(779)[-1].text
    assert [s.telegram_user_id for s in await staff(bench.db)] == [778]


async def test_an_expired_code_is_refused(bench: Bench) -> None:
    code = await invite_code(bench, "supervisor")
    bench.clock.advance(days=7, seconds=1)
    await bench.chat(778).send(f"/join {code}")
    assert "not valid" in bench.to(778)[-1].text
    assert await staff(bench.db) == []


async def test_join_only_works_in_a_private_chat(bench: Bench) -> None:
    code = await invite_code(bench, "supervisor")
    await bench.chat(778, chat_id=-1001000000101).send(f"/join {code}")
    assert await staff(bench.db) == []
    bench.clock.advance(hours=1)
    await bench.chat(778).send(f"/join {code}")
    assert len(await staff(bench.db)) == 1


async def test_an_invite_typed_in_a_group_gets_no_code_and_creates_none(bench: Bench) -> None:
    group = bench.chat(ADMIN, chat_id=-1001000000101)
    await group.send("/invite supervisor")
    assert "private chat" in group.last.text
    assert not any("<code>" in m.text for m in bench.sent)
    async with bench.db.reader() as session:
        assert (await session.exec(select(Invite))).all() == []


async def test_only_admins_create_invites(bench: Bench) -> None:
    await bench.chat(555).send("/invite supervisor")
    assert "Only an administrator" in bench.to(555)[-1].text


@pytest.mark.parametrize("args", ["", "handler", "handler nowhere", "lead mars", "king"])
async def test_a_wrong_invite_explains_the_usage(bench: Bench, args: str) -> None:
    admin = bench.chat(ADMIN)
    await admin.send(f"/invite {args}")
    assert "Usage: /invite" in admin.last.text


async def test_a_mistyped_code_is_refused_politely(bench: Bench) -> None:
    await bench.chat(778).send("/join NOPE")
    await bench.chat(778).send("/join")
    assert all("not valid" in m.text for m in bench.to(778))
    assert timedelta(days=7)

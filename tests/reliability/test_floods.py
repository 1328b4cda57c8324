"""Floods: one party must not hold capacity that every chat shares.

Replays the two floods of issue 11 through the real bot process (aiogram, polling) and times a
bystander worker's ``/help`` while each is in progress:

* a stranger sends ``/cases`` 25 times in each of 40 of the groups the bot serves (1,000
  updates in a second): past the per-user budget (60 a minute) the updates are stored as
  throttled, not handled, and the stranger is asked once to slow down;
* four workers each have a backlog of 500 updates (the budget raised so that every one is
  handled): the chats with work take turns for the pipeline's slots, one event each.

The bystander's reply time is printed, not asserted (tests never assert speed): what is
asserted is counts and order — the bystander is answered while the flood is still being
worked through.
"""

import time

import pytest
from sqlmodel import col, func, select

from handlers.routing import Routing
from storage.db import Database
from storage.models import InboxEvent, InboxStatus
from tests.fake_bot_api import FakeBotAPI
from tests.reliability.conftest import BotFactory
from tests.reliability.figures import Figures
from tests.support.waiting import until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

STRANGER = 700_000
BYSTANDER = 555_000
GROUPS = 40
PER_GROUP = 25
BUDGET = 60
BACKLOG = 500
FLOODERS = (710_001, 710_002, 710_003, 710_004)
SLOW_DOWN = "发消息太快"


async def inbox_statuses(url: str, user: int | None = None) -> dict[str, int]:
    database = Database(url)
    try:
        async with database.reader() as session:
            statement = select(InboxEvent.status, func.count()).group_by(col(InboxEvent.status))
            if user is not None:
                statement = statement.where(col(InboxEvent.user_id) == user)
            return {status: count for status, count in (await session.exec(statement)).all()}
    finally:
        await database.dispose()


async def bystander_reply_seconds(fake: FakeBotAPI) -> float:
    mark = fake.mark(BYSTANDER)
    began = time.monotonic()
    fake.user(BYSTANDER).send_command("help")
    await fake.wait_for_message(BYSTANDER, timeout=120, after=mark)
    return time.monotonic() - began


def served_groups(routing: Routing) -> list[int]:
    groups = [d.chat_id for d in routing.departments.values()]
    groups += [c.lead_chat_id for c in routing.counties if c.lead_chat_id is not None]
    return sorted(set(groups))[:GROUPS]


async def test_a_stranger_flooding_forty_groups_is_throttled_and_a_worker_still_answered(
    fake: FakeBotAPI,
    one_database_url: str,
    make_bot: BotFactory,
    routing: Routing,
    figures: Figures,
) -> None:
    url = one_database_url
    figures.title = f"a stranger: {PER_GROUP} /cases in each of {GROUPS} groups; a worker's /help"
    bot = make_bot(url)
    await bot.start()
    await bystander_reply_seconds(fake)  # the worker has talked to the bot before
    stranger = fake.user(STRANGER)
    groups = served_groups(routing)
    for _ in range(PER_GROUP):
        for group in groups:
            stranger.in_chat(group).send_command("cases")
    seconds = await bystander_reply_seconds(fake)

    async def all_stored() -> bool:
        return sum((await inbox_statuses(url, STRANGER)).values()) == GROUPS * PER_GROUP

    await until(all_stored, 60, what="the flood stored")

    async def flood_handled() -> bool:
        return InboxStatus.PENDING not in await inbox_statuses(url, STRANGER)

    await until(flood_handled, 120, what="the flood's allowance handled")
    statuses = await inbox_statuses(url, STRANGER)
    replies = [m for g in groups for m in fake.messages(g)]
    notices = [m for m in replies if SLOW_DOWN in m.content]
    await bot.terminate()

    figures.add("groups flooded × /cases each", f"{len(groups)} × {PER_GROUP}")
    figures.add(
        "stranger's updates handled / throttled",
        f"{statuses.get('done', 0)} / {statuses.get('throttled', 0)}",
    )
    figures.add("replies in the groups (of which 'slow down')", f"{len(replies)} ({len(notices)})")
    figures.add("bystander's /help answered in (s, target < 2)", round(seconds, 2))
    assert len(groups) == GROUPS
    assert statuses == {"done": BUDGET, "throttled": GROUPS * PER_GROUP - BUDGET}
    assert len(notices) == 1
    assert bot.tracebacks() == 0, bot.output()[-3000:]


async def test_four_backlogs_of_500_take_turns_with_a_worker_who_writes_once(
    fake: FakeBotAPI,
    one_database_url: str,
    make_bot: BotFactory,
    figures: Figures,
) -> None:
    url = one_database_url
    total = len(FLOODERS) * BACKLOG
    figures.title = f"{len(FLOODERS)} chats with {BACKLOG} updates each; a worker's /help"
    bot = make_bot(url, extra_env={"USER_UPDATE_BUDGET_PER_MINUTE": str(10 * total)})
    await bot.start()
    await bystander_reply_seconds(fake)
    for _ in range(BACKLOG):
        for flooder in FLOODERS:
            fake.user(flooder).send_command("help")

    async def all_stored() -> bool:
        return sum((await inbox_statuses(url)).values()) >= total

    await until(all_stored, 120, every=0.05, what="the backlogs stored")
    seconds = await bystander_reply_seconds(fake)
    flood_replies_then = sum(len(fake.messages(f)) for f in FLOODERS)

    async def backlogs_through() -> bool:
        return InboxStatus.PENDING not in await inbox_statuses(url)

    await until(backlogs_through, 300, what="the backlogs handled")
    await bot.terminate()

    figures.add("chats × updates in backlog", f"{len(FLOODERS)} × {BACKLOG}")
    figures.add("flood replies sent before the bystander's", f"{flood_replies_then} of {total}")
    figures.add("bystander's /help answered in (s, target < 2)", round(seconds, 2))
    assert flood_replies_then < total / 8  # before turns: 991 of 2,000
    assert bot.tracebacks() == 0, bot.output()[-3000:]

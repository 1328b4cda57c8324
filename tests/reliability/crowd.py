"""A crowd of simulated workers, each reporting through the fake Bot API as a person would.

Each worker follows a script of turns: a message typed or a button tapped, and the bot
messages that input must bring (fragments of their text, in order). A worker waits for the last
of them before the next turn, like someone reading the reply, and keeps the whole expected
conversation, so a test can compare it with everything the chat really received. Some workers
stop halfway (they were interrupted) and later come back with /report to continue.
"""

import asyncio
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from handlers.routing import Routing
from tests.fake_bot_api import BotMessage, FakeBotAPI, FakeUser

__all__ = [
    "CASE_NUMBER",
    "COUNTIES",
    "SECTORS",
    "Crowd",
    "CrowdWorker",
    "Turn",
    "burst_report",
    "report_script",
]

CASE_NUMBER = re.compile(r"[A-Z]{2}-\d{4}-\d{6}")
COUNTIES = ("anding", "tongwei", "longxi", "weiyuan")
SECTORS = ("construction", "transport", "water", "education")
TURN_TIMEOUT = 120.0
"""How long a worker waits for the bot's answer to one turn (it may be down, or restarting)."""


@dataclass(frozen=True, slots=True)
class Turn:
    kind: Literal["text", "press"]
    value: str
    """The text typed, or a fragment of the label of the button tapped."""
    expect: tuple[str, ...]
    """Fragments of the bot messages this turn brings to the chat, in order."""
    question: str = ""
    """The report question this turn answers (for the continuation check)."""


def previous_month(today: date, months: int) -> str:
    index = today.year * 12 + today.month - 1 - months
    return f"{index // 12}-{index % 12 + 1:02d}"


def place_of(n: int) -> tuple[str, str]:
    """Worker ``n``'s county and kind of work: spread over 16 departments."""
    return COUNTIES[n % len(COUNTIES)], SECTORS[(n // len(COUNTIES)) % len(SECTORS)]


def report_script(n: int, today: date) -> list[Turn]:
    """A worker's whole report in English, typed where typing is allowed, no hard case.

    County and sector vary with ``n`` (so alerts go to many department chats); the employer is
    the worker's own (three open cases of one employer would make a hard case).
    """
    county, sector = place_of(n)
    phone = f"139 {n % 10_000:04d} {(n * 7) % 10_000:04d}"
    return [
        Turn("text", "/start", ("choose your language",)),
        Turn("press", "English", ("What would you like to do?",)),
        Turn("press", "Report unpaid wages", ("How your information is used",)),
        Turn("press", "I agree", ("Let's report your unpaid wages", "What is your name?")),
        Turn("text", "Wang Wu", ("Your phone number",), "name"),
        Turn("text", phone, ("Phone number saved", "Choose the county"), "phone"),
        Turn("text", county, ("What kind of work was it?",), "county"),
        Turn("text", sector, ("Who owes you the wages?",), "sector"),
        Turn("text", f"Employer number {n}", ("What is the project called?",), "employer"),
        Turn("text", f"Project {n}", ("Where is the site?",), "project"),
        Turn("text", f"Village {n}", ("Address saved", "How much are you owed"), "site"),
        Turn("text", "5万", ("How many workers are owed",), "amount"),
        Turn("text", "1", ("Since when have the wages been owed?",), "workers"),
        Turn("text", previous_month(today, 2), ("In a few sentences",), "since"),
        Turn("text", f"Worked {n} days, not paid.", ("Do you have evidence?",), "account"),
        Turn("press", "Skip", ("Please check your report",), "evidence"),
        Turn("press", "Submit report", ("Your report was received",), "review"),
    ]


QUESTION_FRAGMENTS = {
    "name": "What is your name?",
    "phone": "Your phone number",
    "county": "Choose the county",
    "sector": "What kind of work was it?",
    "employer": "Who owes you the wages?",
    "project": "What is the project called?",
    "site": "Where is the site?",
    "amount": "How much are you owed",
    "workers": "How many workers are owed",
    "since": "Since when have the wages been owed?",
    "account": "In a few sentences",
    "evidence": "Do you have evidence?",
    "review": "Please check your report",
}


def burst_report(n: int, today: date) -> list[Turn]:
    """A report typed in one go, no waiting: every typed answer up to evidence, by a worker who
    has agreed to the privacy notice and is asked their name (``report_script(...)[:4]``)."""
    return [turn for turn in report_script(n, today)[4:] if turn.kind == "text"]


@dataclass
class CrowdWorker:
    fake: FakeBotAPI
    user_id: int
    script: Sequence[Turn]
    stop_after: int | None = None
    """Leave after this many turns (mid-report); None: to the end."""
    county: str = ""
    sector: str = ""
    turns_done: int = 0
    expected: list[str] = field(default_factory=list)
    sent: list[tuple[float, int]] = field(default_factory=list)
    """(monotonic time, update id) of every update this worker caused."""
    confirmation: BotMessage | None = None
    user: FakeUser = field(init=False)

    def __post_init__(self) -> None:
        self.user = self.fake.user(self.user_id, f"Worker{self.user_id}", language_code="en")

    @property
    def chat_id(self) -> int:
        return self.user_id

    @property
    def planned(self) -> int:
        return len(self.script) if self.stop_after is None else self.stop_after

    @property
    def case_number(self) -> str | None:
        if self.confirmation is None:
            return None
        found = CASE_NUMBER.search(self.confirmation.content)
        return found.group(0) if found else None

    @property
    def mid_report(self) -> bool:
        return self.stop_after is not None and self.turns_done == self.stop_after

    async def run(
        self, on_turn: Callable[[], None], think: Callable[[], float] = lambda: 0.0
    ) -> None:
        for turn in self.script[: self.planned]:
            if (pause := think()) > 0:
                await asyncio.sleep(pause)  # a person reading and typing, not synchronisation
            message = await self.take(turn)
            if turn.value == "Submit report":
                self.confirmation = message
            on_turn()

    async def take(self, turn: Turn) -> BotMessage:
        mark = self.fake.mark(self.chat_id)
        if turn.kind == "text":
            update = self.user.send_text(turn.value)
        else:
            message, label = self.button(turn.value)
            update = self.user.press(message, label)
        self.sent.append((time.monotonic(), int(update["update_id"])))
        self.expected.extend(turn.expect)
        self.turns_done += 1
        last = turn.expect[-1]
        return await self.fake.wait_for_message(
            self.chat_id, lambda m: last in m.content, TURN_TIMEOUT, mark
        )

    def send_burst(self, turns: Sequence[Turn]) -> None:
        """Type every turn at once, as someone pasting answers without reading the replies."""
        for turn in turns:
            assert turn.kind == "text"
            update = self.user.send_text(turn.value)
            self.sent.append((time.monotonic(), int(update["update_id"])))
            self.expected.extend(turn.expect)
            self.turns_done += 1

    async def continue_report(self) -> BotMessage:
        """Come back with /report: the bot must pick up at the question they had reached."""
        reached = self.script[self.turns_done].question
        turn = Turn(
            "text",
            "/report",
            ("Let's continue your report where you left off", QUESTION_FRAGMENTS[reached]),
        )
        return await self.take(turn)

    def button(self, fragment: str) -> tuple[BotMessage, str]:
        for message in reversed(self.fake.messages(self.chat_id)):
            for text, _ in message.buttons():
                if fragment in text:
                    return message, text
        raise AssertionError(f"no button with {fragment!r} in chat {self.chat_id}")


@dataclass
class Crowd:
    """Workers plus a progress counter that other tasks (chaos, faults) can wait on."""

    workers: list[CrowdWorker]
    turns_done: int = 0
    _moved: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def reporting(
        cls,
        fake: FakeBotAPI,
        count: int,
        *,
        first_user: int,
        today: date,
        interrupted: float = 0.0,
        seed: int = 0,
    ) -> "Crowd":
        """``count`` workers filing a report; a share ``interrupted`` stop halfway."""
        chooser = random.Random(seed)
        workers = []
        for n in range(count):
            script = report_script(n, today)
            stop = chooser.randrange(5, len(script) - 2) if chooser.random() < interrupted else None
            county, sector = place_of(n)
            workers.append(
                CrowdWorker(fake, first_user + n, script, stop, county=county, sector=sector)
            )
        return cls(workers)

    def updates_sent(self, since: float = 0.0, until: float = float("inf")) -> list[int]:
        """Ids of the updates the workers caused between two monotonic times."""
        return sorted(u for w in self.workers for at, u in w.sent if since <= at < until)

    @property
    def planned_turns(self) -> int:
        return sum(w.planned for w in self.workers)

    def progressed(self) -> None:
        self.turns_done += 1
        self._moved.set()
        self._moved = asyncio.Event()

    async def wait_for_turns(self, count: int, timeout: float) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while self.turns_done < count:
                await self._moved.wait()

    async def run(self, think: Callable[[], float] = lambda: 0.0) -> None:
        async with asyncio.TaskGroup() as group:
            for worker in self.workers:
                group.create_task(worker.run(self.progressed, think))

    def department_chats(self, routing: Routing) -> set[int]:
        return {routing.department_for(w.county, w.sector).chat_id for w in self.workers}

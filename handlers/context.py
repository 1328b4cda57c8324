"""What a handler is given: the event, the open transaction, the settings it needs, the time.

Handlers decide; they never commit. Whatever they add to the session and to ``outgoing`` is
written by the runtime in one transaction with the inbox row that caused it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.hard_cases import HardCaseRules
from handlers.events import Event, EventKind
from handlers.i18n import Translator, translator
from handlers.ports import Ports
from handlers.ports_reports import ReportRenderer
from handlers.privacy_notice import PrivacyNotice
from handlers.replies import (
    AnswerCallback,
    Button,
    Outgoing,
    ReplyKeyboard,
    SendMessage,
)
from handlers.routing import Routing
from handlers.survey_policy import SurveyPolicy
from storage.models import Conversation, Worker

__all__ = ["Context", "HandlerConfig", "HardCaseRules", "Keyboard", "Retention", "Unit"]

Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Retention:
    """How long what workers typed is kept outside their cases (``*_RETENTION_DAYS``), and a
    closed case's personal fields after its closing (CLOSED_CASE_RETENTION_DAYS)."""

    inbox: timedelta = timedelta(days=7)
    outbox: timedelta = timedelta(days=7)
    drafts: timedelta = timedelta(days=30)
    closed_case: timedelta = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class HandlerConfig:
    routing: Routing
    zone: ZoneInfo
    privacy: PrivacyNotice
    """What a worker agrees to before their first report (``report_arrears.consent``)."""
    renderer: ReportRenderer
    """Draws the report's chart and writes its workbook and CSV (``bot.report_files``)."""
    default_language: str = "zh"
    case_number_prefix: str = "DX"
    daily_case_limit: int = 5
    case_deadline_days: int = 15
    invite_valid_days: int = 7
    visits_per_worker_per_point: int = 1
    surveys: SurveyPolicy = field(default_factory=SurveyPolicy)
    admin_ids: frozenset[int] = frozenset()
    hard_cases: HardCaseRules = field(default_factory=HardCaseRules)
    retention: Retention = Retention()


@dataclass(slots=True)
class Unit:
    """One transaction's worth of work: what it reads and writes, and the messages it sends.

    Scheduled work (deadlines, reminders) gets a bare Unit; an update gets a ``Context``.
    """

    session: AsyncSession
    config: HandlerConfig
    now: datetime
    ports: Ports = field(kw_only=True)
    """What use cases read and write through; the session goes once every handler uses them."""
    outgoing: list[Outgoing] = field(default_factory=list, kw_only=True)

    def send(self, message: Outgoing) -> None:
        self.outgoing.append(message)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.config.zone)


@dataclass(slots=True)
class Context(Unit):
    event: Event
    conversation: Conversation
    worker: Worker | None = None
    callback_answered: bool = False

    @property
    def language(self) -> str:
        if self.worker is not None and self.worker.language:
            return self.worker.language
        return self.config.default_language

    @property
    def _(self) -> Translator:
        return translator(self.language)

    def reply(
        self,
        text: str,
        buttons: Keyboard = (),
        *,
        keyboard: ReplyKeyboard | None = None,
        remove_keyboard: bool = False,
    ) -> None:
        self.send(SendMessage(self.event.chat_id, text, buttons, keyboard, remove_keyboard))

    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Stop the button's spinner; every press gets exactly one answer."""
        if self.event.kind != EventKind.CALLBACK or self.callback_answered:
            return
        assert self.event.callback_id is not None
        self.callback_answered = True
        self.send(AnswerCallback(self.event.chat_id, self.event.callback_id, text, alert))

"""Settings from the environment and ``.env``, one model per section.

Each part of the bot receives only its own section. A missing or invalid value stops start-up
with one line naming the variable (see ``load_settings``).
"""

import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "DEFAULT_PRIVACY_NOTICE_FILE",
    "EXAMPLE_ROUTING_FILE",
    "BotSettings",
    "CaseSettings",
    "DatabaseSettings",
    "DeliverySettings",
    "EvidenceSettings",
    "HardCaseSettings",
    "ScheduleSettings",
    "Settings",
    "SettingsError",
    "SurveySettings",
    "WebhookSettings",
    "load_settings",
]

EXAMPLE_ROUTING_FILE = Path(__file__).with_name("routing.example.toml")
"""The Dingxi demo's routing (package data): the default, and the model to copy for your own."""
DEFAULT_PRIVACY_NOTICE_FILE = Path(__file__).with_name("privacy_notice.toml")
"""The notice workers agree to before reporting (package data): the default, and the model."""

# An empty variable (as in a copied .env.example) means "not set", not "set to nothing".
_ENV = SettingsConfigDict(
    env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
)


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(**_ENV, env_prefix="BOT_")

    token: SecretStr | None = None
    driver: Literal["aiogram", "ptb"] = "aiogram"
    mode: Literal["polling", "webhook"] = "polling"
    api_base_url: str = "https://api.telegram.org"
    admin_ids: list[int] = Field(default_factory=list)


MIN_WEBHOOK_SECRET = 16
_WEBHOOK_SECRET = re.compile(rf"[A-Za-z0-9_-]{{{MIN_WEBHOOK_SECRET},256}}")


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(**_ENV, env_prefix="WEBHOOK_")

    url: str | None = None
    secret: SecretStr | None = None
    listen: str = "127.0.0.1:8080"

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("expected HOST:PORT, e.g. 0.0.0.0:8080")
        return value

    @field_validator("secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram takes 1-256 of A-Z a-z 0-9 _ -; fewer than 16 could be guessed, and the
        secret is all that keeps forged updates out of the webhook."""
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError(
                f"use {MIN_WEBHOOK_SECRET}-256 characters of A-Z, a-z, 0-9, _ and -, e.g. from"
                ' python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        return value

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0]

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(**_ENV)

    database_url: str = "sqlite+aiosqlite:///data/arrears-bot.sqlite3"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")
        return value


class CaseSettings(BaseSettings):
    model_config = SettingsConfigDict(**_ENV)

    routing_file: Path = EXAMPLE_ROUTING_FILE
    """The example, shipped inside the package, so the console and the CLI start from any
    directory; a relative path of your own is read from the working directory."""
    privacy_notice_file: Path = DEFAULT_PRIVACY_NOTICE_FILE
    """What workers are told before their first report, with its version (as ROUTING_FILE)."""
    time_zone: str = "Asia/Shanghai"
    default_language: Literal["zh", "en"] = "zh"
    case_number_prefix: str = Field(default="DX", pattern=r"^[A-Z][A-Z0-9]{0,7}$")
    daily_case_limit: int = Field(default=5, ge=1, le=1000)
    case_deadline_days: int = Field(default=15, ge=1, le=365)
    invite_valid_days: int = Field(default=7, ge=1, le=90)
    visits_per_worker_per_point: int = Field(default=1, ge=1, le=30)
    """Upcoming visits one worker may hold at one reception point."""
    user_update_budget_per_minute: int = Field(default=60, ge=1, le=100_000)
    """Past this many updates in a minute, a user's updates are kept but not handled."""
    inbox_retention_days: int = Field(default=7, ge=1, le=365)
    """Handled updates (what a worker typed) are deleted this long after they came."""
    outbox_retention_days: int = Field(default=7, ge=1, le=365)
    """Sent messages lose their text this long after they were written."""
    draft_retention_days: int = Field(default=30, ge=1, le=365)
    """A report (or any guided chat) left half-way is cleared this long after its last answer."""
    closed_case_retention_days: int = Field(default=365, ge=60, le=3650)
    """A resolved or rejected case loses its personal fields this long after its closing;
    at least past the anti-rebound check and its reminders."""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class DeliverySettings(BaseSettings):
    """Telegram's published limits; lower them for a shared bot, never raise them for real."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="DELIVERY_")

    global_per_second: float = Field(default=30.0, gt=0)
    private_per_second: float = Field(default=1.0, gt=0)
    group_per_minute: float = Field(default=20.0, gt=0)
    retry_base_seconds: float = Field(default=1.0, gt=0)
    retry_max_seconds: float = Field(default=300.0, gt=0)
    request_timeout_seconds: float = Field(default=20.0, ge=1, le=120)
    """A Bot API call not answered in this long is given up and retried: a hung request must
    not hold its chat (aiogram's own default waits a minute)."""
    redis_url: SecretStr | None = None
    """Several instances: a Redis they all reach, to share one count of Telegram's limits."""


class EvidenceSettings(BaseSettings):
    """The case file store: where evidence files are kept, and how a failed download is retried."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="EVIDENCE_")

    dir: Path = Path("data/evidence")
    """Next to the default SQLite file; created owner-only (0700), each file 0600."""
    retry_base_seconds: float = Field(default=60.0, gt=0)
    """The first retry of a failed download; each later one waits twice as long."""
    retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    fetch_attempts: int = Field(default=8, ge=1, le=100)
    """Downloads tried before a file is given up (failed; Telegram's id still serves)."""


class HardCaseSettings(BaseSettings):
    """When a new case counts as a hard case (骨头案) and goes to the leaders at once."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="HARD_CASE_")

    min_amount_yuan: int = Field(default=100_000, ge=1)
    min_workers: int = Field(default=10, ge=1)
    months_owed: int = Field(default=12, ge=0)
    """Owed for more than this many calendar months before the report."""
    min_open_per_employer: int = Field(default=3, ge=2)


class ScheduleSettings(BaseSettings):
    """The clock of due work: how often to look for it, when the morning digest goes out."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="SCHEDULE_")

    sweep_seconds: float = Field(default=30.0, gt=0, le=3600)
    digest_time: time = time(9, 0)
    """Local time (TIME_ZONE) of the morning digest, HH:MM."""


class SurveySettings(BaseSettings):
    """When workers are asked after a resolution (return visit, anti-rebound check)."""

    model_config = SettingsConfigDict(**_ENV)

    return_visit_delay_hours: float = Field(default=24, gt=0, le=24 * 60)
    rebound_check_days: float = Field(default=30, gt=0, le=365)
    quiet_hours: str = Field(default="09:00-20:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")
    survey_reminder_hours: float = Field(default=48, gt=0, le=24 * 30)
    survey_max_reminders: int = Field(default=2, ge=0, le=10)

    @field_validator("quiet_hours")
    @classmethod
    def _opening_before_closing(cls, value: str) -> str:
        opens, closes = (time.fromisoformat(part) for part in value.split("-"))
        if not opens < closes:
            raise ValueError("the hours workers may be asked, HH:MM-HH:MM, opening before closing")
        return value

    @property
    def asking_hours(self) -> tuple[time, time]:
        opens, closes = self.quiet_hours.split("-")
        return time.fromisoformat(opens), time.fromisoformat(closes)


class Settings(BaseModel):
    bot: BotSettings
    webhook: WebhookSettings
    database: DatabaseSettings
    cases: CaseSettings
    delivery: DeliverySettings
    evidence: EvidenceSettings
    hard_cases: HardCaseSettings
    schedule: ScheduleSettings
    surveys: SurveySettings


class SettingsError(Exception):
    """One line for the operator, naming the variable at fault."""


_PREFIXES: dict[str, type[BaseSettings]] = {
    "bot": BotSettings,
    "webhook": WebhookSettings,
    "database": DatabaseSettings,
    "cases": CaseSettings,
    "delivery": DeliverySettings,
    "evidence": EvidenceSettings,
    "hard_cases": HardCaseSettings,
    "schedule": ScheduleSettings,
    "surveys": SurveySettings,
}


def load_settings() -> Settings:
    sections: dict[str, BaseSettings] = {}
    for name, model in _PREFIXES.items():
        try:
            sections[name] = model()
        except ValidationError as error:
            raise SettingsError(_describe(model, error)) from None
    return Settings.model_validate(sections)


def _describe(model: type[BaseSettings], error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    variable = (str(model.model_config.get("env_prefix", "")) + field).upper()
    return f"setting {variable} is invalid: {first['msg']}"

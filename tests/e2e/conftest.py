"""End-to-end fixtures: the fake Bot API and the real bot process talking to it."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.botprocess import SPEED, BotProcess
from tests.fake_bot_api import FakeBotAPI

DEPARTMENT_CHAT = -1001000000101
"""安定区住建局 in bot/routing.example.toml: Anding × construction."""


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI(speed=SPEED, webhook_retry_delay=0.05)
    await api.start()
    yield api
    await api.stop()


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["aiogram", "ptb"])
def driver(request: pytest.FixtureRequest) -> str:
    """Every scenario runs against each Telegram framework the bot can be driven by."""
    return str(request.param)


@pytest.fixture
def bot_env() -> dict[str, str]:
    """Extra settings for the bot process; a test module overrides this fixture to set some."""
    return {}


@pytest.fixture
async def bot(
    fake: FakeBotAPI,
    database_url: str,
    tmp_path: Path,
    mode: str,
    driver: str,
    bot_env: dict[str, str],
) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake, database_url, tmp_path, mode=mode, driver=driver, extra_env=bot_env)
    await process.start()
    yield process
    code = await process.stop()
    assert code == 0, f"the bot did not stop cleanly ({code}):\n{process.output()}"
    assert "Traceback" not in process.output(), process.output()


FIRST_DOOR = {"driver": "aiogram", "mode": "polling"}
"""Every scenario runs through aiogram polling; the other drivers and modes run the scenarios
marked ``every_door``, which between them take each door's own code paths (README, Tests)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    kept, other_doors = [], []
    for item in items:
        if not item.path.is_relative_to(here):
            kept.append(item)
            continue
        params = getattr(item, "callspec", None)
        door = {k: params.params[k] for k in FIRST_DOOR if params and k in params.params}
        first = all(FIRST_DOOR[k] == v for k, v in door.items())
        if first or item.get_closest_marker("every_door") is not None:
            kept.append(item)
        else:
            other_doors.append(item)
    if other_doors:
        config.hook.pytest_deselected(items=other_doors)
        items[:] = kept

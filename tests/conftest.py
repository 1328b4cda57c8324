"""Shared fixtures: a migrated database of each kind, the example routing, a fake clock."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import handler_config
from bot.routing_file import load_routing
from bot.settings import EXAMPLE_ROUTING_FILE, Settings, load_settings
from handlers import HandlerConfig
from handlers.routing import Routing
from storage.db import Database
from storage.people import sync_departments
from tests.support.clock import FakeClock
from tests.support.databases import (
    database_kinds,
    fresh_database_url,
    migrated_database_url,
    remove_templates,
)

ROUTING_EXAMPLE = EXAMPLE_ROUTING_FILE


MIGRATED_FOR = frozenset({"db", "bot"})
"""Tests using these fixtures get a database already at the newest revision (a copy, not a
migration per test); any other test asking for ``database_url`` gets an empty one."""


@pytest.fixture(params=database_kinds())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if MIGRATED_FOR.intersection(request.fixturenames):
        return await migrated_database_url(request.param, str(tmp_path))
    return await fresh_database_url(request.param, str(tmp_path))


@pytest.fixture
def routing() -> Routing:
    return load_routing(ROUTING_EXAMPLE)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ROUTING_FILE", str(ROUTING_EXAMPLE))
    return load_settings()


@pytest.fixture
def config(settings: Settings, routing: Routing) -> HandlerConfig:
    return handler_config(settings, routing)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def db(database_url: str, routing: Routing) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.transaction() as session:
        await sync_departments(session, routing.departments.values())
    yield database
    await database.dispose()


def pytest_sessionfinish() -> None:
    remove_templates()


TIERS = {
    "domain": "core",
    "usecases": "core",
    "component": "component",
    "fake_bot_api": "component",
    "storage": "storage",
    "e2e": "e2e",
    "reliability": "slow",
}
"""Each test folder is one tier of the pyramid, marked so a run can choose (README, Tests)."""


FAST = ("core", "component")
"""What a plain ``pytest`` runs: naming a tier (``-m e2e``) or a file runs that instead."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        folder = item.path.relative_to(root).parts[0]
        if folder in TIERS:
            item.add_marker(TIERS[folder])
    if config.option.markexpr or config.args_source != pytest.Config.ArgsSource.TESTPATHS:
        return
    slower = [item for item in items if not any(item.get_closest_marker(t) for t in FAST)]
    if slower:
        config.hook.pytest_deselected(items=slower)
        fast = set(items) - set(slower)
        items[:] = [item for item in items if item in fast]

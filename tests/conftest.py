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
from storage.migrate import upgrade
from storage.people import sync_departments
from tests.support.clock import FakeClock
from tests.support.databases import database_kinds, fresh_database_url

ROUTING_EXAMPLE = EXAMPLE_ROUTING_FILE


@pytest.fixture(params=database_kinds())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
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
    await upgrade(database_url)
    async with database.transaction() as session:
        await sync_departments(session, routing.departments.values())
    yield database
    await database.dispose()

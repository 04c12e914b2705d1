"""A real engine process per database for the API suite, and admin/viewer clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import DATABASES
from tests.support.engine_process import EngineProcess, client, login, start_engine


@pytest.fixture(scope="session", params=DATABASES)
def engine(request: pytest.FixtureRequest) -> Iterator[EngineProcess]:
    yield from start_engine(request.param)


@pytest.fixture(scope="session")
def admin_token(engine: EngineProcess) -> str:
    return login(engine)


@pytest.fixture
def api(engine: EngineProcess, admin_token: str) -> Iterator[httpx.Client]:
    with client(engine, admin_token) as http:
        yield http


@pytest.fixture(scope="session")
def viewer_token(engine: EngineProcess) -> str:
    result = engine.user("add", "viewer1", "--role", "viewer", password="viewer-secret-1")
    assert result.returncode == 0, result.stderr
    return login(engine, "viewer1@internal", "viewer-secret-1")


@pytest.fixture
def viewer(engine: EngineProcess, viewer_token: str) -> Iterator[httpx.Client]:
    with client(engine, viewer_token) as http:
        yield http


@pytest.fixture
def name() -> str:
    """A unique object name, so tests sharing one engine never collide."""
    return f"n{uuid.uuid4().hex[:8]}"


@pytest.fixture
def default_dc(api: httpx.Client) -> dict:
    return api.get("/datacenters", params={"search": "name=Default"}).json()["data_center"][0]


@pytest.fixture
def default_cluster(api: httpx.Client) -> dict:
    return api.get("/clusters", params={"search": "name=Default"}).json()["cluster"][0]

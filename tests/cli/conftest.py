"""One real engine for the CLI suite; `dcnet` runs the CLI in-process against it, with a session file
of its own, and `api` reads the engine directly so tests check what the API then holds."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import Result

from tests.cli.helpers import invoke
from tests.support.engine_process import ADMIN_PASSWORD, EngineProcess, client, login, start_engine

Run = Callable[..., Result]


@pytest.fixture(scope="session")
def engine() -> Iterator[EngineProcess]:
    yield from start_engine("sqlite")


def login_with_cli(engine: EngineProcess, config: Path) -> None:
    result = invoke(config, "login", "--url", engine.base_url, "--password-stdin", input=ADMIN_PASSWORD + "\n")
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def session_file(engine: EngineProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session shared by the tests that do not log out."""
    path = tmp_path_factory.mktemp("dcnet-shared") / "session.json"
    login_with_cli(engine, path)
    return path


@pytest.fixture
def dcnet(session_file: Path) -> Run:
    """`dcnet("network", "list")` -> the Result of running the CLI with the shared session."""

    def run(*args: str, input: str | None = None, env: dict[str, str | None] | None = None) -> Result:
        return invoke(session_file, *args, input=input, env=env)

    return run


@pytest.fixture
def own_session(engine: EngineProcess, tmp_path: Path) -> Path:
    """A session of this test alone (for tests that log out)."""
    path = tmp_path / "session.json"
    login_with_cli(engine, path)
    return path


@pytest.fixture(scope="session")
def admin_token(engine: EngineProcess) -> str:
    return login(engine)


@pytest.fixture
def api(engine: EngineProcess, admin_token: str) -> Iterator[httpx.Client]:
    """The engine seen directly, independent of the CLI."""
    with client(engine, admin_token) as http:
        yield http


@pytest.fixture
def name() -> str:
    """A unique object name, so tests sharing one engine never collide."""
    return f"c{uuid.uuid4().hex[:8]}"

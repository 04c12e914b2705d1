"""Real `dcnet-engine serve` processes on fresh databases (SQLite file or a new PostgreSQL database)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ADMIN_PASSWORD = "admin-secret-1"
ENGINE = [sys.executable, "-m", "dcnet.api.server"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A new, empty database URL; dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="dcnet-db-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'engine.db'}"
        return
    import psycopg

    admin_url = os.environ["DCNET_TEST_PG_URL"]
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"dcnet_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class EngineProcess:
    db_url: str
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/ovirt-engine/api"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def user(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        """Runs `dcnet-engine user ...` against this engine's database."""
        extra = ["--password-stdin"] if password is not None else []
        return subprocess.run(
            [*ENGINE, "user", *args, "--db", self.db_url, *extra],
            input=(password + "\n") if password is not None else None,
            capture_output=True,
            text=True,
            timeout=60,
        )


@contextmanager
def running_engine(
    db_url: str, *, extra_args: tuple[str, ...] = (), admin_password: str | None = ADMIN_PASSWORD
) -> Iterator[EngineProcess]:
    """Serves `db_url` on a free loopback port until the block ends."""
    env = {k: v for k, v in os.environ.items() if k != "DCNET_ADMIN_PASSWORD"}
    if admin_password is not None:
        env["DCNET_ADMIN_PASSWORD"] = admin_password
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="dcnet-engine-") as tmp:
        log_path = Path(tmp) / "engine.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*ENGINE, "serve", "--db", db_url, "--listen", f"127.0.0.1:{port}", *_state_dir(tmp), *extra_args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        engine = EngineProcess(db_url, f"http://127.0.0.1:{port}", process, log_path)
        try:
            wait_ready(engine)
            yield engine
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _state_dir(tmp: str) -> list[str]:
    """The engine's CA lives for the test's engine only."""
    return ["--state-dir", str(Path(tmp) / "state")]


def start_engine(kind: str, *, extra_args: tuple[str, ...] = ()) -> Iterator[EngineProcess]:
    """For session fixtures: `yield from start_engine("sqlite")`."""
    with fresh_database(kind) as url, running_engine(url, extra_args=extra_args) as engine:
        yield engine


def wait_ready(engine: EngineProcess, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if engine.process.poll() is not None:
            raise RuntimeError(f"engine exited with {engine.process.returncode}:\n{engine.log()}")
        try:
            if httpx.get(f"{engine.api_url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"engine did not become ready:\n{engine.log()}")


def login(engine: EngineProcess, username: str = "admin@internal", password: str = ADMIN_PASSWORD) -> str:
    answer = httpx.post(
        f"{engine.base_url}/ovirt-engine/sso/oauth/token",
        data={"grant_type": "password", "username": username, "password": password, "scope": "ovirt-app-api"},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def client(engine: EngineProcess, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=engine.api_url,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=30,
    )

"""A real `dcnet-agent` process (sim backend) on loopback, for the contract and enrollment over TLS."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.engine_process import free_port


@dataclass
class AgentProcess:
    port: int
    state_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def token(self) -> str:
        deadline = time.monotonic() + 20
        path = self.state_dir / "enrollment-token"
        while time.monotonic() < deadline:
            if path.exists():
                return path.read_text().strip()
            time.sleep(0.1)
        raise AssertionError(f"no enrollment token:\n{self.log()}")


def spawn_agent(state_dir: Path, *args: str, env: dict[str, str] | None = None) -> AgentProcess:
    port = free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "stdout.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dcnet.agent.main", "serve", "--backend", "sim", "--state-dir", str(state_dir),
             "--listen", f"127.0.0.1:{port}", *args],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )  # fmt: skip
    return AgentProcess(port, state_dir, process, log_path)


def stop(agent: AgentProcess) -> None:
    agent.process.terminate()
    try:
        agent.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        agent.process.kill()
        agent.process.wait()


@pytest.fixture
def agent_factory(tmp_path: Path) -> Iterator[callable]:  # type: ignore[valid-type]
    started: list[AgentProcess] = []

    def make(*args: str, env: dict[str, str] | None = None, name: str = "agent") -> AgentProcess:
        agent = spawn_agent(tmp_path / name, *args, env=env)
        started.append(agent)
        return agent

    yield make
    for agent in started:
        stop(agent)

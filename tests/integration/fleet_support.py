"""The engine's side of a simulated fleet for tests and benchmarks: start it (`dcnet-lab sim up`), enroll its
hosts with the test CA, make clients that talk to it over mutual TLS."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from dcnet.rpc import verbs
from dcnet.rpc.client import AgentClient, TlsFiles
from dcnet.rpc.errors import AgentError
from tests.integration.pki import EngineCA

T = TypeVar("T")


@dataclass
class Fleet:
    state_dir: Path
    inventory: dict[str, Any]
    ca: EngineCA
    engine_tls: ssl.SSLContext  # the engine's client certificate, trusting only the engine CA

    @property
    def hosts(self) -> list[dict[str, Any]]:
        hosts: list[dict[str, Any]] = self.inventory["hosts"]
        return hosts

    def url(self, host: dict[str, Any]) -> str:
        return f"https://{host['address']}:{host['port']}"

    def client(self, host: dict[str, Any], *, timeout: float = 10.0) -> AgentClient:
        return AgentClient(self.url(host), tls=self.engine_tls, timeout=timeout, max_connections=2)


def sim_up(state_dir: Path, count: int, port: int, *extra: str, timeout: float = 300) -> dict[str, Any]:
    """`dcnet-lab sim up` as a developer would run it; returns the inventory."""
    argv = [sys.executable, "-m", "dcnet.lab.cli", "sim", "up", str(count), "--state-dir", str(state_dir),
            "--port", str(port), "--fresh", *extra]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"sim up failed:\n{done.stdout}\n{done.stderr}"
    inventory: dict[str, Any] = json.loads((state_dir / "inventory.json").read_text())
    return inventory


def sim_down(state_dir: Path) -> None:
    subprocess.run([sys.executable, "-m", "dcnet.lab.cli", "sim", "down", "--state-dir", str(state_dir)], timeout=60)


def engine_context(ca: EngineCA, directory: Path) -> ssl.SSLContext:
    directory.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file, key_file = ca.client_files(directory)
    context: ssl.SSLContext = TlsFiles(str(ca_file), str(cert_file), str(key_file)).context()
    return context


def unverified_context() -> ssl.SSLContext:
    """Before enrollment the engine cannot know the host's self-signed certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def bounded(items: Iterable[T], work: Callable[[T], Awaitable[Any]], concurrency: int) -> list[Any]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(item: T) -> Any:
        async with semaphore:
            return await work(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


async def enroll(fleet: Fleet, host: dict[str, Any], unverified: ssl.SSLContext) -> None:
    """What the engine's add-host does: prove the token, hand over the CA, sign the CSR."""
    token = Path(host["token_file"]).read_text().strip()
    async with AgentClient(fleet.url(host), tls=unverified, max_connections=1) as client:
        begin = await client.call(verbs.BEGIN_ENROLLMENT, {"token": token, "caCertificate": fleet.ca.pem})
        signed = fleet.ca.sign_csr(begin["csr"])
        await client.call(verbs.COMPLETE_ENROLLMENT, {"token": token, "certificate": signed})


async def enroll_all(fleet: Fleet, concurrency: int = 100) -> float:
    """Enroll every host; returns the seconds it took."""
    unverified = unverified_context()
    started = time.monotonic()
    await bounded(fleet.hosts, lambda host: enroll(fleet, host, unverified), concurrency)
    return time.monotonic() - started


async def until_answers(client: AgentClient, timeout: float = 30.0) -> None:
    """Ping until the host answers (a host switches to mutual TLS a moment after enrollment; a crashed one
    restarts)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await client.ping2()
            return
        except AgentError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)

"""A real engine deploying real lab hosts: the engine process, a REST client with the waits the add-host
tests need, and lab hosts whose real agent waits for enrollment and is put back to the lab baseline
afterwards (host removed from the engine, agent stopped, dcnet's devices gone, DNS records restored).

Test modules import the fixtures they use from here: `engine_fixture` (as `engine`, one engine per
module on the session lab) and `hosts_fixture` (as `hosts`, a HostLab per test).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from dcnet.lab import Lab
from dcnet.lab.agents import serve_args
from tests.lab.agent_support import reset_host
from tests.support.engine_process import EngineProcess, client, fresh_database, login, running_engine

AGENT_PORT = 54321
# short waits so failures show quickly (the engine's defaults are 120 s / 120 s / 3 s)
ENGINE_TIMING = ("--agent-wait", "3", "--connectivity-timeout", "8", "--monitor-interval", "0.5")
ADD_TIMEOUT = 60.0
INSTALL_CODES = (42, 560, 561, 504)
MGMT_FAILURE_CODES = (1118, 1119, 1120, 1121)


def database_kind() -> str:
    """PostgreSQL when CI provides one (DCNET_TEST_PG_URL, as scripts/test does), else SQLite."""
    return "postgresql" if os.environ.get("DCNET_TEST_PG_URL") else "sqlite"


class EngineApi:
    """The REST calls and waits of the add-host tests, against one engine process."""

    def __init__(self, engine: EngineProcess, http: httpx.Client) -> None:
        self.engine = engine
        self.http = http

    # --- hosts ---------------------------------------------------------------------------------------
    def add_host(
        self,
        name: str,
        address: str,
        token: str,
        *,
        cluster: dict[str, str] | None = None,
        activate: bool = True,
        correlation_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        body = {
            **fields,
            "name": name,
            "address": address,
            "cluster": cluster or {"name": "Default"},
            "root_password": token,
            "port": AGENT_PORT,
        }
        answer = self.http.post(
            "/hosts",
            json=body,
            params=None if activate else {"activate": "false"},
            headers={"Correlation-Id": correlation_id} if correlation_id else None,
        )
        assert answer.status_code == 201, answer.text
        host: dict[str, Any] = answer.json()
        assert host["status"] == "installing", host
        return host

    def host(self, host_id: str) -> dict[str, Any]:
        answer = self.http.get(f"/hosts/{host_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def action(self, host_id: str, verb: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(f"/hosts/{host_id}/{verb}", json=body or {})

    def wait_status(self, host_id: str, statuses: set[str], timeout: float = ADD_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            host = self.host(host_id)
            if host["status"] in statuses:
                return host
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"host {host['name']} is {host['status']} ({host['status_detail']!r}) after {timeout} s, "
                    f"expected one of {sorted(statuses)}\n{self.describe(host_id)}"
                )
            time.sleep(0.1)

    def remove_host(self, host_id: str) -> None:
        """Deactivate (unless already in maintenance or install_failed), then DELETE."""
        answer = self.http.get(f"/hosts/{host_id}")
        if answer.status_code == 404:
            return
        host = answer.json()
        if host["status"] == "installing":
            host = self.wait_status(host_id, {s for s in STATUSES if s != "installing"})
        if host["status"] not in ("maintenance", "install_failed"):
            deactivated = self.action(host_id, "deactivate")
            assert deactivated.status_code == 200, deactivated.text
        removed = self.http.delete(f"/hosts/{host_id}")
        assert removed.status_code == 200, removed.text

    # --- events --------------------------------------------------------------------------------------
    def events_for(self, host_id: str) -> list[dict[str, Any]]:
        """The host's events, oldest first."""
        answer = self.http.get("/events")
        assert answer.status_code == 200, answer.text
        events = [e for e in answer.json()["event"] if (e.get("host") or {}).get("id") == host_id]
        return sorted(events, key=lambda e: int(e["index"]))

    def codes(self, host_id: str) -> list[int]:
        return [int(e["code"]) for e in self.events_for(host_id)]

    def event(self, host_id: str, code: int) -> dict[str, Any]:
        """The (last) event with this code; fails naming what the host has."""
        found = [e for e in self.events_for(host_id) if int(e["code"]) == code]
        assert found, f"no event {code} for the host\n{self.describe(host_id)}"
        return found[-1]

    def wait_event(self, host_id: str, code: int, timeout: float = ADD_TIMEOUT, poll: float = 0.1) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events_for(host_id) if int(e["code"]) == code]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no event {code} after {timeout} s\n{self.describe(host_id)}")
            time.sleep(poll)

    # --- what the host reports -----------------------------------------------------------------------
    def attachments(self, host_id: str) -> dict[str, dict[str, Any]]:
        """Network name → network attachment."""
        answer = self.http.get(f"/hosts/{host_id}/networkattachments")
        assert answer.status_code == 200, answer.text
        return {a["network"]["name"]: a for a in answer.json()["network_attachment"]}

    def nics(self, host_id: str) -> dict[str, dict[str, Any]]:
        answer = self.http.get(f"/hosts/{host_id}/nics")
        assert answer.status_code == 200, answer.text
        return {n["name"]: n for n in answer.json()["host_nic"]}

    def describe(self, host_id: str) -> str:
        lines = [f"  {e['code']} {e['description']}" for e in self.events_for(host_id)]
        log = self.engine.log()[-4000:]
        return "events:\n" + "\n".join(lines) + f"\nengine log (tail):\n{log}"

    # --- data centers, clusters, networks ------------------------------------------------------------
    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(path, json=body)
        assert answer.status_code in (200, 201), f"POST {path}: {answer.status_code} {answer.text}"
        return answer.json()  # type: ignore[no-any-return]

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.put(path, json=body)
        assert answer.status_code == 200, f"PUT {path}: {answer.status_code} {answer.text}"
        return answer.json()  # type: ignore[no-any-return]

    def cluster_networks(self, cluster_id: str) -> dict[str, dict[str, Any]]:
        answer = self.http.get(f"/clusters/{cluster_id}/networks")
        assert answer.status_code == 200, answer.text
        return {n["name"]: n for n in answer.json()["network"]}

    def new_cluster(self, name: str, version: dict[str, int] | None = None, **cluster: Any) -> dict[str, Any]:
        """A new data center `name` (it gets its own ovirtmgmt) and a cluster of the same name in it."""
        dc_body: dict[str, Any] = {"name": name}
        if version is not None:
            dc_body["version"] = version
            cluster = {"version": version, **cluster}
        dc = self.post("/datacenters", dc_body)
        return self.post("/clusters", {"name": name, "data_center": {"id": dc["id"]}, **cluster})


STATUSES = {
    "installing", "initializing", "up", "maintenance", "non_responsive", "non_operational", "install_failed",
}  # fmt: skip


@contextmanager
def engine_api(dns_server: str, kind: str | None = None) -> Iterator[EngineApi]:
    """A fresh engine process resolving host names at `dns_server`, and an admin client."""
    args = ("--dns-server", dns_server, *ENGINE_TIMING)
    with (
        fresh_database(kind or database_kind()) as url,
        running_engine(url, extra_args=args) as engine,
        client(engine, login(engine)) as http,
    ):
        yield EngineApi(engine, http)


@dataclass
class Agent:
    host: str
    state_dir: Path
    token: str

    @property
    def log(self) -> Path:
        return self.state_dir / "agent.log"

    def setup_networks_calls(self) -> int:
        """How many `Host.setupNetworks` the engine sent this agent (its transaction log; the management
        network an agent builds itself at enrollment is logged with correlation enrollment-bootstrap)."""
        if not self.log.exists():
            return 0
        lines = self.log.read_text().splitlines()
        return sum(1 for line in lines if "setupNetworks:" in line and "correlation=enrollment-bootstrap" not in line)

    def bootstrapped(self) -> bool:
        """The agent built the management network itself at enrollment (legacy cluster, node host)."""
        return self.log.exists() and "correlation=enrollment-bootstrap] setupNetworks:" in self.log.read_text()


class HostLab:
    """Per test: agents on lab hosts, hosts added to the engine, DNS records; all undone by `cleanup()`."""

    def __init__(self, lab: Lab, api: EngineApi, tmp: Path) -> None:
        self.lab = lab
        self.api = api
        self.tmp = tmp
        self._hosts: list[str] = []
        self._agents: list[Agent] = []
        self._dns_added: list[tuple[str, str]] = []
        self._dns_removed: list[tuple[str, str]] = []
        self._leases: list[tuple[str, str]] = []
        self._count = 0

    def start_agent(
        self, host: str, *, extra: tuple[str, ...] = (), state_dir: Path | None = None, address: str | None = None
    ) -> Agent:
        """The real agent on the real backend in enrollment mode (a fresh state dir unless given); waits
        for its token and its TLS listener (at `address`, by default the host's lab IPv4)."""
        if state_dir is None:
            self._count += 1
            state_dir = self.tmp / f"agent-{host}-{self._count}"
        state_dir.mkdir(parents=True, exist_ok=True)
        token_file = state_dir / "enrollment-token"
        self.lab.start_agent(host, [*serve_args(state_dir, insecure=False), *extra])
        agent = Agent(host, state_dir, "")
        self._agents.append(agent)
        deadline = time.monotonic() + 30
        while True:
            ready = (not token_file.exists() or token_file.read_text().strip()) and _listening(
                address or self.lab.host(host).ipv4
            )
            if ready:
                break
            if time.monotonic() > deadline or self.lab.agent_pid(host) is None:
                raise AssertionError(f"agent on {host} did not start:\n{self.lab.agent_log(host).read_text()[-3000:]}")
            time.sleep(0.05)
        agent.token = token_file.read_text().strip() if token_file.exists() else ""
        return agent

    def restart_agent(self, agent: Agent) -> Agent:
        self.lab.stop_agent(agent.host)
        return self.start_agent(agent.host, state_dir=agent.state_dir)

    def add_host(self, name: str, address: str, token: str, **kwargs: Any) -> dict[str, Any]:
        host = self.api.add_host(name, address, token, **kwargs)
        self._hosts.append(host["id"])
        return host

    def add_dns(self, name: str, address: str) -> None:
        if address not in self.lab.dns_records(name):
            self._dns_added.append((name, address))
        self.lab.add_dns_record(name, address)

    def remove_dns(self, name: str, address: str) -> None:
        if address in self.lab.dns_records(name):
            self._dns_removed.append((name, address))
        self.lab.remove_dns_record(name, address)

    def dhcp_lease(self, host: str, nic: str) -> None:
        self._leases.append((host, nic))
        self.lab.dhcp_lease(host, nic)

    def forget_host(self, host_id: str) -> None:
        """The test removed it itself."""
        self._hosts.remove(host_id)

    def cleanup(self) -> None:
        errors = []
        for host_id in self._hosts:
            try:
                self.api.remove_host(host_id)
            except AssertionError as error:
                errors.append(str(error))
        for host, nic in self._leases:
            self.lab.dhcp_release(host, nic)
        for agent in self._agents:
            self.lab.stop_agent(agent.host)
            reset_host(self.lab, agent.host, str(agent.state_dir))
        for h in self.lab.hosts:  # also hosts a test changed before it started an agent there
            reset_host(self.lab, h.name, str(self.tmp / "no-agent"))
        for name, address in self._dns_added:
            self.lab.remove_dns_record(name, address)
        for name, address in self._dns_removed:
            self.lab.add_dns_record(name, address)
        assert not errors, errors


def _listening(address: str) -> bool:
    try:
        with socket.create_connection((address, AGENT_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(name="engine", scope="module")
def engine_fixture(lab: Lab) -> Iterator[EngineApi]:
    """One engine for the module, resolving host names at the session lab's DNS."""
    with engine_api(lab.dns_server) as api:
        yield api


@pytest.fixture(name="hosts")
def hosts_fixture(lab: Lab, engine: EngineApi, tmp_path: Path) -> Iterator[HostLab]:
    made = HostLab(lab, engine, tmp_path)
    try:
        yield made
    finally:
        made.cleanup()

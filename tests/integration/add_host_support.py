"""An engine process and a simulated fleet side by side, as a user runs them: the engine resolves sim<i>.lab.test
through the fleet's DNS and enrolls the hosts itself. Faults are injected through one extra sim host (sim0)
that the test enrolls with a CA of its own and that acts on the others with `Test.hook target=`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from dcnet.rpc import verbs
from tests.integration.fleet_support import Fleet, engine_context, enroll, sim_down, sim_up, unverified_context
from tests.integration.pki import EngineCA
from tests.support.engine_process import EngineProcess, client, free_port, fresh_database, login, running_engine

SETTLED = ("up", "maintenance", "non_operational", "non_responsive", "install_failed")
# short waits through the engine's flags, never by sleeping out its defaults
ENGINE_FLAGS = ("--agent-wait", "3", "--connectivity-timeout", "5", "--monitor-interval", "0.5")
CONTROL = 0  # the sim host the test itself enrolls, to reach Test.hook


@dataclass
class Lab:
    engine: EngineProcess
    fleet: Fleet
    api: httpx.Client

    def entry(self, index: int) -> dict[str, Any]:
        found = self.fleet.hosts[index]
        assert found["name"] == f"sim{index}"
        return found

    def token(self, index: int) -> str:
        return Path(self.entry(index)["token_file"]).read_text().strip()

    def add(
        self,
        index: int,
        *,
        cluster: str = "Default",
        token: str | None = None,
        correlation: str | None = None,
        activate: bool = True,
    ) -> dict[str, Any]:
        """POST /hosts for sim<index> by its DNS name, with its enrollment token."""
        entry = self.entry(index)
        body = {
            "name": entry["name"],
            "address": entry["fqdn"],
            "port": entry["port"],
            "cluster": {"name": cluster},
            "root_password": token if token is not None else self.token(index),
        }
        headers = {"Correlation-Id": correlation} if correlation else {}
        params = {} if activate else {"activate": "false"}
        answer = self.api.post("/hosts", json=body, headers=headers, params=params)
        assert answer.status_code == 201, answer.text
        host: dict[str, Any] = answer.json()
        return host

    def hook(self, target: int, action: str, **params: Any) -> None:
        """Test.hook on sim<target>, sent through the control host."""

        async def send() -> None:
            async with self.fleet.client(self.entry(CONTROL)) as agent:
                await agent.call(verbs.TEST_HOOK, {"action": action, "target": f"sim{target}", **params})

        asyncio.run(send())

    def host(self, host_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api.get(f"/hosts/{host_id}").json()
        return found

    def wait_status(self, host_id: str, *wanted: str, timeout: float = 60.0) -> dict[str, Any]:
        """The host once it is in one of `wanted` (default: any settled status)."""
        statuses = wanted or SETTLED
        deadline = time.monotonic() + timeout
        while True:
            host = self.host(host_id)
            if host["status"] in statuses:
                return host
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"host {host['name']} is {host['status']} ({host['status_detail']}), not {statuses}"
                )
            time.sleep(0.1)

    def events(self, correlation: str) -> list[dict[str, Any]]:
        """A request's events, oldest first."""
        found = self.api.get("/events", params={"search": f"correlation_id={correlation}"}).json()["event"]
        return sorted(found, key=lambda e: e["index"])

    def newest_event(self) -> int:
        newest: int = self.api.get("/events", params={"max": 1}).json()["event"][0]["index"]
        return newest

    def host_events(self, host_id: str, since: int) -> list[dict[str, Any]]:
        """Every event about the host after event `since`, oldest first."""
        found = self.api.get("/events", params={"from": since}).json()["event"]
        return sorted((e for e in found if e.get("host", {}).get("id") == host_id), key=lambda e: e["index"])

    def wait_event(self, host_id: str, code: int, since: int, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.host_events(host_id, since):
                if event["code"] == code:
                    return event
            if time.monotonic() > deadline:
                codes = [e["code"] for e in self.host_events(host_id, since)]
                raise AssertionError(f"no event {code} for host {host_id} since {since}; saw {codes}")
            time.sleep(0.1)

    def attachments(self, host_id: str) -> dict[str, dict[str, Any]]:
        found = self.api.get(f"/hosts/{host_id}/networkattachments").json()["network_attachment"]
        return {a["network"]["name"]: a for a in found}

    def nics(self, host_id: str) -> dict[str, dict[str, Any]]:
        return {n["name"]: n for n in self.api.get(f"/hosts/{host_id}/nics").json()["host_nic"]}


def codes(events: Iterable[dict[str, Any]]) -> list[int]:
    return [e["code"] for e in events]


@contextmanager
def running_lab(database: str, state: Path, count: int, topology: Path | None) -> Iterator[Lab]:
    """A fresh fleet of `count` sim hosts (Test.hook on) and an engine on a fresh `database` using its DNS."""
    extra = ("--topology", str(topology)) if topology is not None else ()
    inventory = sim_up(state, count, free_port(), "--test-hooks", *extra)
    try:
        ca = EngineCA.create("control CA")
        fleet = Fleet(state, inventory, ca, engine_context(ca, state / "control"))
        asyncio.run(enroll(fleet, fleet.hosts[CONTROL], unverified_context()))
        dns = f"{inventory['dns']['server']}:{inventory['dns']['port']}"
        with (
            fresh_database(database) as url,
            running_engine(url, extra_args=("--dns-server", dns, *ENGINE_FLAGS)) as engine,
            client(engine, login(engine)) as api,
        ):
            yield Lab(engine, fleet, api)
    finally:
        sim_down(state)

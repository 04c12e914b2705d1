"""bench.add_host: how long adding a host takes until it is up, and how that scales.

    python -m bench.add_host [LAB_HOSTS [FLEET_HOSTS]]     (defaults 10 and 1000; root for the lab part)

Lab part: a lab of LAB_HOSTS real namespace hosts (IPv4 only: the lab's IPv6 address is removed; static
addresses), each with a real agent in enrollment mode, and an engine (SQLite, the lab's DNS). The hosts are
added one after another; for each, the seconds from POST /hosts to status up (enrollment, capabilities, the
management bridge built with a confirmed setupNetworks, persisted, monitoring). Figure: median_s (goal <= 3 s;
oVirt's flow waited for fixed timeouts and a reboot).

Fleet part: a simulated fleet of FLEET_HOSTS + 1 hosts and a fresh engine: one host added alone (t_one),
then FLEET_HOSTS added at once (50 POSTs in flight): wall time until all are up (t_all). Figure: ratio_1000 =
t_all / t_one (what a fleet costs compared with one host, in the same run).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tests.integration.fleet_support import sim_down, sim_up
from tests.support.engine_process import fresh_database, login, running_engine

from bench.common import report

POLL = 0.05


def _say(text: str) -> None:
    print(f"bench.add_host: {text}", file=sys.stderr, flush=True)


def _figure(position: int, default: int) -> int:
    return int(sys.argv[position]) if len(sys.argv) > position else default


async def _add_and_wait(api: httpx.AsyncClient, body: dict[str, Any], timeout: float = 300) -> float:
    start = time.perf_counter()
    answer = await api.post("/hosts", json=body)
    assert answer.status_code == 201, answer.text
    host_id = answer.json()["id"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = (await api.get(f"/hosts/{host_id}")).json()["status"]
        if status == "up":
            return time.perf_counter() - start
        if status in ("non_operational", "non_responsive", "install_failed"):
            raise AssertionError(f"{body['name']} ended {status}")
        await asyncio.sleep(POLL)
    raise AssertionError(f"{body['name']} not up within {timeout} s")


def _api(engine: Any, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=engine.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=120,
        limits=httpx.Limits(max_connections=60),
    )  # fmt: skip


def lab_part(count: int) -> list[float]:
    from dcnet.lab import Lab
    from dcnet.lab.agents import serve_args

    lab = Lab(prefix="bah", net=93, n=count, nics=1)
    lab.up()
    try:
        for host in lab.hosts:
            lab.exec(host, "ip", "-6", "addr", "flush", "dev", "eth0", "scope", "global")
            lab.start_agent(host, serve_args(lab.state_dir / "agents" / host.name, insecure=False))
        args = ("--dns-server", lab.dns_server, "--connectivity-timeout", "20")
        with fresh_database("sqlite") as url, running_engine(url, extra_args=args) as engine:
            token = login(engine)

            async def run() -> list[float]:
                async with _api(engine, token) as api:
                    times = []
                    for host in lab.hosts:
                        token_file = lab.state_dir / "agents" / host.name / "enrollment-token"
                        for _ in range(100):
                            if token_file.exists():
                                break
                            await asyncio.sleep(0.1)
                        body = {"name": host.name, "address": host.fqdn, "cluster": {"name": "Default"},
                                "root_password": token_file.read_text().strip()}  # fmt: skip
                        seconds = await _add_and_wait(api, body)
                        _say(f"{host.name} up in {seconds:.2f} s")
                        times.append(seconds)
                    return times

            return asyncio.run(run())
    finally:
        lab.down()


def fleet_part(count: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-add-host-") as tmp:
        state = Path(tmp) / "fleet"
        inventory = sim_up(state, count + 1, 54333, "--base", "127.3.0.1")
        try:
            dns = f"{inventory['dns']['server']}:{inventory['dns']['port']}"
            with fresh_database("sqlite") as url, running_engine(url, extra_args=("--dns-server", dns)) as engine:
                token = login(engine)
                hosts = inventory["hosts"]

                def body(host: dict[str, Any]) -> dict[str, Any]:
                    return {"name": host["name"], "address": host["fqdn"], "port": host["port"],
                            "cluster": {"name": "Default"},
                            "root_password": Path(host["token_file"]).read_text().strip()}  # fmt: skip

                async def run() -> tuple[float, float]:
                    async with _api(engine, token) as api:
                        one = await _add_and_wait(api, body(hosts[0]))
                        _say(f"one sim host up in {one:.2f} s; adding {count} at once")
                        limit = asyncio.Semaphore(50)

                        async def added(host: dict[str, Any]) -> float:
                            async with limit:
                                answer = await api.post("/hosts", json=body(host))
                                assert answer.status_code == 201, answer.text
                            return 0.0

                        start = time.perf_counter()
                        await asyncio.gather(*(added(h) for h in hosts[1:]))
                        while True:
                            listing = (await api.get("/hosts")).json()["host"]
                            statuses = [h["status"] for h in listing]
                            if statuses.count("up") == len(hosts):
                                break
                            bad = [
                                h["name"] for h in listing if h["status"] not in ("up", "installing", "initializing")
                            ]
                            assert not bad, f"hosts failed: {bad[:5]}"
                            await asyncio.sleep(0.5)
                        return one, time.perf_counter() - start

                return asyncio.run(run())
        finally:
            sim_down(state)


def main() -> None:
    lab_hosts, fleet_hosts = _figure(1, 10), _figure(2, 1000)
    figures: dict[str, float | int | str] = {}
    if os.geteuid() == 0 and lab_hosts > 0:
        times = lab_part(lab_hosts)
        figures["median_s"] = statistics.median(times)
        figures["max_s"] = max(times)
    else:
        _say("not root: lab part skipped")
    one, everything = fleet_part(fleet_hosts)
    figures = {"ratio_1000": everything / one, **figures, "one_s": one, "all_s": everything, "fleet": fleet_hosts}
    report("add_host", figures)
    print(json.dumps(figures), file=sys.stderr)


if __name__ == "__main__":
    main()

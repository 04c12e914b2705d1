"""bench.sim_fleet: a fleet of sim hosts in one process against the engine's client, as a ratio to a bare
HTTPS JSON echo server (bench/echo_server.py) driven the same way in the same run.

    python -m bench.sim_fleet [HOSTS [CALLS [CONCURRENCY]]]     (defaults 10000 100000 1000; or the
                                                                 SIM_HOSTS / SIM_CALLS / SIM_CONCURRENCY env)

Starts `dcnet-agent serve --backend sim --fleet HOSTS`, enrolls every host with a throw-away engine CA, then
makes CALLS Host.ping2 round trips through dcnet.rpc.client.AgentClient, CONCURRENCY at a time: a worker
takes the next host, opens a client for it (one mutual-TLS handshake per host), makes CALLS/HOSTS calls and
closes it. The echo server then listens on the same addresses with the same TLS settings and gets the same
calls from new clients. Figures: ratio_vs_echo (wall time fleet / echo; goal <= 2), cpu_ratio_vs_echo (server
CPU per call), rss_per_host_kb (the fleet's RSS after the calls / hosts), enroll_s (all hosts, 200 at a time;
the engine side's Python client is most of it), startup_s.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop
from tests.integration.fleet_support import Fleet, engine_context, enroll_all
from tests.integration.pki import EngineCA

from bench.common import report
from dcnet.agent.fleet.serve import raise_open_files
from dcnet.rpc import verbs
from dcnet.rpc.client import AgentClient
from dcnet.rpc.models import Ping2Result

BASE = "127.2.0.1"
PORT = 54331
CALL_TIMEOUT = 120.0  # the first round queues thousands of handshakes behind one another


def _figure(position: int, env: str, default: int) -> int:
    return int(sys.argv[position]) if len(sys.argv) > position else int(os.environ.get(env, default))


def _say(text: str) -> None:
    print(f"bench.sim_fleet: {text}", file=sys.stderr, flush=True)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_fleet(state: Path, hosts: int) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    ready = state / "fleet.json"
    with (state.parent / "fleet.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dcnet.agent.main", "serve", "--backend", "sim", "--fleet", str(hosts),
             "--fleet-base", BASE, "--listen", f"[::]:{PORT}", "--state-dir", str(state)],
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    deadline = time.monotonic() + 120 + hosts / 50
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            sys.exit(f"the fleet did not start; see {state.parent / 'fleet.log'}")
        time.sleep(0.2)
    inventory: dict[str, Any] = json.loads(ready.read_text())
    return process, inventory


def start_echo(directory: Path, ca: EngineCA, hosts: int) -> subprocess.Popen[bytes]:
    directory.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file, key_file = ca.client_files(directory, name="echo")  # a CA-signed cert, like the hosts'
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.echo_server", "--base", BASE, "--count", str(hosts), "--port", str(PORT),
         "--cert", str(cert_file), "--key", str(key_file), "--ca", str(ca_file)],
        stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert process.stdout is not None
    if process.stdout.readline().strip() != b"ready":
        _stop(process)
        sys.exit("the echo server did not start")
    return process


async def calls(fleet: Fleet, count: int, concurrency: int) -> float:
    """`count` ping2 round trips, `concurrency` at a time. Each worker takes the next host, opens the engine's
    client for it (a mutual-TLS handshake), makes the host's share of the calls over that connection and
    closes it: at most `concurrency` connections are open, as this machine's hard limit of 20,000 file
    descriptors cannot hold 10,000 listeners plus 10,000 idle connections."""
    hosts = fleet.hosts
    share, extra = divmod(count, len(hosts))
    order = iter(range(len(hosts)))

    async def worker() -> None:
        for index in order:  # one iterator shared by all workers: each host is taken once
            if share + (index < extra) == 0:
                break
            async with AgentClient(fleet.url(hosts[index]), tls=fleet.engine_tls, max_connections=1) as client:
                for _ in range(share + (index < extra)):
                    Ping2Result.model_validate(await client.call(verbs.PING2, timeout=CALL_TIMEOUT))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def main() -> None:
    hosts = _figure(1, "SIM_HOSTS", 10000)
    count = _figure(2, "SIM_CALLS", 100000)
    concurrency = _figure(3, "SIM_CONCURRENCY", 1000)
    raise_open_files(2 * hosts + 1024)
    root = Path(tempfile.mkdtemp(prefix="bench-sim-fleet-"))
    ca = EngineCA.create()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        started = time.monotonic()
        process, inventory = start_fleet(root / "fleet", hosts)
        startup = time.monotonic() - started
        _say(f"{hosts} sim hosts up in {startup:.1f} s")
        fleet = Fleet(root, inventory, ca, engine_context(ca, root / "engine"))
        try:
            cpu = _cpu_seconds(process.pid)
            enroll = runner.run(enroll_all(fleet, concurrency=200))
            enroll_cpu = _cpu_seconds(process.pid) - cpu
            _say(f"enrolled in {enroll:.1f} s; {count} calls to the fleet")
            time.sleep(1.0)  # every host switches to mutual TLS 0.3 s after its enrollment
            cpu = _cpu_seconds(process.pid)
            fleet_seconds = runner.run(calls(fleet, count, concurrency))
            fleet_cpu = _cpu_seconds(process.pid) - cpu
            rss = _rss_kb(process.pid)
        finally:
            _stop(process)
        _say(f"fleet: {fleet_seconds:.1f} s; the same calls to the echo server")
        echo = start_echo(root / "echo", ca, hosts)
        try:
            cpu = _cpu_seconds(echo.pid)
            echo_seconds = runner.run(calls(fleet, count, concurrency))
            echo_cpu = _cpu_seconds(echo.pid) - cpu
        finally:
            _stop(echo)
    shutil.rmtree(root, ignore_errors=True)
    report(
        "sim_fleet",
        {
            "ratio_vs_echo": fleet_seconds / echo_seconds,
            "cpu_ratio_vs_echo": fleet_cpu / echo_cpu,
            "rss_per_host_kb": rss / hosts,
            "hosts": hosts,
            "calls": count,
            "concurrency": concurrency,
            "fleet_s": fleet_seconds,
            "echo_s": echo_seconds,
            "fleet_calls_per_s": count / fleet_seconds,
            "echo_calls_per_s": count / echo_seconds,
            "fleet_cpu_ms_per_call": fleet_cpu / count * 1000,
            "echo_cpu_ms_per_call": echo_cpu / count * 1000,
            "enroll_s": enroll,
            "fleet_enroll_cpu_ms_per_host": enroll_cpu / hosts * 1000,
            "startup_s": startup,
        },
    )


if __name__ == "__main__":
    main()

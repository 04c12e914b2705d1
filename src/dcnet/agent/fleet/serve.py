"""`dcnet-agent serve --backend sim --fleet N`: the fleet process (limits, logging, hosts, event loop, ready file).

Host i is sim<i> on address BASE+i (all of 127.0.0.0/8 is local on Linux, so nothing needs setting up),
port PORT, state in STATE_DIR/hosts/sim<i>. When every host listens, STATE_DIR/fleet.json lists them
(name, fqdn, address, port, token file): it is the "ready" signal for scripts and tests."""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import json
import logging
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dcnet.agent.fleet.host import SimHost
from dcnet.agent.fleet.server import CURRENT_HOST, FleetServer
from dcnet.agent.fleet.topology import Topology, TopologyError, load_topology
from dcnet.agent.persistence import write_atomic

READY_FILE = "fleet.json"
log = logging.getLogger("dcnet.agent.fleet")


class FleetError(RuntimeError):
    """The fleet cannot start as asked."""


def fleet_addresses(base: str, count: int) -> list[str]:
    """BASE, BASE+1, ...: all inside 127.0.0.0/8, where no address needs configuring."""
    try:
        first = ipaddress.IPv4Address(base)
    except ValueError:
        raise FleetError(f"--fleet-base must be an IPv4 address, got {base!r}") from None
    loopback = ipaddress.IPv4Network("127.0.0.0/8")
    if count < 1 or first not in loopback or first + (count - 1) not in loopback:
        raise FleetError(f"{count} hosts from {first} do not fit in {loopback}")
    return [str(first + index) for index in range(count)]


def raise_open_files(needed: int) -> int:
    """Soft limit up to the hard one; as root, the hard one too if it is lower than `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            return needed
        except (ValueError, OSError):
            pass
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard if hard != resource.RLIM_INFINITY else needed


def build_hosts(root: Path, addresses: list[str], topology: Topology, *, secure: bool) -> list[SimHost]:
    """Key, certificate, TLS context and token files per host: a few ms each, on two threads per core (OpenSSL
    and file writes let go of the GIL)."""
    specs = [topology.spec(index) for index in range(len(addresses))]
    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as pool:
        return list(
            pool.map(
                lambda index: SimHost(index, addresses[index], root, specs[index], secure=secure),
                range(len(addresses)),
                chunksize=64,
            )
        )


class _HostField(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.simhost = CURRENT_HOST.get()
        return True


def setup_logging(state_dir: Path) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr), logging.FileHandler(state_dir / "agent.log")]
    for handler in handlers:
        handler.addFilter(_HostField())
    logging.basicConfig(
        level=os.environ.get("DCNET_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s [%(simhost)s]: %(message)s",
        handlers=handlers,
    )


def serve_fleet(
    state_dir: Path, count: int, base: str, port: int, topology_file: Path | None, *, insecure: bool
) -> None:
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    setup_logging(state_dir)
    ready = state_dir / READY_FILE
    ready.unlink(missing_ok=True)
    addresses = fleet_addresses(base, count)
    if not 0 < port < 65536:
        raise FleetError(f"a fleet needs a fixed port, got {port}")
    try:
        topology = load_topology(topology_file) if topology_file else Topology()
    except (TopologyError, OSError) as exc:
        raise FleetError(str(exc)) from None
    limit = raise_open_files(3 * count + 512)
    if limit < 2 * count + 64:
        log.warning("open files limited to %d: fewer than two per host; connections may be refused", limit)
    started = time.monotonic()
    hosts = build_hosts(state_dir, addresses, topology, secure=not insecure)
    gc.collect()
    gc.freeze()  # the hosts live as long as the process: keep the collector from rescanning them
    log.info("%d sim hosts built in %.1f s", count, time.monotonic() - started)
    _run(_serve(FleetServer(hosts, port, secure=not insecure), ready, started))
    _exit_despite_changes_in_progress()


def _exit_despite_changes_in_progress() -> None:
    """Idle worker threads end at once; one still in a change (waiting for a confirmation that will not come)
    would hold the process for up to its connectivity timeout. Leave instead, like hosts losing power: the
    journals stay open and the hosts roll back at the next start."""
    deadline = time.monotonic() + 1.0
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    busy = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if busy:
        log.warning("%d changes in progress stay open; their hosts roll them back at the next start", len(busy))
        logging.shutdown()
        os._exit(0)


def _run(main: Any) -> None:
    factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        pass
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main)


async def _serve(server: FleetServer, ready: Path, started: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    write_atomic(ready, json.dumps(_inventory(server), indent=1) + "\n", mode=0o644, durable=False)
    hosts = server.hosts
    mode = "plain HTTP (--insecure-dev)" if not server.secure else "HTTPS, enrollment per host"
    print(
        f"dcnet-agent fleet: {len(hosts)} sim hosts on {hosts[0].address}..{hosts[-1].address} port {server.port}, "
        f"{mode}; ready in {time.monotonic() - started:.1f} s; hosts in {ready}",
        flush=True,
    )
    await stop.wait()
    log.info("stopping the fleet")
    ready.unlink(missing_ok=True)
    await server.stop()


def _inventory(server: FleetServer) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "port": server.port,
        "scheme": "https" if server.secure else "http",
        "hosts": [
            {
                "name": host.name,
                "fqdn": host.fqdn,
                "address": host.address,
                "port": server.port,
                "token_file": str(host.token_path) if host.token_path is not None else None,
                "enrolled": host.agent.enrolled,
            }
            for host in server.hosts
        ],
    }

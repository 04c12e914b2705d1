"""Host monitoring: `Host.ping2` to every deployed host each cycle; capabilities when the agent's change
counter moved (or a refresh was asked for); statuses up / non_operational / non_responsive follow."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from dcnet.domain.entities import Host, HostStatus
from dcnet.domain.events import AuditLog
from dcnet.engine import host_network
from dcnet.engine.audit import record
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.resolver import ResolveError
from dcnet.rpc import verbs
from dcnet.rpc.errors import AgentError
from dcnet.store.repositories import Store

log = logging.getLogger("dcnet.engine.monitoring")
POLLED = (*host_network.MONITORED, HostStatus.MAINTENANCE)


async def run(runtime: HostRuntime) -> None:
    """A full cycle every interval; in between, only the hosts someone asked to refresh (a finished install,
    /refresh, /activate), so a thousand installs finishing do not make a thousand full cycles."""
    loop = asyncio.get_running_loop()
    next_full = loop.time()
    while True:
        full = loop.time() >= next_full
        if full:
            next_full = loop.time() + runtime.settings.monitor_interval
        try:
            await cycle(runtime, full=full)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("monitoring cycle failed")
        await runtime.wait_wake(max(0.0, next_full - loop.time()))


def _targets(store: Store, only: set[str] | None) -> list[tuple[Host, int | None]]:
    counters = store.host_reports.counters()
    return [
        (host, counters.get(host.id))
        for host in store.hosts.list()
        if host.enrolled and host.status in POLLED and (only is None or host.id in only)
    ]


async def cycle(runtime: HostRuntime, *, full: bool = True) -> None:
    wanted, runtime.refresh_wanted = runtime.refresh_wanted, set()
    if not full and not wanted:
        return
    targets = await runtime.read(lambda store: _targets(store, None if full else wanted))
    limit = asyncio.Semaphore(runtime.settings.monitor_concurrency)

    async def one(host: Host, counter: int | None) -> None:
        if host.id in runtime.busy:
            if host.id in wanted:
                runtime.refresh_wanted.add(host.id)  # still busy: refresh once it is done
            return
        async with limit:
            await monitor_host(runtime, host, counter, refresh=host.id in wanted)

    await asyncio.gather(*(one(host, counter) for host, counter in targets))


async def refresh_now(runtime: HostRuntime, host_id: str) -> None:
    """/refresh: the host's capabilities fetched and recorded before the call returns (after a running deploy
    or network change, when that one is busy with the host)."""
    if host_id in runtime.busy:
        runtime.request_refresh(host_id)
        return

    def read(store: Store) -> tuple[Host | None, int | None]:
        report = store.host_reports.get(host_id)
        return store.hosts.get(host_id), report.change_counter if report else None

    host, counter = await runtime.read(read)
    if host is not None:
        await monitor_host(runtime, host, counter, refresh=True)


async def monitor_host(runtime: HostRuntime, host: Host, counter: int | None, *, refresh: bool) -> None:
    try:
        client = await runtime.connections.client(host)
        pong = await client.call(verbs.PING2, timeout=runtime.settings.ping_timeout)
        moved = int(pong.get("changeCounter", -1)) != counter
        needs_caps = refresh or moved or host.status in (HostStatus.INITIALIZING, HostStatus.NON_RESPONSIVE)
        caps = (await client.get_capabilities()).model_dump() if needs_caps else None
    except (AgentError, ResolveError) as error:
        reason = str(error)
        await runtime.connections.forget(host.id)
        await runtime.write(lambda store: _unreachable(runtime, store, host, reason))
        return
    if caps is not None:
        await runtime.write(lambda store: _reported(runtime, store, host, caps))


def _unreachable(runtime: HostRuntime, store: Store, host: Host, reason: str) -> None:
    current = store.hosts.get(host.id)
    if current is None or current.status not in host_network.MONITORED or current.status == HostStatus.NON_RESPONSIVE:
        return
    log.warning("host %s does not answer: %s", host.name, reason)
    ctx = runtime.system_context()
    record(store, ctx, AuditLog.VDS_FAILURE, {"VdsName": host.name}, host_network.where(store, host))
    store.hosts.update_runtime(host.id, status=HostStatus.NON_RESPONSIVE, status_detail=f"not responding: {reason}")


def _reported(runtime: HostRuntime, store: Store, host: Host, caps: dict[str, Any]) -> None:
    current = store.hosts.get(host.id)
    if current is None or current.status not in POLLED:
        return
    host_network.save_report(store, current, caps)
    current = store.hosts.get(host.id) or current
    ctx = runtime.system_context()
    host_network.settle_status(store, ctx, current, caps, runtime.out_of_sync.get(host.id, set()))
    runtime.out_of_sync[host.id] = set(host_network.compliance(store, current, caps).out_of_sync)

"""Commit a host's network configuration, and sync out-of-sync networks on a host or a whole cluster
(host-network-setup.md §5, §8): sync pushes the data center's definition through setup networks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from dcnet.domain.entities import Host
from dcnet.domain.errors import DomainError
from dcnet.domain.events import AuditLog
from dcnet.domain.messages import violation
from dcnet.engine import host_network, host_setup, refs
from dcnet.engine.audit import Refs, record
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.resolver import ResolveError
from dcnet.rpc.errors import AgentError
from dcnet.store.repositories import Store


@dataclass(frozen=True)
class HostResult:
    host_id: str
    host_name: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"host": {"id": self.host_id, "name": self.host_name}, "ok": self.ok, "detail": self.detail}


def _enrolled_host(store: Store, host_id: str, action: str) -> Host:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    if not host.enrolled:
        raise violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            action,
            "Host",
            "The host's agent is not enrolled; install it first.",
        )
    return host


async def commit(runtime: HostRuntime, ctx: CommandContext, host_id: str) -> None:
    """`Host.setSafeNetworkConfig`: what runs now is what the host restores at boot (1104, or 1105)."""
    host = await runtime.read(lambda store: _enrolled_host(store, host_id, "commit network changes on"))
    try:
        async with runtime.locks.hold(host.id, runtime.settings.lock_wait):
            client = await runtime.connections.client(host)
            await client.set_safe_network_config()
            caps = (await client.get_capabilities()).model_dump()
    except (AgentError, ResolveError) as error:
        await _event(runtime, ctx, host, AuditLog.NETWORK_COMMINT_NETWORK_CHANGES_FAILED, {})
        raise violation(
            "NETWORK_COMMIT_FAILED", "commit network changes on", "Host", f"The host answered: {error}"
        ) from None

    def done(store: Store) -> None:
        host_network.save_report(store, store.hosts.get(host.id) or host, caps)
        record(
            store,
            ctx,
            AuditLog.NETWORK_COMMINT_NETWORK_CHANGES,
            {"VdsName": host.name},
            host_network.where(store, host),
        )

    await runtime.write(done)


def _out_of_sync_attachments(store: Store, host: Host) -> list[str]:
    return [
        attachment_id
        for attachment_id, entries in host_network.differences(store, host).items()
        if any(not entry.in_sync for entry in entries)
    ]


async def sync_host(runtime: HostRuntime, ctx: CommandContext, host_id: str) -> None:
    """Every out-of-sync attachment of the host gets the data center's definition, persisted (10901 / 10900)."""
    host = await runtime.read(lambda store: _enrolled_host(store, host_id, "sync networks on"))
    targets = await runtime.read(lambda store: _out_of_sync_attachments(store, host))
    if targets:
        request = host_setup.SetupIn(synchronized_attachments=targets, commit_on_success=True)
        try:
            await host_setup.run(runtime, ctx, host_id, request)
        except DomainError:
            await _event(runtime, ctx, host, AuditLog.HOST_SYNC_ALL_NETWORKS_FAILED, {})
            raise
    await _event(runtime, ctx, host, AuditLog.HOST_SYNC_ALL_NETWORKS_FINISHED, {})


async def sync_cluster(runtime: HostRuntime, ctx: CommandContext, cluster_id: str) -> list[HostResult]:
    """Every eligible host of the cluster at once (10906, then 10908 or 10905; 10907 when none is eligible)."""

    def eligible(store: Store) -> tuple[str, Refs, list[Host]]:
        cluster = refs.get_or_404(store.clusters, cluster_id, "Cluster")
        hosts = [
            h
            for h in store.hosts.list(cluster_id=cluster.id)
            if h.enrolled and h.status in host_setup.ELIGIBLE_FOR_SYNC
        ]
        return cluster.name, Refs(data_center_id=cluster.data_center_id, cluster_id=cluster.id), hosts

    name, where, hosts = await runtime.read(eligible)
    params = {"ClusterName": name}
    if not hosts:
        await runtime.write(lambda store: record(store, ctx, AuditLog.CLUSTER_SYNC_NOTHING_TO_DO, params, where))
        return []
    await runtime.write(lambda store: record(store, ctx, AuditLog.CLUSTER_SYNC_ALL_NETWORKS_STARTED, params, where))

    async def one(host: Host) -> HostResult:
        try:
            await sync_host(runtime, ctx, host.id)
        except DomainError as error:
            return HostResult(host.id, host.name, False, str(error))
        return HostResult(host.id, host.name, True)

    results = list(await asyncio.gather(*(one(host) for host in hosts)))
    kind = (
        AuditLog.CLUSTER_SYNC_ALL_NETWORKS_FINISHED
        if all(r.ok for r in results)
        else AuditLog.CLUSTER_SYNC_ALL_NETWORKS_FAILED
    )
    await runtime.write(lambda store: record(store, ctx, kind, params, where))
    return results


async def _event(runtime: HostRuntime, ctx: CommandContext, host: Host, kind: AuditLog, params: dict[str, str]) -> None:
    await runtime.write(
        lambda store: record(store, ctx, kind, {"VdsName": host.name, **params}, host_network.where(store, host))
    )

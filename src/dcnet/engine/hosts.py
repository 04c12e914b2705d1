"""Host registration. Deploying the agent and the management network come with the add-host feature;
until then a registered host stays in maintenance and says so in an event."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dcnet.domain import host_rules
from dcnet.domain.entities import Host, HostStatus
from dcnet.domain.events import AuditLog
from dcnet.engine import refs
from dcnet.engine.audit import Refs, record, record_job
from dcnet.engine.context import CommandContext, new_id
from dcnet.engine.runner import check_if_match
from dcnet.store.repositories import Store


def register_host(store: Store, ctx: CommandContext, cluster_ref: refs.Ref | None, fields: dict[str, Any]) -> Host:
    refs.require("Host", name=fields.get("name"), address=fields.get("address"), cluster=cluster_ref)
    cluster = refs.cluster(store, cluster_ref)
    store.data_centers.get(cluster.data_center_id, for_update=True)
    host = Host(
        id=new_id(),
        cluster_id=cluster.id,
        status=HostStatus.MAINTENANCE,
        status_detail="registered; not deployed",
        **fields,
    )
    host_rules.check_new(host, store.hosts.list())
    store.hosts.add(host)
    where = Refs(data_center_id=cluster.data_center_id, cluster_id=cluster.id, host_id=host.id)
    record_job(store, ctx, f"Adding Host {host.name}")
    record(store, ctx, AuditLog.USER_ADD_VDS, {"VdsName": host.name}, where)
    record(store, ctx, AuditLog.HOST_REGISTERED_NOT_DEPLOYED, {"VdsName": host.name}, where)
    return host


def update_host(store: Store, ctx: CommandContext, host_id: str, changes: dict[str, Any], if_match: int | None) -> Host:
    old = refs.get_or_404(store.hosts, host_id, "Host")
    expected = check_if_match("Host", old.revision, if_match)
    new = replace(old, **changes)
    if new.cluster_id != old.cluster_id:
        refs.get_or_404(store.clusters, new.cluster_id, "Cluster")
    host_rules.check_update(old, new, store.hosts.list())
    saved = store.hosts.save(new, expected_revision=expected)
    cluster = refs.get_or_404(store.clusters, saved.cluster_id, "Cluster")
    record_job(store, ctx, f"Updating Host {saved.name}")
    record(
        store,
        ctx,
        AuditLog.USER_UPDATE_VDS,
        {"VdsName": saved.name},
        Refs(data_center_id=cluster.data_center_id, cluster_id=cluster.id, host_id=saved.id),
    )
    return saved


def remove_host(store: Store, ctx: CommandContext, host_id: str, if_match: int | None) -> None:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    check_if_match("Host", host.revision, if_match)
    host_rules.check_remove(host)
    store.hosts.remove(host_id)
    cluster = store.clusters.get(host.cluster_id)
    where = Refs(
        data_center_id=cluster.data_center_id if cluster else None, cluster_id=host.cluster_id, host_id=host_id
    )
    record_job(store, ctx, f"Removing Host {host.name}")
    record(store, ctx, AuditLog.USER_REMOVE_VDS, {"VdsName": host.name}, where)
    record(store, ctx, AuditLog.HOST_REMOVED_NETWORK_CONFIG_KEPT, {"VdsName": host.name}, where)

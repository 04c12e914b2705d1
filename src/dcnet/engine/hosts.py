"""Host commands (validate → execute → record events). Whatever needs the agent — deploy, refresh —
is started here and runs in the host runtime (dcnet.engine.deploy, dcnet.engine.monitoring)."""

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


def add_host(
    store: Store, ctx: CommandContext, cluster_ref: refs.Ref | None, fields: dict[str, Any], *, activate: bool = True
) -> Host:
    """Stored in `installing`; the caller starts the deploy (with the enrollment token) once this commits."""
    refs.require("Host", name=fields.get("name"), address=fields.get("address"), cluster=cluster_ref)
    cluster = refs.cluster(store, cluster_ref)
    store.data_centers.get(cluster.data_center_id, for_update=True)
    host = Host(
        id=new_id(),
        cluster_id=cluster.id,
        status=HostStatus.INSTALLING,
        activate_after_install=activate,
        **fields,
    )
    host_rules.check_new(host, store.hosts.list())
    store.hosts.add(host)
    record_job(store, ctx, f"Adding Host {host.name}")
    record(store, ctx, AuditLog.USER_ADD_VDS, {"VdsName": host.name}, _where(cluster.data_center_id, host))
    return host


def install_host(store: Store, ctx: CommandContext, host_id: str, *, activate: bool = True, token_given: bool) -> Host:
    """Re-install: enroll again (a fresh token) or, for an agent that already trusts this engine, deploy again."""
    host = refs.get_or_404(store.hosts, host_id, "Host")
    host_rules.check_install(host, token_given=token_given)
    updated = store.hosts.update_runtime(
        host.id, status=HostStatus.INSTALLING, status_detail="", activate_after_install=activate
    )
    assert updated is not None
    record_job(store, ctx, f"Installing Host {host.name}")
    return updated


def activate_host(store: Store, ctx: CommandContext, host_id: str) -> Host:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    host_rules.check_activate(host)
    updated = store.hosts.update_runtime(host.id, status=HostStatus.INITIALIZING, status_detail="")
    assert updated is not None
    record_job(store, ctx, f"Activating Host {host.name}")
    record(store, ctx, AuditLog.VDS_ACTIVATE, {"VdsName": host.name}, _where_host(store, host))
    return updated


def deactivate_host(store: Store, ctx: CommandContext, host_id: str) -> Host:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    host_rules.check_deactivate(host)
    updated = store.hosts.update_runtime(host.id, status=HostStatus.MAINTENANCE, status_detail="")
    assert updated is not None
    record_job(store, ctx, f"Moving Host {host.name} to Maintenance")
    record(store, ctx, AuditLog.USER_VDS_MAINTENANCE, {"VdsName": host.name}, _where_host(store, host))
    return updated


def refresh_host(store: Store, ctx: CommandContext, host_id: str) -> Host:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    host_rules.check_refresh(host)
    record_job(store, ctx, f"Refreshing Host {host.name} capabilities")
    return host


def _where(data_center_id: str, host: Host) -> Refs:
    return Refs(data_center_id=data_center_id, cluster_id=host.cluster_id, host_id=host.id)


def _where_host(store: Store, host: Host) -> Refs:
    cluster = store.clusters.get(host.cluster_id)
    return Refs(data_center_id=cluster.data_center_id if cluster else None, cluster_id=host.cluster_id, host_id=host.id)


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
    store.network_attachments.remove_host(host_id)
    store.nic_labels.remove_host(host_id)
    store.host_reports.remove(host_id)
    store.hosts.remove(host_id)
    cluster = store.clusters.get(host.cluster_id)
    where = Refs(
        data_center_id=cluster.data_center_id if cluster else None, cluster_id=host.cluster_id, host_id=host_id
    )
    record_job(store, ctx, f"Removing Host {host.name}")
    record(store, ctx, AuditLog.USER_REMOVE_VDS, {"VdsName": host.name}, where)
    record(store, ctx, AuditLog.HOST_REMOVED_NETWORK_CONFIG_KEPT, {"VdsName": host.name}, where)

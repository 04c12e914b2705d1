"""Clusters and the networks attached to them (required flag, roles)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dcnet.domain import cluster_network_rules, cluster_rules
from dcnet.domain.entities import Cluster, ClusterNetwork, NetworkUsage
from dcnet.domain.errors import BadInput, NotFound, RuleViolation
from dcnet.domain.events import AuditLog
from dcnet.domain.network_rules import MANAGEMENT_NETWORK_NAME
from dcnet.domain.versions import DEFAULT_VERSION
from dcnet.engine import refs
from dcnet.engine.audit import Refs, record, record_job
from dcnet.engine.context import CommandContext, new_id
from dcnet.engine.runner import check_if_match
from dcnet.store.repositories import Store


def add_cluster(
    store: Store,
    ctx: CommandContext,
    data_center: refs.Ref | None,
    fields: dict[str, Any],
    management_network: refs.Ref | None = None,
) -> Cluster:
    refs.require("Cluster", name=fields.get("name"), data_center=data_center)
    dc = refs.data_center(store, data_center)
    store.data_centers.get(dc.id, for_update=True)
    cluster = Cluster(id=new_id(), data_center_id=dc.id, **{"version": max(dc.version, DEFAULT_VERSION), **fields})
    cluster_rules.check_new(cluster, dc, store.clusters.list())
    network = refs.network(
        store, management_network or refs.Ref(name=MANAGEMENT_NETWORK_NAME), "management_network", dc.id
    )
    store.clusters.add(cluster)
    store.cluster_networks.add(
        ClusterNetwork(cluster.id, network.id, required=True, management=True, default_route=True)
    )
    record_job(store, ctx, f"Adding Cluster {cluster.name}")
    record(
        store,
        ctx,
        AuditLog.USER_ADD_VDS_GROUP,
        {"VdsGroupName": cluster.name},
        Refs(data_center_id=dc.id, cluster_id=cluster.id),
    )
    record(
        store,
        ctx,
        AuditLog.NETWORK_ATTACH_NETWORK_TO_VDS_GROUP,
        {"NetworkName": network.name, "VdsGroupName": cluster.name},
        Refs(data_center_id=dc.id, cluster_id=cluster.id, network_id=network.id),
    )
    return cluster


def update_cluster(
    store: Store, ctx: CommandContext, cluster_id: str, changes: dict[str, Any], if_match: int | None
) -> Cluster:
    old = refs.get_or_404(store.clusters, cluster_id, "Cluster")
    store.data_centers.get(old.data_center_id, for_update=True)
    expected = check_if_match("Cluster", old.revision, if_match)
    new = replace(old, **changes)
    dc = refs.get_or_404(store.data_centers, old.data_center_id, "Data Center")
    hosts = [host.name for host in store.hosts.list(cluster_id=cluster_id)]
    cluster_rules.check_update(old, new, dc, store.clusters.list(), hosts)
    saved = store.clusters.save(new, expected_revision=expected)
    record_job(store, ctx, f"Updating Cluster {saved.name}")
    record(
        store,
        ctx,
        AuditLog.USER_UPDATE_VDS_GROUP,
        {"VdsGroupName": saved.name},
        Refs(data_center_id=dc.id, cluster_id=cluster_id),
    )
    return saved


def remove_cluster(store: Store, ctx: CommandContext, cluster_id: str, if_match: int | None) -> None:
    cluster = refs.get_or_404(store.clusters, cluster_id, "Cluster")
    store.data_centers.get(cluster.data_center_id, for_update=True)
    check_if_match("Cluster", cluster.revision, if_match)
    cluster_rules.check_remove(cluster, [host.name for host in store.hosts.list(cluster_id=cluster_id)])
    store.cluster_networks.replace_cluster(cluster_id, [])
    store.clusters.remove(cluster_id)
    record_job(store, ctx, f"Removing Cluster {cluster.name}")
    record(
        store,
        ctx,
        AuditLog.USER_REMOVE_VDS_GROUP,
        {"VdsGroupName": cluster.name},
        Refs(data_center_id=cluster.data_center_id, cluster_id=cluster_id),
    )


def _roles(usages: list[NetworkUsage] | None) -> set[NetworkUsage] | None:
    return None if usages is None else {usage for usage in usages if usage != NetworkUsage.VM}


def attach_network(
    store: Store,
    ctx: CommandContext,
    cluster_id: str,
    network_ref: refs.Ref | None,
    *,
    required: bool | None,
    usages: list[NetworkUsage] | None,
) -> ClusterNetwork:
    cluster = refs.get_or_404(store.clusters, cluster_id, "Cluster")
    store.data_centers.get(cluster.data_center_id, for_update=True)
    if network_ref is None:
        raise BadInput("id", "the network to attach is required (id or name)")
    network = refs.network(store, network_ref, "network")
    if network.data_center_id != cluster.data_center_id:
        raise RuleViolation(
            "NETWORK_FROM_DIFFERENT_DC",
            f"Cannot attach Network to Cluster. Network '{network.name}' belongs to a different Data Center "
            f"than Cluster '{cluster.name}'.",
        )
    roles = _roles(usages) or set()
    new = ClusterNetwork(
        cluster_id,
        network.id,
        required=(not network.is_external) if required is None else required,
        **{role.value: True for role in roles},
    )
    rows = cluster_network_rules.attach(
        store.cluster_networks.of_cluster(cluster_id),
        new,
        cluster_has_hosts=store.hosts.count(cluster_id=cluster_id) > 0,
        network_is_external=network.is_external,
    )
    store.cluster_networks.replace_cluster(cluster_id, rows)
    record_job(store, ctx, f"Attaching Network {network.name} to Cluster {cluster.name}")
    record(
        store,
        ctx,
        AuditLog.NETWORK_ATTACH_NETWORK_TO_VDS_GROUP,
        {"NetworkName": network.name, "VdsGroupName": cluster.name},
        Refs(data_center_id=cluster.data_center_id, cluster_id=cluster_id, network_id=network.id),
    )
    return next(row for row in rows if row.network_id == network.id)


def _attachment(store: Store, cluster_id: str, network_id: str) -> tuple[Cluster, ClusterNetwork]:
    cluster = refs.get_or_404(store.clusters, cluster_id, "Cluster")
    row = next((r for r in store.cluster_networks.of_cluster(cluster_id) if r.network_id == network_id), None)
    if row is None:
        raise NotFound("Network of the cluster", network_id)
    return cluster, row


def update_cluster_network(
    store: Store,
    ctx: CommandContext,
    cluster_id: str,
    network_id: str,
    *,
    required: bool | None,
    usages: list[NetworkUsage] | None,
    if_match: int | None,
) -> ClusterNetwork:
    cluster, row = _attachment(store, cluster_id, network_id)
    store.data_centers.get(cluster.data_center_id, for_update=True)
    check_if_match("ClusterNetwork", row.revision, if_match)
    network = refs.get_or_404(store.networks, network_id, "Network")
    rows = cluster_network_rules.update(
        store.cluster_networks.of_cluster(cluster_id),
        network_id,
        required=required,
        roles=_roles(usages),
        cluster_has_hosts=store.hosts.count(cluster_id=cluster_id) > 0,
        network_is_external=network.is_external,
    )
    store.cluster_networks.replace_cluster(cluster_id, rows)
    network = refs.get_or_404(store.networks, network_id, "Network")
    record_job(store, ctx, f"Updating Network {network.name} on Cluster {cluster.name}")
    record(
        store,
        ctx,
        AuditLog.NETWORK_UPDTAE_NETWORK_ON_CLUSTER,
        {"NetworkName": network.name, "VdsGroupName": cluster.name},
        Refs(data_center_id=cluster.data_center_id, cluster_id=cluster_id, network_id=network_id),
    )
    return next(r for r in store.cluster_networks.of_cluster(cluster_id) if r.network_id == network_id)


def detach_network(store: Store, ctx: CommandContext, cluster_id: str, network_id: str, if_match: int | None) -> None:
    cluster, row = _attachment(store, cluster_id, network_id)
    store.data_centers.get(cluster.data_center_id, for_update=True)
    check_if_match("ClusterNetwork", row.revision, if_match)
    rows = cluster_network_rules.detach(store.cluster_networks.of_cluster(cluster_id), network_id)
    store.cluster_networks.replace_cluster(cluster_id, rows)
    network = refs.get_or_404(store.networks, network_id, "Network")
    record_job(store, ctx, f"Detaching Network {network.name} from Cluster {cluster.name}")
    record(
        store,
        ctx,
        AuditLog.NETWORK_DETACH_NETWORK_TO_VDS_GROUP,
        {"NetworkName": network.name, "VdsGroupName": cluster.name},
        Refs(data_center_id=cluster.data_center_id, cluster_id=cluster_id, network_id=network_id),
    )


def set_management_network(store: Store, ctx: CommandContext, cluster_id: str, network_ref: refs.Ref) -> None:
    """`PUT /clusters/{id}` with `management_network`: attach it if needed and move the role to it."""
    cluster = refs.get_or_404(store.clusters, cluster_id, "Cluster")
    network = refs.network(store, network_ref, "management_network", cluster.data_center_id)
    row = next((r for r in store.cluster_networks.of_cluster(cluster_id) if r.network_id == network.id), None)
    if row is None:
        attach_network(store, ctx, cluster_id, refs.Ref(id=network.id), required=True, usages=[NetworkUsage.MANAGEMENT])
    elif not row.management:
        update_cluster_network(
            store,
            ctx,
            cluster_id,
            network.id,
            required=True,
            usages=[*row.roles(), NetworkUsage.MANAGEMENT],
            if_match=None,
        )

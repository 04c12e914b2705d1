"""Logical networks of a data center: add, edit, remove (hosts are not touched yet)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dcnet.domain import cluster_network_rules, network_rules
from dcnet.domain.entities import Network, VnicProfile
from dcnet.domain.errors import NotFound
from dcnet.domain.events import AuditLog
from dcnet.domain.messages import violation
from dcnet.domain.naming import check_label
from dcnet.engine import refs
from dcnet.engine.audit import Refs, record, record_job
from dcnet.engine.context import CommandContext, new_id
from dcnet.engine.qos import check_network_qos
from dcnet.engine.runner import check_if_match
from dcnet.store.repositories import Store

EDITABLE = {
    "name",
    "description",
    "comment",
    "vlan_id",
    "mtu",
    "vm",
    "stp",
    "port_isolation",
    "dns_name_servers",
    "label",
    "data_center_id",
    "qos_id",
}


def management_clusters(store: Store, network_id: str) -> list[str]:
    """Names of the clusters whose management network this is."""
    names = []
    for row in store.cluster_networks.of_network(network_id):
        if row.management:
            cluster = store.clusters.get(row.cluster_id)
            names.append(cluster.name if cluster else row.cluster_id)
    return names


def add_network(store: Store, ctx: CommandContext, data_center: refs.Ref | None, fields: dict[str, Any]) -> Network:
    refs.require("Network", name=fields.get("name"), data_center=data_center)
    dc = refs.data_center(store, data_center)
    store.data_centers.get(dc.id, for_update=True)
    network = Network(id=new_id(), data_center_id=dc.id, **_only_editable(fields, exclude={"data_center_id"}))
    network_rules.check_new(network, store.networks.list(data_center_id=dc.id))
    check_network_qos(store, network.qos_id, network.data_center_id)
    store.networks.add(network)
    record_job(store, ctx, f"Adding Network {network.name} to Data Center {dc.name}")
    record(
        store,
        ctx,
        AuditLog.NETWORK_ADD_NETWORK,
        {"NetworkName": network.name, "StoragePoolName": dc.name},
        Refs(data_center_id=dc.id, network_id=network.id),
    )
    if network.vm:
        add_default_vnic_profile(store, ctx, network, dc.name)
    return network


def add_default_vnic_profile(store: Store, ctx: CommandContext, network: Network, dc_name: str) -> VnicProfile:
    """A VM network gets a vNIC profile of its own name, so VMs can use it at once (as in oVirt)."""
    profile = VnicProfile(id=new_id(), name=network.name, network_id=network.id)
    store.vnic_profiles.add(profile)
    record(
        store,
        ctx,
        AuditLog.ADD_VNIC_PROFILE,
        {"VnicProfileName": profile.name, "NetworkName": network.name, "DataCenterName": dc_name},
        Refs(data_center_id=network.data_center_id, network_id=network.id, vnic_profile_id=profile.id),
    )
    return profile


def update_network(
    store: Store, ctx: CommandContext, network_id: str, changes: dict[str, Any], if_match: int | None
) -> Network:
    old = refs.get_or_404(store.networks, network_id, "Network")
    store.data_centers.get(old.data_center_id, for_update=True)
    old = refs.get_or_404(store.networks, network_id, "Network")
    expected = check_if_match("Network", old.revision, if_match)
    new = replace(old, **_only_editable(changes))
    network_rules.check_update(
        old,
        new,
        store.networks.list(data_center_id=old.data_center_id),
        management_in_clusters=management_clusters(store, old.id),
        carried_by_hosts=[],
    )
    check_network_qos(store, new.qos_id, new.data_center_id)
    saved = store.networks.save(new, expected_revision=expected)
    dc = refs.get_or_404(store.data_centers, saved.data_center_id, "Data Center")
    _follow_vnic_profiles(store, ctx, old, saved, dc.name)
    record_job(store, ctx, f"Updating Network {saved.name} in Data Center {dc.name}")
    record(
        store,
        ctx,
        AuditLog.NETWORK_UPDATE_NETWORK,
        {"NetworkName": saved.name, "StoragePoolName": dc.name},
        Refs(data_center_id=dc.id, network_id=saved.id),
    )
    return saved


def _follow_vnic_profiles(store: Store, ctx: CommandContext, old: Network, new: Network, dc_name: str) -> None:
    """Profiles follow the network: gone when it stops being a VM network, renamed with it."""
    profiles = store.vnic_profiles.list(network_id=new.id)
    if old.vm and not new.vm:
        for profile in profiles:
            store.vnic_profiles.remove(profile.id)
            record(
                store,
                ctx,
                AuditLog.REMOVE_VNIC_PROFILE,
                {"VnicProfileName": profile.name, "NetworkName": new.name, "DataCenterName": dc_name},
                Refs(data_center_id=new.data_center_id, network_id=new.id, vnic_profile_id=profile.id),
            )
    elif new.vm and not old.vm and not profiles:
        add_default_vnic_profile(store, ctx, new, dc_name)
    elif new.name != old.name:
        for profile in profiles:
            if profile.name == old.name and not any(p.name == new.name for p in profiles):
                store.vnic_profiles.save(replace(profile, name=new.name), expected_revision=profile.revision)


def remove_network(store: Store, ctx: CommandContext, network_id: str, if_match: int | None) -> None:
    network = refs.get_or_404(store.networks, network_id, "Network")
    store.data_centers.get(network.data_center_id, for_update=True)
    check_if_match("Network", network.revision, if_match)
    network_rules.check_remove(network, management_clusters(store, network.id))
    for row in store.cluster_networks.of_network(network.id):
        rows = store.cluster_networks.of_cluster(row.cluster_id)
        store.cluster_networks.replace_cluster(row.cluster_id, cluster_network_rules.detach(rows, network.id))
    for profile in store.vnic_profiles.list(network_id=network.id):
        store.vnic_profiles.remove(profile.id)
    store.networks.remove(network.id)
    dc = refs.get_or_404(store.data_centers, network.data_center_id, "Data Center")
    record_job(store, ctx, f"Removing Network {network.name} from Data Center {dc.name}")
    record(
        store,
        ctx,
        AuditLog.NETWORK_REMOVE_NETWORK,
        {"NetworkName": network.name, "StoragePoolName": dc.name},
        Refs(data_center_id=dc.id, network_id=network.id),
    )


def set_label(store: Store, ctx: CommandContext, network_id: str, label: str) -> Network:
    """A network carries at most one label; labelling an already labelled network is refused."""
    network = refs.get_or_404(store.networks, network_id, "Network")
    check_label(label, "id")
    if network.label == label:
        return network
    if network.label is not None:
        raise violation(
            "ACTION_TYPE_FAILED_NETWORK_ALREADY_LABELED",
            "label",
            "Network",
            f"Network '{network.name}' already has the label '{network.label}'; remove it first.",
        )
    if network.is_external:
        raise violation(
            "ACTION_TYPE_FAILED_CANNOT_LABEL_EXTERNAL_NETWORK",
            "label",
            "Network",
            "External networks cannot be labelled.",
        )
    saved = store.networks.save(replace(network, label=label), expected_revision=network.revision)
    record(
        store,
        ctx,
        AuditLog.NETWORK_LABEL_ADDED,
        {"Label": label, "NetworkName": network.name},
        Refs(data_center_id=network.data_center_id, network_id=network.id),
    )
    return saved


def remove_label(store: Store, ctx: CommandContext, network_id: str, label: str) -> None:
    network = refs.get_or_404(store.networks, network_id, "Network")
    if network.label != label:
        raise NotFound("Network label", label)
    store.networks.save(replace(network, label=None), expected_revision=network.revision)
    record(
        store,
        ctx,
        AuditLog.NETWORK_LABEL_REMOVED,
        {"Label": label, "NetworkName": network.name},
        Refs(data_center_id=network.data_center_id, network_id=network.id),
    )


def _only_editable(fields: dict[str, Any], exclude: set[str] | None = None) -> dict[str, Any]:
    allowed = EDITABLE - (exclude or set())
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not network fields: {sorted(unknown)}")
    return dict(fields)

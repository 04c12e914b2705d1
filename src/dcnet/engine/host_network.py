"""The engine's record of a host's reported network: capabilities, network attachments, compliance.

Called by the deploy flow and by monitoring whenever fresh capabilities arrive; one DB transaction each.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from dcnet.domain import host_report
from dcnet.domain.entities import Host, HostReport, HostStatus, Network, NetworkAttachment
from dcnet.domain.events import AuditLog
from dcnet.domain.host_report import ReportedConfiguration
from dcnet.domain.naming import vdsm_name
from dcnet.domain.qos_rules import effective_qos
from dcnet.domain.setup import assignments, out_of_sync
from dcnet.domain.setup.model import Attachment
from dcnet.engine.audit import Refs, record
from dcnet.engine.clock import now
from dcnet.engine.context import CommandContext
from dcnet.store.repositories import Store

# statuses monitoring may move between on its own (never out of maintenance or an install)
MONITORED = (HostStatus.UP, HostStatus.INITIALIZING, HostStatus.NON_OPERATIONAL, HostStatus.NON_RESPONSIVE)


@dataclass(frozen=True)
class Compliance:
    missing: list[str]
    out_of_sync: list[str]


def where(store: Store, host: Host) -> Refs:
    cluster = store.clusters.get(host.cluster_id)
    return Refs(data_center_id=cluster.data_center_id if cluster else None, cluster_id=host.cluster_id, host_id=host.id)


def cluster_networks(store: Store, host: Host) -> dict[str, Network]:
    """Name → network for every network attached to the host's cluster."""
    out: dict[str, Network] = {}
    for row in store.cluster_networks.of_cluster(host.cluster_id):
        network = store.networks.get(row.network_id)
        if network is not None:
            out[network.name] = network
    return out


def save_report(store: Store, host: Host, caps: dict[str, Any]) -> None:
    """Store the capabilities and make the host's network attachments match what it carries."""
    store.host_reports.put(HostReport(host.id, caps, int(caps.get("changeCounter", 0)), now()))
    if bool(caps.get("netConfigDirty")) != host.net_config_dirty:
        store.hosts.update_runtime(host.id, net_config_dirty=bool(caps.get("netConfigDirty")))
    sync_attachments(store, host, caps)


def sync_attachments(store: Store, host: Host, caps: dict[str, Any]) -> None:
    """oVirt's rule: an attachment for every logical network the host reports, none for one it lost. An
    existing attachment keeps its desired IP configuration (setup networks set it; the report is compared
    with it); only a newly found network takes what the host runs."""
    by_name = {vdsm_name(n.name, n.id): n for n in cluster_networks(store, host).values()}
    reported = host_report.reported_networks(caps)
    existing = {a.network_id: a for a in store.network_attachments.of_host(host.id)}
    wanted: set[str] = set()
    for name, seen in reported.items():
        network = by_name.get(name)
        if network is None:
            continue
        wanted.add(network.id)
        current = existing.get(network.id)
        if current is None:
            store.network_attachments.add(
                NetworkAttachment(str(uuid.uuid4()), host.id, network.id, seen.nic, seen.ip_assignments)
            )
        elif current.nic_name != seen.nic:
            current.nic_name = seen.nic
            store.network_attachments.save(current, expected_revision=current.revision)
    for network_id, attachment in existing.items():
        if network_id not in wanted:
            store.network_attachments.remove(attachment.id)


def host_qos(store: Store, host_id: str, networks: dict[str, Network]) -> dict[str, dict[str, Any]]:
    """Network id → the effective host QoS on this host (attachment override > network QoS), agent-shaped."""
    overrides = {row.network_id: row.qos for row in store.network_attachments.of_host(host_id)}
    out: dict[str, dict[str, Any]] = {}
    for network_id, network in networks.items():
        qos = effective_qos(overrides.get(network_id), store.qos.get(network.qos_id) if network.qos_id else None)
        if qos is not None:
            out[network_id] = qos
    return out


def differences(store: Store, host: Host, caps: dict[str, Any] | None = None) -> dict[str, list[ReportedConfiguration]]:
    """Attachment id → every compared attribute (host-network-setup.md §8; expected = data center)."""
    if caps is None:
        report = store.host_reports.get(host.id)
        caps = report.capabilities if report else {}
    cluster = store.clusters.get(host.cluster_id)
    switch = cluster.switch_type.value if cluster else "legacy"
    rows = {row.network_id: row for row in store.cluster_networks.of_cluster(host.cluster_id)}
    reported = caps.get("networks") or {}
    out: dict[str, list[ReportedConfiguration]] = {}
    for row in store.network_attachments.of_host(host.id):
        network = store.networks.get(row.network_id)
        seen = reported.get(vdsm_name(network.name, network.id)) if network else None
        if network is None or seen is None:
            out[row.id] = []
            continue
        ipv4, ipv6 = assignments.to_configs(row.ip_assignments)
        attachment = Attachment(row.id, row.network_id, row.nic_name, ipv4, ipv6)
        expected_qos = effective_qos(row.qos, store.qos.get(network.qos_id) if network.qos_id else None)
        out[row.id] = out_of_sync.compare(
            network, rows.get(network.id), attachment, seen, caps, switch, expected_qos=expected_qos
        )
    return out


def compliance(store: Store, host: Host, caps: dict[str, Any]) -> Compliance:
    networks = {n.id: n for n in cluster_networks(store, host).values()}
    reported = host_report.reported_networks(caps)
    missing = host_report.missing_required(reported, store.cluster_networks.of_cluster(host.cluster_id), networks)
    names = {row.id: row.network_id for row in store.network_attachments.of_host(host.id)}
    out_of_sync_names = sorted(
        networks[names[attachment_id]].name
        for attachment_id, entries in differences(store, host, caps).items()
        if names.get(attachment_id) in networks and not out_of_sync.in_sync(entries)
    )
    return Compliance(missing, out_of_sync_names)


def settle_status(
    store: Store, ctx: CommandContext, host: Host, caps: dict[str, Any], last_out_of_sync: set[str]
) -> Host:
    """Up when every required network is there, else non-operational (519); 1110 names out-of-sync networks
    whenever that set changes. Statuses outside monitoring's reach (maintenance, installing) stay."""
    result = compliance(store, host, caps)
    refs = where(store, host)
    if result.out_of_sync and set(result.out_of_sync) != last_out_of_sync:
        record(
            store,
            ctx,
            AuditLog.VDS_NETWORKS_OUT_OF_SYNC,
            {"VdsName": host.name, "Networks": ", ".join(result.out_of_sync)},
            refs,
        )
    if host.status not in MONITORED or _held_by_install_failure(host):
        return host
    if result.missing:
        if host.status != HostStatus.NON_OPERATIONAL or host.status_detail != _missing_detail(result.missing):
            cluster = store.clusters.get(host.cluster_id)
            record(
                store,
                ctx,
                AuditLog.VDS_SET_NONOPERATIONAL_NETWORK,
                {
                    "VdsName": host.name,
                    "ClusterName": cluster.name if cluster else "",
                    "Networks": ", ".join(result.missing),
                },
                refs,
            )
            return _set(store, host, HostStatus.NON_OPERATIONAL, _missing_detail(result.missing))
        return host
    if host.status != HostStatus.UP:
        if host.status == HostStatus.NON_RESPONSIVE:
            record(store, ctx, AuditLog.HOST_RECOVERED, {"VdsName": host.name}, refs)
        record(store, ctx, AuditLog.VDS_DETECTED, {"VdsName": host.name, "HostStatus": "Up"}, refs)
        return _set(store, host, HostStatus.UP, "")
    return host


MISSING_PREFIX = "missing required networks: "


def _missing_detail(missing: list[str]) -> str:
    return MISSING_PREFIX + ", ".join(missing)


def _held_by_install_failure(host: Host) -> bool:
    """A failed install leaves the host non-operational until the admin acts (activate or re-install), as
    in oVirt; only a non-operational status that monitoring itself set (missing networks) clears on its own."""
    return host.status == HostStatus.NON_OPERATIONAL and not host.status_detail.startswith(MISSING_PREFIX)


def _set(store: Store, host: Host, status: HostStatus, detail: str) -> Host:
    updated = store.hosts.update_runtime(host.id, status=status, status_detail=detail)
    return updated if updated is not None else host


def set_status(store: Store, host_id: str, status: HostStatus, detail: str = "") -> Host | None:
    return store.hosts.update_runtime(host_id, status=status, status_detail=detail)

"""Canonical JSON of every resource (DESIGN.md §3). One function per type, plain dicts out, so a second
serializer (oVirt XML) can render the same structure."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from dcnet.domain.entities import (
    Cluster,
    ClusterNetwork,
    DataCenter,
    Event,
    Host,
    Job,
    Network,
    NetworkAttachment,
    NetworkUsage,
    Step,
    Version,
    VnicProfile,
)
from dcnet.domain.host_report import HostNicView, ReportedConfiguration
from dcnet.domain.naming import vdsm_name
from dcnet.domain.versions import SUPPORTED_VERSIONS

API = "/ovirt-engine/api"


def href(*parts: str) -> str:
    return "/".join([API, *parts])


def ref(collection: str, key: str | None) -> dict[str, str] | None:
    return None if key is None else {"id": key, "href": href(collection, key)}


def links(base: str, *rels: str) -> list[dict[str, str]]:
    return [{"rel": rel, "href": f"{base}/{rel}"} for rel in rels]


def timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def version(value: Version) -> dict[str, int]:
    return {"major": value.major, "minor": value.minor}


def data_center(dc: DataCenter) -> dict[str, Any]:
    own = href("datacenters", dc.id)
    return {
        "id": dc.id,
        "href": own,
        "name": dc.name,
        "description": dc.description,
        "comment": dc.comment,
        "local": dc.local,
        "status": "uninitialized",
        "version": version(dc.version),
        "supported_versions": {"version": [version(v) for v in SUPPORTED_VERSIONS if v >= dc.version]},
        "link": links(own, "networks"),
    }


def cluster(item: Cluster, management_network_id: str | None) -> dict[str, Any]:
    own = href("clusters", item.id)
    body: dict[str, Any] = {
        "id": item.id,
        "href": own,
        "name": item.name,
        "description": item.description,
        "comment": item.comment,
        "data_center": ref("datacenters", item.data_center_id),
        "version": version(item.version),
        "switch_type": item.switch_type.value,
        "link": links(own, "networks"),
    }
    if management_network_id:
        body["management_network"] = ref("networks", management_network_id)
    return body


def network(item: Network, cluster_view: ClusterNetwork | None = None) -> dict[str, Any]:
    """The data-center view, or with `cluster_view` the network as attached to one cluster."""
    usages = [NetworkUsage.VM.value] if item.vm else []
    if cluster_view is None:
        own = href("networks", item.id)
    else:
        own = href("clusters", cluster_view.cluster_id, "networks", item.id)
        usages += [role.value for role in cluster_view.roles()]
    body: dict[str, Any] = {
        "id": item.id,
        "href": own,
        "name": item.name,
        "description": item.description,
        "comment": item.comment,
        "data_center": ref("datacenters", item.data_center_id),
        "mtu": item.mtu,
        "usages": usages,
        "stp": item.stp,
        "port_isolation": item.port_isolation,
        "vdsm_name": vdsm_name(item.name, item.id),
        "profile_required": False,
        "status": "operational",
    }
    if item.vlan_id is not None:
        body["vlan"] = {"id": item.vlan_id}
    if item.dns_name_servers:
        body["dns_resolver_configuration"] = {"name_servers": list(item.dns_name_servers)}
    if item.qos_id is not None:
        body["qos"] = {"id": item.qos_id, "href": href("datacenters", item.data_center_id, "qoss", item.qos_id)}
    if item.is_external:
        body["external_provider"] = ref("openstacknetworkproviders", item.external_provider_id)
    if cluster_view is not None:
        body["cluster"] = ref("clusters", cluster_view.cluster_id)
        body["required"] = cluster_view.required
        body["display"] = cluster_view.display
    base = href("networks", item.id)
    body["link"] = links(base, "vnicprofiles", "networklabels")
    return body


def network_label(label: str, network_id: str) -> dict[str, Any]:
    return {
        "id": label,
        "href": href("networks", network_id, "networklabels", label),
        "network": ref("networks", network_id),
    }


def vnic_profile(item: VnicProfile) -> dict[str, Any]:
    return {
        "id": item.id,
        "href": href("vnicprofiles", item.id),
        "name": item.name,
        "description": item.description,
        "comment": item.comment,
        "network": ref("networks", item.network_id),
        "port_mirroring": item.port_mirroring,
        "pass_through": {"mode": "enabled" if item.pass_through else "disabled"},
        "migratable": item.migratable,
        "custom_properties": [{"name": p.name, "value": p.value} for p in item.custom_properties],
    }


def host(item: Host) -> dict[str, Any]:
    return {
        "id": item.id,
        "href": href("hosts", item.id),
        "name": item.name,
        "description": item.description,
        "comment": item.comment,
        "address": item.address,
        "port": item.port,
        "cluster": ref("clusters", item.cluster_id),
        "status": item.status.value,
        "status_detail": item.status_detail,
        "type": item.type.value,
        "network_operation_in_progress": False,
        "resolved_addresses": list(item.resolved_addresses),
        "net_config_dirty": item.net_config_dirty,
        "power_management": {"enabled": False, "kdump_detection": False},
        "spm": {"priority": 5, "status": "none"},
        "os": {"custom_kernel_cmdline": ""},
    }


def host_nic(host_id: str, view: HostNicView, networks: dict[str, Network]) -> dict[str, Any]:
    """A reported nic, bond, VLAN or bridge; ids are stable per host and name."""
    nic_id = str(uuid.uuid5(uuid.UUID(host_id), view.name))
    body: dict[str, Any] = {
        "id": nic_id,
        "href": f"{href('hosts', host_id)}/nics/{nic_id}",
        "name": view.name,
        "host": ref("hosts", host_id),
        "mac": {"address": view.mac},
        "mtu": view.mtu,
        "speed": view.speed * 1_000_000,
        "status": "up" if view.up else "down",
        "bridged": view.bridged,
        "type": view.kind,
        "ip_address_assignments": view.ip_assignments,
    }
    boot = view.ip_assignments[0] if view.ip_assignments else {}
    body["boot_protocol"] = boot.get("assignment_method", "none")
    if "ip" in boot:
        body["ip"] = boot["ip"]
    if view.kind == "bond":
        options = [{"name": k, "value": v} for k, v in sorted(view.bond_options.items())]
        body["bonding"] = {"slaves": {"host_nic": [{"name": s} for s in view.slaves]}, "options": {"option": options}}
    if view.kind == "vlan":
        body["vlan"] = {"id": view.vlan}
        body["base_interface"] = view.base_interface
    if view.network is not None:
        network = networks.get(view.network)
        body["network"] = {"id": network.id, "name": network.name} if network else {"name": view.network}
    return body


def network_attachment(
    host_id: str, item: NetworkAttachment, network: Network, differences: list[ReportedConfiguration]
) -> dict[str, Any]:
    return {
        "id": item.id,
        "href": f"{href('hosts', host_id)}/networkattachments/{item.id}",
        "network": ref("networks", network.id) | {"name": network.name},
        "host": ref("hosts", host_id),
        "host_nic": {"name": item.nic_name},
        "ip_address_assignments": item.ip_assignments,
        "in_sync": all(entry.in_sync for entry in differences),
        "reported_configurations": [
            {"name": e.name, "expected_value": e.expected, "actual_value": e.actual, "in_sync": e.in_sync}
            for e in differences
        ],
    }


def event(item: Event) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(item.index),
        "href": href("events", str(item.index)),
        "index": item.index,
        "code": item.code,
        "name": item.name,
        "severity": item.severity.value,
        "description": item.description,
        "correlation_id": item.correlation_id,
        "time": timestamp(item.time),
        "origin": item.origin,
        "custom_id": -1,
        "flood_rate": 30,
        "log_on_host": False,
        "custom_data": item.custom_data,
    }
    for field, collection, key in (
        ("data_center", "datacenters", item.data_center_id),
        ("cluster", "clusters", item.cluster_id),
        ("host", "hosts", item.host_id),
        ("network", "networks", item.network_id),
        ("vnic_profile", "vnicprofiles", item.vnic_profile_id),
    ):
        if key is not None:
            body[field] = ref(collection, key)
    if item.user_name:
        body["user"] = {"name": item.user_name}
    return body


def job(item: Job) -> dict[str, Any]:
    own = href("jobs", item.id)
    return {
        "id": item.id,
        "href": own,
        "description": item.description,
        "status": item.status.value,
        "correlation_id": item.correlation_id,
        "start_time": timestamp(item.start_time),
        "end_time": timestamp(item.end_time),
        "last_updated": timestamp(item.last_updated),
        "external": item.external,
        "auto_cleared": item.auto_cleared,
        "owner": {"name": item.owner} if item.owner else None,
        "link": links(own, "steps"),
    }


def step(item: Step) -> dict[str, Any]:
    return {
        "id": item.id,
        "href": href("jobs", item.job_id, "steps", item.id),
        "description": item.description,
        "type": item.type.value,
        "number": item.number,
        "status": item.status.value,
        "start_time": timestamp(item.start_time),
        "end_time": timestamp(item.end_time),
        "external": False,
        "job": ref("jobs", item.job_id),
    }


def collection(element: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A list is wrapped in its element name: {"network": [...]}."""
    return {element: items}

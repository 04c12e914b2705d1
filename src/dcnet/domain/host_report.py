"""What a host's capabilities mean for the engine: its nics, the logical networks it carries, whether
each is in sync with its definition, and which required cluster networks it lacks (pure)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dcnet.domain.entities import ClusterNetwork, Network
from dcnet.domain.mgmt.addresses import global_addresses
from dcnet.domain.naming import vdsm_name

DEFAULT_MTU = 1500
_SECTIONS = (("nics", "nic"), ("bondings", "bond"), ("vlans", "vlan"), ("bridges", "bridge"))


@dataclass(frozen=True)
class ReportedConfiguration:
    name: str
    expected: str
    actual: str

    @property
    def in_sync(self) -> bool:
        return self.expected == self.actual


@dataclass(frozen=True)
class ReportedNetwork:
    """A network as the host carries it."""

    name: str
    nic: str  # the base nic or bond
    vlan: int | None
    bridged: bool
    mtu: int
    ip_assignments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class HostNicView:
    name: str
    kind: str  # nic | bond | vlan | bridge
    mac: str
    mtu: int
    speed: int
    up: bool
    ip_assignments: list[dict[str, Any]]
    slaves: tuple[str, ...] = ()
    bond_options: dict[str, str] = field(default_factory=dict)
    base_interface: str | None = None
    vlan: int | None = None
    network: str | None = None
    bridged: bool = False


def reported_networks(caps: Mapping[str, Any]) -> dict[str, ReportedNetwork]:
    out: dict[str, ReportedNetwork] = {}
    for name, entry in (caps.get("networks") or {}).items():
        vlan = entry.get("vlanid")
        south = str(entry.get("southbound") or entry.get("iface") or "")
        if vlan is not None and south.endswith(f".{vlan}"):
            south = south[: -len(f".{vlan}")]
        out[name] = ReportedNetwork(
            name=name,
            nic=south,
            vlan=int(vlan) if vlan is not None else None,
            bridged=bool(entry.get("bridged")),
            mtu=int(entry.get("mtu") or DEFAULT_MTU),
            ip_assignments=ip_assignments(entry),
        )
    return out


def ip_assignments(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """oVirt's `ip_address_assignments`: one IPv4 and (when configured) one IPv6 entry."""
    v4: dict[str, Any]
    if entry.get("dhcpv4"):
        v4 = {"assignment_method": "dhcp"}
    elif entry.get("addr"):
        v4 = {"assignment_method": "static"}
    else:
        v4 = {"assignment_method": "none"}
    if entry.get("addr"):
        ip = {"address": entry["addr"], "netmask": entry.get("netmask") or "", "version": "v4"}
        v4["ip"] = ip | ({"gateway": entry["gateway"]} if entry.get("gateway") else {})
    out = [v4]
    v6 = _ipv6_assignment(entry)
    if v6 is not None:
        out.append(v6)
    return out


def _ipv6_assignment(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    dhcp, auto = bool(entry.get("dhcpv6")), bool(entry.get("ipv6autoconf"))
    method = {(True, True): "poly_dhcp_autoconf", (True, False): "dhcp", (False, True): "autoconf"}.get((dhcp, auto))
    addresses = [str(a) for a in entry.get("ipv6addrs") or ()]
    if method is None and not addresses:
        return None
    out: dict[str, Any] = {"assignment_method": method or "static"}
    if addresses:
        interface = ipaddress.IPv6Interface(addresses[0] if "/" in addresses[0] else addresses[0] + "/128")
        ip = {"address": str(interface.ip), "netmask": str(interface.network.prefixlen), "version": "v6"}
        gateway = str(entry.get("ipv6gateway") or "")
        out["ip"] = ip | ({"gateway": gateway} if gateway and gateway != "::" else {})
    return out


def compare(network: Network, reported: ReportedNetwork) -> list[ReportedConfiguration]:
    """The attributes the management network needs (the full comparison comes with setup networks)."""
    return [
        ReportedConfiguration("mtu", str(network.mtu or DEFAULT_MTU), str(reported.mtu or DEFAULT_MTU)),
        ReportedConfiguration("bridged", _bool(network.vm), _bool(reported.bridged)),
        ReportedConfiguration("vlan", _vlan(network.vlan_id), _vlan(reported.vlan)),
    ]


def out_of_sync(network: Network, reported: ReportedNetwork) -> bool:
    return not all(entry.in_sync for entry in compare(network, reported))


def missing_required(
    reported: Iterable[str], cluster_networks: Iterable[ClusterNetwork], networks: Mapping[str, Network]
) -> list[str]:
    """Required, non-external cluster networks the host does not carry (reported by host-side name), by name."""
    present = set(reported)
    missing = []
    for row in cluster_networks:
        network = networks.get(row.network_id)
        if network is None or not row.required or network.is_external:
            continue
        if vdsm_name(network.name, network.id) not in present:
            missing.append(network.name)
    return sorted(missing)


def nic_views(caps: Mapping[str, Any]) -> list[HostNicView]:
    """Every reported nic, bond, VLAN and bridge, with the network on it. As in oVirt, a bridged network's
    IP configuration is shown on its southbound nic, bond or VLAN row as well (the bridge holds it)."""
    on_device = _network_devices(caps)
    bridge_ip = _bridged_ip(caps)
    views: list[HostNicView] = []
    for section, kind in _SECTIONS:
        for name, entry in sorted((caps.get(section) or {}).items()):
            network, bridged = on_device.get(name, (None, False))
            if name in bridge_ip and not global_addresses(entry):
                entry = {**entry, **bridge_ip[name]}
            views.append(
                HostNicView(
                    name=name,
                    kind=kind,
                    mac=str(entry.get("hwaddr") or ""),
                    mtu=int(entry.get("mtu") or DEFAULT_MTU),
                    speed=int(entry.get("speed") or 0),
                    up=entry.get("operstate", "up") == "up",
                    ip_assignments=ip_assignments(entry),
                    slaves=tuple(entry.get("slaves") or ()),
                    bond_options={str(k): str(v) for k, v in (entry.get("opts") or {}).items()}
                    if kind == "bond"
                    else {},
                    base_interface=str(entry.get("iface")) if kind == "vlan" and entry.get("iface") else None,
                    vlan=int(entry["vlanid"]) if kind == "vlan" and entry.get("vlanid") is not None else None,
                    network=network,
                    bridged=bridged,
                )
            )
    return views


_IP_FIELDS = ("addr", "netmask", "ipv4addrs", "ipv6addrs", "gateway", "ipv6gateway", "dhcpv4", "dhcpv6", "ipv6autoconf")


def _bridged_ip(caps: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Southbound device → the IP fields of the bridged network above it."""
    out: dict[str, dict[str, Any]] = {}
    for _name, entry in (caps.get("networks") or {}).items():
        south = str(entry.get("southbound") or "")
        configured = global_addresses(entry) or any(entry.get(k) for k in ("dhcpv4", "dhcpv6", "ipv6autoconf"))
        if entry.get("bridged") and south and configured:
            out[south] = {key: entry[key] for key in _IP_FIELDS if key in entry}
    return out


def _network_devices(caps: Mapping[str, Any]) -> dict[str, tuple[str, bool]]:
    """Device name → (network, bridged) for the base device of each reported network."""
    out: dict[str, tuple[str, bool]] = {}
    for network in reported_networks(caps).values():
        device = network.nic if network.vlan is None else f"{network.nic}.{network.vlan}"
        out[device] = (network.name, network.bridged)
        out.setdefault(network.nic, (network.name, network.bridged))
    return out


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _vlan(value: int | None) -> str:
    return "none" if value is None else str(value)

"""From a configuration to the kernel state it implies, device by device."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from dcnet.domain.hostnet.config import NetConfig, NetworkAttrs
from dcnet.domain.hostnet.state import DeviceKind


@dataclass
class DesiredDevice:
    name: str
    kind: DeviceKind
    mtu: int
    master: str | None = None
    stp: bool = False
    vlan_base: str | None = None
    vlan_id: int | None = None
    bond_options: dict[str, str] = field(default_factory=dict)
    static: set[str] = field(default_factory=set)  # CIDRs
    dhcp4: bool = False
    dhcp6: bool = False
    autoconf6: bool = False
    is_top: bool = False
    dhcp_default_route: bool = False  # its DHCPv4 router becomes the default route


@dataclass(frozen=True)
class DesiredRoute:
    device: str
    gateway: str
    family: int


def static_cidrs(attrs: NetworkAttrs) -> set[str]:
    cidrs = set()
    if attrs.ipaddr:
        prefix = ipaddress.IPv4Network(f"0.0.0.0/{attrs.netmask or '255.255.255.255'}").prefixlen
        cidrs.add(f"{attrs.ipaddr}/{prefix}")
    if attrs.ipv6addr:
        cidrs.add(attrs.ipv6addr)
    return cidrs


def desired_devices(config: NetConfig) -> dict[str, DesiredDevice]:
    """Every device the configuration needs, with what it must look like."""
    devices: dict[str, DesiredDevice] = {}

    def get(name: str, kind: DeviceKind, mtu: int) -> DesiredDevice:
        device = devices.setdefault(name, DesiredDevice(name, kind, mtu))
        device.mtu = max(device.mtu, mtu)
        return device

    for bond, bond_attrs in config.bonds.items():
        if bond_attrs.switch == "ovs":
            for nic in bond_attrs.nics:
                get(nic, "nic", 0)  # an OVS bond member: no kernel master
            continue
        get(bond, "bond", 0).bond_options = bond_attrs.option_map()
        for nic in bond_attrs.nics:
            get(nic, "nic", 0).master = bond
    for name, attrs in config.networks.items():
        if attrs.switch == "ovs":
            _ovs_network(name, attrs, config, get)
            continue
        south = attrs.southbound
        if south is not None:
            get(south, "bond" if attrs.bonding else "nic", attrs.mtu)
        vlan_device = attrs.vlan_device
        if vlan_device is not None and south is not None:
            vlan = get(vlan_device, "vlan", attrs.mtu)
            vlan.vlan_base, vlan.vlan_id = south, attrs.vlan
        if attrs.bridged:
            get(name, "bridge", attrs.mtu).stp = attrs.stp
            lower = attrs.lower_device()
            if lower is not None:
                devices[lower].master = name
        top_name = attrs.top_device(name)
        if top_name is None:
            continue
        top = devices[top_name]
        top.is_top = True
        _ip_config(top, attrs)
    for bond in config.bonds:
        for nic in config.bonds[bond].nics:
            if bond in devices:
                devices[nic].mtu = max(devices[nic].mtu, devices[bond].mtu)
    for device in devices.values():
        device.mtu = device.mtu or 1500
    return devices


def _ovs_network(name: str, attrs: NetworkAttrs, config: NetConfig, get: Any) -> None:
    """The internal port carries the IP configuration; nics (or the OVS bond's members) carry the MTU."""
    members = config.bonds[attrs.bonding].nics if attrs.bonding and attrs.bonding in config.bonds else []
    for nic in [attrs.nic] if attrs.nic else members:
        get(nic, "nic", attrs.mtu)
    top = get(name, "ovs", attrs.mtu)
    top.is_top = True
    _ip_config(top, attrs)


def _ip_config(top: DesiredDevice, attrs: NetworkAttrs) -> None:
    top.static |= static_cidrs(attrs)
    top.dhcp4 = top.dhcp4 or attrs.bootproto == "dhcp"
    top.dhcp6 = top.dhcp6 or attrs.dhcpv6
    top.autoconf6 = top.autoconf6 or attrs.ipv6autoconf
    top.dhcp_default_route = top.dhcp_default_route or (attrs.bootproto == "dhcp" and attrs.defaultRoute)


def desired_routes(config: NetConfig) -> list[DesiredRoute]:
    routes = []
    for name, attrs in config.networks.items():
        top = attrs.top_device(name)
        if not attrs.defaultRoute or top is None:
            continue
        if attrs.gateway:
            routes.append(DesiredRoute(top, attrs.gateway, 4))
        if attrs.ipv6gateway and attrs.ipv6gateway != "::":
            routes.append(DesiredRoute(top, attrs.ipv6gateway, 6))
    return routes


def desired_nameservers(config: NetConfig) -> list[str] | None:
    """The name servers of the default-route network, or None when no network asks for any."""
    for attrs in config.networks.values():
        if attrs.defaultRoute and attrs.nameservers:
            return list(attrs.nameservers)
    return None


def isolated_bridges(config: NetConfig) -> dict[str, str | None]:
    """Bridges of port-isolated networks → their uplink (the one port that stays open)."""
    return {
        name: attrs.lower_device()
        for name, attrs in config.networks.items()
        if attrs.portIsolation and attrs.bridged and attrs.switch == "legacy"
    }


def managed_devices(*configs: NetConfig) -> set[str]:
    """Devices dcnet is responsible for: those in some network's chain, bonds and their slaves."""
    names: set[str] = set()
    for config in configs:
        for name, attrs in config.networks.items():
            names.update(attrs.chain(name))
        for bond, bond_attrs in config.bonds.items():
            if bond_attrs.switch != "ovs":
                names.add(bond)
            names.update(bond_attrs.nics)
    return names


def created_devices(config: NetConfig) -> set[str]:
    """Devices dcnet creates (and may delete): bridges, VLAN devices and bonds."""
    names = {bond for bond, attrs in config.bonds.items() if attrs.switch != "ovs"}
    for name, attrs in config.networks.items():
        if attrs.switch == "ovs":
            continue  # OVS removes its internal ports itself
        if attrs.bridged:
            names.add(name)
        if attrs.vlan_device:
            names.add(attrs.vlan_device)
    return names

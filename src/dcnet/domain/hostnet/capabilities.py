"""The capabilities report (VDSM's field names, reference §2) from the kernel state and the running config."""

from __future__ import annotations

import ipaddress
from typing import Any

from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.host_qos import qos_device
from dcnet.domain.hostnet.host_qos import reported as reported_qos
from dcnet.domain.hostnet.ovs import ovs_networks, ovs_uplink
from dcnet.domain.hostnet.ovs_model import OvsPort
from dcnet.domain.hostnet.state import Device, Features, HostState


def _ip_fields(device: Device, state: HostState) -> dict[str, Any]:
    v4 = device.global_addresses(4)
    v6 = device.global_addresses(6)
    route4 = state.default_route(4)
    route6 = state.default_route(6)
    gateway = route4.gateway if route4 and route4.device == device.name else ""
    primary = _primary(v4, gateway)
    return {
        "addr": primary.address if primary else "",
        "netmask": str(ipaddress.IPv4Network(f"0.0.0.0/{primary.prefixlen}").netmask) if primary else "",
        "ipv4addrs": [addr.cidr for addr in v4],
        "ipv6addrs": [addr.cidr for addr in v6],
        "addresses": [
            {"address": addr.address, "prefix": addr.prefixlen, "family": addr.family, "dynamic": addr.dynamic}
            for addr in device.addresses
            if not addr.is_link_local
        ],
        "gateway": gateway,
        "ipv6gateway": route6.gateway if route6 and route6.device == device.name else "::",
        "ipv4defaultroute": bool(route4 and route4.device == device.name),
        "mtu": device.mtu,
        "dhcpv4": device.name in state.dhcp4,
        "dhcpv6": device.name in state.dhcp6,
        "ipv6autoconf": device.name in state.autoconf6,
        "operstate": "up" if device.up and device.carrier else "down",
    }


def _primary(addresses: list[Any], gateway: str) -> Any:
    """The address in the gateway's subnet, else the first (VDSM's `addr`)."""
    if gateway:
        for addr in addresses:
            if ipaddress.ip_address(gateway) in ipaddress.ip_interface(addr.cidr).network:
                return addr
    return addresses[0] if addresses else None


def report(state: HostState, running: NetConfig, features: Features, *, dirty: bool) -> dict[str, Any]:
    nics: dict[str, Any] = {}
    bondings: dict[str, Any] = {}
    vlans: dict[str, Any] = {}
    bridges: dict[str, Any] = {}
    for name, device in sorted(state.devices.items()):
        fields = _ip_fields(device, state)
        if device.kind == "nic":
            nics[name] = fields | {"hwaddr": device.mac, "permhwaddr": device.mac, "speed": device.speed or 0}
        elif device.kind == "bond":
            bondings[name] = fields | {
                "hwaddr": device.mac,
                "slaves": state.ports_of(name),
                "active_slave": device.active_slave or "",
                "opts": dict(device.bond_options, **({"mode": device.bond_mode} if device.bond_mode else {})),
                "switch": "legacy",
                "speed": device.speed or 0,
            }
        elif device.kind == "vlan":
            vlans[name] = fields | {"iface": device.vlan_base or "", "vlanid": device.vlan_id}
        elif device.kind == "bridge":
            bridges[name] = fields | {
                "ports": state.ports_of(name),
                "stp": "on" if device.stp else "off",
                "opts": {"stp_state": "1" if device.stp else "0"},
            }
    if state.ovs is not None:
        _ovs_devices(state, running, bondings, vlans)
    networks: dict[str, Any] = {}
    for name, attrs in sorted(running.networks.items()):
        top = attrs.top_device(name)
        top_device = state.devices.get(top) if top else None
        if top_device is None:
            continue  # "Missing network detected": the configured device disappeared
        entry = _ip_fields(top_device, state) | {
            "bridged": attrs.bridged,
            "iface": top,
            "southbound": attrs.lower_device() or "",
            "switch": attrs.switch,
        }
        if attrs.switch == "ovs":
            entry["southbound"] = f"{attrs.southbound}.{attrs.vlan}" if attrs.vlan is not None else attrs.southbound
            if attrs.bridged:
                entry |= {"ports": [attrs.southbound], "stp": "off"}
            else:
                entry["interface"] = top
        elif attrs.bridged:
            entry |= {"ports": state.ports_of(name), "stp": "on" if top_device.stp else "off"}
        else:
            entry["interface"] = top
        if attrs.vlan is not None:
            entry["vlanid"] = attrs.vlan
        qos_on = qos_device(name, attrs)
        host_qos = reported_qos(name, attrs, state.qos.get(qos_on)) if qos_on else None
        if host_qos is not None:
            entry["hostQos"] = host_qos
        networks[name] = entry
    return {
        "hostname": state.hostname,
        "nics": nics,
        "bondings": bondings,
        "vlans": vlans,
        "bridges": bridges,
        "networks": networks,
        "nameservers": list(state.nameservers),
        "supportsIPv6": True,
        "netConfigDirty": dirty,
        "features": features.as_dict(),
        "supportedSwitchTypes": ["legacy", "ovs"] if features.ovs else ["legacy"],
        "defaultRoute": _default_route(state),
    } | _binding(state)


def _binding(state: HostState) -> dict[str, Any]:
    """The host's Neutron binding id: Open vSwitch's system-id (what an OVS agent would report)."""
    system_id = state.ovs.system_id if state.ovs is not None else None
    if not system_id:
        return {}
    return {"openstack_binding_host_id": system_id, "openstack_binding_host_ids": {"OPEN_VSWITCH": system_id}}


def _ovs_devices(state: HostState, running: NetConfig, bondings: dict[str, Any], vlans: dict[str, Any]) -> None:
    """OVS bonds are reported under `bondings`, and a tagged network's port under `vlans` as `<south>.<id>`,
    so the engine sees the same topology whichever switch built it."""
    assert state.ovs is not None
    for bridge in state.ovs.bridges.values():
        for port in bridge.ports.values():
            if port.kind == "bond":
                bondings[port.name] = _ovs_bond(port, state)
    for name, attrs in running.networks.items():
        if attrs.switch == "ovs" and attrs.vlan is not None and attrs.southbound:
            device = state.devices.get(name)
            vlans[f"{attrs.southbound}.{attrs.vlan}"] = _empty_ip(device.mtu if device else attrs.mtu) | {
                "iface": attrs.southbound,
                "vlanid": attrs.vlan,
                "switch": "ovs",
            }
    _foreign_ports(state, set(ovs_networks(running)), bondings, vlans)


def _ovs_bond(port: OvsPort, state: HostState) -> dict[str, Any]:
    """An internal interface named like the bond (the untagged address holder) lends it its IP fields,
    as the kernel bond device itself would hold them."""
    first = state.devices.get(port.interfaces[0]) if port.interfaces else None
    mtu = first.mtu if first else 1500
    holder = state.devices.get(port.name)
    ip = _ip_fields(holder, state) | {"mtu": mtu} if holder is not None and holder.kind == "ovs" else _empty_ip(mtu)
    return ip | {
        "hwaddr": holder.mac if holder is not None and holder.kind == "ovs" else first.mac if first else "",
        "slaves": sorted(port.interfaces),
        "active_slave": port.active_slave or "",
        "opts": {"mode": port.bond_mode or "", **port.bond_options},
        "switch": "ovs",
        "speed": 0,
    }


def _foreign_ports(state: HostState, ours: set[str], bondings: dict[str, Any], vlans: dict[str, Any]) -> None:
    """Tagged internal ports that no network of ours owns (built by someone else) are what a kernel VLAN
    device over the bridge's uplink would be: `vlans` `<uplink>.<tag>`, with their IP fields, so the engine
    finds the host's address there and knows which bond/nic and VLAN to put the management network on."""
    assert state.ovs is not None
    for bridge in state.ovs.bridges.values():
        uplink = ovs_uplink(bridge, state)
        if uplink is None:
            continue
        for port in sorted(bridge.ports.values(), key=lambda p: p.name):
            device = state.devices.get(port.interfaces[0]) if port.kind == "internal" and port.interfaces else None
            if device is None or port.name in ours or port.tag is None:
                continue
            key = f"{uplink}.{port.tag}"
            key = key if key not in vlans else device.name  # a network of ours on that VLAN keeps its entry
            if key in vlans:
                continue
            vlans[key] = _ip_fields(device, state) | {
                "iface": uplink,
                "vlanid": port.tag,
                "switch": "ovs",
            }


def _empty_ip(mtu: int) -> dict[str, Any]:
    return {
        "addr": "", "netmask": "", "ipv4addrs": [], "ipv6addrs": [], "addresses": [], "gateway": "",
        "ipv6gateway": "::", "ipv4defaultroute": False, "mtu": mtu, "dhcpv4": False, "dhcpv6": False,
        "ipv6autoconf": False, "operstate": "up",
    }  # fmt: skip


def _default_route(state: HostState) -> dict[str, Any]:
    return {f"ipv{route.family}": {"device": route.device, "gateway": route.gateway} for route in state.default_routes}

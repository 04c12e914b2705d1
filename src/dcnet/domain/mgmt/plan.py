"""The management network step as a pure function (reference: management-network.md §3, §4).

`plan(...)` reads like the algorithm: compliant already? → find the one active interface → check it
(not a bridge, VLAN as defined, bond with two slaves) → build the one attachment from the data center's
definition and the device's current IP configuration. The engine only sequences the I/O around it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dcnet.domain.events import AuditLog
from dcnet.domain.mgmt.active_interface import Holder, base_device, holders, vlan_of
from dcnet.domain.mgmt.addresses import global_addresses, matching

DEFAULT_MTU = 1500


@dataclass(frozen=True)
class ManagementNetworkSpec:
    """The data center's definition of the management network, as the host must carry it."""

    name: str
    vlan: int | None = None
    bridged: bool = True  # a VM network
    mtu: int = 0  # 0 = the default 1500
    stp: bool = False
    switch: str = "legacy"
    default_route: bool = True


@dataclass(frozen=True)
class AlreadyCompliant:
    device: str
    reason: str


@dataclass(frozen=True)
class Configure:
    """One `Host.setupNetworks` carrying only the management network."""

    device: str  # the active interface
    networks: dict[str, dict[str, Any]]
    bondings: dict[str, dict[str, Any]]
    options: dict[str, Any]


@dataclass(frozen=True)
class Failure:
    event: AuditLog
    params: dict[str, str] = field(default_factory=dict)

    def text(self, host_name: str) -> str:
        return self.event.render({"VdsName": host_name, **self.params})


Plan = AlreadyCompliant | Configure | Failure


def plan(
    spec: ManagementNetworkSpec,
    caps: Mapping[str, Any],
    host_address: str,
    resolved: Sequence[str],
    *,
    connectivity_timeout: float = 120,
) -> Plan:
    compliant = already_compliant(spec, caps, resolved)
    if compliant is not None:
        return compliant
    chosen = active_interface(spec, caps, host_address, resolved)
    if not isinstance(chosen, Holder):
        return chosen
    if chosen.device == spec.name and chosen.kind == "bridge":
        return AlreadyCompliant(chosen.device, f"{chosen.device} already carries the management network")
    problem = check_active_interface(spec, caps, chosen)
    if problem is not None:
        return problem
    return configure(spec, caps, chosen, connectivity_timeout)


def already_compliant(
    spec: ManagementNetworkSpec, caps: Mapping[str, Any], resolved: Sequence[str]
) -> AlreadyCompliant | None:
    """The management network exists and carries a resolved host address: nothing to send."""
    entry = (caps.get("networks") or {}).get(spec.name)
    if entry is None:
        return None
    device = str(entry.get("iface") or spec.name)
    for candidate in (entry, device_entry(caps, device)):
        if candidate and matching(candidate, resolved):
            return AlreadyCompliant(device, f"the management network '{spec.name}' is already configured")
    return None


def active_interface(
    spec: ManagementNetworkSpec, caps: Mapping[str, Any], host_address: str, resolved: Sequence[str]
) -> Holder | Failure:
    """Exactly one device must hold a resolved address; the management network is never moved implicitly."""
    found = holders(caps, resolved)
    if not found:
        return Failure(
            AuditLog.NO_INTERFACE_FOR_MANAGEMENT_NETWORK,
            {"HostAddress": host_address, "Addresses": ", ".join(resolved)},
        )
    if len(found) > 1:
        return Failure(
            AuditLog.AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK,
            {"HostAddress": host_address, "Candidates": _and(h.describe() for h in found)},
        )
    chosen = found[0]
    entry = (caps.get("networks") or {}).get(spec.name)
    if entry is not None and not (chosen.kind == "bridge" and chosen.device == spec.name):
        current = str(entry.get("iface") or spec.name)
        held = global_addresses(entry) or global_addresses(device_entry(caps, current) or {})
        return Failure(
            AuditLog.MANAGEMENT_NETWORK_ON_OTHER_INTERFACE,
            {
                "NetworkName": spec.name,
                "CurrentInterface": current,
                "CurrentAddresses": ", ".join(held) or "no address",
                "HostAddress": host_address,
                "Addresses": ", ".join(chosen.addresses),
                "InterfaceName": chosen.device,
            },
        )
    return chosen


def check_active_interface(spec: ManagementNetworkSpec, caps: Mapping[str, Any], chosen: Holder) -> Failure | None:
    if chosen.kind == "bridge":
        return Failure(
            AuditLog.INVALID_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": chosen.device, "Reason": "bridge; remove it or use setup networks"},
        )
    vlan = vlan_of(caps, chosen)
    if (vlan or 0) != (spec.vlan or 0):
        return Failure(
            AuditLog.VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": chosen.device, "VlanId": _vlan_text(vlan), "MgmtVlanId": _vlan_text(spec.vlan)},
        )
    base = base_device(caps, chosen)
    bond = (caps.get("bondings") or {}).get(base)
    if bond is not None and len(bond.get("slaves") or ()) < 2:
        return Failure(AuditLog.INVALID_BOND_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION, {"InterfaceName": base})
    return None


def configure(spec: ManagementNetworkSpec, caps: Mapping[str, Any], chosen: Holder, timeout: float) -> Configure:
    base = base_device(caps, chosen)
    device = device_entry(caps, chosen.device) or {}
    bond = (caps.get("bondings") or {}).get(base)
    attrs: dict[str, Any] = {"bonding" if bond is not None else "nic": base}
    if spec.vlan is not None:
        attrs["vlan"] = spec.vlan
    attrs |= {
        "bridged": spec.bridged,
        "mtu": spec.mtu or DEFAULT_MTU,
        "STP": spec.stp,
        "switch": spec.switch,
        "defaultRoute": spec.default_route,
    }
    attrs |= ipv4_config(device, chosen.addresses) | ipv6_config(device, chosen.addresses)
    bondings = {base: bond_definition(bond, spec.switch)} if bond is not None else {}
    options = {"connectivityCheck": True, "connectivityTimeout": timeout, "commitOnSuccess": True}
    return Configure(chosen.device, {spec.name: attrs}, bondings, options)


def ipv4_config(device: Mapping[str, Any], matched: Sequence[str]) -> dict[str, Any]:
    """DHCP stays DHCP; a static address stays static (the one that matched, with its netmask and gateway)."""
    if device.get("dhcpv4"):
        return {"bootproto": "dhcp"}
    addresses = _with_prefix(device, 4)
    if not addresses:
        return {"bootproto": "none"}
    chosen = next((a for a in addresses if any(_same(a, m) for m in matched)), None)
    primary = str(device.get("addr") or "")
    chosen = chosen or next((a for a in addresses if _same(a, primary)), addresses[0])
    interface = ipaddress.IPv4Interface(chosen)
    config: dict[str, Any] = {"bootproto": "none", "ipaddr": str(interface.ip), "netmask": str(interface.netmask)}
    if device.get("gateway"):
        config["gateway"] = str(device["gateway"])
    return config


def ipv6_config(device: Mapping[str, Any], matched: Sequence[str]) -> dict[str, Any]:
    """DHCPv6 and/or autoconf stay as they are; else a static global address is copied with its gateway."""
    if device.get("dhcpv6") or device.get("ipv6autoconf"):
        return {"dhcpv6": bool(device.get("dhcpv6")), "ipv6autoconf": bool(device.get("ipv6autoconf"))}
    addresses = _with_prefix(device, 6)
    if not addresses:
        return {}
    chosen = next((a for a in addresses if any(_same(a, m) for m in matched)), addresses[0])
    config: dict[str, Any] = {"ipv6addr": chosen}
    gateway = str(device.get("ipv6gateway") or "")
    if gateway and gateway != "::":
        config["ipv6gateway"] = gateway
    return config


def bond_definition(bond: Mapping[str, Any], switch: str) -> dict[str, Any]:
    """The bond as it is (slaves, options): the management step never reshapes a bond."""
    options = bond.get("opts") or {}
    text = " ".join(f"{key}={value}" for key, value in options.items() if value not in (None, ""))
    return {"nics": sorted(bond.get("slaves") or ()), "options": text, "switch": str(bond.get("switch") or switch)}


def _with_prefix(device: Mapping[str, Any], family: int) -> list[str]:
    """Global static-or-dynamic addresses of one family as `address/prefix`."""
    listed = device.get(f"ipv{family}addrs") or []
    out: list[str] = []
    for item in listed:
        text = str(item)
        if "/" not in text:
            text += "/32" if family == 4 else "/128"
        if global_addresses({f"ipv{family}addrs": [text]}):
            out.append(text)
    if not out and family == 4 and device.get("addr"):
        netmask = str(device.get("netmask") or "255.255.255.255")
        out.append(str(ipaddress.IPv4Interface(f"{device['addr']}/{netmask}")))
    return out


def _same(cidr: str, address: str) -> bool:
    return bool(matching({"ipv4addrs": [cidr], "ipv6addrs": []}, [address])) or bool(
        matching({"ipv6addrs": [cidr]}, [address])
    )


def device_entry(caps: Mapping[str, Any], device: str) -> Mapping[str, Any] | None:
    for section in ("bridges", "nics", "vlans", "bondings"):
        entry = (caps.get(section) or {}).get(device)
        if entry is not None:
            return entry  # type: ignore[no-any-return]
    return None


def _vlan_text(vlan: int | None) -> str:
    return "none" if vlan is None else str(vlan)


def _and(items: Iterable[str]) -> str:
    listed = [str(item) for item in items]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def engine_builds_management_network(major: int, minor: int) -> bool:
    """Clusters from 3.1 up get the engine-built management network; 3.0 keeps the agent-built bridge and
    the restart that proves it (oVirt's NormalizedMgmgNetworkEnabled)."""
    return (major, minor) >= (3, 1)

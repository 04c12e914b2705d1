"""Builders for VDSM-shaped `Host.getCapabilities` answers used by the management-network tests."""

from __future__ import annotations

import ipaddress
from typing import Any

MGMT = "ovirtmgmt"
HOST = "h1"
ADDRESS = "h1.example"


def dev(
    *ipv4: str,
    ipv6: tuple[str, ...] = (),
    gateway: str = "",
    ipv6gateway: str = "::",
    dhcpv4: bool = False,
    dhcpv6: bool = False,
    ipv6autoconf: bool = False,
    mtu: int = 1500,
    **extra: Any,
) -> dict[str, Any]:
    """One reported device; `ipv4` as `addr/len` (the first is the primary `addr`/`netmask`)."""
    primary = ipaddress.IPv4Interface(ipv4[0]) if ipv4 else None
    return {
        "addr": str(primary.ip) if primary else "",
        "netmask": str(primary.netmask) if primary else "",
        "ipv4addrs": list(ipv4),
        "ipv6addrs": list(ipv6),
        "gateway": gateway,
        "ipv6gateway": ipv6gateway,
        "dhcpv4": dhcpv4,
        "dhcpv6": dhcpv6,
        "ipv6autoconf": ipv6autoconf,
        "mtu": mtu,
        **extra,
    }


def bond(*slaves: str, ipv4: tuple[str, ...] = (), opts: dict[str, str] | None = None, **kw: Any) -> dict[str, Any]:
    return dev(*ipv4, slaves=list(slaves), opts=opts or {"mode": "4", "miimon": "100"}, switch="legacy", **kw)


def vlan(base: str, tag: int, *ipv4: str, **kw: Any) -> dict[str, Any]:
    return dev(*ipv4, iface=base, vlanid=tag, **kw)


def bridge(*ports: str, ipv4: tuple[str, ...] = (), **kw: Any) -> dict[str, Any]:
    return dev(*ipv4, ports=list(ports), stp="off", **kw)


def network(iface: str, *, bridged: bool, southbound: str, vlanid: int | None = None, **kw: Any) -> dict[str, Any]:
    entry = dev(iface=iface, bridged=bridged, southbound=southbound, **kw)
    if vlanid is not None:
        entry["vlanid"] = vlanid
    return entry


def caps(
    *,
    nics: dict[str, dict[str, Any]] | None = None,
    bondings: dict[str, dict[str, Any]] | None = None,
    vlans: dict[str, dict[str, Any]] | None = None,
    bridges: dict[str, dict[str, Any]] | None = None,
    networks: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "nics": nics or {},
        "bondings": bondings or {},
        "vlans": vlans or {},
        "bridges": bridges or {},
        "networks": networks or {},
    }

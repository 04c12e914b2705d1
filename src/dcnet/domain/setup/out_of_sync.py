"""Is a network attachment in sync with its logical network? (host-network-setup.md §8)

`compare(...)` gives one `ReportedConfiguration` per compared attribute. Both sides are normalized first so
that nothing is out of sync falsely: MTU 0 = 1500, a netmask as a prefix or dotted, gateways `0.0.0.0` / `""`
/ `::` = none, IPv6 addresses compared semantically, link-local and DHCP-learned addresses never compared,
and a gateway or default route is only compared where the host can report it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dcnet.domain.entities import ClusterNetwork, Network
from dcnet.domain.host_report import ReportedConfiguration
from dcnet.domain.setup.model import Attachment, IpConfig

DEFAULT_MTU = 1500
NONE = "none"

# How NETWORK_NOT_IN_SYNC names each attribute ("MTU Host - 1501, DC - 1500").
LABELS = {
    "mtu": "MTU",
    "bridged": "Bridged",
    "vlan": "VLAN",
    "switchType": "Switch type",
    "ipv4_boot_protocol": "IPv4 boot protocol",
    "ipv4_address": "IPv4 address",
    "ipv4_netmask": "IPv4 netmask",
    "ipv4_gateway": "IPv4 gateway",
    "ipv6_boot_protocol": "IPv6 boot protocol",
    "ipv6_address": "IPv6 address",
    "ipv6_prefix": "IPv6 prefix",
    "ipv6_gateway": "IPv6 gateway",
    "outAverageLinkShare": "Outbound average link share",
    "outAverageUpperLimit": "Outbound average upper limit",
    "outAverageRealTime": "Outbound average real time",
    "dns_configuration": "DNS configuration",
    "default_route": "Default route",
}
_QOS = (("outAverageLinkShare", "ls"), ("outAverageUpperLimit", "ul"), ("outAverageRealTime", "rt"))


@dataclass(frozen=True)
class SupersetConfiguration(ReportedConfiguration):
    """An entry that is in sync when the host's list contains every expected item (DNS servers)."""

    @property
    def in_sync(self) -> bool:
        actual = set(_split(self.actual))
        return all(item in actual for item in _split(self.expected))


def compare(
    network: Network,
    cluster_network: ClusterNetwork | None,
    attachment: Attachment | None,
    reported: Mapping[str, Any],
    caps: Mapping[str, Any],
    switch_type: str,
    *,
    expected_qos: Mapping[str, Any] | None = None,
) -> list[ReportedConfiguration]:
    """Every attribute of §8 for one network the host carries (`reported` = `caps["networks"][vdsm_name]`)."""
    default_route = bool(cluster_network and cluster_network.default_route)
    entries = [
        ReportedConfiguration("mtu", str(network.mtu or DEFAULT_MTU), str(_int(reported.get("mtu")) or DEFAULT_MTU)),
        ReportedConfiguration("bridged", _bool(network.vm), _bool(bool(reported.get("bridged")))),
        ReportedConfiguration("vlan", _vlan(network.vlan_id), _vlan(reported_vlan(reported, caps))),
        ReportedConfiguration("switchType", switch_type or "legacy", str(reported.get("switch") or "legacy")),
    ]
    if attachment is not None:
        entries += ipv4_entries(attachment.ipv4, reported, default_route)
        if attachment.ipv6 is not None:
            entries += ipv6_entries(attachment.ipv6, reported, default_route)
    entries += qos_entries(expected_qos, reported.get("hostQos"))
    if default_route:
        expected_dns = (attachment.dns_servers if attachment else ()) or tuple(network.dns_name_servers)
        entries.append(
            SupersetConfiguration(
                "dns_configuration", _join(_ips(expected_dns)), _join(_ips(caps.get("nameservers") or ()))
            )
        )
    if not default_route or attachment is None or can_hold_default_route(attachment, caps):
        entries.append(
            ReportedConfiguration("default_route", _bool(default_route), _bool(holds_default_route(reported, caps)))
        )
    return entries


def in_sync(entries: Iterable[ReportedConfiguration]) -> bool:
    return all(entry.in_sync for entry in entries)


def out_of_sync_values(entries: Iterable[ReportedConfiguration]) -> str:
    """NETWORK_NOT_IN_SYNC's ${OUT_OF_SYNC_VALUES}: "MTU Host - 1501, DC - 1500; VLAN Host - none, DC - 10"."""
    return "; ".join(
        f"{LABELS.get(entry.name, entry.name)} Host - {entry.actual}, DC - {entry.expected}"
        for entry in entries
        if not entry.in_sync
    )


# --- IPv4 -----------------------------------------------------------------------------------------------


def ipv4_entries(expected: IpConfig, reported: Mapping[str, Any], default_route: bool) -> list[ReportedConfiguration]:
    method = reported_ipv4_method(reported)
    entries = [ReportedConfiguration("ipv4_boot_protocol", expected.method, method)]
    if expected.method != "static" or method != "static" or not expected.address:
        return entries
    want = _ipv4_interface(expected.address, expected.netmask)
    have = _pick(_ipv4_addresses(reported), want)
    if want is None or have is None:
        return entries
    entries += [
        ReportedConfiguration("ipv4_address", str(want.ip), str(have.ip)),
        ReportedConfiguration("ipv4_netmask", str(want.netmask), str(have.netmask)),
    ]
    host_gateway = _gateway(reported.get("gateway"))
    if default_route or host_gateway != NONE:  # the agent reports a gateway only where the route is
        entries.append(ReportedConfiguration("ipv4_gateway", _gateway(expected.gateway), host_gateway))
    return entries


def reported_ipv4_method(reported: Mapping[str, Any]) -> str:
    if reported.get("dhcpv4"):
        return "dhcp"
    return "static" if _ipv4_addresses(reported) else NONE


def _ipv4_addresses(reported: Mapping[str, Any]) -> list[ipaddress.IPv4Interface]:
    """Global, non-dynamic IPv4 addresses (a DHCP-learned address is never a static one)."""
    dynamic = _dynamic(reported, 4)
    out: list[ipaddress.IPv4Interface] = []
    listed = [str(a) for a in reported.get("ipv4addrs") or ()]
    if not listed and reported.get("addr"):
        listed = [f"{reported['addr']}/{reported.get('netmask') or '32'}"]
    for text in listed:
        try:
            interface = ipaddress.IPv4Interface(text)
        except ValueError:
            continue
        if not interface.ip.is_link_local and str(interface.ip) not in dynamic:
            out.append(interface)
    return out


def _ipv4_interface(address: str, netmask: str | None) -> ipaddress.IPv4Interface | None:
    try:
        return ipaddress.IPv4Interface(f"{address}/{(netmask or '32').lstrip('/')}")
    except ValueError:
        return None


# --- IPv6 -----------------------------------------------------------------------------------------------


def ipv6_entries(expected: IpConfig, reported: Mapping[str, Any], default_route: bool) -> list[ReportedConfiguration]:
    method = reported_ipv6_method(reported)
    entries = [ReportedConfiguration("ipv6_boot_protocol", expected.method, method)]
    if expected.method != "static" or method != "static" or not expected.address:
        return entries
    want = _ipv6_interface(expected.address, expected.netmask)
    have = _pick(_ipv6_addresses(reported), want)
    if want is None or have is None:
        return entries
    entries += [
        ReportedConfiguration("ipv6_address", want.ip.compressed, have.ip.compressed),
        ReportedConfiguration("ipv6_prefix", str(want.network.prefixlen), str(have.network.prefixlen)),
    ]
    if default_route:  # the IPv6 gateway is only sent with the default-route network
        entries.append(
            ReportedConfiguration("ipv6_gateway", _gateway(expected.gateway), _gateway(reported.get("ipv6gateway")))
        )
    return entries


def reported_ipv6_method(reported: Mapping[str, Any]) -> str:
    dhcp, auto = bool(reported.get("dhcpv6")), bool(reported.get("ipv6autoconf"))
    if dhcp and auto:
        return "poly_dhcp_autoconf"
    if dhcp:
        return "dhcp"
    if auto:
        return "autoconf"
    return "static" if _ipv6_addresses(reported) else NONE


def _ipv6_addresses(reported: Mapping[str, Any]) -> list[ipaddress.IPv6Interface]:
    """Global, non-dynamic, non-temporary IPv6 addresses (link-local excluded)."""
    dynamic = _dynamic(reported, 6)
    out: list[ipaddress.IPv6Interface] = []
    for item in reported.get("ipv6addrs") or ():
        text = str(item)
        try:
            interface = ipaddress.IPv6Interface(text if "/" in text else text + "/128")
        except ValueError:
            continue
        if not interface.ip.is_link_local and interface.ip.compressed not in dynamic:
            out.append(interface)
    return out


def _ipv6_interface(address: str, prefix: str | None) -> ipaddress.IPv6Interface | None:
    try:
        if "/" in address:
            return ipaddress.IPv6Interface(address)
        return ipaddress.IPv6Interface(f"{address}/{(prefix or '128').lstrip('/')}")
    except ValueError:
        return None


# --- QoS, default route ---------------------------------------------------------------------------------


def qos_entries(expected: Mapping[str, Any] | None, actual: Any) -> list[ReportedConfiguration]:
    """Compared only when either side has host network QoS (`{out: {ls, ul, rt}}`, Mbps)."""
    want, have = _qos(expected), _qos(actual)
    if not want and not have:
        return []
    return [ReportedConfiguration(name, want.get(key, NONE), have.get(key, NONE)) for name, key in _QOS]


def _qos(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    out = value.get("out", value)
    if not isinstance(out, Mapping):
        return {}
    result: dict[str, str] = {}
    for _, key in _QOS:
        item = out.get(key)
        if isinstance(item, Mapping):  # VDSM's {"m2": rate}
            item = item.get("m2")
        if item not in (None, "", 0, "0"):
            result[key] = str(_int(item))
    return result


def holds_default_route(reported: Mapping[str, Any], caps: Mapping[str, Any]) -> bool:
    """The IPv4 default route only, as oVirt: an IPv6 default route comes and goes with router
    advertisements on any network doing SLAAC, and would make those falsely out of sync."""
    if reported.get("ipv4defaultroute"):
        return True
    routes = caps.get("defaultRoute")
    iface = reported.get("iface")
    if isinstance(routes, Mapping) and iface:
        route = routes.get("ipv4")
        return isinstance(route, Mapping) and route.get("device") == iface
    return False


def can_hold_default_route(attachment: Attachment, caps: Mapping[str, Any]) -> bool:
    """A default-route network configured without any gateway source cannot hold the route: not compared.
    A DHCP-configured one holds it only if its DHCP server hands out a router; when the host has no IPv4
    default route at all there is nothing to compare (a DHCP-learned value, not a definition)."""
    v4, v6 = attachment.ipv4, attachment.ipv6
    if v4.method == "static" and _gateway(v4.gateway) != NONE:
        return True
    if v6 is not None and v6.method == "static" and _gateway(v6.gateway) != NONE:
        return True
    learnt = v4.method == "dhcp" or (v6 is not None and v6.method in ("dhcp", "autoconf", "poly_dhcp_autoconf"))
    return learnt and _host_has_ipv4_default_route(caps)


def _host_has_ipv4_default_route(caps: Mapping[str, Any]) -> bool:
    routes = caps.get("defaultRoute")
    return isinstance(routes, Mapping) and isinstance(routes.get("ipv4"), Mapping)


# --- normalization --------------------------------------------------------------------------------------


def reported_vlan(reported: Mapping[str, Any], caps: Mapping[str, Any]) -> int | None:
    if reported.get("vlanid") not in (None, ""):
        return _int(reported["vlanid"])
    for device in (reported.get("southbound"), reported.get("iface")):
        entry = (caps.get("vlans") or {}).get(device) if device else None
        if entry is not None and entry.get("vlanid") not in (None, ""):
            return _int(entry["vlanid"])
    return None


def _dynamic(reported: Mapping[str, Any], family: int) -> set[str]:
    """Addresses the agent marks dynamic (DHCP or SLAAC learned), compressed."""
    out: set[str] = set()
    for item in reported.get("addresses") or ():
        if isinstance(item, Mapping) and item.get("dynamic") and _int(item.get("family")) == family:
            try:
                out.add(ipaddress.ip_address(str(item.get("address"))).compressed)
            except ValueError:
                continue
    return out


def _pick(
    addresses: Sequence[ipaddress.IPv4Interface | ipaddress.IPv6Interface],
    want: ipaddress.IPv4Interface | ipaddress.IPv6Interface | None,
) -> Any:
    """The host address that matches the expected one, else the first (the host's primary)."""
    if not addresses:
        return None
    if want is not None:
        for interface in addresses:
            if interface.ip == want.ip:
                return interface
    return addresses[0]


def _gateway(value: Any) -> str:
    """`0.0.0.0`, `::`, empty and absent all mean no gateway."""
    text = str(value or "").strip()
    if not text:
        return NONE
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    return NONE if address.is_unspecified else address.compressed


def _ips(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        try:
            out.append(ipaddress.ip_address(str(value).strip()).compressed)
        except ValueError:
            out.append(str(value).strip())
    return out


def _join(items: Sequence[str]) -> str:
    return ", ".join(items)


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _vlan(value: int | None) -> str:
    return NONE if value is None else str(value)

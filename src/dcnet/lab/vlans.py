"""Lab VLANs: addressing and the switch-side wiring, as pure functions (testable without root).

Addressing (NET = the lab's net, 10..99; k = position of the VLAN in the lab's list, 1-based):

- IPv4 ``10.(100+NET).k.0/24``; the switch's internal port ``vlan<v>`` is ``.1`` (gateway, DNS, DHCP
  server), the DHCPv4 pool is ``.100-.199``, static test addresses of host i are ``.(10+i)``.
- IPv6 ``fdNET:0:<v>::/64`` (the VLAN id's decimal digits as one hex group, e.g. ``fd77:0:3000::/64``);
  gateway ``::1``, DHCPv6 pool ``::c8:10-::c8:ff``, SLAAC from the switch's router advertisements.
- ``10.(100+NET).0.0/24`` is a scratch subnet for tests (static addresses on any tag, never routed).

NET ≤ 99 keeps ``10.(100+NET)`` out of every lab's management ``10.NET.0.0/16``, and each lab (distinct NET)
owns distinct prefixes, so concurrent labs never share a route.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from dcnet.lab.topology import BRIDGE, LabError

DEFAULT_VLANS = (100, 3000)
MAX_VLANS = 254
SWITCH_BRIDGE = "labovs"  # the switch namespace's OVS bridge
TRUNK_LABBR = "lbr-ovs"  # veth end on the Linux bridge labbr
TRUNK_OVS = "ovs-lbr"  # veth end on the OVS bridge (trunk port carrying the lab VLANs only)
JUMBO_MTU = 9000


@dataclass(frozen=True)
class VlanNet:
    """One lab VLAN: its tag and the subnets the switch routes and serves (DNS, DHCPv4/v6, RA) on it."""

    vid: int
    ipv4: ipaddress.IPv4Network
    ipv6: ipaddress.IPv6Network

    @property
    def port(self) -> str:
        return f"vlan{self.vid}"

    @property
    def gateway4(self) -> str:
        return str(self.ipv4.network_address + 1)

    @property
    def gateway6(self) -> str:
        return str(self.ipv6.network_address + 1)

    @property
    def pool4(self) -> tuple[str, str]:
        base = self.ipv4.network_address
        return str(base + 100), str(base + 199)

    @property
    def pool6(self) -> tuple[str, str]:
        base = self.ipv6.network_address
        return str(base + 0xC80010), str(base + 0xC800FF)

    def host_ipv4(self, i: int) -> str:
        """Static address of lab host i on this VLAN (below the DHCP pool)."""
        if not 1 <= i <= 89:
            raise LabError(f"static VLAN addresses exist for hosts 1..89, got {i}")
        return str(self.ipv4.network_address + 10 + i)

    def to_json(self) -> dict[str, object]:
        return {
            "vid": self.vid,
            "port": self.port,
            "ipv4": str(self.ipv4),
            "gateway4": self.gateway4,
            "pool4": list(self.pool4),
            "ipv6": str(self.ipv6),
            "gateway6": self.gateway6,
            "pool6": list(self.pool6),
        }


def check_vlans(vids: Sequence[int]) -> tuple[int, ...]:
    out = tuple(int(v) for v in vids)
    if len(set(out)) != len(out):
        raise LabError(f"lab VLANs must be distinct, got {list(out)}")
    if len(out) > MAX_VLANS:
        raise LabError(f"at most {MAX_VLANS} lab VLANs, got {len(out)}")
    bad = [v for v in out if not 1 <= v <= 4094]
    if bad:
        raise LabError(f"VLAN ids must be 1..4094, got {bad}")
    return out


def vlan_nets(net: int, vids: Sequence[int]) -> list[VlanNet]:
    return [
        VlanNet(
            vid=v,
            ipv4=ipaddress.IPv4Network(f"10.{100 + net}.{k}.0/24"),
            ipv6=ipaddress.IPv6Network(f"fd{net}:0:{v}::/64"),
        )
        for k, v in enumerate(check_vlans(vids), start=1)
    ]


def owned_prefix4(net: int) -> ipaddress.IPv4Network:
    """Every IPv4 prefix of the lab's VLANs (and the scratch subnet) lies in here."""
    return ipaddress.IPv4Network(f"10.{100 + net}.0.0/16")


def scratch_ipv4(net: int, i: int) -> str:
    """A static test address (host index i, 1..250) in the scratch subnet: same L2 only, never routed."""
    if not 1 <= i <= 250:
        raise LabError(f"scratch addresses are 1..250, got {i}")
    return f"10.{100 + net}.0.{i}"


def switch_link_batch(n: int, nics: int, *, trunk: bool) -> list[str]:
    """`ip -n <P>-sw -batch`: jumbo MTU on every switch-side port, and the labbr<->OVS trunk veth.

    The switch-side ports get MTU 9000 (like a jumbo-capable physical switch) so tests may raise a host
    nic's MTU; labbr itself stays at the uplink's 1500 (a bridge checks the egress port's MTU only).
    """
    lines = []
    if trunk:
        lines += [
            f"link add {TRUNK_LABBR} type veth peer name {TRUNK_OVS}",
            f"link set {TRUNK_LABBR} mtu {JUMBO_MTU} master {BRIDGE} up",
            f"link set {TRUNK_OVS} mtu {JUMBO_MTU} up",
        ]
    lines += [f"link set h{i}n{k} mtu {JUMBO_MTU}" for i in range(1, n + 1) for k in range(nics)]
    return lines


def switch_vsctl_args(vlans: Sequence[VlanNet]) -> list[str]:
    """One ovs-vsctl transaction: bridge labovs, the trunk port, one internal port `vlan<v>` per VLAN."""
    args = ["add-br", SWITCH_BRIDGE, "--", "set", "bridge", SWITCH_BRIDGE, "datapath_type=netdev"]
    if not vlans:
        raise LabError("the switch OVS bridge needs at least one lab VLAN")
    # a trunk restricted to the lab VLANs: untagged management frames from labbr are dropped at once
    trunks = ",".join(str(v.vid) for v in vlans)
    args += ["--", "add-port", SWITCH_BRIDGE, TRUNK_OVS, f"trunks={trunks}"]
    for v in vlans:
        args += ["--", "add-port", SWITCH_BRIDGE, v.port, f"tag={v.vid}", "--", "set", "interface", v.port]
        args += ["type=internal"]
    return args


def switch_addr_batch(vlans: Sequence[VlanNet]) -> list[str]:
    """`ip -n <P>-sw -batch` after the OVS ports exist: gateway addresses, links up."""
    lines: list[str] = []
    for v in vlans:
        lines += [
            f"addr add {v.gateway4}/{v.ipv4.prefixlen} dev {v.port}",
            f"addr add {v.gateway6}/{v.ipv6.prefixlen} dev {v.port} nodad",
            f"link set {v.port} up",
        ]
    return lines


def switch_sysctls() -> list[str]:
    """The switch routes between the management segment and the VLANs (per-namespace sysctls)."""
    return ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]


def root_routes(vlans: Sequence[VlanNet], dev: str, via4: str, via6: str) -> list[str]:
    """Root-namespace `ip route` arguments: each VLAN subnet via the switch's management address."""
    out: list[str] = []
    for v in vlans:
        out += [f"{v.ipv4} via {via4} dev {dev}", f"{v.ipv6} via {via6} dev {dev}"]
    return out

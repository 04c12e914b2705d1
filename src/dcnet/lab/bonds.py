"""Hosts whose address already sits on a bond, or on a VLAN over a bond, built with Open vSwitch.

The kernel has no bonding and no 802.1Q, so the lab builds what VDSM would report as ``bond4.3000``
(VLAN 3000 over ``bond4`` = ``eth2`` + ``eth3``, address by DHCP) inside the host's own OVS instance:

- OVS bridge ``br-<bond>`` (``datapath_type=netdev``; the same naming as the agent's OVS backend),
- OVS bond port ``<bond>`` over the nics (``bond_mode=active-backup`` by default; link state by carrier,
  so ``ip link set ethX down`` in the host fails over),
- with a VLAN: internal port ``<bond>.<vlan>`` with ``tag=<vlan>``, the kernel device that holds the
  address; without one: internal *interface* ``<bond>`` in port ``<bond>-ip`` (untagged), so the device
  named like the bond holds the address while the OVS port ``<bond>`` stays the bond itself.

The address comes from dhclient (dcnet.lab.dhcp: own ``-sf`` script, /etc never written) on the lab
VLAN's dnsmasq, or is static. `exclusive=True` also removes eth0's static addresses, so the bond (VLAN)
address is the host's only one, as on a real host whose management network sits on the bond.

What OVS cannot represent (tests of these run on the simulated backend):

- a bond with one slave (OVS makes a port with one interface a plain port: no bond, no ``bond/show``),
  or with none;
- Linux bond modes without an OVS equivalent: balance-rr (0), balance-xor (2), broadcast (3),
  balance-tlb (5), balance-alb (6); 802.3ad (4, OVS balance-tcp) needs an LACP partner and the lab
  switch (a Linux bridge) speaks no LACP;
- kernel-only bond options (arp_ip_target/ARP monitoring, fail_over_mac, primary_reselect, ...) and the
  kernel's view: ``ip -d link`` shows the devices as ``tun``, never ``bond``/``vlan``, and
  /proc/net/bonding, /proc/net/vlan do not exist;
- a bond or VLAN without a bridge, a nic in two bonds, VLAN over VLAN (QinQ).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dcnet.lab.topology import LabError

OVS_BOND_MODES = ("active-backup", "balance-slb")
MAX_IFNAME = 15


@dataclass(frozen=True)
class BondHost:
    """What build_bond_host made: where the address sits and what it is."""

    host: str
    bridge: str
    bond: str
    slaves: tuple[str, ...]
    vlan: int | None
    device: str  # the kernel device holding the address: "<bond>.<vlan>" or "<bond>"
    ipv4: str | None  # "a.b.c.d/len"
    ipv6: str | None
    dhcp: bool


def bridge_name(bond: str) -> str:
    return f"br-{bond}"


def device_name(bond: str, vlan: int | None) -> str:
    return bond if vlan is None else f"{bond}.{vlan}"


def check(bond: str, slaves: Sequence[str], vlan: int | None, mode: str) -> None:
    """Refuse what OVS cannot build (see the module docstring) before anything changes."""
    for name in (bond, bridge_name(bond), device_name(bond, vlan), f"{bond}-ip"):
        if not name or len(name) > MAX_IFNAME or "/" in name or " " in name:
            raise LabError(f"bad device name {name!r} (1..{MAX_IFNAME} chars)")
    if len(slaves) < 2:
        raise LabError(f"OVS cannot represent a bond with {len(slaves)} slave(s); use the simulated backend")
    if len(set(slaves)) != len(slaves):
        raise LabError(f"bond slaves must be distinct, got {list(slaves)}")
    if mode not in OVS_BOND_MODES:
        raise LabError(f"OVS has no bond mode {mode!r} without an LACP partner (use {', '.join(OVS_BOND_MODES)})")
    if vlan is not None and not 1 <= vlan <= 4094:
        raise LabError(f"VLAN id must be 1..4094, got {vlan}")


def vsctl_args(bond: str, slaves: Sequence[str], vlan: int | None, mode: str, mtu: int | None) -> list[str]:
    """One ovs-vsctl transaction building the bridge, the bond and the address-holding internal port."""
    br, dev = bridge_name(bond), device_name(bond, vlan)
    args = ["add-br", br, "--", "set", "bridge", br, "datapath_type=netdev"]
    args += ["--", "add-bond", br, bond, *slaves, f"bond_mode={mode}"]
    if vlan is not None:
        args += ["--", "add-port", br, dev, f"tag={vlan}", "--", "set", "interface", dev, "type=internal"]
    else:  # interface named like the bond, in a port of another name (port names are unique per bridge)
        args += ["--", "--id=@i", "create", "interface", f"name={dev}", "type=internal"]
        args += ["--", "--id=@p", "create", "port", f"name={bond}-ip", "interfaces=@i"]
        args += ["--", "add", "bridge", br, "ports", "@p"]
    if mtu is not None:
        for name in (*slaves, dev):
            args += ["--", "set", "interface", name, f"mtu_request={mtu}"]
    return args

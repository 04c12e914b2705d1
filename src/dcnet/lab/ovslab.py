"""Open vSwitch in the lab (``Lab(..., ovs=True)``): per-host OVS instances, lab VLANs, bond hosts.

Design (see README-ovs.md for the picture):

- Every host namespace runs its own OVS instance (``STATE/ovs/h<i>/``, ``external_ids:system-id`` =
  ``dcnet-<prefix>-h<i>``, ``hostname`` = its FQDN); tests build bridges, bonds and tagged internal ports
  there with `vsctl`, `appctl` and `ofctl`.
- The management segment stays exactly as without OVS: untagged frames never leave the Linux bridge
  ``labbr``. Tagged frames cross ``labbr`` unchanged (no VLAN filtering), so hosts reach each other on
  any tag directly.
- The lab VLANs (default 100 and 3000) end in the switch namespace: a veth ``lbr-ovs``/``ovs-lbr`` joins
  ``labbr`` to the switch's own OVS bridge ``labovs`` as a trunk port carrying only the lab VLANs; VLAN v
  leaves it untagged on internal port ``vlan<v>``, which holds the VLAN's gateway address and where
  dnsmasq serves DNS, DHCPv4, DHCPv6 and RAs (addressing: dcnet.lab.vlans).
- The switch forwards IPv4/IPv6 between ``labbr`` and the ``vlan<v>`` ports; the root namespace gets one
  route per VLAN subnet via the switch's management address (10.NET.255.254 / fdNET::fffe) on
  ``<P>-up``. The routes are recorded in STATE/routes and removed by `down()`.
- Switch-side host ports have MTU 9000 (a jumbo-capable switch); hosts keep 1500 until a test raises it.
"""

from __future__ import annotations

import ipaddress
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from dcnet.lab import bonds, topology
from dcnet.lab import dhcp as labdhcp
from dcnet.lab import ovs as labovs
from dcnet.lab import vlans as labvlans
from dcnet.lab.bonds import BondHost
from dcnet.lab.run import ip_batch, ip_json, netns_exec, run
from dcnet.lab.teardown import ROUTES
from dcnet.lab.topology import LabError, LabHost

SWITCH = "sw"  # OVS instance name of the switch namespace


class OvsMixin:
    """The OVS half of `Lab`: started by `up()` when the lab was made with ``ovs=True``."""

    prefix: str
    net: int
    n: int
    nics: int
    state_dir: Path
    hosts: list[LabHost]
    ovs: bool
    vlans: tuple[int, ...]
    timings: dict[str, float]

    if TYPE_CHECKING:

        def host(self, host: str | LabHost) -> LabHost: ...

        def exec(
            self, host: str | LabHost, *argv: str, check: bool = True, input: str | None = None, timeout: float = 60
        ) -> subprocess.CompletedProcess[str]: ...

        def dhcp_lease(self, host: str | LabHost, nic: str, *, v6: bool = False, timeout: float = 60) -> None: ...

        def dhcp_release(self, host: str | LabHost, nic: str, *, v6: bool = False) -> None: ...

    # --- instances and helpers --------------------------------------------------------------------------

    @property
    def vlan_nets(self) -> list[labvlans.VlanNet]:
        return labvlans.vlan_nets(self.net, self.vlans) if self.ovs else []

    def vlan(self, vid: int) -> labvlans.VlanNet:
        """Addressing of lab VLAN `vid` (subnets, gateway, pools)."""
        for v in self.vlan_nets:
            if v.vid == vid:
                return v
        raise LabError(f"VLAN {vid} is not a lab VLAN of {self.prefix!r} (lab VLANs: {list(self.vlans)})")

    def scratch_ipv4(self, i: int) -> str:
        """A never-routed test address (same L2 only), see dcnet.lab.vlans."""
        return labvlans.scratch_ipv4(self.net, i)

    def ovs_instance(self, host: str | LabHost) -> labovs.OvsInstance:
        """The OVS instance of a host, or of the switch namespace for "sw"."""
        if not self.ovs:
            raise LabError(f"lab {self.prefix!r} was built without OVS (Lab(..., ovs=True))")
        if host in (SWITCH, topology.switch_ns(self.prefix)):
            return labovs.instance(self.state_dir, SWITCH, topology.switch_ns(self.prefix))
        h = self.host(host)
        return labovs.instance(self.state_dir, h.name, h.netns)

    def ovsdb(self, host: str | LabHost) -> str:
        """ "unix:/STATE/ovs/<host>/db.sock": what ovs-vsctl --db, ovsdbapp or the agent's backend take."""
        return self.ovs_instance(host).db

    def vsctl(self, host: str | LabHost, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(self.ovs_instance(host).vsctl_argv(*args), check=check)

    def appctl(self, host: str | LabHost, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(self.ovs_instance(host).appctl_argv(*args), check=check)

    def ofctl(self, host: str | LabHost, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(self.ovs_instance(host).ofctl_argv(*args), check=check)

    # --- life cycle (called by Lab.up) ------------------------------------------------------------------

    def _check_vlan_prefixes_free(self) -> None:
        """A root route inside our prefixes (another network, a stale lab) would take the lab's traffic.

        A broader one (say 10.0.0.0/8 of a VPN) is fine: the lab's /24 and /64 routes are more specific."""
        owned: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = [labvlans.owned_prefix4(self.net)]
        owned += [v.ipv6 for v in self.vlan_nets]
        for family in (4, 6):
            for r in ip_json("route", family=family):
                if r["dst"] == "default":
                    continue
                dst = ipaddress.ip_network(r["dst"], strict=False)
                if any(dst.version == o.version and dst.subnet_of(o) for o in owned):  # type: ignore[arg-type]
                    raise LabError(f"root route {r['dst']} (dev {r.get('dev')}) lies in the lab VLAN prefixes {owned}")

    def _start_ovs(self) -> None:
        """Switch-side links, all OVS instances (in parallel), the switch's VLAN ports, forwarding, routes."""
        sw = topology.switch_ns(self.prefix)
        nets = self.vlan_nets
        ip_batch(labvlans.switch_link_batch(self.n, self.nics, trunk=bool(nets)), netns=sw)
        # what the switch itself sends on labbr (dnsmasq's DHCP/DNS replies) must carry full checksums: a
        # host's OVS forwards the partial ones of an offloading veth unfilled, and clients drop them
        offload = [topology.BRIDGE] + ([labvlans.TRUNK_LABBR, labvlans.TRUNK_OVS] if nets else [])
        for dev in offload:
            run(netns_exec(sw, "ethtool", "-K", dev, "tx", "off"))
        names: list[str | LabHost] = [*self.hosts, *([SWITCH] if nets else [])]

        def start(name: str | LabHost) -> float:
            inst = self.ovs_instance(name)
            fqdn = f"{SWITCH}.{topology.DOMAIN}" if inst.name == SWITCH else self.host(name).fqdn
            return labovs.start(inst, {"system-id": f"dcnet-{self.prefix}-{inst.name}", "hostname": fqdn})

        with ThreadPoolExecutor(max_workers=min(8, len(names))) as pool:
            took = list(pool.map(start, names))
        self.timings["ovs_instance_max"] = max(took)
        if not nets:
            return
        self.vsctl(SWITCH, *labvlans.switch_vsctl_args(nets))
        ip_batch(labvlans.switch_addr_batch(nets), netns=sw)
        run(netns_exec(sw, "sysctl", "-q", "-w", *labvlans.switch_sysctls()))
        routes = labvlans.root_routes(
            nets, topology.uplink_dev(self.prefix), topology.dns_ipv4(self.net), topology.dns_ipv6(self.net)
        )
        (self.state_dir / ROUTES).write_text("".join(f"{r}\n" for r in routes))  # recorded before added
        ip_batch([f"route add {r}" for r in routes])

    def forget_vlan_neighbors(self) -> None:
        """Flush the switch's ARP/ND entries on the lab VLANs.

        An address that comes back with another MAC (a rebuilt port, a re-created bond) would otherwise be
        unreachable from the engine for 5-10 s, until the stale entry is probed out.
        """
        sw = topology.switch_ns(self.prefix)
        ip_batch([f"neigh flush dev {v.port}" for v in self.vlan_nets], netns=sw, force=True, check=False)

    # --- hosts with bonds -------------------------------------------------------------------------------

    def build_bond_host(
        self,
        host: str | LabHost,
        bond: str = "bond4",
        slaves: Sequence[str] = ("eth2", "eth3"),
        vlan: int | None = 3000,
        dhcp: bool = True,
        *,
        mode: str = "active-backup",
        mtu: int | None = None,
        address: str | None = None,
        exclusive: bool = False,
        dhcp6: bool = False,
    ) -> BondHost:
        """Give `host` its address on `<bond>.<vlan>` (or on `<bond>`) over an OVS bond, see dcnet.lab.bonds.

        dhcp: lease from the lab dnsmasq (the VLAN must be a lab VLAN; without a VLAN the management pool);
        else `address` ("a.b.c.d/len"), by default the host's static address on that lab VLAN.
        exclusive: remove eth0's static addresses first, so this is the host's only address.
        """
        h = self.host(host)
        bonds.check(bond, slaves, vlan, mode)
        self._check_free_slaves(h, slaves)
        dev = bonds.device_name(bond, vlan)
        if dhcp and vlan is not None:
            self.vlan(vlan)  # only lab VLANs have a DHCP server
        if not dhcp and address is None:
            if vlan is None:
                raise LabError("a static address on an untagged bond needs address=")
            address = f"{self.vlan(vlan).host_ipv4(int(h.name[1:]))}/24"
        self.vsctl(h, *bonds.vsctl_args(bond, slaves, vlan, mode, mtu))
        self.exec(h, "ip", "link", "set", dev, "up")
        if exclusive:
            self.exec(h, "ip", "addr", "flush", "dev", "eth0", "scope", "global")
        if dhcp:
            self.dhcp_lease(h, dev)
            if dhcp6:
                self.dhcp_lease(h, dev, v6=True)
        else:
            self.exec(h, "ip", "addr", "add", str(address), "dev", dev)
        v4, v6 = self._global_addrs(h, dev)
        return BondHost(h.name, bonds.bridge_name(bond), bond, tuple(slaves), vlan, dev, v4, v6, dhcp)

    def remove_bond_host(self, host: str | LabHost, bond: str = "bond4") -> None:
        """Undo build_bond_host: leases released, bridge gone, slaves up at MTU 1500, eth0 addresses back."""
        h = self.host(host)
        br = self.vsctl(h, "port-to-br", bond).stdout.strip()
        slaves = []
        for dev in self.vsctl(h, "list-ifaces", br).stdout.split():
            if self.vsctl(h, "get", "interface", dev, "type").stdout.strip().strip('"') != "internal":
                slaves.append(dev)
                continue
            for v6 in (False, True):
                if (self.state_dir / "pids" / f"{labdhcp.tag(h.name, dev, v6)}.pid").exists():
                    self.dhcp_release(h, dev, v6=v6)
        self.vsctl(h, "del-br", br)
        for nic in slaves:
            self.exec(h, "ip", "link", "set", nic, "mtu", "1500", "up")
        self.exec(h, "ip", "addr", "replace", f"{h.ipv4}/{topology.PREFIXLEN4}", "dev", "eth0")
        self.exec(h, "ip", "addr", "replace", f"{h.ipv6}/{topology.PREFIXLEN6}", "dev", "eth0", "nodad")
        self.forget_vlan_neighbors()

    def _check_free_slaves(self, h: LabHost, slaves: Sequence[str]) -> None:
        """A nic that holds an address (eth0) or is already in OVS would be cut off, not bonded."""
        unknown = [s for s in slaves if s not in h.nics]
        if unknown:
            raise LabError(f"{h.name} has no nic {unknown} (nics: {h.nics}; make the lab with more nics=)")
        for s in slaves:
            v4, v6 = self._global_addrs(h, s)
            if v4 or v6:
                raise LabError(f"{h.name}: {s} holds {v4 or v6}; a bond slave must carry no address")
            if self.vsctl(h, "port-to-br", s, check=False).returncode == 0:
                raise LabError(f"{h.name}: {s} is already a port of an OVS bridge")

    def _global_addrs(self, h: LabHost, dev: str) -> tuple[str | None, str | None]:
        """First global IPv4 and IPv6 address ("addr/len") of a device."""
        out: dict[str, str] = {}
        for link in ip_json("addr", netns=h.netns):
            if link["ifname"] != dev:
                continue
            for a in link.get("addr_info", []):
                if a.get("scope") == "global":
                    out.setdefault(a["family"], f"{a['local']}/{a['prefixlen']}")
        return out.get("inet"), out.get("inet6")

"""Names and addresses of a lab: pure functions, so the layout is testable without root.

Layout (lab.md §7, switchns mode): netns ``<P>-sw`` holds bridge ``labbr``; the root namespace gets one
veth ``<P>-up`` (the engine side); host i is netns ``<P>-h<i>`` with veth nics ``eth0..eth<k-1>`` whose
peers ``h<i>n<k>`` are ports of ``labbr``.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PREFIX_RE = re.compile(r"[a-z][a-z0-9]{0,4}")
DOMAIN = "lab.test"
BRIDGE = "labbr"
UPLINK_PEER = "uplink"
MAX_HOSTS = 4000  # keeps 10.NET.x.y below the DHCP pool (10.NET.200.0/24) and the DNS address
PREFIXLEN4 = 16
PREFIXLEN6 = 64


class LabError(RuntimeError):
    """A lab could not be built, inspected or removed."""


def check_prefix(prefix: str) -> str:
    """Prefixes end up in device names (15 chars max), so keep them short and shell-safe."""
    if not PREFIX_RE.fullmatch(prefix):
        raise LabError(f"prefix must be 1-5 chars [a-z][a-z0-9]*, got {prefix!r}")
    return prefix


def check_net(net: int) -> int:
    """The second IPv4 octet and the ULA prefix digits: two decimal digits keep fdNET:: valid hex."""
    if not 10 <= net <= 99:
        raise LabError(f"net must be 10..99, got {net}")
    return net


def default_state_dir(prefix: str) -> Path:
    """Same default as lab-up.sh so shell and Python labs agree on where the state lives."""
    return Path(tempfile.gettempdir()) / f"dcnet-lab-{check_prefix(prefix)}"


def switch_ns(prefix: str) -> str:
    return f"{prefix}-sw"


def host_ns(prefix: str, i: int) -> str:
    return f"{prefix}-h{i}"


def uplink_dev(prefix: str) -> str:
    return f"{prefix}-up"


def switch_port(i: int, k: int) -> str:
    return f"h{i}n{k}"


def host_ipv4(net: int, i: int) -> str:
    n = i + 10
    return f"10.{net}.{n // 256}.{n % 256}"


def host_ipv6(net: int, i: int) -> str:
    return f"fd{net}::{i + 10:x}"


def engine_ipv4(net: int) -> str:
    return f"10.{net}.0.1"


def engine_ipv6(net: int) -> str:
    return f"fd{net}::1"


def dns_ipv4(net: int) -> str:
    return f"10.{net}.255.254"


def dns_ipv6(net: int) -> str:
    return f"fd{net}::fffe"


def is_lab_netns(prefix: str, name: str) -> bool:
    """Exact-name sweep: only names this lab would create, never a look-alike of another prefix."""
    return re.fullmatch(rf"{re.escape(prefix)}-(sw|h[0-9]+)", name) is not None


def is_lab_root_dev(prefix: str, name: str) -> bool:
    """Root-namespace devices lab-up.sh may create in either mode (this package creates only <P>-up)."""
    return re.fullmatch(rf"{re.escape(prefix)}-(up|br|h[0-9]+n[0-9]+)", name) is not None


@dataclass(frozen=True)
class LabHost:
    """One lab host as tests and the agent inventory see it."""

    name: str
    netns: str
    ipv4: str
    ipv6: str
    fqdn: str
    nics: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "netns": self.netns,
            "ipv4": self.ipv4,
            "ipv6": self.ipv6,
            "fqdn": self.fqdn,
            "nics": list(self.nics),
        }


def make_hosts(prefix: str, net: int, n: int, nics: int) -> list[LabHost]:
    return [
        LabHost(
            name=f"h{i}",
            netns=host_ns(prefix, i),
            ipv4=host_ipv4(net, i),
            ipv6=host_ipv6(net, i),
            fqdn=f"h{i}.{DOMAIN}",
            nics=[f"eth{k}" for k in range(nics)],
        )
        for i in range(1, n + 1)
    ]


def netns_batch(prefix: str, n: int, nics: int) -> list[str]:
    """Root-namespace `ip -batch`: every host netns and its veths, peers created straight in the switch."""
    sw = switch_ns(prefix)
    lines: list[str] = []
    for i in range(1, n + 1):
        lines.append(f"netns add {host_ns(prefix, i)}")
        lines += [
            f"link add eth{k} netns {host_ns(prefix, i)} type veth peer name {switch_port(i, k)} netns {sw}"
            for k in range(nics)
        ]
    return lines


def switch_batch(prefix: str, net: int, n: int, nics: int) -> list[str]:
    """`ip -n <P>-sw -batch`: bridge, its DNS/DHCP addresses, uplink and every host port attached and up."""
    lines = [
        "link set lo up",
        f"link add {BRIDGE} type bridge stp_state 0 forward_delay 0",
        f"addr add {dns_ipv4(net)}/{PREFIXLEN4} dev {BRIDGE}",
        f"addr add {dns_ipv6(net)}/{PREFIXLEN6} dev {BRIDGE} nodad",
        f"link set {UPLINK_PEER} master {BRIDGE}",
        f"link set {UPLINK_PEER} up",
    ]
    for i in range(1, n + 1):
        for k in range(nics):
            lines += [f"link set {switch_port(i, k)} master {BRIDGE}", f"link set {switch_port(i, k)} up"]
    lines.append(f"link set {BRIDGE} up")
    return lines


def host_batch(net: int, i: int, nics: int) -> list[str]:
    """`ip -n <P>-h<i> -batch`: lo and all nics up, static addresses on eth0 only."""
    lines = ["link set lo up"]
    lines += [f"link set eth{k} up" for k in range(nics)]
    lines += [
        f"addr add {host_ipv4(net, i)}/{PREFIXLEN4} dev eth0",
        f"addr add {host_ipv6(net, i)}/{PREFIXLEN6} dev eth0 nodad",
    ]
    return lines


def uplink_create(prefix: str) -> str:
    """Root-namespace `ip -batch` line: the engine's only device, its peer created inside the switch ns."""
    return f"link add {uplink_dev(prefix)} type veth peer name {UPLINK_PEER} netns {switch_ns(prefix)}"


def uplink_config(prefix: str, net: int) -> list[str]:
    """Addresses and link up for the uplink, run after its RA sysctls are off (see uplink_sysctls)."""
    up = uplink_dev(prefix)
    return [
        f"addr add {engine_ipv4(net)}/{PREFIXLEN4} dev {up}",
        f"addr add {engine_ipv6(net)}/{PREFIXLEN6} dev {up} nodad",
        f"link set {up} up",
    ]


def uplink_sysctls(prefix: str) -> dict[str, str]:
    """/proc/sys paths -> values: the lab's RAs must not give the machine a SLAAC address or a default route."""
    base = f"/proc/sys/net/ipv6/conf/{uplink_dev(prefix)}"
    return {f"{base}/accept_ra": "0", f"{base}/autoconf": "0"}


def initial_records(net: int, hosts: list[LabHost]) -> dict[str, list[str]]:
    """The initial DNS records, one hostsdir file per name (name -> addresses)."""
    records = {f"engine.{DOMAIN}": [engine_ipv4(net), engine_ipv6(net)]}
    for h in hosts:
        records[h.fqdn] = [h.ipv4, h.ipv6]
    return records


def host_setup_script(nics: int) -> str:
    """Per-host shell step, fed host_batch() on stdin: sysctls, then `ip -batch -`, then tx offload off.

    Hosts get no RA/SLAAC by default (tests opt in per nic); accept_ra/autoconf are per device (``all``
    does not propagate), so each nic and ``default`` is set, before the links go up. ``tx off`` is needed
    whenever an OVS netdev bridge forwards the traffic; it is always done.
    """
    keys = ["default", *(f"eth{k}" for k in range(nics))]
    sysctls = " ".join(f"net.ipv6.conf.{d}.{opt}=0" for d in keys for opt in ("accept_ra", "autoconf"))
    offload = " && ".join(f"ethtool -K eth{k} tx off >/dev/null" for k in range(nics))
    return f"sysctl -q -w {sysctls} && ip -batch - && {offload}"

"""The lab's dnsmasq: DNS for lab.test (hostsdir, several A/AAAA per name), DHCPv4, DHCPv6 and RA on labbr.

One dnsmasq per lab runs inside the switch namespace, so several labs never share a port and the machine's
/etc/hosts and /etc/resolv.conf are never read or written (``--no-hosts --no-resolv``).
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Sequence
from pathlib import Path

import dns.exception
import dns.resolver

from dcnet.lab.topology import BRIDGE, DOMAIN, PREFIXLEN4, PREFIXLEN6, LabError
from dcnet.lab.vlans import VlanNet

DNS_PORT = 53
LEASE_SECONDS = 300
RA_INTERVAL = 10  # seconds between unsolicited RAs; a nic that just enabled accept_ra solicits one anyway
VLAN_ROUTER_LIFETIME = 1800  # lab VLANs are routed by the switch, so their RAs do announce a router


def dhcp4_range(net: int) -> tuple[str, str]:
    return f"10.{net}.200.10", f"10.{net}.200.250"


def dhcp6_range(net: int) -> tuple[str, str]:
    return f"fd{net}::c8:10", f"fd{net}::c8:ff"


def vlan_argv(vlans: Sequence[VlanNet]) -> list[str]:
    """The same services on every lab VLAN's switch port `vlan<v>` (OVS internal port, see vlans.py).

    dnsmasq picks the range whose subnet matches the receiving interface. Unlike the management segment a
    VLAN has a gateway (the switch routes it to the engine), so its range sets a tag that turns on the
    DHCPv4 router option (tagged options win over the untagged empty one) and its RAs carry a router
    lifetime; the DNS server offered is the port's own address (dnsmasq's default).
    """
    out: list[str] = []
    for v in vlans:
        lo4, hi4 = v.pool4
        lo6, hi6 = v.pool6
        out += [
            f"--interface={v.port}",
            f"--dhcp-range=set:{v.port},{lo4},{hi4},{v.ipv4.netmask},{LEASE_SECONDS}s",
            f"--dhcp-option=tag:{v.port},option:router,{v.gateway4}",
            f"--dhcp-range={lo6},{hi6},slaac,{v.ipv6.prefixlen},{LEASE_SECONDS}s",
            f"--ra-param={v.port},{RA_INTERVAL},{VLAN_ROUTER_LIFETIME}",
        ]
    return out


def dnsmasq_argv(net: int, state: Path, vlans: Sequence[VlanNet] = ()) -> list[str]:
    """Options, and why:

    --conf-file=/dev/null            ignore any /etc/dnsmasq.conf on the machine
    --interface/--bind-dynamic       only labbr (+lo of the switch ns); dynamic so a still-tentative
                                     link-local address at start does not fail the bind
    --no-resolv --no-hosts --no-poll no upstream, never read /etc/hosts or /etc/resolv.conf
    --local=/lab.test/ --domain-needed --bogus-priv
                                     lab.test answered locally only (unknown name -> NXDOMAIN), nothing forwarded
    --hostsdir                       one file per name; inotify picks up new/changed/deleted files live
    --dhcp-range (v4)                10.NET.200.10-250, /16, short lease
    --dhcp-range (v6) ...,slaac      stateful DHCPv6 pool fdNET::c8:10-ff AND the A bit in the RA for fdNET::/64,
                                     so one prefix gives both a SLAAC address and a DHCPv6 lease
    --enable-ra --ra-param           router advertisements on labbr every RA_INTERVAL s, router lifetime 0:
                                     the lab has no upstream, so it announces prefixes but no default route
    --dhcp-option=option:router      (empty) for the same reason no DHCPv4 router option
    --dhcp-authoritative             answer REQUESTs for unknown leases at once (faster re-runs)
    --user/--group=root              read/write the state dir without privilege games
    """
    lo4, hi4 = dhcp4_range(net)
    lo6, hi6 = dhcp6_range(net)
    mask = str(ipaddress.IPv4Network(f"0.0.0.0/{PREFIXLEN4}").netmask)
    return [
        "dnsmasq",
        "--conf-file=/dev/null",
        f"--interface={BRIDGE}",
        "--bind-dynamic",
        f"--port={DNS_PORT}",
        "--no-resolv",
        "--no-hosts",
        "--no-poll",
        f"--local=/{DOMAIN}/",
        "--domain-needed",
        "--bogus-priv",
        f"--hostsdir={state / 'hosts.d'}",
        f"--dhcp-range={lo4},{hi4},{mask},{LEASE_SECONDS}s",
        f"--dhcp-range={lo6},{hi6},slaac,{PREFIXLEN6},{LEASE_SECONDS}s",
        "--enable-ra",
        f"--ra-param={BRIDGE},{RA_INTERVAL},0",
        "--dhcp-option=option:router",
        "--dhcp-authoritative",
        f"--dhcp-leasefile={state / 'dnsmasq.leases'}",
        f"--pid-file={state / 'pids' / 'dnsmasq.pid'}",
        f"--log-facility={state / 'logs' / 'dnsmasq.log'}",
        "--log-dhcp",
        "--user=root",
        "--group=root",
        *vlan_argv(vlans),
    ]


def _record_file(hostsdir: Path, name: str) -> Path:
    name = name.rstrip(".").lower()
    if not name or "/" in name or name.startswith("."):
        raise LabError(f"bad DNS name {name!r}")
    return hostsdir / name


def read_records(hostsdir: Path, name: str) -> list[str]:
    try:
        lines = _record_file(hostsdir, name).read_text().splitlines()
    except FileNotFoundError:
        return []
    return [line.split()[0] for line in lines if line.strip()]


def write_records(hostsdir: Path, name: str, addresses: list[str]) -> None:
    """Atomic replace (temp file outside the watched dir, then rename) so dnsmasq never reads half a file."""
    path = _record_file(hostsdir, name)
    if not addresses:
        path.unlink(missing_ok=True)
        return
    for a in addresses:
        ipaddress.ip_address(a)  # refuse garbage before dnsmasq logs it and ignores the line
    tmp = hostsdir.parent / f".{path.name}.{os.getpid()}.tmp"
    tmp.write_text("".join(f"{a} {path.name}\n" for a in addresses))
    os.replace(tmp, path)


def resolver(server: str, port: int = DNS_PORT, timeout: float = 2.0) -> dns.resolver.Resolver:
    """A dnspython resolver bound to the lab DNS only (the machine's resolv.conf is not read)."""
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [server]
    r.port = port
    r.lifetime = timeout
    r.cache = None
    return r


def wait_answers(server: str, name: str, rdtype: str, expected: set[str], timeout: float = 5.0) -> set[str]:
    """Poll until `name` resolves to exactly `expected` (empty set = NXDOMAIN/no answer)."""
    r = resolver(server, timeout=1.0)
    deadline = time.monotonic() + timeout
    got: set[str] = set()
    while True:
        try:
            got = {a.to_text() for a in r.resolve(name, rdtype)}
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            got = set()
        except dns.exception.DNSException:
            got = {"<no response>"}
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.05)

"""DNS for a simulated fleet: one dnsmasq on a loopback address, authoritative for lab.test.

Every sim host is one line of STATE/dns/fleet.hosts (``ADDRESS FQDN NAME``), written once at `sim up`;
more records (a name may have several A/AAAA) go into STATE/dns/hosts.d with dcnet.lab.dns.write_records
and are picked up live (inotify). No root needed: the port is above 1024 unless asked otherwise.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import dns.exception
import dns.resolver

from dcnet.lab import dns as labdns
from dcnet.lab.topology import DOMAIN

DEFAULT_ADDRESS = "127.0.53.53"


def free_port(address: str) -> int:
    """A port free for both UDP and TCP on `address` (DNS answers on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((address, 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((address, port))
                except OSError:
                    continue
            return port
    raise OSError(f"no free DNS port on {address}")


def write_hosts(path: Path, hosts: list[tuple[str, str, str]]) -> None:
    """(address, fqdn, name) per host: one line each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(f"{address} {fqdn} {name}\n" for address, fqdn, name in hosts))
    os.replace(tmp, path)


def dnsmasq_argv(address: str, port: int, dns_dir: Path, pid_file: Path, log_file: Path) -> list[str]:
    """Options, and why:

    --conf-file=/dev/null             ignore any /etc/dnsmasq.conf on the machine
    --listen-address --bind-interfaces  this one loopback address only, nothing else of the machine
    --no-resolv --no-hosts --no-poll  no upstream, never read /etc/hosts or /etc/resolv.conf
    --local=/lab.test/ --domain-needed  lab.test answered here only (unknown name -> NXDOMAIN)
    --addn-hosts                      the fleet, one line per host
    --hostsdir                        more records, one file per name, read live
    --user/--group=root               (as root) keep reading the state dir instead of becoming nobody
    """
    argv = [
        "dnsmasq",
        "--conf-file=/dev/null",
        f"--listen-address={address}",
        "--bind-interfaces",
        f"--port={port}",
        "--no-resolv",
        "--no-hosts",
        "--no-poll",
        f"--local=/{DOMAIN}/",
        "--domain-needed",
        f"--addn-hosts={dns_dir / 'fleet.hosts'}",
        f"--hostsdir={dns_dir / 'hosts.d'}",
        f"--pid-file={pid_file}",
        f"--log-facility={log_file}",
    ]
    if os.geteuid() == 0:
        argv += ["--user=root", "--group=root"]
    return argv


def wait_answer(server: str, port: int, name: str, expected: str, timeout: float = 10.0) -> set[str]:
    """Poll until `name` has exactly the A record `expected`; returns what it last answered."""
    resolver = labdns.resolver(server, port, timeout=1.0)
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = {answer.to_text() for answer in resolver.resolve(name, "A")}
        except dns.exception.DNSException as exc:
            got = {f"<{type(exc).__name__}>"}
        if got == {expected} or time.monotonic() > deadline:
            return got
        time.sleep(0.05)

"""engine/resolver.py: IP literals, the system resolver, and a named DNS server — a real dnsmasq on a loopback
address, started the way the sim fleet starts its DNS (dcnet.lab.sim_dns), records in fleet.hosts and hosts.d."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dcnet.engine.resolver import DnsServerResolver, ResolveError, SystemResolver, literal, make_resolver
from dcnet.lab import dns as labdns
from dcnet.lab import sim_dns

ADDRESS = "127.0.53.54"  # not sim_dns.DEFAULT_ADDRESS, to stay clear of a running sim fleet
FLEET = [("10.9.0.11", "host1.lab.test", "host1"), ("10.9.0.12", "host2.lab.test", "host2")]
RECORDS = {
    "dual.lab.test": ["10.9.1.1", "fd09::1"],
    "many.lab.test": ["10.9.2.1", "10.9.2.2", "10.9.2.3"],
    "six.lab.test": ["fd09::6"],
}


@dataclass
class Dnsmasq:
    address: str
    port: int
    pid: int
    hosts_dir: Path

    @property
    def server(self) -> str:
        return f"{self.address}:{self.port}"


@pytest.fixture(scope="module")
def dnsmasq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dnsmasq]:
    state = tmp_path_factory.mktemp("dns")
    dns_dir = state / "dns"
    (dns_dir / "hosts.d").mkdir(parents=True)
    sim_dns.write_hosts(dns_dir / "fleet.hosts", FLEET)
    for name, addresses in RECORDS.items():
        labdns.write_records(dns_dir / "hosts.d", name, addresses)
    port = sim_dns.free_port(ADDRESS)
    pid_file, log_file = state / "dnsmasq.pid", state / "dnsmasq.log"
    argv = sim_dns.dnsmasq_argv(ADDRESS, port, dns_dir, pid_file, log_file)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)  # daemonizes once bound
    assert done.returncode == 0, done.stderr
    pid = int(pid_file.read_text().strip())
    try:
        for address, fqdn, _ in FLEET[:1]:
            assert sim_dns.wait_answer(ADDRESS, port, fqdn, address) == {address}, log_file.read_text()
        yield Dnsmasq(ADDRESS, port, pid, dns_dir / "hosts.d")
    finally:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)


# --- literals -----------------------------------------------------------------------------------------------

LITERALS = [
    pytest.param("192.0.2.10", "192.0.2.10", id="ipv4"),
    pytest.param("2001:db8::10", "2001:db8::10", id="ipv6"),
    pytest.param("[2001:db8::10]", "2001:db8::10", id="bracketed-ipv6"),
    pytest.param("2001:DB8:0:0:0:0:0:10", "2001:db8::10", id="ipv6-normalized"),
    pytest.param("[2001:0db8::0010]", "2001:db8::10", id="bracketed-ipv6-normalized"),
    pytest.param("0:0:0:0:0:0:0:1", "::1", id="ipv6-loopback-expanded"),
    pytest.param("fe80::1%eth0", "fe80::1%eth0", id="ipv6-scoped"),
]


@pytest.mark.parametrize(("name", "expected"), LITERALS)
def test_literal_resolves_to_itself(name: str, expected: str) -> None:
    assert literal(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("host1.lab.test", id="name"),
        pytest.param("010.0.0.1", id="ipv4-leading-zero"),
        pytest.param("192.0.2.10:54321", id="with-port"),
        pytest.param("192.0.2.0/24", id="network"),
        pytest.param("", id="empty"),
    ],
)
def test_not_a_literal(name: str) -> None:
    assert literal(name) is None


@pytest.mark.parametrize(("name", "expected"), LITERALS)
async def test_literal_is_answered_without_asking_any_resolver(name: str, expected: str) -> None:
    dead = DnsServerResolver("127.0.0.1:9", timeout=0.1)  # nothing is asked: no timeout even without a server
    assert await dead.resolve(name) == [expected]
    assert await SystemResolver().resolve(name) == [expected]


# --- the system resolver ------------------------------------------------------------------------------------


async def test_system_resolver_localhost_is_loopback() -> None:
    addresses = await SystemResolver().resolve("localhost")
    assert addresses
    assert len(addresses) == len(set(addresses))
    assert all(ipaddress.ip_address(a).is_loopback for a in addresses), addresses


async def test_system_resolver_unknown_name_is_a_resolve_error() -> None:
    with pytest.raises(ResolveError):
        await SystemResolver().resolve("no-such-host.invalid")


@pytest.mark.parametrize(
    ("server", "kind"),
    [
        pytest.param(None, SystemResolver, id="no-server-is-system"),
        pytest.param("127.0.0.1:53", DnsServerResolver, id="server"),
    ],
)
def test_make_resolver(server: str | None, kind: type) -> None:
    assert type(make_resolver(server)) is kind


# --- a named DNS server (dnsmasq) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("host1.lab.test", ["10.9.0.11"], id="one-a-record-fleet-hosts"),
        pytest.param("host2.lab.test", ["10.9.0.12"], id="other-fleet-host"),
        pytest.param("HOST1.Lab.Test", ["10.9.0.11"], id="case-insensitive"),
        pytest.param("host1.lab.test.", ["10.9.0.11"], id="absolute-name"),
        pytest.param("dual.lab.test", ["10.9.1.1", "fd09::1"], id="a-and-aaaa"),
        pytest.param("many.lab.test", ["10.9.2.1", "10.9.2.2", "10.9.2.3"], id="several-a-records"),
        pytest.param("six.lab.test", ["fd09::6"], id="aaaa-only"),
    ],
)
async def test_dns_server_returns_every_a_and_aaaa_record(dnsmasq: Dnsmasq, name: str, expected: list[str]) -> None:
    got = await DnsServerResolver(dnsmasq.server).resolve(name)
    assert sorted(got) == sorted(expected)
    assert len(got) == len(set(got))
    v4 = [a for a in got if ipaddress.ip_address(a).version == 4]
    assert got[: len(v4)] == v4, "A records come before AAAA"


async def test_dns_server_sees_records_added_while_running(dnsmasq: Dnsmasq) -> None:
    """hosts.d is read live: the resolver asks the server each time, it does not cache."""
    resolver = DnsServerResolver(dnsmasq.server)
    assert await resolver.resolve("many.lab.test")  # the fixture's records are there
    hostsdir = dnsmasq.hosts_dir
    labdns.write_records(hostsdir, "late.lab.test", ["10.9.3.1"])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                got = await resolver.resolve("late.lab.test")
                break
            except ResolveError:
                assert time.monotonic() < deadline, "dnsmasq never picked up the new record"
                await asyncio.sleep(0.05)
        assert got == ["10.9.3.1"]
    finally:
        labdns.write_records(hostsdir, "late.lab.test", [])


@pytest.mark.parametrize(
    "name", [pytest.param("nope.lab.test", id="unknown-lab-name"), pytest.param("x.nope.lab.test", id="deeper")]
)
async def test_dns_server_nxdomain_names_the_name(dnsmasq: Dnsmasq, name: str) -> None:
    with pytest.raises(ResolveError) as info:
        await DnsServerResolver(dnsmasq.server).resolve(name)
    assert name in str(info.value)
    assert "NXDOMAIN" in str(info.value)
    assert dnsmasq.server in str(info.value)


async def test_dns_server_down_is_a_timeout(dnsmasq: Dnsmasq) -> None:
    port = sim_dns.free_port(ADDRESS)  # nothing listens there
    assert port != dnsmasq.port
    started = time.monotonic()
    with pytest.raises(ResolveError) as info:
        await DnsServerResolver(f"{ADDRESS}:{port}", timeout=0.5).resolve("host1.lab.test")
    assert "timed out" in str(info.value)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("server", "message"),
    [
        pytest.param("127.0.0.1", "expected ADDRESS:PORT", id="no-port"),
        pytest.param("127.0.0.1:", "expected ADDRESS:PORT", id="empty-port"),
        pytest.param(":53", "expected ADDRESS:PORT", id="no-address"),
        pytest.param("127.0.0.1:dns", "expected ADDRESS:PORT", id="named-port"),
        pytest.param("127.0.0.1:-1", "expected ADDRESS:PORT", id="negative-port"),
        pytest.param("[::1]", "expected ADDRESS:PORT", id="bracketed-ipv6-no-port"),
        pytest.param("", "expected ADDRESS:PORT", id="empty"),
        pytest.param("dns.example:53", "expected ADDRESS:PORT", id="name-not-address"),
        pytest.param("::1", "expected ADDRESS:PORT", id="bare-ipv6-no-port"),
        pytest.param("127.0.0.1:70000", "expected ADDRESS:PORT", id="port-out-of-range"),
        pytest.param("127.0.0.1:0", "expected ADDRESS:PORT", id="port-zero"),
    ],
)
def test_dns_server_bad_address_port_is_refused(server: str, message: str | None) -> None:
    with pytest.raises(ValueError, match=message):
        DnsServerResolver(server)

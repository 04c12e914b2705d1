"""The lab DNS as the engine uses it: dnspython against 10.NET.255.254:53 from the root namespace."""

from __future__ import annotations

import sys
import time

import dns.message
import dns.query
import dns.resolver
import pytest

from dcnet.lab import Lab


def _answers(lab: Lab, name: str, rdtype: str) -> set[str]:
    return {a.to_text() for a in lab.resolver().resolve(name, rdtype)}


def test_dns_server_address(lab: Lab) -> None:
    assert lab.dns_server == f"10.{lab.net}.255.254:53"


def test_host_names_resolve_to_a_and_aaaa(lab: Lab) -> None:
    for h in lab.hosts:
        assert _answers(lab, h.fqdn, "A") == {h.ipv4}
        assert _answers(lab, h.fqdn, "AAAA") == {h.ipv6}
    assert _answers(lab, "engine.lab.test", "A") == {lab.engine_ipv4}
    assert _answers(lab, "engine.lab.test", "AAAA") == {lab.engine_ipv6}


def test_unknown_name_is_nxdomain(lab: Lab) -> None:
    with pytest.raises(dns.resolver.NXDOMAIN):
        lab.resolver().resolve("nosuch.lab.test", "A")


def test_tcp_and_ipv6_transport(lab: Lab) -> None:
    server, port = lab.dns_server.rsplit(":", 1)
    reply = dns.query.tcp(dns.message.make_query("h1.lab.test", "A"), server, port=int(port), timeout=3)
    assert {r.to_text() for rrset in reply.answer for r in rrset} == {lab.hosts[0].ipv4}
    reply = dns.query.udp(dns.message.make_query("h2.lab.test", "AAAA"), f"fd{lab.net}::fffe", port=53, timeout=3)
    assert {r.to_text() for rrset in reply.answer for r in rrset} == {lab.hosts[1].ipv6}


def test_second_a_record_is_served_with_the_first_and_removed_again(lab: Lab) -> None:
    h1 = lab.hosts[0]
    extra = f"10.{lab.net}.0.99"
    t0 = time.monotonic()
    lab.add_dns_record(h1.fqdn, extra)
    assert time.monotonic() - t0 < 1.5
    try:
        assert _answers(lab, h1.fqdn, "A") == {h1.ipv4, extra}
        assert _answers(lab, h1.fqdn, "AAAA") == {h1.ipv6}
    finally:
        lab.remove_dns_record(h1.fqdn, extra)
    assert _answers(lab, h1.fqdn, "A") == {h1.ipv4}


def test_new_name_goes_live_after_a_negative_answer(lab: Lab) -> None:
    name = "multi.lab.test"
    with pytest.raises(dns.resolver.NXDOMAIN):
        lab.resolver().resolve(name, "A")
    lab.add_dns_record(name, f"10.{lab.net}.0.21")
    lab.add_dns_record(name, f"10.{lab.net}.0.22")
    lab.add_dns_record(name, f"fd{lab.net}::21")
    try:
        assert _answers(lab, name, "A") == {f"10.{lab.net}.0.21", f"10.{lab.net}.0.22"}
        assert _answers(lab, name, "AAAA") == {f"fd{lab.net}::21"}
    finally:
        lab.remove_dns_record(name)
    with pytest.raises(dns.resolver.NXDOMAIN):
        lab.resolver().resolve(name, "A")


def test_hosts_resolve_through_the_lab_dns_too(lab: Lab) -> None:
    """From inside a host (as the agent would), with the server given explicitly: no resolv.conf involved."""
    code = (
        "import sys, dns.resolver; r = dns.resolver.Resolver(configure=False); r.nameservers = [sys.argv[1]];"
        "print(*sorted(a.to_text() for a in r.resolve('h1.lab.test', 'A')))"
    )
    out = lab.exec("h2", sys.executable, "-c", code, lab.dns_server.split(":")[0]).stdout.split()
    assert out == [lab.hosts[0].ipv4]

"""DHCPv4, SLAAC from the lab's router advertisements, and DHCPv6 inside host namespaces."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dcnet.lab import Lab, LabError, procs
from dcnet.lab.run import netns_pids, run

RESOLV = Path("/etc/resolv.conf")


@pytest.fixture
def etc_unchanged() -> Iterator[None]:
    """The machine's resolver config is byte-identical afterwards and no temp file appeared next to it."""
    before = RESOLV.read_bytes()
    listing = sorted(p.name for p in Path("/etc").iterdir())
    yield
    assert RESOLV.read_bytes() == before
    assert sorted(p.name for p in Path("/etc").iterdir()) == listing


def _global_addrs(lab: Lab, host: str, nic: str, family: str) -> list[dict[str, Any]]:
    return [
        a
        for link in lab.ip_json(host, "addr")
        if link["ifname"] == nic
        for a in link["addr_info"]
        if a["family"] == family and a["scope"] == "global"
    ]


def _wait_for(fn: Any, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_dhcpv4_lease_is_dynamic_and_from_the_pool(lab: Lab, etc_unchanged: None) -> None:
    assert _global_addrs(lab, "h1", "eth1", "inet") == []
    lab.dhcp_lease("h1", "eth1")
    try:
        [addr] = _global_addrs(lab, "h1", "eth1", "inet")
        assert addr["dynamic"] is True
        assert ipaddress.ip_address(addr["local"]) in ipaddress.ip_network(f"10.{lab.net}.200.0/24")
        assert addr["prefixlen"] == 16
        assert 0 < addr["valid_life_time"] <= 300
        assert addr["local"] in (lab.state_dir / "dnsmasq.leases").read_text()
        lease = (lab.state_dir / "leases" / "dhclient-h1-eth1.leases").read_text()
        assert f"option domain-name-servers 10.{lab.net}.255.254;" in lease
        assert "option routers" not in lease  # the lab has no upstream, so no gateway is offered
        pid = procs.read_pid(lab.state_dir / "pids" / "dhclient-h1-eth1.pid")
        assert pid is not None and procs.is_running(pid)  # renewing in the background
    finally:
        lab.dhcp_release("h1", "eth1")
    assert _global_addrs(lab, "h1", "eth1", "inet") == []
    assert not procs.is_running(pid)


def test_slaac_from_the_lab_router_advertisements(lab: Lab) -> None:
    prefix = ipaddress.ip_network(f"fd{lab.net}::/64")
    assert _global_addrs(lab, "h1", "eth1", "inet6") == []
    lab.enable_slaac("h1", "eth1")
    try:
        addrs = _wait_for(lambda: _global_addrs(lab, "h1", "eth1", "inet6"))
        assert len(addrs) == 1, addrs
        assert ipaddress.ip_address(addrs[0]["local"]) in prefix
        assert addrs[0]["prefixlen"] == 64 and addrs[0]["dynamic"] is True
        assert addrs[0]["local"] != lab.hosts[0].ipv6
        assert [r for r in lab.ip_json("h1", "route", family=6) if r["dst"] == "default"] == []  # lifetime 0
    finally:
        lab.disable_slaac("h1", "eth1")
    assert _global_addrs(lab, "h1", "eth1", "inet6") == []


def test_dhcpv6_lease_with_dhclient(lab: Lab, etc_unchanged: None) -> None:
    lab.dhcp_lease("h1", "eth2", v6=True)
    try:
        [addr] = _global_addrs(lab, "h1", "eth2", "inet6")
        got = ipaddress.IPv6Address(addr["local"])
        assert ipaddress.IPv6Address(f"fd{lab.net}::c8:10") <= got <= ipaddress.IPv6Address(f"fd{lab.net}::c8:ff")
        assert addr["dynamic"] is True and addr["prefixlen"] == 128
        lab.exec("h2", "ping", "-c", "1", "-W", "2", str(got))  # the leased address is usable
    finally:
        lab.dhcp_release("h1", "eth2", v6=True)
    assert _global_addrs(lab, "h1", "eth2", "inet6") == []


def test_no_dhcp_server_on_the_wire_raises(lab: Lab) -> None:
    """h2's eth2 cut off the lab bridge: no lease within the timeout, LabError, and no dhclient left over."""
    run(["ip", "-n", lab.switch_netns, "link", "set", "h2n2", "nomaster"])
    try:
        with pytest.raises(LabError, match="got no lease"):
            lab.dhcp_lease("h2", "eth2", timeout=3)
    finally:
        run(["ip", "-n", lab.switch_netns, "link", "set", "h2n2", "master", "labbr"])
    assert netns_pids(lab.host("h2").netns) == []
    assert _global_addrs(lab, "h2", "eth2", "inet") == []

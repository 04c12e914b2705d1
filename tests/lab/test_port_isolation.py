"""Port isolation on a real lab host (issue 6 item 5): on a network with port isolation, bridge ports other
than the uplink are isolated - also ports plugged later (guests), which the agent's netlink watcher
isolates. Two guest endpoints (veths the test plugs into the network's bridge, each other end in a
namespace of its own with an address in the network's subnet) cannot reach each other; both reach the
host's address on that network."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dcnet.lab import Lab
from tests.lab import agent_support as ag

HOST_ADDRESS = "192.0.2.1"
GUESTS = {"g1": "192.0.2.11", "g2": "192.0.2.12"}


def _run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=check)


@pytest.fixture
def host(lab: Lab, tmp_path: Path) -> Iterator[str]:
    state_dir = str(tmp_path / "agent-h1")
    ag.reset_host(lab, "h1", state_dir)
    ag.start_agent(lab, "h1", state_dir)
    try:
        yield "h1"
    finally:
        for guest in GUESTS:
            _run("ip", "netns", "del", f"{lab.prefix}-{guest}", check=False)
        ag.reset_host(lab, "h1", state_dir)


def _plug_guest(lab: Lab, host: str, guest: str, address: str) -> str:
    """A veth whose host end is a port of the bridge and whose other end is in the guest's namespace."""
    netns = f"{lab.prefix}-{guest}"
    _run("ip", "netns", "add", netns)
    port = f"{guest}-{lab.prefix}"[:15]
    lab.exec(host, "ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", netns)
    _run("ip", "-n", netns, "addr", "add", f"{address}/24", "dev", "eth0", "nodad")
    _run("ip", "-n", netns, "link", "set", "eth0", "up")
    _run("ip", "-n", netns, "link", "set", "lo", "up")
    lab.exec(host, "ip", "link", "set", port, "master", "isonet", "up")
    return port


def _isolated(lab: Lab, host: str) -> dict[str, bool]:
    links = json.loads(lab.exec(host, "bridge", "-j", "-d", "link", "show").stdout or "[]")
    return {link["ifname"]: bool(link.get("isolated")) for link in links if link.get("master") == "isonet"}


def _ping(netns: str, address: str) -> bool:
    return _run("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "1", address, check=False).returncode == 0


def _wait_isolated(lab: Lab, host: str, ports: list[str], timeout: float = 10) -> dict[str, bool]:
    deadline = time.monotonic() + timeout
    while True:
        state = _isolated(lab, host)
        if all(state.get(port) for port in ports) or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def test_guests_on_an_isolated_network_reach_the_host_but_not_each_other(lab: Lab, host: str) -> None:
    network = {"nic": "eth1", "bridged": True, "ipaddr": HOST_ADDRESS, "prefix": 24, "portIsolation": True}
    result = ag.call(
        lab,
        host,
        "Host.setupNetworks",
        {"networks": {"isonet": network}, "bondings": {}, "options": ag.options(connectivityCheck=False)},
        timeout=60,
    )
    assert result["state"] == "committed"
    ports = [_plug_guest(lab, host, guest, address) for guest, address in GUESTS.items()]  # plugged later
    state = _wait_isolated(lab, host, ports)
    assert state == {"eth1": False, ports[0]: True, ports[1]: True}, state
    g1, g2 = (f"{lab.prefix}-{guest}" for guest in GUESTS)
    assert _ping(g1, HOST_ADDRESS) and _ping(g2, HOST_ADDRESS)
    assert not _ping(g1, GUESTS["g2"]) and not _ping(g2, GUESTS["g1"])
    # isolation undone behind dcnet's back: the next change on the network puts it back
    lab.exec(host, "bridge", "link", "set", "dev", ports[0], "isolated", "off")
    assert _ping(g1, GUESTS["g2"])
    ag.call(
        lab,
        host,
        "Host.setupNetworks",
        {
            "networks": {"isonet": network | {"mtu": 1400}},
            "bondings": {},
            "options": ag.options(connectivityCheck=False),
        },
        timeout=60,
    )
    assert _isolated(lab, host)[ports[0]] is True
    assert not _ping(g1, GUESTS["g2"]) and _ping(g1, HOST_ADDRESS)


def test_without_port_isolation_guests_reach_each_other(lab: Lab, host: str) -> None:
    network = {"nic": "eth1", "bridged": True, "ipaddr": HOST_ADDRESS, "prefix": 24}
    ag.call(
        lab,
        host,
        "Host.setupNetworks",
        {"networks": {"isonet": network}, "bondings": {}, "options": ag.options(connectivityCheck=False)},
        timeout=60,
    )
    ports = [_plug_guest(lab, host, guest, address) for guest, address in GUESTS.items()]
    time.sleep(0.5)
    assert not any(_isolated(lab, host)[port] for port in ports)
    assert _ping(f"{lab.prefix}-g1", GUESTS["g2"])


def test_port_isolation_on_a_bridgeless_network_is_refused_with_code_21(lab: Lab, host: str) -> None:
    with pytest.raises(ag.RpcError) as refused:
        ag.call(
            lab,
            host,
            "Host.setupNetworks",
            {
                "networks": {"isonet": {"nic": "eth1", "bridged": False, "portIsolation": True}},
                "bondings": {},
                "options": ag.options(connectivityCheck=False),
            },
        )
    assert refused.value.code == 21 and "port isolation" in refused.value.message

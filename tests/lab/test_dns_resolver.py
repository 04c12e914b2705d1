"""DNS on the default-route network (issue 6 item 5): the agent writes the network's name servers to the
host's resolver configuration, in the transaction (a rollback puts the old file back), and reports them in
capabilities. A lab host's agent sees the lab's private file as /etc/resolv.conf; the machine's own
/etc/resolv.conf is never touched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dcnet.lab import Lab
from tests.lab import agent_support as ag

MACHINE_RESOLV_CONF = Path("/etc/resolv.conf")


def _machine_resolv_conf() -> bytes:
    return MACHINE_RESOLV_CONF.read_bytes() if MACHINE_RESOLV_CONF.exists() else b""


@pytest.fixture
def host(lab: Lab, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """h1 with a fresh agent; yields the host and the lab file its agent sees as /etc/resolv.conf."""
    state_dir = str(tmp_path / "agent-h1")
    ag.reset_host(lab, "h1", state_dir)
    ag.start_agent(lab, "h1", state_dir)
    resolv = lab.state_dir / "resolv" / "h1.conf"
    try:
        yield "h1", resolv
    finally:
        ag.reset_host(lab, "h1", state_dir)


def _default_route_network(servers: list[str]) -> dict:
    return {
        "dnsnet": {
            "nic": "eth1", "bridged": False, "ipaddr": "192.0.2.10", "prefix": 24,
            "defaultRoute": True, "nameservers": servers,
        }
    }  # fmt: skip


def test_default_route_network_name_servers_reach_the_lab_hosts_resolv_conf(lab: Lab, host: tuple[str, Path]) -> None:
    name, resolv = host
    machine_before = _machine_resolv_conf()
    before = resolv.read_text()
    servers = ["192.0.2.53", "2001:db8::53"]
    result = ag.call(
        lab,
        name,
        "Host.setupNetworks",
        {"networks": _default_route_network(servers), "bondings": {}, "options": ag.options(connectivityCheck=False)},
        timeout=60,
    )
    assert result["state"] == "committed"
    text = resolv.read_text()
    assert [line.split()[1] for line in text.splitlines() if line.startswith("nameserver")] == servers
    # the other lines of the file (the lab's `search`) stay
    assert [line for line in text.splitlines() if not line.startswith("nameserver")] == [
        line for line in before.splitlines() if not line.startswith("nameserver")
    ]
    # /etc/resolv.conf as the agent's mount namespace sees it is that file; the agent reports the servers
    pid = lab.agent_pid(name)
    assert pid is not None and Path(f"/proc/{pid}/root/etc/resolv.conf").read_text() == text
    assert ag.call(lab, name, "Host.getCapabilities")["nameservers"] == servers
    # changing them again, then removing the network's servers from the request keeps the file consistent
    ag.call(
        lab,
        name,
        "Host.setupNetworks",
        {
            "networks": _default_route_network(["192.0.2.54"]),
            "bondings": {},
            "options": ag.options(connectivityCheck=False),
        },
        timeout=60,
    )
    assert ag.call(lab, name, "Host.getCapabilities")["nameservers"] == ["192.0.2.54"]
    assert "nameserver 192.0.2.54\n" in resolv.read_text()
    assert _machine_resolv_conf() == machine_before


def test_unconfirmed_change_puts_the_old_resolv_conf_back(lab: Lab, host: tuple[str, Path]) -> None:
    name, resolv = host
    machine_before = _machine_resolv_conf()
    before = resolv.read_bytes()
    with pytest.raises(ag.RpcError) as refused:
        ag.call(
            lab,
            name,
            "Host.setupNetworks",
            {
                "networks": _default_route_network(["198.51.100.53"]),
                "bondings": {},
                "options": ag.options(connectivityTimeout=2),
            },
            timeout=60,
        )
    assert refused.value.code == 10
    assert resolv.read_bytes() == before
    assert "198.51.100.53" not in ag.call(lab, name, "Host.getCapabilities")["nameservers"]
    assert _machine_resolv_conf() == machine_before

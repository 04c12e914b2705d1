"""The agent building `switch: ovs` networks on lab hosts with real Open vSwitch (userspace datapath):
VLANs between hosts, MTU 9000, an active-backup bond surviving the loss of its active member, and the
same rollback and crash safety as Linux bridges."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dcnet.lab import Lab
from tests.lab import agent_support as ag
from tests.lab.conftest import free_net, release_net, unique_prefix


@pytest.fixture(scope="module")
def ovs_lab() -> Iterator[Lab]:
    the_lab = Lab(prefix=unique_prefix("v"), net=free_net(), n=2, nics=4, ovs=True)
    try:
        the_lab.up()
        yield the_lab
    finally:
        the_lab.down()
        release_net(the_lab.net)


@pytest.fixture
def agents(ovs_lab: Lab, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh agent with --ovsdb on every host; every OVS bridge and agent state removed afterwards."""
    dirs = {h.name: str(tmp_path / f"agent-{h.name}") for h in ovs_lab.hosts}
    for h in ovs_lab.hosts:
        _reset(ovs_lab, h.name, dirs[h.name])
        ag.start_agent(ovs_lab, h.name, dirs[h.name], extra=("--insecure-dev", "--ovsdb", ovs_lab.ovsdb(h)))
    try:
        yield dirs
    finally:
        for h in ovs_lab.hosts:
            _reset(ovs_lab, h.name, dirs[h.name])
        ovs_lab.forget_vlan_neighbors()


def _reset(lab: Lab, host: str, state_dir: str) -> None:
    lab.stop_agent(host)
    for bridge in lab.vsctl(host, "list-br").stdout.split():
        lab.vsctl(host, "del-br", bridge)
    ag.reset_host(lab, host, state_dir)


def _setup(lab: Lab, host: str, networks: dict, bondings: dict | None = None, **options: object) -> dict:
    params = {
        "networks": networks,
        "bondings": bondings or {},
        "options": ag.options(connectivityCheck=False, **options),
    }
    return ag.call(lab, host, "Host.setupNetworks", params, timeout=60)


def _ping(lab: Lab, host: str, address: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return lab.exec(host, "ping", "-c", "3", "-i", "0.2", "-W", "2", *extra, address, check=False)


def test_vlan_100_network_between_two_hosts_with_mtu_9000(ovs_lab: Lab, agents: dict[str, str]) -> None:
    vlan = ovs_lab.vlan(100)
    for i, h in enumerate(ovs_lab.hosts, start=1):
        network = {"red": {"nic": "eth1", "vlan": 100, "switch": "ovs", "mtu": 9000,
                           "ipaddr": vlan.host_ipv4(i), "netmask": "255.255.255.0"}}  # fmt: skip
        assert _setup(ovs_lab, h.name, network)["state"] == "committed"
    caps = ag.call(ovs_lab, "h1", "Host.getCapabilities")
    assert caps["networks"]["red"]["switch"] == "ovs" and caps["networks"]["red"]["vlanid"] == 100
    assert caps["vlans"]["eth1.100"]["vlanid"] == 100 and caps["networks"]["red"]["mtu"] == 9000
    assert caps["openstack_binding_host_id"] == f"dcnet-{ovs_lab.prefix}-h1"
    assert "tag=100" not in ovs_lab.vsctl("h1", "list", "port", "eth1").stdout  # the nic is a trunk
    assert _ping(ovs_lab, "h1", vlan.host_ipv4(2)).returncode == 0
    assert _ping(ovs_lab, "h1", vlan.host_ipv4(2), "-M", "do", "-s", "8972").returncode == 0


def test_active_backup_bond_keeps_traffic_when_the_active_member_fails(ovs_lab: Lab, agents: dict[str, str]) -> None:
    vlan = ovs_lab.vlan(100)
    bond = {"bond0": {"nics": ["eth2", "eth3"], "options": "mode=1 miimon=100", "switch": "ovs"}}
    for i, h in enumerate(ovs_lab.hosts, start=1):
        network = {"blue": {"bonding": "bond0", "vlan": 100, "switch": "ovs", "bridged": False,
                            "ipaddr": vlan.host_ipv4(i), "netmask": "255.255.255.0"}}  # fmt: skip
        _setup(ovs_lab, h.name, network, bond)
    before = ag.call(ovs_lab, "h1", "Host.getCapabilities")["bondings"]["bond0"]
    assert (
        before["switch"] == "ovs"
        and before["slaves"] == ["eth2", "eth3"]
        and before["active_slave"] in ("eth2", "eth3")
    )
    pinger = subprocess.Popen(
        ["ip", "netns", "exec", ovs_lab.host("h1").netns, "ping", "-i", "0.05", "-w", "6", vlan.host_ipv4(2)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(1.5)
    ovs_lab.exec("h1", "ip", "link", "set", before["active_slave"], "down")
    output, _ = pinger.communicate(timeout=20)
    summary = next(line for line in output.splitlines() if "packets transmitted" in line)
    sent, received = (int(part.split()[0]) for part in summary.split(",")[:2])
    assert received >= sent - 20, summary  # a few packets at most are lost while OVS fails over
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = ag.call(ovs_lab, "h1", "Host.getCapabilities")["bondings"]["bond0"]
        if after["active_slave"] not in ("", before["active_slave"]):
            break
        time.sleep(0.5)
    assert after["active_slave"] == ({"eth2", "eth3"} - {before["active_slave"]}).pop()
    assert _ping(ovs_lab, "h1", vlan.host_ipv4(2)).returncode == 0
    ovs_lab.exec("h1", "ip", "link", "set", before["active_slave"], "up")


def test_unconfirmed_ovs_change_rolls_back(ovs_lab: Lab, agents: dict[str, str]) -> None:
    bridges_before = ovs_lab.vsctl("h1", "list-br").stdout
    snapshot = ag.kernel_snapshot(ovs_lab, "h1")
    request_id = str(uuid.uuid4())
    network = {"green": {"nic": "eth1", "vlan": 200, "switch": "ovs", "ipaddr": "192.0.2.9", "prefix": 24}}
    params = {"networks": network, "bondings": {}, "options": ag.options(connectivityTimeout=2, requestId=request_id)}
    with pytest.raises(ag.RpcError) as lost:
        ag.call(ovs_lab, "h1", "Host.setupNetworks", params, timeout=60)
    assert lost.value.code == 10
    assert ovs_lab.vsctl("h1", "list-br").stdout == bridges_before
    assert ag.kernel_snapshot(ovs_lab, "h1") == snapshot
    assert ag.call(ovs_lab, "h1", "Host.getNetworkTransaction", {"requestId": request_id})["reason"] == "connectivity"


def test_agent_killed_mid_apply_on_ovs_is_restored_on_restart(ovs_lab: Lab, agents: dict[str, str]) -> None:
    h = "h2"
    state_dir = agents[h]
    ovs_lab.stop_agent(h)
    extra = ("--insecure-dev", "--ovsdb", ovs_lab.ovsdb(h))
    ag.start_agent(ovs_lab, h, state_dir, env={"DCNET_TEST_HOOKS": "1", "DCNET_CRASH_AT": "mid_apply"}, extra=extra)
    bridges_before = ovs_lab.vsctl(h, "list-br").stdout
    snapshot = ag.kernel_snapshot(ovs_lab, h)
    request_id = str(uuid.uuid4())
    network = {"crash": {"nic": "eth1", "vlan": 300, "switch": "ovs", "ipaddr": "192.0.2.10", "prefix": 24}}
    params = {"networks": network, "bondings": {}, "options": ag.options(requestId=request_id)}
    with pytest.raises((httpx.HTTPError, ag.RpcError)):
        ag.call(ovs_lab, h, "Host.setupNetworks", params, timeout=30)
    deadline = time.monotonic() + 10
    while ovs_lab.agent_pid(h) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ovs_lab.agent_pid(h) is None
    assert ovs_lab.vsctl(h, "list-br").stdout != bridges_before  # half applied: the bridge is there
    ag.start_agent(ovs_lab, h, state_dir, extra=extra)
    assert ovs_lab.vsctl(h, "list-br").stdout == bridges_before
    assert ag.kernel_snapshot(ovs_lab, h) == snapshot
    outcome = ag.call(ovs_lab, h, "Host.getNetworkTransaction", {"requestId": request_id})
    assert outcome["state"] == "rolled_back" and outcome["reason"] == "crash"

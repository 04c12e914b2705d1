"""The agent on real lab hosts (network namespaces, the `real` backend): capabilities as the kernel shows
them, the address moving onto a bridge without cutting the engine off, confirmation and rollback,
crash safety at every crash point, IPv6 and DHCP, and refused requests that leave the kernel alone."""

from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dcnet.lab import Lab
from tests.lab import agent_support as ag


@pytest.fixture
def host(lab: Lab, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """h1 with a fresh agent (plain HTTP dev mode) and a fresh state directory; reset afterwards."""
    state_dir = str(tmp_path / "agent-h1")
    ag.reset_host(lab, "h1", state_dir)
    ag.start_agent(lab, "h1", state_dir)
    try:
        yield "h1", state_dir
    finally:
        ag.reset_host(lab, "h1", state_dir)


def _bridge_over_eth0(lab: Lab) -> dict:
    h = lab.host("h1")
    return {
        "ovirtmgmt": {
            "nic": "eth0", "bridged": True, "ipaddr": h.ipv4, "prefix": 16,
            "ipv6addr": f"{h.ipv6}/64", "defaultRoute": False,
        }
    }  # fmt: skip


def test_capabilities_report_nics_addresses_and_mtu_exactly_as_ip_shows(lab: Lab, host: tuple[str, str]) -> None:
    name, _ = host
    caps = ag.call(lab, name, "Host.getCapabilities")
    kernel = {item["ifname"]: item for item in lab.ip_json(name, "addr")}
    for nic in lab.host(name).nics:
        reported = caps["nics"][nic]
        assert reported["mtu"] == kernel[nic]["mtu"]
        assert reported["hwaddr"] == kernel[nic]["address"]
        v4 = [
            f"{a['local']}/{a['prefixlen']}"
            for a in kernel[nic]["addr_info"]
            if a["family"] == "inet" and a["scope"] == "global"
        ]
        v6 = [
            f"{a['local']}/{a['prefixlen']}"
            for a in kernel[nic]["addr_info"]
            if a["family"] == "inet6" and a["scope"] == "global"
        ]
        assert reported["ipv4addrs"] == v4 and reported["ipv6addrs"] == v6
    assert caps["nics"]["eth0"]["addr"] == lab.host(name).ipv4 and caps["nics"]["eth0"]["netmask"] == "255.255.0.0"
    assert caps["features"]["kernel_vlan"] is False and caps["features"]["kernel_bond"] is False
    assert caps["networks"] == {} and caps["netConfigDirty"] is False


def test_bridge_over_the_management_nic_keeps_the_engine_connection_and_survives_restart_and_restore(
    lab: Lab, host: tuple[str, str]
) -> None:
    name, state_dir = host
    h = lab.host(name)
    idle = http.client.HTTPConnection(h.ipv4, ag.PORT, timeout=30)  # an engine connection opened before the move
    idle.request("POST", "/jsonrpc", json.dumps({"jsonrpc": "2.0", "id": 1, "method": "Host.ping2", "params": {}}))
    assert idle.getresponse().read()
    idle_socket = idle.sock
    stop = threading.Event()

    def confirm_loop() -> None:
        while not stop.is_set():
            with contextlib.suppress(Exception):
                ag.call(lab, name, "Host.confirmConnectivity", timeout=2)
            time.sleep(0.3)

    confirmer = threading.Thread(target=confirm_loop)
    confirmer.start()
    try:
        result = ag.call(
            lab,
            name,
            "Host.setupNetworks",
            {"networks": _bridge_over_eth0(lab), "bondings": {}, "options": ag.options()},
            timeout=60,
        )
    finally:
        stop.set()
        confirmer.join()
    assert result["state"] == "committed"
    # the idle engine connection is the same TCP connection and still works
    idle.request("POST", "/jsonrpc", json.dumps({"jsonrpc": "2.0", "id": 2, "method": "Host.ping2", "params": {}}))
    assert json.loads(idle.getresponse().read())["result"]["status"]["code"] == 0
    assert idle.sock is idle_socket
    # the kernel: bridge with the nic's MAC, eth0 enslaved and without addresses, addresses on the bridge
    bridge = ag.link(lab, name, "ovirtmgmt")
    assert bridge is not None and bridge["address"] == ag.link(lab, name, "eth0")["address"]
    assert ag.link(lab, name, "eth0")["master"] == "ovirtmgmt"
    assert ag.addresses(lab, name, "eth0") == []
    assert {f"{a['local']}/{a['prefixlen']}" for a in ag.addresses(lab, name, "ovirtmgmt")} == {
        f"{h.ipv4}/16",
        f"{h.ipv6}/64",
    }
    caps = ag.call(lab, name, "Host.getCapabilities")
    assert caps["networks"]["ovirtmgmt"]["bridged"] is True and caps["networks"]["ovirtmgmt"]["ports"] == ["eth0"]
    assert caps["netConfigDirty"] is True
    ag.call(lab, name, "Host.setSafeNetworkConfig")
    assert ag.call(lab, name, "Host.getCapabilities")["netConfigDirty"] is False
    # agent restart: the network is still reported
    lab.stop_agent(name)
    ag.start_agent(lab, name, state_dir)
    assert "ovirtmgmt" in ag.call(lab, name, "Host.getCapabilities")["networks"]
    # boot: someone wrecked the host; `dcnet-agent restore` brings back the safe config
    lab.stop_agent(name)
    lab.exec(name, "ip", "link", "del", "ovirtmgmt")
    lab.exec(name, "ip", "addr", "add", f"{h.ipv4}/16", "dev", "eth0")
    restore = lab.exec(
        name, sys.executable, "-m", "dcnet.agent.main", "restore", "--state-dir", state_dir, "--backend", "real"
    )
    assert restore.returncode == 0
    assert ag.link(lab, name, "eth0")["master"] == "ovirtmgmt"
    assert {f"{a['local']}/{a['prefixlen']}" for a in ag.addresses(lab, name, "ovirtmgmt")} >= {f"{h.ipv4}/16"}
    assert subprocess.run(["ping", "-c", "1", "-W", "2", h.ipv4], capture_output=True).returncode == 0


def test_unconfirmed_change_rolls_back_with_code_10_and_the_host_stays_reachable(
    lab: Lab, host: tuple[str, str]
) -> None:
    name, _ = host
    before = ag.kernel_snapshot(lab, name)
    request_id = str(uuid.uuid4())
    started = time.monotonic()
    with pytest.raises(ag.RpcError) as lost:
        ag.call(
            lab, name, "Host.setupNetworks",
            {"networks": _bridge_over_eth0(lab), "bondings": {}, "options": ag.options(connectivityTimeout=3, requestId=request_id)},
            timeout=60,
        )  # fmt: skip
    assert lost.value.code == 10
    assert time.monotonic() - started < 15
    assert ag.kernel_snapshot(lab, name) == before
    outcome = ag.call(lab, name, "Host.getNetworkTransaction", {"requestId": request_id})
    assert outcome["state"] == "rolled_back" and outcome["reason"] == "connectivity"
    assert subprocess.run(["ping", "-c", "1", "-W", "2", lab.host(name).ipv4], capture_output=True).returncode == 0


@pytest.mark.parametrize("point", ["after_journal", "mid_apply", "after_verify"])
def test_agent_killed_at_a_crash_point_is_rolled_back_on_restart(lab: Lab, tmp_path: Path, point: str) -> None:
    name = "h2"
    state_dir = str(tmp_path / f"agent-{point}")
    ag.reset_host(lab, name, state_dir)
    try:
        ag.start_agent(lab, name, state_dir, env={"DCNET_TEST_HOOKS": "1", "DCNET_CRASH_AT": point})
        before = ag.kernel_snapshot(lab, name)
        request_id = str(uuid.uuid4())
        networks = {"crashnet": {"nic": "eth1", "ipaddr": "192.0.2.77", "prefix": 24, "mtu": 1400}}
        with pytest.raises((httpx.HTTPError, ag.RpcError)):  # the connection dies with the agent
            ag.call(
                lab,
                name,
                "Host.setupNetworks",
                {"networks": networks, "bondings": {}, "options": ag.options(requestId=request_id)},
                timeout=30,
            )
        deadline = time.monotonic() + 10
        while lab.agent_pid(name) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lab.agent_pid(name) is None, "the agent should have killed itself"
        assert (Path(state_dir) / "transaction.json").exists()
        ag.start_agent(lab, name, state_dir)
        assert ag.kernel_snapshot(lab, name) == before
        outcome = ag.call(lab, name, "Host.getNetworkTransaction", {"requestId": request_id})
        assert outcome["state"] == "rolled_back" and outcome["reason"] == "crash"
        assert ag.call(lab, name, "Host.getCapabilities")["networks"] == {}
    finally:
        ag.reset_host(lab, name, state_dir)


def test_static_ipv6_on_a_network(lab: Lab, host: tuple[str, str]) -> None:
    name, _ = host
    networks = {"v6net": {"nic": "eth1", "bridged": False, "ipv6addr": "fd99::42/64"}}
    ag.call(
        lab,
        name,
        "Host.setupNetworks",
        {"networks": networks, "bondings": {}, "options": ag.options(connectivityCheck=False)},
    )
    assert [f"{a['local']}/{a['prefixlen']}" for a in ag.addresses(lab, name, "eth1")] == ["fd99::42/64"]
    assert ag.call(lab, name, "Host.getCapabilities")["networks"]["v6net"]["ipv6addrs"] == ["fd99::42/64"]


def test_dhcp_lease_is_reported_as_dhcp(lab: Lab, host: tuple[str, str]) -> None:
    name, _ = host
    networks = {"dhcpnet": {"nic": "eth1", "bridged": True, "bootproto": "dhcp"}}
    ag.call(
        lab,
        name,
        "Host.setupNetworks",
        {"networks": networks, "bondings": {}, "options": ag.options(connectivityCheck=False, connectivityTimeout=30)},
        timeout=60,
    )
    leased = [a for a in ag.addresses(lab, name, "dhcpnet") if a["family"] == "inet"]
    assert leased and leased[0]["dynamic"] is True
    assert leased[0]["local"].startswith(f"10.{lab.net}.200.")
    caps = ag.call(lab, name, "Host.getCapabilities")
    assert caps["networks"]["dhcpnet"]["dhcpv4"] is True
    assert caps["networks"]["dhcpnet"]["addresses"][0]["dynamic"] is True
    assert Path("/etc/resolv.conf").read_bytes() == RESOLV_CONF


def test_ipv6_autoconf_from_the_lab_router_advertisements(lab: Lab, host: tuple[str, str]) -> None:
    name, _ = host
    networks = {"slaac": {"nic": "eth2", "bridged": True, "ipv6autoconf": True}}
    ag.call(
        lab,
        name,
        "Host.setupNetworks",
        {"networks": networks, "bondings": {}, "options": ag.options(connectivityCheck=False)},
    )
    deadline = time.monotonic() + 40
    found: list[str] = []
    while time.monotonic() < deadline and not found:
        caps = ag.call(lab, name, "Host.getCapabilities")
        found = [a for a in caps["networks"]["slaac"]["ipv6addrs"] if a.startswith(f"fd{lab.net}:")]
        time.sleep(1)
    assert found, "no SLAAC address from the lab's router advertisements"
    assert caps["networks"]["slaac"]["ipv6autoconf"] is True


@pytest.mark.parametrize(
    ("networks", "bondings", "code"),
    [
        ({"red": {"nic": "eth1", "vlan": 5000}}, {}, 26),
        ({}, {"bond0": {"nics": ["eth1"]}}, 25),
        ({"red": {"nic": "eth9"}}, {}, 23),
        ({"red": {"nic": "eth1", "defaultRoute": True}, "blue": {"nic": "eth2", "defaultRoute": True}}, {}, 21),
        ({"red": {"nic": "eth1", "vlan": 100}}, {}, 26),  # this kernel has no 802.1Q: refused, clearly
        ({}, {"bond0": {"nics": ["eth1", "eth2"]}}, 25),  # nor bonding
    ],
    ids=["vlan-5000", "bond-one-slave", "unknown-nic", "two-default-routes", "no-kernel-vlan", "no-kernel-bond"],
)
def test_bad_parameters_get_the_right_code_and_leave_the_kernel_untouched(
    lab: Lab, host: tuple[str, str], networks: dict, bondings: dict, code: int
) -> None:
    name, _ = host
    before = ag.kernel_snapshot(lab, name)
    with pytest.raises(ag.RpcError) as refused:
        ag.call(lab, name, "Host.setupNetworks", {"networks": networks, "bondings": bondings, "options": ag.options()})
    assert refused.value.code == code
    assert ag.kernel_snapshot(lab, name) == before


RESOLV_CONF = Path("/etc/resolv.conf").read_bytes()

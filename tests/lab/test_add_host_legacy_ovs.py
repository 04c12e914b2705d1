"""Adding a host, the rows that need more than the plain flow (issue 5): a 3.0 cluster (the agent builds
the bridged management network at enrollment and is restarted from its safe config), node hosts (`--node`,
host type ovirt_node) with a VM and a non-VM management network, and Open vSwitch clusters adopting a
host whose address sits on an OVS bond (`bond4`) or on a VLAN over it (`bond4.3000`, the design page's
example). Real engine, real agents, real namespaces; each test asserts status, events, attachments and
the host (`ip -j`, OVSDB)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dcnet.lab import Lab
from tests.lab.agent_support import addresses, link
from tests.lab.engine_support import (  # noqa: F401  (fixtures engine, hosts)
    MGMT_FAILURE_CODES,
    EngineApi,
    HostLab,
    engine_api,
    engine_fixture,
    hosts_fixture,
)

MGMT = "ovirtmgmt"
V3_0 = {"major": 3, "minor": 0}


def _global(lab: Lab, host: str, device: str) -> set[str]:
    return {f"{a['local']}/{a['prefixlen']}" for a in addresses(lab, host, device)}


def _kind(lab: Lab, host: str, device: str) -> str | None:
    item = link(lab, host, device)
    return None if item is None else item.get("linkinfo", {}).get("info_kind")


def _reported(attachment: dict[str, Any]) -> dict[str, tuple[str, str, bool]]:
    return {
        c["name"]: (c["expected_value"], c["actual_value"], c["in_sync"]) for c in attachment["reported_configurations"]
    }


def _no_failure(api: EngineApi, host_id: str) -> None:
    codes = api.codes(host_id)
    assert not set(codes) & {*MGMT_FAILURE_CODES, 505}, api.describe(host_id)


def _ovs_layout(lab: Lab, host: str) -> dict[str, dict[str, str]]:
    """Bridge → port → tag, as the host's OVSDB has them."""
    return {
        bridge: {
            port: lab.vsctl(host, "get", "port", port, "tag").stdout.strip()
            for port in lab.vsctl(host, "list-ports", bridge).stdout.split()
        }
        for bridge in lab.vsctl(host, "list-br").stdout.split()
    }


def _bond_members(lab: Lab, host: str, bond: str = "bond4") -> list[str]:
    """Names of the interfaces of the OVS bond port."""
    uuids = lab.vsctl(host, "get", "port", bond, "interfaces").stdout.strip().strip("[]").split(", ")
    return sorted(lab.vsctl(host, "get", "interface", u, "name").stdout.strip().strip('"') for u in uuids if u)


# --- legacy cluster and node hosts (session lab) ---------------------------------------------------------


def test_cluster_3_0_bridged_and_restart(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h2")
    cluster = engine.new_cluster(f"v30{uuid.uuid4().hex[:6]}", version=V3_0)
    agent = hosts.start_agent("h2")
    pid = lab.agent_pid("h2")

    host = hosts.add_host("legacy-30", h.fqdn, agent.token, cluster={"id": cluster["id"]})
    engine.wait_status(host["id"], {"up"})

    # the agent built the bridge at enrollment; the engine sent no setupNetworks and restarted the agent
    assert agent.bootstrapped()
    assert agent.setup_networks_calls() == 0
    log = agent.log.read_text()
    assert "restarted by Host.restart: safe network config restored" in log
    assert lab.agent_pid("h2") == pid  # re-executed in place, as it does after enrollment
    assert engine.event(host["id"], 509)["description"] == (
        "Installing Host legacy-30. Restarting the agent from its persisted network configuration."
    )
    assert _kind(lab, "h2", MGMT) == "bridge"
    assert link(lab, "h2", "eth0")["master"] == MGMT
    assert _global(lab, "h2", MGMT) == {f"{h.ipv4}/16", f"{h.ipv6}/64"}
    attachment = engine.attachments(host["id"])[MGMT]
    assert attachment["host_nic"]["name"] == "eth0" and attachment["in_sync"] is True
    assert _reported(attachment)["bridged"] == ("true", "true", True)
    assert 504 in engine.codes(host["id"])
    _no_failure(engine, host["id"])


def test_node_host_with_vm_management_network(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h2")
    agent = hosts.start_agent("h2", extra=("--node",))

    host = hosts.add_host("node-vm", h.fqdn, agent.token, type="ovirt_node")
    assert host["type"] == "ovirt_node"
    engine.wait_status(host["id"], {"up"})

    assert agent.bootstrapped() and agent.setup_networks_calls() == 0
    assert _kind(lab, "h2", MGMT) == "bridge" and link(lab, "h2", "eth0")["master"] == MGMT
    attachment = engine.attachments(host["id"])[MGMT]
    assert attachment["host_nic"]["name"] == "eth0" and attachment["in_sync"] is True
    assert 1110 not in engine.codes(host["id"])
    assert engine.event(host["id"], 100013)["description"] == (
        "The management network ovirtmgmt is configured on host node-vm (ovirtmgmt)."
    )
    _no_failure(engine, host["id"])


def test_node_host_with_non_vm_management_network(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h2")
    cluster = engine.new_cluster(f"nodenv{uuid.uuid4().hex[:6]}")
    mgmt = engine.cluster_networks(cluster["id"])[MGMT]
    engine.put(f"/networks/{mgmt['id']}", {"usages": []})
    agent = hosts.start_agent("h2", extra=("--node",))

    host = hosts.add_host("node-non-vm", h.fqdn, agent.token, type="ovirt_node", cluster={"id": cluster["id"]})
    engine.wait_status(host["id"], {"up"})

    assert agent.bootstrapped() and agent.setup_networks_calls() == 0
    assert _kind(lab, "h2", MGMT) == "bridge"  # the node built it bridged regardless of the DC
    attachment = engine.attachments(host["id"])[MGMT]
    assert attachment["in_sync"] is False
    assert _reported(attachment)["bridged"] == ("false", "true", False)
    assert engine.wait_event(host["id"], 1110, timeout=10)["description"] == (
        "Host node-non-vm's following network(s) are not synchronized with their Logical Network configuration: "
        "ovirtmgmt."
    )
    _no_failure(engine, host["id"])


# --- Open vSwitch clusters (own labs with OVS) -----------------------------------------------------------


@pytest.fixture
def ovs_lab(make_lab: Callable[..., Lab], tmp_path: Path) -> Iterator[tuple[Lab, EngineApi, HostLab]]:
    """One OVS host with 4 nics and lab VLAN 3000; an engine resolving names at that lab's DNS."""
    lab = make_lab("o", n=1, nics=4, ovs=True, vlans=(3000,)).up()
    with engine_api(lab.dns_server) as api:
        made = HostLab(lab, api, tmp_path)
        try:
            yield lab, api, made
        finally:
            made.cleanup()


def test_bond_only_ovs(ovs_lab: tuple[Lab, EngineApi, HostLab]) -> None:
    lab, api, hosts = ovs_lab
    h = lab.host("h1")
    lab.build_bond_host("h1", vlan=None, dhcp=False, address=f"{h.ipv4}/16", exclusive=True)
    name = f"bond-{uuid.uuid4().hex[:6]}.lab.test"
    hosts.add_dns(name, h.ipv4)
    cluster = api.post("/clusters", {"name": f"ovs{uuid.uuid4().hex[:6]}", "data_center": {"name": "Default"},
                                     "switch_type": "ovs"})  # fmt: skip
    agent = hosts.start_agent("h1", extra=("--ovsdb", lab.ovsdb("h1")))

    host = hosts.add_host("bond-only", name, agent.token, cluster={"id": cluster["id"]})
    api.wait_status(host["id"], {"up"})

    attachment = api.attachments(host["id"])[MGMT]
    assert attachment["host_nic"]["name"] == "bond4" and attachment["in_sync"] is True
    assert _ovs_layout(lab, "h1") == {"br-bond4": {"bond4": "[]", MGMT: "[]"}}
    assert _bond_members(lab, "h1") == ["eth2", "eth3"]  # the bond untouched
    assert _global(lab, "h1", MGMT) == {f"{h.ipv4}/16"}
    assert agent.setup_networks_calls() == 1
    _no_failure(api, host["id"])


def test_design_page_example_bond_vlan_dhcp_mtu_9000(ovs_lab: tuple[Lab, EngineApi, HostLab]) -> None:
    """The host's address is on bond4.3000 by DHCP; the DC's management network is a VM network on VLAN
    3000 with MTU 9000 → ovirtmgmt on bond4 VLAN 3000, MTU 9000, the lease kept."""
    lab, api, hosts = ovs_lab
    built = lab.build_bond_host("h1")  # bond4.3000 over bond4 = eth2 + eth3, DHCP from VLAN 3000
    lease = built.ipv4.split("/")[0]
    name = f"design-{uuid.uuid4().hex[:6]}.lab.test"
    hosts.add_dns(name, lease)
    cluster = api.new_cluster(f"design{uuid.uuid4().hex[:6]}", switch_type="ovs")
    mgmt = api.cluster_networks(cluster["id"])[MGMT]
    api.put(f"/networks/{mgmt['id']}", {"vlan": {"id": 3000}, "mtu": 9000})
    agent = hosts.start_agent("h1", extra=("--ovsdb", lab.ovsdb("h1")), address=lease)

    host = hosts.add_host("design-example", name, agent.token, cluster={"id": cluster["id"]})
    api.wait_status(host["id"], {"up"})

    attachment = api.attachments(host["id"])[MGMT]
    assert attachment["host_nic"]["name"] == "bond4" and attachment["in_sync"] is True
    reported = _reported(attachment)
    assert reported["vlan"] == ("3000", "3000", True) and reported["mtu"] == ("9000", "9000", True)
    assert reported["bridged"] == ("true", "true", True)
    v4 = next(a for a in attachment["ip_address_assignments"] if a.get("ip", {}).get("version", "v4") == "v4")
    assert v4["assignment_method"] == "dhcp"
    assert _ovs_layout(lab, "h1") == {"br-bond4": {"bond4": "[]", MGMT: "3000"}}
    assert _bond_members(lab, "h1") == ["eth2", "eth3"]
    assert link(lab, "h1", "bond4.3000") is None
    assert link(lab, "h1", MGMT)["mtu"] == 9000
    [held] = [a for a in addresses(lab, "h1", MGMT) if a["family"] == "inet"]
    assert held["local"] == lease and held["dynamic"] is True  # DHCP kept, same lease
    assert agent.setup_networks_calls() == 1
    _no_failure(api, host["id"])

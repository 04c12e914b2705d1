"""Adding hosts end to end: a real engine process (SQLite, and PostgreSQL when the test script started one)
deploys simulated hosts found through the fleet's DNS — enrollment, the management network built from the
data center's definition, monitoring — and the failures of management-network.md each end in the status and
events a user sees. No root needed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import DATABASES
from tests.integration.add_host_support import Lab, codes, running_lab

MANAGEMENT_FAILED = "Failed to configure management network on the host"
BATCH = range(20, 70)  # 50 hosts added at once
COUNT = 70

# sim0 is the test's control host; the others have eth0 holding their address unless listed here
TOPOLOGY = """
hosts:
  sim10: {management: bond0, bonds: {bond0: {slaves: [eth1]}}}
  sim11:
    management: bond0.100
    bonds: {bond0: {slaves: [eth1]}}
    vlans: {bond0.100: {base: bond0, id: 100}}
  sim12:
    management: eth1.100
    vlans: {eth1.100: {base: eth1, id: 100}}
  sim13:
    management: bond0
    bonds: {bond0: {slaves: [eth1, eth2], mode: "4", options: {miimon: "100"}}}
    vlans: {eth3.300: {base: eth3, id: 300}}
  sim14:
    management: bond0.100
    bonds: {bond0: {slaves: [eth1, eth2]}}
    vlans: {bond0.100: {base: bond0, id: 100}}
"""


@pytest.fixture(scope="module", params=DATABASES)
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    state = tmp_path_factory.mktemp(f"fleet-{request.param}")
    topology = state.parent / f"topology-{request.param}.yaml"
    topology.write_text(TOPOLOGY)
    with running_lab(request.param, state, COUNT, topology) as running:
        yield running


def correlation() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def vlan_cluster(lab: Lab, vlan: int) -> str:
    """A cluster of the Default data center whose management network is tagged `vlan` (ovirtmgmt detached)."""
    name = f"v{uuid.uuid4().hex[:8]}"
    cluster = lab.api.post("/clusters", json={"name": name, "data_center": {"name": "Default"}})
    assert cluster.status_code == 201, cluster.text
    network = lab.api.post("/networks", json={"name": name, "data_center": {"name": "Default"}, "vlan": {"id": vlan}})
    assert network.status_code == 201, network.text
    cluster_id, network_id = cluster.json()["id"], network.json()["id"]
    assert lab.api.post(f"/clusters/{cluster_id}/networks", json={"id": network_id}).status_code == 201
    role = lab.api.put(f"/clusters/{cluster_id}/networks/{network_id}", json={"usages": ["management"]})
    assert role.status_code == 200, role.text
    ovirtmgmt = lab.api.get("/networks", params={"search": "name=ovirtmgmt and datacenter=Default"}).json()["network"]
    detached = lab.api.delete(f"/clusters/{cluster_id}/networks/{ovirtmgmt[0]['id']}")
    assert detached.status_code == 200, detached.text
    return name


def test_added_host_comes_up_with_the_management_network_on_eth0(lab: Lab) -> None:
    tag = correlation()
    host = lab.add(1, correlation=tag)
    assert host["status"] == "installing"

    up = lab.wait_status(host["id"], "up", "non_operational", "install_failed", "non_responsive")

    assert up["status"] == "up", up["status_detail"]
    assert up["resolved_addresses"] == [lab.entry(1)["address"]] and up["net_config_dirty"] is False
    events = lab.events(tag)
    assert codes(events) == [42, 560, 100014, 561, 100013, 504, 13]
    assert [e["description"] for e in events] == [
        "Host sim1 was added by admin@internal.",
        "Host deploy (agent enrollment) has started on host sim1.",
        f"Host sim1: address sim1.lab.test resolves to {lab.entry(1)['address']}.",
        "Host deploy (agent enrollment) has successfully finished on host sim1.",
        "The management network ovirtmgmt is configured on host sim1 (eth0).",
        "Host sim1 installed",
        "Status of host sim1 was set to Up.",
    ]
    assert all(e["host"]["id"] == host["id"] for e in events)
    attachment = lab.attachments(host["id"])["ovirtmgmt"]
    assert attachment["host_nic"] == {"name": "eth0"} and attachment["in_sync"] is True
    assert attachment["ip_address_assignments"] == [
        {
            "assignment_method": "static",
            "ip": {"address": lab.entry(1)["address"], "netmask": "255.0.0.0", "version": "v4"},
        }
    ]
    compared = {c["name"]: (c["expected_value"], c["actual_value"]) for c in attachment["reported_configurations"]}
    assert {k: compared[k] for k in ("mtu", "bridged", "vlan", "ipv4_boot_protocol", "ipv4_address")} == {
        "mtu": ("1500", "1500"),
        "bridged": ("true", "true"),
        "vlan": ("none", "none"),
        "ipv4_boot_protocol": ("static", "static"),
        "ipv4_address": (lab.entry(1)["address"], lab.entry(1)["address"]),
    }
    assert all(c["in_sync"] for c in attachment["reported_configurations"])


def test_up_event_carries_the_add_correlation_id(lab: Lab) -> None:
    tag = correlation()
    host = lab.add(9, correlation=tag)
    lab.wait_status(host["id"], "up")
    assert 13 in codes(lab.events(tag))


def test_fifty_hosts_added_at_once_all_come_up(lab: Lab) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        hosts = list(pool.map(lambda index: lab.add(index), BATCH))
    statuses = {host["name"]: lab.wait_status(host["id"], timeout=180)["status"] for host in hosts}
    seconds = time.monotonic() - started
    print(f"\n{len(hosts)} hosts added at once: all settled in {seconds:.1f} s")
    assert statuses == {f"sim{index}": "up" for index in BATCH}
    for host in hosts:
        assert lab.attachments(host["id"])["ovirtmgmt"]["in_sync"] is True


def test_wrong_token_is_install_failed_with_the_refusal(lab: Lab) -> None:
    tag = correlation()
    host = lab.add(2, token="not-the-token", correlation=tag)

    failed = lab.wait_status(host["id"])

    assert failed["status"] == "install_failed"
    events = lab.events(tag)
    assert codes(events) == [42, 560, 100014, 505]
    assert events[-1]["description"].startswith("Host sim2 installation failed. The agent refused the enrollment: ")
    assert failed["status_detail"] in events[-1]["description"]
    assert lab.api.get(f"/hosts/{host['id']}/nics").json() == {"host_nic": []}

    # the token was not spent: the right one installs the host
    again = lab.api.post(f"/hosts/{host['id']}/install", json={"root_password": lab.token(2)})
    assert again.status_code == 200, again.text
    assert lab.wait_status(host["id"])["status"] == "up"


def test_agent_down_after_up_is_non_responsive_then_up_again(lab: Lab) -> None:
    host = lab.add(3)
    lab.wait_status(host["id"], "up")
    since = lab.newest_event()

    lab.hook(3, "down", seconds=3)

    down = lab.wait_status(host["id"], "non_responsive", timeout=20)
    assert lab.wait_event(host["id"], 12, since)["description"] == "Host sim3 is non responsive."
    assert down["status_detail"].startswith("not responding")
    lab.wait_status(host["id"], "up", timeout=20)
    after = lab.host_events(host["id"], since)
    assert codes(after) == [12, 100012, 13]
    assert [e["description"] for e in after[1:]] == [
        "Host sim3 is responding again.",
        "Status of host sim3 was set to Up.",
    ]


def test_setup_networks_failing_is_non_operational_and_reinstall_fixes_it(lab: Lab) -> None:
    lab.hook(4, "fail", verb="Host.setupNetworks", code=10, message="connectivity check failed (simulated)")
    tag = correlation()
    host = lab.add(4, correlation=tag)

    failed = lab.wait_status(host["id"])

    assert failed["status"] == "non_operational"
    events = lab.events(tag)
    assert codes(events) == [42, 560, 100014, 561, 1120, 100011, 505]
    assert [e["description"] for e in events[-3:]] == [
        "Failed to configure management network on host sim4 due to setup networks failure.",
        events[-2]["description"],
        f"Host sim4 installation failed. {MANAGEMENT_FAILED}.",
    ]
    assert events[-2]["description"].startswith("Setup networks on host sim4 failed: ")
    assert "connectivity check failed (simulated)" in events[-2]["description"]
    assert "ovirtmgmt" not in lab.attachments(host["id"])

    lab.hook(4, "clear")
    assert lab.api.post(f"/hosts/{host['id']}/install", json={}).status_code == 200
    assert lab.wait_status(host["id"], "up")["status"] == "up"
    assert lab.attachments(host["id"])["ovirtmgmt"]["in_sync"] is True


def test_persist_failing_is_1121_and_non_operational(lab: Lab) -> None:
    """An agent that ignores commitOnSuccess (an older one) leaves netConfigDirty; the engine then asks for
    Host.setSafeNetworkConfig, and when that fails the install ends with 1121."""
    lab.hook(15, "ignore_commit")
    lab.hook(15, "fail", verb="Host.setSafeNetworkConfig", code=100, message="disk full (simulated)")
    tag = correlation()
    host = lab.add(15, correlation=tag)

    failed = lab.wait_status(host["id"])

    assert failed["status"] == "non_operational", failed["status_detail"]
    events = lab.events(tag)
    assert codes(events) == [42, 560, 100014, 561, 1121, 505]
    assert [e["description"] for e in events[-2:]] == [
        "Failed to configure management network on host sim15 due to failure in persisting the management "
        "network configuration.",
        f"Host sim15 installation failed. {MANAGEMENT_FAILED}.",
    ]
    assert events[-2]["severity"] == "warning"
    lab.hook(15, "clear")


@pytest.mark.parametrize(
    ("index", "vlan", "device"),
    [(10, None, "bond0"), (11, 100, "bond0")],
    ids=["bond0-one-slave", "bond0.100-over-one-slave-bond"],
)
def test_bond_with_one_slave_holding_the_address_is_1118(lab: Lab, index: int, vlan: int | None, device: str) -> None:
    cluster = vlan_cluster(lab, vlan) if vlan else "Default"
    tag = correlation()
    host = lab.add(index, cluster=cluster, correlation=tag)

    failed = lab.wait_status(host["id"])

    assert failed["status"] == "non_operational"
    events = lab.events(tag)
    assert codes(events) == [42, 560, 100014, 561, 1118, 505]
    assert events[-2]["description"] == (
        f"Failed to configure management network on host sim{index}. Host sim{index} has an invalid bond interface "
        f"({device} contains less than 2 active slaves) for the management network configuration."
    )
    assert events[-1]["description"] == f"Host sim{index} installation failed. {MANAGEMENT_FAILED}."


def test_address_on_a_vlan_while_the_data_center_is_untagged_is_1119(lab: Lab) -> None:
    tag = correlation()
    host = lab.add(12, correlation=tag)

    assert lab.wait_status(host["id"])["status"] == "non_operational"
    events = lab.events(tag)
    assert codes(events) == [42, 560, 100014, 561, 1119, 505]
    assert events[-2]["description"] == (
        "Failed to configure management network on host sim12. Host sim12 has an interface eth1.100 for the "
        "management network configuration with VLAN-ID (100), which is different from data-center definition (none)."
    )


def test_address_on_a_vlan_over_a_bond_matching_the_data_center(lab: Lab) -> None:
    management = vlan_cluster(lab, 100)  # the cluster and its management network share the name
    host = lab.add(14, cluster=management)
    assert lab.wait_status(host["id"])["status"] == "up"
    attachments = lab.attachments(host["id"])
    assert list(attachments) == [management]
    attachment = attachments[management]
    assert attachment["host_nic"] == {"name": "bond0"} and attachment["in_sync"] is True
    assert {c["name"]: c["actual_value"] for c in attachment["reported_configurations"]}["vlan"] == "100"


def test_nics_show_bonds_vlans_and_the_management_bridge(lab: Lab) -> None:
    host = lab.add(13)
    assert lab.wait_status(host["id"])["status"] == "up"

    nics = lab.nics(host["id"])

    assert set(nics) >= {"eth0", "eth1", "eth2", "eth3", "bond0", "eth3.300", "ovirtmgmt"}
    bond = nics["bond0"]
    assert bond["type"] == "bond" and bond["network"]["name"] == "ovirtmgmt"
    assert bond["bonding"]["slaves"] == {"host_nic": [{"name": "eth1"}, {"name": "eth2"}]}
    assert {"name": "miimon", "value": "100"} in bond["bonding"]["options"]["option"]
    vlan = nics["eth3.300"]
    assert vlan["type"] == "vlan" and vlan["vlan"] == {"id": 300} and vlan["base_interface"] == "eth3"
    bridge = nics["ovirtmgmt"]
    assert bridge["type"] == "bridge" and bridge["boot_protocol"] == "static"
    assert bridge["ip"]["address"] == lab.entry(13)["address"]
    assert nics["eth1"]["type"] == "nic" and "network" not in nics["eth1"]
    one = lab.api.get(f"/hosts/{host['id']}/nics/{bond['id']}").json()
    assert one == bond
    assert lab.attachments(host["id"])["ovirtmgmt"]["host_nic"] == {"name": "bond0"}


def test_reinstall_an_enrolled_host_brings_it_up_again(lab: Lab) -> None:
    host = lab.add(5)
    lab.wait_status(host["id"], "up")
    busy = lab.api.post(f"/hosts/{host['id']}/install", json={})
    assert busy.status_code == 409  # an up host is moved to maintenance first
    assert lab.api.post(f"/hosts/{host['id']}/deactivate", json={}).json()["host"]["status"] == "maintenance"
    tag = correlation()

    answer = lab.api.post(f"/hosts/{host['id']}/install", json={}, headers={"Correlation-Id": tag})

    assert answer.status_code == 200 and answer.json()["host"]["status"] == "installing"
    assert lab.wait_status(host["id"])["status"] == "up"
    # already compliant: nothing to change, the agent is not enrolled again
    assert codes(lab.events(tag)) == [560, 100014, 561, 100013, 504, 13]


def test_install_with_activate_false_ends_in_maintenance(lab: Lab) -> None:
    host = lab.add(6, activate=False)
    assert lab.wait_status(host["id"])["status"] == "maintenance"
    tag = correlation()

    removed = lab.api.delete(f"/hosts/{host['id']}", headers={"Correlation-Id": tag})

    assert removed.status_code == 200
    assert [(e["code"], e["description"]) for e in lab.events(tag)] == [
        (44, "Host sim6 was removed by admin@internal."),
        (100005, "Host sim6 was removed; its network configuration was left on the host as it is."),
    ]
    assert lab.api.get(f"/hosts/{host['id']}").status_code == 404


def test_refresh_reads_the_host_again(lab: Lab) -> None:
    host = lab.add(8)
    lab.wait_status(host["id"], "up")

    answer = lab.api.post(f"/hosts/{host['id']}/refresh", json={})

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "complete" and body["host"]["id"] == host["id"] and body["host"]["status"] == "up"
    assert lab.host(host["id"])["status"] == "up"


def test_missing_required_network_is_519_until_it_is_not_required(lab: Lab) -> None:
    name = f"r{uuid.uuid4().hex[:8]}"
    cluster = lab.api.post("/clusters", json={"name": name, "data_center": {"name": "Default"}}).json()
    network = lab.api.post("/networks", json={"name": name, "data_center": {"name": "Default"}}).json()
    attached = lab.api.post(f"/clusters/{cluster['id']}/networks", json={"id": network["id"], "required": True})
    assert attached.status_code == 201, attached.text
    host = lab.add(7, cluster=name)
    since = lab.newest_event()

    failed = lab.wait_status(host["id"])

    assert failed["status"] == "non_operational"
    assert lab.wait_event(host["id"], 519, since)["description"] == (
        f"Host sim7 does not comply with the cluster {name} networks, the following networks are missing on host: "
        f"'{name}'"
    )
    assert lab.attachments(host["id"])["ovirtmgmt"]["in_sync"] is True
    relaxed = lab.api.put(f"/clusters/{cluster['id']}/networks/{network['id']}", json={"required": False})
    assert relaxed.status_code == 200, relaxed.text

    activated = lab.api.post(f"/hosts/{host['id']}/activate", json={})

    assert activated.status_code == 200
    assert lab.wait_status(host["id"], "up", timeout=20)["status"] == "up"

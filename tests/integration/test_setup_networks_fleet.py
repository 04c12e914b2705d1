"""Setup networks end to end on simulated hosts: a real engine process plans, validates and sends
Host.setupNetworks; the API shows the attachments, their sync state, and refuses bad requests with the
reference's rule keys, sending nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DATABASES
from tests.integration.add_host_support import Lab, codes, running_lab

COUNT = 12


@pytest.fixture(scope="module", params=DATABASES)
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    state = tmp_path_factory.mktemp(f"setup-{request.param}")
    with running_lab(request.param, state, COUNT, None) as running:
        yield running


def network(lab: Lab, **fields: Any) -> dict[str, Any]:
    """A new network of the Default data center, attached to the Default cluster (not required)."""
    name = f"n{uuid.uuid4().hex[:8]}"
    created = lab.api.post("/networks", json={"name": name, "data_center": {"name": "Default"}, **fields})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    cluster = lab.api.get("/clusters", params={"search": "name=Default"}).json()["cluster"][0]
    attached = lab.api.post(f"/clusters/{cluster['id']}/networks", json={"id": body["id"], "required": False})
    assert attached.status_code == 201, attached.text
    return body


def up_host(lab: Lab, index: int) -> dict[str, Any]:
    host = lab.add(index)
    assert lab.wait_status(host["id"])["status"] == "up"
    return host


def setup(lab: Lab, host: dict[str, Any], body: dict[str, Any]) -> Any:
    return lab.api.post(f"/hosts/{host['id']}/setupnetworks", json=body)


def static(v4: str, netmask: str = "255.255.255.0", v6: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"assignment_method": "static", "ip": {"address": v4, "netmask": netmask, "version": "v4"}}
    ]
    if v6:
        out.append({"assignment_method": "static", "ip": {"address": v6, "netmask": "64", "version": "v6"}})
    return out


def test_static_ipv4_ipv6_on_a_vlan_vm_network_then_dhcp(lab: Lab) -> None:
    host = up_host(lab, 1)
    red = network(lab, vlan={"id": 100})
    body = {
        "modified_network_attachments": {
            "network_attachment": [
                {
                    "network": {"id": red["id"]},
                    "host_nic": {"name": "eth1"},
                    "ip_address_assignments": static("192.0.2.21", v6="2001:db8::21"),
                }
            ]
        },
        "commit_on_success": True,
    }

    answer = setup(lab, host, body)

    assert answer.status_code == 200, answer.text
    attachment = lab.attachments(host["id"])[red["name"]]
    assert attachment["host_nic"]["name"] == "eth1" and attachment["in_sync"] is True
    assert lab.nics(host["id"])["eth1.100"]["vlan"] == {"id": 100}
    assert lab.nics(host["id"])["eth1.100"]["ip"]["address"] == "192.0.2.21"

    dhcp = [{"assignment_method": "dhcp"}, {"assignment_method": "poly_dhcp_autoconf", "ip": {"version": "v6"}}]
    changed = lab.api.put(
        f"/hosts/{host['id']}/networkattachments/{attachment['id']}", json={"ip_address_assignments": dhcp}
    )
    assert changed.status_code == 200, changed.text
    methods = [a["assignment_method"] for a in lab.attachments(host["id"])[red["name"]]["ip_address_assignments"]]
    assert methods == ["dhcp", "poly_dhcp_autoconf"]


def test_bond_with_a_non_vm_vlan_network_mtu_9000_then_both_removed(lab: Lab) -> None:
    host = up_host(lab, 2)
    migration = network(lab, vlan={"id": 200}, mtu=9000, usages=[])
    bond = {
        "name": "bond_fancy0",
        "bonding": {
            "options": {"option": [{"name": "mode", "value": "1"}, {"name": "miimon", "value": "200"}]},
            "slaves": {"host_nic": [{"name": "eth2"}, {"name": "eth3"}]},
        },
    }
    body = {
        "modified_bonds": {"host_nic": [bond]},
        "modified_network_attachments": [
            {"network": {"name": migration["name"]}, "host_nic": {"name": "bond_fancy0"},
             "ip_address_assignments": static("198.51.100.2")}
        ],
        "commit_on_success": True,
    }  # fmt: skip

    answer = setup(lab, host, body)

    assert answer.status_code == 200, answer.text
    nics = lab.nics(host["id"])
    assert nics["bond_fancy0"]["type"] == "bond"
    assert [s["name"] for s in nics["bond_fancy0"]["bonding"]["slaves"]["host_nic"]] == ["eth2", "eth3"]
    assert nics["bond_fancy0.200"]["mtu"] == 9000
    attachment = lab.attachments(host["id"])[migration["name"]]
    assert attachment["host_nic"]["name"] == "bond_fancy0" and attachment["in_sync"] is True

    removed = setup(
        lab,
        host,
        {"removed_network_attachments": [{"id": attachment["id"]}], "removed_bonds": [{"name": "bond_fancy0"}]},
    )

    assert removed.status_code == 200, removed.text
    assert migration["name"] not in lab.attachments(host["id"])
    assert "bond_fancy0" not in lab.nics(host["id"])


def test_dc_mtu_change_puts_the_attachment_out_of_sync_and_sync_all_fixes_it(lab: Lab) -> None:
    host = up_host(lab, 3)
    blue = network(lab)
    body = {"modified_network_attachments": [{"network": {"id": blue["id"]}, "host_nic": {"name": "eth1"}}]}
    assert setup(lab, host, body).status_code == 200
    assert lab.api.put(f"/networks/{blue['id']}", json={"mtu": 9000}).status_code == 200
    assert lab.api.post(f"/hosts/{host['id']}/refresh", json={}).status_code == 200

    attachment = lab.attachments(host["id"])[blue["name"]]
    entry = next(c for c in attachment["reported_configurations"] if c["name"] == "mtu")
    assert attachment["in_sync"] is False and (entry["expected_value"], entry["actual_value"]) == ("9000", "1500")

    refused = setup(
        lab, host, {"modified_network_attachments": [{"id": attachment["id"], "host_nic": {"name": "eth1"},
                                                      "ip_address_assignments": static("192.0.2.40")}]},
    )  # fmt: skip
    assert refused.status_code == 409 and "MTU Host - 1500, DC - 9000" in refused.json()["fault"]["detail"]

    synced = lab.api.post(f"/hosts/{host['id']}/syncallnetworks", json={})

    assert synced.status_code == 200, synced.text
    assert lab.attachments(host["id"])[blue["name"]]["in_sync"] is True
    assert lab.nics(host["id"])["eth1"]["mtu"] == 9000


def test_commit_net_config_clears_net_config_dirty(lab: Lab) -> None:
    host = up_host(lab, 4)
    green = network(lab)
    body = {"modified_network_attachments": [{"network": {"id": green["id"]}, "host_nic": {"name": "eth2"}}]}
    assert setup(lab, host, body).status_code == 200
    assert lab.host(host["id"])["net_config_dirty"] is True
    since = lab.newest_event()

    assert lab.api.post(f"/hosts/{host['id']}/commitnetconfig", json={}).status_code == 200

    assert lab.host(host["id"])["net_config_dirty"] is False
    assert 1104 in codes(lab.host_events(host["id"], since))


@pytest.mark.parametrize(
    ("case", "status", "key"),
    [
        ("unknown nic", 409, "does not exist"),
        ("second untagged network on a nic", 409, "At most one VLAN-untagged Logical Network"),
        ("same vlan twice on a device", 409, "NIC"),
        ("mtu differences on a nic", 409, "do not have the same MTU value"),
        ("bond of one nic", 409, "consist of less than two Network Interfaces"),
        ("removing the management network", 409, "ovirtmgmt"),
        ("static address without netmask", 400, "netmask"),
        ("ipv6 address in an ipv4 field", 400, "IPv4"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_sent(lab: Lab, case: str, status: int, key: str) -> None:
    host = lab.add(5) if case == "unknown nic" else None
    host = host or next(h for h in lab.api.get("/hosts").json()["host"] if h["name"] == "sim5")
    lab.wait_status(host["id"])
    a = network(lab)
    b = network(lab)
    tagged_a = network(lab, vlan={"id": 300})
    tagged_b = network(lab, vlan={"id": 300})
    jumbo = network(lab, vlan={"id": 301}, mtu=9000)
    mgmt = lab.attachments(host["id"])["ovirtmgmt"]
    bodies: dict[str, dict[str, Any]] = {
        "unknown nic": {"modified_network_attachments": [{"network": {"id": a["id"]}, "host_nic": {"name": "eth9"}}]},
        "second untagged network on a nic": {"modified_network_attachments": [
            {"network": {"id": a["id"]}, "host_nic": {"name": "eth1"}},
            {"network": {"id": b["id"]}, "host_nic": {"name": "eth1"}}]},
        "same vlan twice on a device": {"modified_network_attachments": [
            {"network": {"id": tagged_a["id"]}, "host_nic": {"name": "eth1"}},
            {"network": {"id": tagged_b["id"]}, "host_nic": {"name": "eth1"}}]},
        "mtu differences on a nic": {"modified_network_attachments": [
            {"network": {"id": a["id"]}, "host_nic": {"name": "eth1"}},
            {"network": {"id": jumbo["id"]}, "host_nic": {"name": "eth1"}}]},
        "bond of one nic": {"modified_bonds": [{"name": "bond1", "bonding": {"slaves": [{"name": "eth1"}]}}]},
        "removing the management network": {"removed_network_attachments": [{"id": mgmt["id"]}]},
        "static address without netmask": {"modified_network_attachments": [
            {"network": {"id": a["id"]}, "host_nic": {"name": "eth1"},
             "ip_address_assignments": [{"assignment_method": "static", "ip": {"address": "192.0.2.9"}}]}]},
        "ipv6 address in an ipv4 field": {"modified_network_attachments": [
            {"network": {"id": a["id"]}, "host_nic": {"name": "eth1"},
             "ip_address_assignments": [{"assignment_method": "static",
                                         "ip": {"address": "2001:db8::9", "netmask": "64", "version": "v4"}}]}]},
    }  # fmt: skip
    before = lab.attachments(host["id"])
    since = lab.newest_event()

    answer = setup(lab, host, bodies[case])

    assert answer.status_code == status, answer.text
    assert key in answer.json()["fault"]["detail"], answer.text
    assert lab.attachments(host["id"]) == before
    assert 100015 not in codes(lab.host_events(host["id"], since))


def test_agent_failure_is_a_409_with_the_agent_code_and_an_event(lab: Lab) -> None:
    host = up_host(lab, 6)
    net = network(lab)
    lab.hook(6, "fail", verb="Host.setupNetworks", code=10, message="connectivity check failed (simulated)")
    since = lab.newest_event()

    answer = setup(
        lab, host, {"modified_network_attachments": [{"network": {"id": net["id"]}, "host_nic": {"name": "eth1"}}]}
    )

    lab.hook(6, "clear")
    assert answer.status_code == 409
    assert "code 10" in answer.json()["fault"]["detail"]
    assert net["name"] not in lab.attachments(host["id"])
    assert 100011 in codes(lab.host_events(host["id"], since))

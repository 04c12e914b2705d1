"""Copy host networks end to end on simulated hosts (host-network-setup.md §11): a real engine process copies
one host's bonds and attachments onto another in one setup-networks request, and refuses hosts of another
cluster or with another number of nics, sending nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DATABASES
from tests.integration.add_host_support import Lab, running_lab

COUNT = 6
TOPOLOGY = """
hosts:
  sim3: {nics: [em1, em2, em3, em4], management: em2}
  sim4: {nics: 3}
"""


@pytest.fixture(scope="module", params=DATABASES)
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    state = tmp_path_factory.mktemp(f"copy-{request.param}")
    topology = state.parent / f"copy-topology-{request.param}.yaml"
    topology.write_text(TOPOLOGY)
    with running_lab(request.param, state, COUNT, topology) as running:
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


def up_host(lab: Lab, index: int, cluster: str = "Default") -> dict[str, Any]:
    host = lab.add(index, cluster=cluster)
    assert lab.wait_status(host["id"])["status"] == "up"
    return host


def setup(lab: Lab, host: dict[str, Any], body: dict[str, Any]) -> Any:
    return lab.api.post(f"/hosts/{host['id']}/setupnetworks", json=body)


def copy(lab: Lab, source: dict[str, Any], destination: dict[str, Any]) -> Any:
    return lab.api.post(f"/hosts/{destination['id']}/copyhostnetworks", json={"source_host": {"id": source["id"]}})


def methods(attachment: dict[str, Any]) -> list[str]:
    return [a["assignment_method"] for a in attachment.get("ip_address_assignments") or []]


@pytest.fixture(scope="module")
def hosts(lab: Lab) -> dict[str, dict[str, Any]]:
    return {"src": up_host(lab, 1), "dst": up_host(lab, 2), "em": up_host(lab, 3), "three": up_host(lab, 4)}


def test_copies_bonds_and_networks_static_addresses_become_none(lab: Lab, hosts: dict[str, Any]) -> None:
    source, destination = hosts["src"], hosts["dst"]
    red, plain = network(lab, vlan={"id": 100}), network(lab)
    mig, blue = network(lab, vlan={"id": 200}, mtu=9000, usages=[]), network(lab)
    bond = {
        "name": "bond1",
        "bonding": {
            "options": {"option": [{"name": "mode", "value": "1"}, {"name": "miimon", "value": "100"}]},
            "slaves": {"host_nic": [{"name": "eth2"}, {"name": "eth3"}]},
        },
    }
    static = [
        {"assignment_method": "static", "ip": {"address": "192.0.2.31", "netmask": "24", "version": "v4"}},
        {"assignment_method": "static", "ip": {"address": "2001:db8::31", "netmask": "64", "version": "v6"}},
    ]
    on_source = setup(lab, source, {
        "modified_bonds": [bond],
        "modified_network_attachments": [
            {"network": {"id": red["id"]}, "host_nic": {"name": "eth1"}},
            {"network": {"id": plain["id"]}, "host_nic": {"name": "eth1"}, "ip_address_assignments": static},
            {"network": {"id": mig["id"]}, "host_nic": {"name": "bond1"}},
        ],
        "commit_on_success": True,
    })  # fmt: skip
    assert on_source.status_code == 200, on_source.text
    on_destination = setup(lab, destination, {
        "modified_network_attachments": [
            {"network": {"id": blue["id"]}, "host_nic": {"name": "eth1"}},
            {"network": {"id": red["id"]}, "host_nic": {"name": "eth3"}},
        ],
    })  # fmt: skip
    assert on_destination.status_code == 200, on_destination.text
    red_id = lab.attachments(destination["id"])[red["name"]]["id"]

    answer = copy(lab, source, destination)

    assert answer.status_code == 200, answer.text
    attachments = lab.attachments(destination["id"])
    assert set(attachments) == {"ovirtmgmt", red["name"], plain["name"], mig["name"]}
    assert {name: a["host_nic"]["name"] for name, a in attachments.items()} == {
        "ovirtmgmt": "eth0", red["name"]: "eth1", plain["name"]: "eth1", mig["name"]: "bond1"
    }  # fmt: skip
    assert attachments[red["name"]]["id"] == red_id
    assert methods(attachments[plain["name"]]) in (["none"], ["none", "none"])
    assert all(a["in_sync"] for a in attachments.values())
    nics = lab.nics(destination["id"])
    assert [s["name"] for s in nics["bond1"]["bonding"]["slaves"]["host_nic"]] == ["eth2", "eth3"]
    options = {o["name"]: str(o["value"]).split()[0] for o in nics["bond1"]["bonding"]["options"]["option"]}
    assert options["mode"] in ("1", "active-backup") and options["miimon"] == "100", options
    assert nics["bond1.200"]["mtu"] == 9000 and "eth1.100" in nics
    assert not (nics["eth1"].get("ip") or {}).get("address")
    # the source is untouched
    assert methods(lab.attachments(source["id"])[plain["name"]])[0] == "static"

    # nics paired by sorted name: em1, em3, em4 ← eth1, eth2, eth3 (em2 carries the management network)
    renamed = copy(lab, source, hosts["em"])

    assert renamed.status_code == 200, renamed.text
    placed = {name: a["host_nic"]["name"] for name, a in lab.attachments(hosts["em"]["id"]).items()}
    assert placed == {"ovirtmgmt": "em2", red["name"]: "em1", plain["name"]: "em1", mig["name"]: "bond1"}
    slaves = lab.nics(hosts["em"]["id"])["bond1"]["bonding"]["slaves"]["host_nic"]
    assert [s["name"] for s in slaves] == ["em3", "em4"]


def test_a_host_with_another_number_of_nics_is_refused(lab: Lab, hosts: dict[str, Any]) -> None:
    before = lab.attachments(hosts["three"]["id"])

    refused = copy(lab, hosts["src"], hosts["three"])

    assert refused.status_code == 409, refused.text
    assert "Cannot copy Host Networks. The number of network interfaces differs" in refused.json()["fault"]["detail"]
    assert lab.attachments(hosts["three"]["id"]) == before


def test_a_host_of_another_cluster_is_refused(lab: Lab, hosts: dict[str, Any]) -> None:
    name = f"c{uuid.uuid4().hex[:8]}"
    made = lab.api.post("/clusters", json={"name": name, "data_center": {"name": "Default"}})
    assert made.status_code == 201, made.text
    other = up_host(lab, 5, cluster=name)

    refused = copy(lab, hosts["src"], other)

    assert refused.status_code == 409, refused.text
    assert "are not in the same cluster" in refused.json()["fault"]["detail"]


def test_bad_source_references(lab: Lab, hosts: dict[str, Any]) -> None:
    destination = hosts["dst"]
    itself = copy(lab, destination, destination)
    missing = lab.api.post(f"/hosts/{destination['id']}/copyhostnetworks", json={})
    unknown = copy(lab, {"id": str(uuid.uuid4())}, destination)

    assert itself.status_code == 400 and "source_host.id" in itself.json()["fault"]["detail"]
    assert missing.status_code == 400 and "source_host.id" in missing.json()["fault"]["detail"]
    assert unknown.status_code == 404

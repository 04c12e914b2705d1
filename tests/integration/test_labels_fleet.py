"""Network labels end to end on simulated hosts (host-network-setup.md §9, scenario 8): a label on a nic attaches
the cluster's networks carrying it; labelling a network or attaching a labelled network to a cluster fans out
to every labelled nic without any setup-networks call from the client; bad label requests are refused and
nothing is sent."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DATABASES
from tests.integration.add_host_support import Lab, codes, running_lab

COUNT = 8


@pytest.fixture(scope="module", params=DATABASES)
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    state = tmp_path_factory.mktemp(f"labels-{request.param}")
    with running_lab(request.param, state, COUNT, None) as running:
        yield running


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}"


def cluster_id(lab: Lab) -> str:
    found: str = lab.api.get("/clusters", params={"search": "name=Default"}).json()["cluster"][0]["id"]
    return found


def new_network(lab: Lab, *, attach: bool = True, label: str | None = None, **fields: Any) -> dict[str, Any]:
    created = lab.api.post("/networks", json={"name": unique("n"), "data_center": {"name": "Default"}, **fields})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    if label is not None:
        labelled = lab.api.post(f"/networks/{body['id']}/networklabels", json={"id": label})
        assert labelled.status_code == 201, labelled.text
    if attach:
        attached = lab.api.post(f"/clusters/{cluster_id(lab)}/networks", json={"id": body["id"], "required": False})
        assert attached.status_code == 201, attached.text
    return body


def up_host(lab: Lab, index: int) -> dict[str, Any]:
    host = lab.add(index)
    assert lab.wait_status(host["id"])["status"] == "up"
    return host


def label_nic(lab: Lab, host: dict[str, Any], nic: str, label: str) -> Any:
    return lab.api.post(f"/hosts/{host['id']}/nics/{nic}/networklabels", json={"id": label})


def wait_attachments(lab: Lab, host: dict[str, Any], wanted: dict[str, str | None], timeout: float = 30.0) -> None:
    """Until the host's attachment of each network is on the given nic (None: absent)."""
    deadline = time.monotonic() + timeout
    while True:
        found = lab.attachments(host["id"])
        have = {name: (found[name]["host_nic"]["name"] if name in found else None) for name in wanted}
        if have == wanted:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"host {host['name']}: attachments {have}, wanted {wanted}")
        time.sleep(0.2)


def test_scenario_8_label_auto_attach_on_two_hosts_then_network_label_removed(lab: Lab) -> None:
    hosts = [up_host(lab, 1), up_host(lab, 2)]
    label = unique("NETWORK_LABEL")
    for host in hosts:
        answer = label_nic(lab, host, "eth1", label)
        assert answer.status_code == 201, answer.text
        assert answer.json()["id"] == label
        listed = lab.api.get(f"/hosts/{host['id']}/nics/eth1/networklabels").json()["network_label"]
        assert [item["id"] for item in listed] == [label]

    labelled = new_network(lab, attach=False, label=label, vlan={"id": 600}, usages=[])
    attached = lab.api.post(f"/clusters/{cluster_id(lab)}/networks", json={"id": labelled["id"], "required": False})
    assert attached.status_code == 201, attached.text

    for host in hosts:
        wait_attachments(lab, host, {labelled["name"]: "eth1"})
        attachment = lab.attachments(host["id"])[labelled["name"]]
        assert attachment["in_sync"] is True
        assert [a["assignment_method"] for a in attachment["ip_address_assignments"]] in (
            [],
            ["none"],
            ["none", "none"],
        )
        assert lab.nics(host["id"])["eth1.600"]["vlan"] == {"id": 600}

    removed = lab.api.delete(f"/networks/{labelled['id']}/networklabels/{label}")
    assert removed.status_code == 200, removed.text
    for host in hosts:
        wait_attachments(lab, host, {labelled["name"]: None})


def test_labelling_a_cluster_network_fans_out_to_labelled_nics(lab: Lab) -> None:
    host = up_host(lab, 3)
    label = unique("later")
    assert label_nic(lab, host, "eth2", label).status_code == 201
    net = new_network(lab, vlan={"id": 610}, usages=[])
    assert net["name"] not in lab.attachments(host["id"])

    answer = lab.api.post(f"/networks/{net['id']}/networklabels", json={"id": label})

    assert answer.status_code == 201, answer.text
    wait_attachments(lab, host, {net["name"]: "eth2"})


def test_a_label_on_a_nic_picks_up_an_existing_labelled_network_and_its_removal_drops_it(lab: Lab) -> None:
    host = up_host(lab, 4)
    label = unique("existing")
    tagged = new_network(lab, label=label, vlan={"id": 620}, usages=[])
    untagged = new_network(lab, label=label)
    since = lab.newest_event()

    answer = label_nic(lab, host, "eth2", label)

    assert answer.status_code == 201, answer.text
    found = lab.attachments(host["id"])
    assert found[tagged["name"]]["host_nic"]["name"] == "eth2"
    assert found[untagged["name"]]["host_nic"]["name"] == "eth2"
    assert 100015 in codes(lab.host_events(host["id"], since))

    dropped = lab.api.delete(f"/hosts/{host['id']}/nics/eth2/networklabels/{label}")

    assert dropped.status_code == 200, dropped.text
    found = lab.attachments(host["id"])
    assert tagged["name"] not in found and untagged["name"] not in found
    assert lab.api.get(f"/hosts/{host['id']}/nics/eth2/networklabels").json()["network_label"] == []


def test_setup_networks_modified_labels_moves_a_labelled_network(lab: Lab) -> None:
    host = up_host(lab, 5)
    label = unique("moved")
    net = new_network(lab, label=label, vlan={"id": 630}, usages=[])
    body = {"modified_labels": {"network_label": [{"id": label, "host_nic": {"name": "eth1"}}]}}
    answer = lab.api.post(f"/hosts/{host['id']}/setupnetworks", json=body)
    assert answer.status_code == 200, answer.text
    first = lab.attachments(host["id"])[net["name"]]
    assert first["host_nic"]["name"] == "eth1"

    move = {
        "removed_labels": {"network_label": [{"id": label}]},
        "modified_labels": {"network_label": [{"id": label, "host_nic": {"name": "eth3"}}]},
    }
    answer = lab.api.post(f"/hosts/{host['id']}/setupnetworks", json=move)

    assert answer.status_code == 200, answer.text
    moved = lab.attachments(host["id"])[net["name"]]
    assert (moved["id"], moved["host_nic"]["name"]) == (first["id"], "eth3")
    assert [i["id"] for i in lab.api.get(f"/hosts/{host['id']}/nics/eth3/networklabels").json()["network_label"]] == [
        label
    ]


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("NETWORK_LABEL_FORMAT_INVALID", "English letters, numbers, hyphen or underscore"),
        ("LABEL_ATTACH_TO_IMPROPER_INTERFACE", "Labels can be attached only to physical nics and bonds"),
        ("OTHER_INTERFACE_ALREADY_LABELED", "is already defined on other interface eth1 on the host."),
        ("NETWORK_SHOULD_BE_ATTACHED_VIA_LABEL_TO_ANOTHER_NIC", "cannot be attached manually to eth2"),
    ],
)
def test_bad_label_requests_are_refused_and_nothing_is_sent(lab: Lab, case: str, fragment: str) -> None:
    host = next((h for h in lab.api.get("/hosts").json()["host"] if h["name"] == "sim6"), None) or lab.add(6)
    lab.wait_status(host["id"], "up")
    label = unique("bad")
    if case == "LABEL_ATTACH_TO_IMPROPER_INTERFACE":
        vlan = new_network(lab, vlan={"id": 640 + len(lab.attachments(host["id"]))}, usages=[])
        setup = {"modified_network_attachments": [{"network": {"id": vlan["id"]}, "host_nic": {"name": "eth3"}}]}
        assert lab.api.post(f"/hosts/{host['id']}/setupnetworks", json=setup).status_code == 200
        device = f"eth3.{vlan['vlan']['id']}"
    before = lab.attachments(host["id"])
    since = lab.newest_event()

    if case == "NETWORK_LABEL_FORMAT_INVALID":
        answer = label_nic(lab, host, "eth1", "bad label")
    elif case == "LABEL_ATTACH_TO_IMPROPER_INTERFACE":
        answer = lab.api.post(
            f"/hosts/{host['id']}/setupnetworks",
            json={"modified_labels": [{"id": label, "host_nic": {"name": device}}]},
        )
    elif case == "OTHER_INTERFACE_ALREADY_LABELED":
        assert label_nic(lab, host, "eth1", label).status_code == 201
        before = lab.attachments(host["id"])
        answer = label_nic(lab, host, "eth2", label)
    else:
        net = new_network(lab, label=label, vlan={"id": 650}, usages=[])
        assert label_nic(lab, host, "eth1", label).status_code == 201
        before = lab.attachments(host["id"])
        assert before[net["name"]]["host_nic"]["name"] == "eth1"
        since = lab.newest_event()
        answer = lab.api.post(
            f"/hosts/{host['id']}/setupnetworks",
            json={"modified_network_attachments": [{"network": {"id": net["id"]}, "host_nic": {"name": "eth2"}}]},
        )

    assert answer.status_code == 409, answer.text
    assert fragment in answer.json()["fault"]["detail"], answer.text
    assert lab.attachments(host["id"]) == before
    assert 100015 not in codes(lab.host_events(host["id"], since))

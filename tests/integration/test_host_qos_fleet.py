"""Host network QoS end to end on simulated hosts: a data center QoS referenced by a network reaches the
host as hostQos through setup networks, the attachment is in sync with the reported QoS; changing the QoS
puts it out of sync (outAverage* entries) and sync-all pushes the new values."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DATABASES
from tests.integration.add_host_support import Lab, running_lab


@pytest.fixture(scope="module", params=DATABASES)
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    state = tmp_path_factory.mktemp(f"qos-{request.param}")
    with running_lab(request.param, state, 2, None) as running:
        yield running


def _entries(attachment: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        c["name"]: (c["expected_value"], c["actual_value"])
        for c in attachment["reported_configurations"]
        if c["name"].startswith("outAverage")
    }


def test_network_qos_reaches_the_host_and_drift_is_out_of_sync_until_sync_all(lab: Lab) -> None:
    dc = lab.api.get("/datacenters", params={"search": "name=Default"}).json()["data_center"][0]
    qos = lab.api.post(
        f"/datacenters/{dc['id']}/qoss",
        json={"name": f"q{uuid.uuid4().hex[:6]}", "type": "hostnetwork", "outbound_average_linkshare": 50,
              "outbound_average_upperlimit": 100, "outbound_average_realtime": 40},
    )  # fmt: skip
    assert qos.status_code == 201, qos.text
    name = f"n{uuid.uuid4().hex[:8]}"
    created = lab.api.post(
        "/networks", json={"name": name, "data_center": {"name": "Default"}, "qos": {"id": qos.json()["id"]}}
    )
    assert created.status_code == 201, created.text
    cluster = lab.api.get("/clusters", params={"search": "name=Default"}).json()["cluster"][0]
    attached = lab.api.post(f"/clusters/{cluster['id']}/networks", json={"id": created.json()["id"], "required": False})
    assert attached.status_code == 201, attached.text
    host = lab.add(1)
    assert lab.wait_status(host["id"])["status"] == "up"
    body = {"modified_network_attachments": [{"network": {"id": created.json()["id"]}, "host_nic": {"name": "eth1"}}]}
    answer = lab.api.post(f"/hosts/{host['id']}/setupnetworks", json=body)
    assert answer.status_code == 200, answer.text

    attachment = lab.attachments(host["id"])[name]
    assert attachment["in_sync"] is True
    assert _entries(attachment) == {
        "outAverageLinkShare": ("50", "50"),
        "outAverageUpperLimit": ("100", "100"),
        "outAverageRealTime": ("40", "40"),
    }

    changed = lab.api.put(f"/datacenters/{dc['id']}/qoss/{qos.json()['id']}", json={"outbound_average_linkshare": 60})
    assert changed.status_code == 200, changed.text
    assert lab.api.post(f"/hosts/{host['id']}/refresh", json={}).status_code == 200
    attachment = lab.attachments(host["id"])[name]
    assert attachment["in_sync"] is False and _entries(attachment)["outAverageLinkShare"] == ("60", "50")

    synced = lab.api.post(f"/hosts/{host['id']}/syncallnetworks", json={})
    assert synced.status_code == 200, synced.text
    attachment = lab.attachments(host["id"])[name]
    assert attachment["in_sync"] is True and _entries(attachment)["outAverageLinkShare"] == ("60", "60")

"""Data centers."""

from __future__ import annotations

import httpx

from tests.api.helpers import fault


def test_new_data_center_gets_its_own_ovirtmgmt(api: httpx.Client, name: str) -> None:
    answer = api.post("/datacenters", json={"name": name, "version": {"major": 3, "minor": 0}})
    assert answer.status_code == 201
    dc = answer.json()
    assert dc["version"] == {"major": 3, "minor": 0}
    networks = api.get(f"/datacenters/{dc['id']}/networks").json()["network"]
    assert [n["name"] for n in networks] == ["ovirtmgmt"]


def test_versions_3_1_representable_and_unknown_refused(api: httpx.Client, name: str) -> None:
    assert api.post("/datacenters", json={"name": name, "version": {"major": 3, "minor": 1}}).json()["version"] == {
        "major": 3,
        "minor": 1,
    }
    bad = api.post("/datacenters", json={"name": name + "x", "version": {"major": 9, "minor": 9}})
    assert bad.status_code == 400 and "version: compatibility version 9.9 is not supported" in fault(bad)["detail"]


def test_data_center_name_unique(api: httpx.Client, name: str) -> None:
    api.post("/datacenters", json={"name": name})
    again = api.post("/datacenters", json={"name": name})
    assert again.status_code == 409 and "already in use" in fault(again)["detail"]


def test_version_cannot_decrease_nor_pass_its_clusters(api: httpx.Client, name: str) -> None:
    dc = api.post("/datacenters", json={"name": name, "version": {"major": 4, "minor": 2}}).json()
    api.post("/clusters", json={"name": name, "data_center": {"id": dc["id"]}, "version": {"major": 4, "minor": 3}})
    down = api.put(f"/datacenters/{dc['id']}", json={"version": {"major": 4, "minor": 1}})
    assert down.status_code == 409 and "cannot be decreased" in fault(down)["detail"]
    up = api.put(f"/datacenters/{dc['id']}", json={"version": {"major": 4, "minor": 7}})
    assert up.status_code == 409 and name in fault(up)["detail"]
    ok = api.put(f"/datacenters/{dc['id']}", json={"version": {"major": 4, "minor": 3}, "description": "x"})
    assert ok.status_code == 200 and ok.json()["version"] == {"major": 4, "minor": 3}


def test_remove_data_center_only_without_clusters(api: httpx.Client, name: str) -> None:
    dc = api.post("/datacenters", json={"name": name}).json()
    cluster = api.post("/clusters", json={"name": name, "data_center": {"id": dc["id"]}}).json()
    blocked = api.delete(f"/datacenters/{dc['id']}")
    assert blocked.status_code == 409 and "contains cluster(s)" in fault(blocked)["detail"]
    api.delete(f"/clusters/{cluster['id']}")
    assert api.delete(f"/datacenters/{dc['id']}").status_code == 200
    assert api.get(f"/datacenters/{dc['id']}").status_code == 404


def test_search_data_centers_by_cluster_name(api: httpx.Client, name: str) -> None:
    dc = api.post("/datacenters", json={"name": name}).json()
    api.post("/clusters", json={"name": name + "c", "data_center": {"id": dc["id"]}})
    found = api.get("/datacenters", params={"search": f"Clusters.name={name}c"}).json()["data_center"]
    assert [d["id"] for d in found] == [dc["id"]]

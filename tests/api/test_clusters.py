"""Clusters and cluster networks: required flag, roles, the management network invariant."""

from __future__ import annotations

import httpx

from tests.api.helpers import add_host, add_network, fault, network_by_name, snapshot, wait_settled


def _cluster(api: httpx.Client, name: str, **fields: object) -> dict:
    answer = api.post("/clusters", json={"name": name, "data_center": {"name": "Default"}, **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def _attached(api: httpx.Client, cluster: dict) -> dict[str, dict]:
    return {n["name"]: n for n in api.get(f"/clusters/{cluster['id']}/networks").json()["network"]}


def test_new_cluster_gets_the_management_network(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name, switch_type="ovs", version={"major": 4, "minor": 7})
    assert cluster["switch_type"] == "ovs" and cluster["version"] == {"major": 4, "minor": 7}
    mgmt = network_by_name(api, "ovirtmgmt")
    assert cluster["management_network"]["id"] == mgmt["id"]
    attached = _attached(api, cluster)
    assert sorted(attached["ovirtmgmt"]["usages"]) == ["default_route", "management", "vm"]


def test_cluster_name_is_unique(api: httpx.Client, name: str) -> None:
    _cluster(api, name)
    answer = api.post("/clusters", json={"name": name, "data_center": {"name": "Default"}})
    assert answer.status_code == 409 and "already in use by another cluster" in fault(answer)["detail"]


def test_cluster_version_below_its_data_center_is_refused(api: httpx.Client, name: str) -> None:
    answer = api.post(
        "/clusters", json={"name": name, "data_center": {"name": "Default"}, "version": {"major": 4, "minor": 2}}
    )
    assert answer.status_code == 409 and "lower than the version of Data Center" in fault(answer)["detail"]


def test_attach_network_with_roles_and_the_role_moves(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    first = add_network(api, name + "a")
    second = add_network(api, name + "b")
    answer = api.post(
        f"/clusters/{cluster['id']}/networks",
        json={"id": first["id"], "required": False, "usages": ["display", "migration"]},
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["href"] == f"/ovirt-engine/api/clusters/{cluster['id']}/networks/{first['id']}"
    assert body["required"] is False and body["display"] is True
    assert sorted(body["usages"]) == ["display", "migration", "vm"]
    api.post(f"/clusters/{cluster['id']}/networks", json={"name": second["name"], "usages": ["display"]})
    attached = _attached(api, cluster)
    assert sorted(attached[first["name"]]["usages"]) == ["migration", "vm"]
    assert sorted(attached[second["name"]]["usages"]) == ["display", "vm"]


def test_default_route_moves_and_falls_back_to_management(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    network = add_network(api, name)
    api.post(f"/clusters/{cluster['id']}/networks", json={"id": network["id"], "usages": ["default_route"]})
    attached = _attached(api, cluster)
    assert "default_route" not in attached["ovirtmgmt"]["usages"]
    assert "default_route" in attached[name]["usages"]
    assert api.delete(f"/clusters/{cluster['id']}/networks/{network['id']}").status_code == 200
    attached = _attached(api, cluster)
    assert name not in attached and "default_route" in attached["ovirtmgmt"]["usages"]


def test_management_network_cannot_be_detached_or_lose_its_role(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    mgmt = network_by_name(api, "ovirtmgmt")
    before = snapshot(api)
    detach = api.delete(f"/clusters/{cluster['id']}/networks/{mgmt['id']}")
    assert detach.status_code == 409 and "cannot be detached" in fault(detach)["detail"]
    unset = api.put(f"/clusters/{cluster['id']}/networks/{mgmt['id']}", json={"usages": ["vm"]})
    assert unset.status_code == 409 and "exactly one management network" in fault(unset)["detail"]
    optional = api.put(f"/clusters/{cluster['id']}/networks/{mgmt['id']}", json={"required": False})
    assert optional.status_code == 409 and "must be required" in fault(optional)["detail"]
    assert snapshot(api) == before


def test_management_role_moves_to_another_network_when_cluster_has_no_hosts(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    network = add_network(api, name)
    api.post(f"/clusters/{cluster['id']}/networks", json={"id": network["id"]})
    answer = api.put(f"/clusters/{cluster['id']}/networks/{network['id']}", json={"usages": ["management"]})
    assert answer.status_code == 200
    assert api.get(f"/clusters/{cluster['id']}").json()["management_network"]["id"] == network["id"]
    assert "management" not in _attached(api, cluster)["ovirtmgmt"]["usages"]


def test_management_network_cannot_change_when_cluster_has_hosts(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    network = add_network(api, name)
    api.post(f"/clusters/{cluster['id']}/networks", json={"id": network["id"]})
    add_host(api, name, cluster={"id": cluster["id"]})
    answer = api.put(f"/clusters/{cluster['id']}/networks/{network['id']}", json={"usages": ["management"]})
    assert answer.status_code == 409 and "Cluster that has hosts" in fault(answer)["detail"]


def test_attach_twice_and_other_data_center_are_refused(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    network = add_network(api, name)
    assert api.post(f"/clusters/{cluster['id']}/networks", json={"id": network["id"]}).status_code == 201
    again = api.post(f"/clusters/{cluster['id']}/networks", json={"id": network["id"]})
    assert again.status_code == 409 and "already attached" in fault(again)["detail"]
    dc = api.post("/datacenters", json={"name": name}).json()
    foreign = api.post("/networks", json={"name": name, "data_center": {"id": dc["id"]}}).json()
    other = api.post(f"/clusters/{cluster['id']}/networks", json={"id": foreign["id"]})
    assert other.status_code == 409 and "different Data Center" in fault(other)["detail"]


def test_not_attached_network_is_404_in_the_cluster(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    network = add_network(api, name)
    assert api.get(f"/clusters/{cluster['id']}/networks/{network['id']}").status_code == 404


def test_cluster_update_and_remove(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    updated = api.put(f"/clusters/{cluster['id']}", json={"description": "d", "switch_type": "ovs"})
    assert (
        updated.status_code == 200 and updated.json()["switch_type"] == "ovs" and updated.json()["description"] == "d"
    )
    host = add_host(api, name, cluster={"id": cluster["id"]})
    blocked = api.put(f"/clusters/{cluster['id']}", json={"switch_type": "legacy"})
    assert blocked.status_code == 409 and "switch type cannot be changed" in fault(blocked)["detail"]
    not_empty = api.delete(f"/clusters/{cluster['id']}")
    assert not_empty.status_code == 409 and "contains host(s)" in fault(not_empty)["detail"]
    assert wait_settled(api, host["id"])["status"] == "install_failed"
    assert api.delete(f"/hosts/{host['id']}").status_code == 200
    assert api.delete(f"/clusters/{cluster['id']}").status_code == 200
    assert api.get(f"/clusters/{cluster['id']}").status_code == 404


def test_clusters_search_by_datacenter(api: httpx.Client, name: str) -> None:
    _cluster(api, name)
    names = [
        c["name"]
        for c in api.get("/clusters", params={"search": f"name={name} and datacenter=Default"}).json()["cluster"]
    ]
    assert names == [name]


def test_put_cluster_management_network_moves_the_role(api: httpx.Client, name: str) -> None:
    cluster = _cluster(api, name)
    network = add_network(api, name)
    answer = api.put(f"/clusters/{cluster['id']}", json={"management_network": {"name": name}})
    assert answer.status_code == 200
    assert answer.json()["management_network"]["id"] == network["id"]
    attached = _attached(api, cluster)
    assert "management" in attached[name]["usages"] and attached[name]["required"] is True
    assert "management" not in attached["ovirtmgmt"]["usages"]


def test_api_root_answers_with_and_without_trailing_slash(api: httpx.Client) -> None:
    for path in ("", "/"):
        answer = api.get(path)
        assert answer.status_code == 200 and answer.json()["product_info"]["version"]["major"] == 4

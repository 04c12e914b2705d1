"""Logical networks over HTTP: every rule, every error path, nothing half-written."""

from __future__ import annotations

import httpx
import pytest

from tests.api.helpers import add_network, fault, network_by_name, snapshot


def test_add_network_answers_201_with_location_and_the_stored_object(api: httpx.Client, name: str) -> None:
    answer = api.post(
        "/networks", json={"name": name, "data_center": {"name": "Default"}, "vlan": {"id": 10}, "mtu": 9000}
    )
    assert answer.status_code == 201
    body = answer.json()
    assert answer.headers["Location"] == body["href"] == f"/ovirt-engine/api/networks/{body['id']}"
    assert body["vlan"] == {"id": 10} and body["mtu"] == 9000 and body["usages"] == ["vm"]
    assert body["vdsm_name"] == name and answer.headers["ETag"] == '"1"'
    assert api.get(f"/networks/{body['id']}").json() == body


def test_mtu_is_echoed_exactly_as_stored(api: httpx.Client, name: str) -> None:
    assert add_network(api, name, mtu=1500)["mtu"] == 1500
    assert add_network(api, name + "z")["mtu"] == 0


def test_vlan_4095_is_400_naming_the_vlan_id_and_writes_nothing(api: httpx.Client, name: str) -> None:
    before = snapshot(api)
    answer = api.post("/networks", json={"name": name, "data_center": {"name": "Default"}, "vlan": {"id": 4095}})
    assert answer.status_code == 400
    assert fault(answer) == {"reason": "Bad Request", "detail": "vlan.id: 4095 is out of range 0-4094"}
    assert snapshot(api) == before


def test_duplicate_name_in_data_center_is_409(api: httpx.Client, name: str) -> None:
    add_network(api, name)
    before = snapshot(api)
    answer = api.post("/networks", json={"name": name, "data_center": {"name": "Default"}})
    assert answer.status_code == 409
    assert fault(answer) == {
        "reason": "Operation Failed",
        "detail": f"[Cannot add Network. The name of the logical network '{name}' is already used by an existing "
        "logical network in the same data-center.\n-Please choose a different name.]",
    }
    assert snapshot(api) == before


def test_same_name_in_another_data_center_is_allowed(api: httpx.Client, name: str) -> None:
    dc = api.post("/datacenters", json={"name": name}).json()
    assert api.post("/networks", json={"name": "ovirtmgmt", "data_center": {"id": dc["id"]}}).status_code == 409
    assert api.post("/networks", json={"name": name, "data_center": {"id": dc["id"]}}).status_code == 201
    assert api.post("/networks", json={"name": name, "data_center": {"name": "Default"}}).status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"vlan": {"id": -1}}, 400, "vlan.id: -1 is out of range 0-4094"),
        ({"mtu": 67}, 400, "mtu: 67 is out of range"),
        ({"mtu": 65536}, 400, "mtu: 65536 is out of range"),
        ({"mtu": "lots"}, 400, "mtu:"),
        ({"usages": ["management"]}, 400, "usages: management are roles"),
        ({"usages": ["bogus"]}, 400, "usages[0]:"),
        ({"dns_resolver_configuration": {"name_servers": ["8.8.8.8", "nope"]}}, 400, "name_servers[1]"),
        ({"usages": [], "stp": True}, 409, "STP can only be enabled on VM Networks"),
        ({"usages": [], "port_isolation": True}, 409, "Port isolation can only be enabled on VM Networks"),
        ({"data_center": {"name": "NoSuchDC"}}, 400, "data_center: no Data Center named 'NoSuchDC'"),
        ({"data_center": {"id": "00000000-0000-0000-0000-000000000000"}}, 400, "data_center: no Data Center with id"),
        ({"description": "x" * 4001}, 400, "description: is 4001 characters long"),
        ({"name": "bond_net"}, 409, "network cannot start with 'bond'"),
        ({"name": "BondNet"}, 409, "network cannot start with 'bond'"),
        ({"name": ""}, 400, "name: must not be empty"),
        ({"name": "a\u0000b"}, 400, "NUL"),
        ({"name": "x" * 257}, 400, "name: is 257 characters long"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_network_input_is_refused_with_the_field_and_rule(
    api: httpx.Client, name: str, body: dict, status: int, needle: str
) -> None:
    before = snapshot(api)
    answer = api.post("/networks", json={"name": name, "data_center": {"name": "Default"}, **body})
    assert answer.status_code == status, answer.text
    assert needle in fault(answer)["detail"]
    assert snapshot(api) == before


def test_missing_name_is_incomplete_parameters(api: httpx.Client) -> None:
    answer = api.post("/networks", json={"data_center": {"name": "Default"}})
    assert answer.status_code == 400
    assert fault(answer) == {"reason": "Incomplete parameters", "detail": "Network [name] required for add"}


def test_malformed_json_is_400(api: httpx.Client) -> None:
    answer = api.post("/networks", content=b"{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert fault(answer)["reason"] == "Request syntactically incorrect."


def test_unicode_name_gets_a_short_host_side_name(api: httpx.Client, name: str) -> None:
    long_name = f"VM Network with a very long name and עברית {name}"
    body = add_network(api, long_name)
    assert body["name"] == long_name
    assert body["vdsm_name"] == "on" + body["id"].replace("-", "")[:13]
    assert len(body["vdsm_name"].encode()) <= 15


def test_name_equal_to_another_networks_host_side_name_is_refused(api: httpx.Client, name: str) -> None:
    other = add_network(api, f"Ünïcode {name}")
    answer = api.post("/networks", json={"name": other["vdsm_name"], "data_center": {"name": "Default"}})
    assert answer.status_code == 409
    assert "already used as an on-host identifier" in fault(answer)["detail"]


def test_put_merges_only_the_sent_fields(api: httpx.Client, name: str) -> None:
    network = add_network(api, name, vlan={"id": 20}, mtu=9000, description="first")
    answer = api.put(f"/networks/{network['id']}", json={"description": "second"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["description"] == "second" and body["vlan"] == {"id": 20} and body["mtu"] == 9000
    assert answer.headers["ETag"] == '"2"'


def test_put_vlan_null_clears_the_vlan(api: httpx.Client, name: str) -> None:
    network = add_network(api, name, vlan={"id": 20})
    body = api.put(f"/networks/{network['id']}", json={"vlan": None}).json()
    assert "vlan" not in body
    assert "vlan" not in api.get(f"/networks/{network['id']}").json()


def test_stale_if_match_is_409_and_never_a_lost_write(api: httpx.Client, name: str) -> None:
    network = add_network(api, name)
    first = api.put(f"/networks/{network['id']}", json={"mtu": 9000}, headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    stale = api.put(f"/networks/{network['id']}", json={"mtu": 1400}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert "changed by someone else" in fault(stale)["detail"]
    assert api.get(f"/networks/{network['id']}").json()["mtu"] == 9000
    assert api.delete(f"/networks/{network['id']}", headers={"If-Match": '"1"'}).status_code == 409
    assert api.get(f"/networks/{network['id']}").status_code == 200


def test_no_if_match_means_unconditional_update(api: httpx.Client, name: str) -> None:
    network = add_network(api, name)
    api.put(f"/networks/{network['id']}", json={"mtu": 9000})
    assert api.put(f"/networks/{network['id']}", json={"mtu": 1400}).status_code == 200
    assert api.get(f"/networks/{network['id']}").json()["mtu"] == 1400


def test_get_answers_etag_and_matching_if_match_succeeds(api: httpx.Client, name: str) -> None:
    network = add_network(api, name)
    etag = api.get(f"/networks/{network['id']}").headers["ETag"]
    assert api.put(f"/networks/{network['id']}", json={"mtu": 1400}, headers={"If-Match": etag}).status_code == 200


def test_management_network_cannot_be_renamed_or_removed(api: httpx.Client) -> None:
    mgmt = network_by_name(api, "ovirtmgmt")
    assert mgmt is not None
    before = snapshot(api)
    renamed = api.put(f"/networks/{mgmt['id']}", json={"name": "mgmt2"})
    assert renamed.status_code == 409
    assert "management network 'ovirtmgmt' cannot be renamed" in fault(renamed)["detail"]
    removed = api.delete(f"/networks/{mgmt['id']}")
    assert removed.status_code == 409
    assert (
        fault(removed)["detail"]
        == "[Cannot remove Network. The Management Network ('ovirtmgmt') is mandatory and cannot be removed.]"
    )
    assert snapshot(api) == before


def test_port_isolation_cannot_change_after_definition(api: httpx.Client, name: str) -> None:
    network = add_network(api, name, port_isolation=True)
    answer = api.put(f"/networks/{network['id']}", json={"port_isolation": False})
    assert answer.status_code == 409
    assert "Port isolation option cannot be updated" in fault(answer)["detail"]


def test_data_center_of_a_network_cannot_change(api: httpx.Client, name: str) -> None:
    other = api.post("/datacenters", json={"name": name}).json()
    network = add_network(api, name)
    answer = api.put(f"/networks/{network['id']}", json={"data_center": {"id": other["id"]}})
    assert answer.status_code == 409
    assert "Change of Data Center ID is not allowed" in fault(answer)["detail"]


def test_vm_network_to_non_vm_removes_its_vnic_profiles_and_rename_follows(api: httpx.Client, name: str) -> None:
    network = add_network(api, name)
    profiles = api.get(f"/networks/{network['id']}/vnicprofiles").json()["vnic_profile"]
    assert [p["name"] for p in profiles] == [name]
    api.put(f"/networks/{network['id']}", json={"name": name + "x"})
    assert [p["name"] for p in api.get(f"/networks/{network['id']}/vnicprofiles").json()["vnic_profile"]] == [
        name + "x"
    ]
    body = api.put(f"/networks/{network['id']}", json={"usages": []}).json()
    assert body["usages"] == []
    assert api.get(f"/networks/{network['id']}/vnicprofiles").json()["vnic_profile"] == []


def test_remove_network_then_get_is_404(api: httpx.Client, name: str) -> None:
    network = add_network(api, name)
    assert api.delete(f"/networks/{network['id']}").status_code == 200
    missing = api.get(f"/networks/{network['id']}")
    assert missing.status_code == 404
    assert fault(missing)["reason"] == "Not Found"
    assert api.get("/networks/not-a-uuid").status_code == 404


def test_search_by_name_and_datacenter_with_quotes_and_wildcards(api: httpx.Client, name: str) -> None:
    add_network(api, name)
    for query in (f'name="{name}" and datacenter="Default"', f"name={name}", f"name={name[:4]}*"):
        names = [n["name"] for n in api.get("/networks", params={"search": query}).json()["network"]]
        assert name in names, query
    assert api.get("/networks", params={"search": f'name="{name}" and datacenter=Other'}).json()["network"] == []
    upper = api.get("/networks", params={"search": f"name={name.upper()}", "case_sensitive": "false"}).json()
    assert [n["name"] for n in upper["network"]] == [name]
    bad = api.get("/networks", params={"search": "colour=red"})
    assert bad.status_code == 400 and "unknown field 'colour'" in fault(bad)["detail"]


def test_max_limits_the_list(api: httpx.Client, name: str) -> None:
    add_network(api, name)
    add_network(api, name + "b")
    assert len(api.get("/networks", params={"max": 1}).json()["network"]) == 1


def test_data_center_networks_subcollection(api: httpx.Client, default_dc: dict, name: str) -> None:
    base = f"/datacenters/{default_dc['id']}/networks"
    answer = api.post(base, json={"name": name, "vlan": {"id": 33}})
    assert answer.status_code == 201
    created = answer.json()
    assert api.get(f"{base}/{created['id']}").json()["vlan"] == {"id": 33}
    assert name in [n["name"] for n in api.get(base).json()["network"]]
    assert api.put(f"{base}/{created['id']}", json={"mtu": 2000}).json()["mtu"] == 2000
    assert api.delete(f"{base}/{created['id']}").status_code == 200
    assert api.get(f"{base}/{created['id']}").status_code == 404


def test_network_label_one_per_network(api: httpx.Client, name: str) -> None:
    network = add_network(api, name)
    base = f"/networks/{network['id']}/networklabels"
    answer = api.post(base, json={"id": "lbl_1"})
    assert answer.status_code == 201 and answer.json()["id"] == "lbl_1"
    assert [label["id"] for label in api.get(base).json()["network_label"]] == ["lbl_1"]
    second = api.post(base, json={"id": "other"})
    assert second.status_code == 409 and "already has the label 'lbl_1'" in fault(second)["detail"]
    bad = api.post(base, json={"id": "white space"})
    assert bad.status_code == 400 and "English letters" in fault(bad)["detail"]
    assert api.delete(f"{base}/lbl_1").status_code == 200
    assert api.get(base).json()["network_label"] == []


def test_malformed_number_in_search_is_not_a_server_error(api: httpx.Client, name: str) -> None:
    add_network(api, name)
    for query in ("mtu=--5", "vlan=²", "name=a?[b]*"):
        assert api.get("/networks", params={"search": query}).status_code == 200, query

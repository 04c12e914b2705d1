"""vNIC profiles."""

from __future__ import annotations

import httpx

from tests.api.helpers import add_network, fault


def test_profile_crud_with_custom_properties(api: httpx.Client, name: str) -> None:
    network = add_network(api, name)
    body = {
        "name": name + "-p",
        "network": {"id": network["id"]},
        "custom_properties": [{"name": "SecurityGroups", "value": "abc"}],
    }
    answer = api.post("/vnicprofiles", json=body)
    assert answer.status_code == 201
    profile = answer.json()
    assert profile["custom_properties"] == [{"name": "SecurityGroups", "value": "abc"}]
    assert profile["pass_through"] == {"mode": "disabled"}
    updated = api.put(f"/vnicprofiles/{profile['id']}", json={"port_mirroring": True}).json()
    assert updated["port_mirroring"] is True and updated["custom_properties"] == profile["custom_properties"]
    assert api.delete(f"/vnicprofiles/{profile['id']}").status_code == 200
    assert api.get(f"/vnicprofiles/{profile['id']}").status_code == 404


def test_profile_rules(api: httpx.Client, name: str) -> None:
    network = add_network(api, name)
    non_vm = add_network(api, name + "n", usages=[])
    dup = api.post("/vnicprofiles", json={"name": name, "network": {"id": network["id"]}})
    assert dup.status_code == 409 and "already used by an existing profile" in fault(dup)["detail"]
    on_non_vm = api.post("/vnicprofiles", json={"name": "p", "network": {"id": non_vm["id"]}})
    assert on_non_vm.status_code == 409 and "is not a VM network" in fault(on_non_vm)["detail"]
    both = api.post(
        "/vnicprofiles",
        json={
            "name": "p2",
            "network": {"id": network["id"]},
            "port_mirroring": True,
            "pass_through": {"mode": "enabled"},
        },
    )
    assert both.status_code == 409 and "Port mirroring" in fault(both)["detail"]
    bad_prop = api.post(
        "/vnicprofiles",
        json={"name": "p3", "network": {"id": network["id"]}, "custom_properties": [{"name": "a b", "value": "x"}]},
    )
    assert bad_prop.status_code == 400 and "custom_properties[0].name" in fault(bad_prop)["detail"]
    profile = api.get(f"/networks/{network['id']}/vnicprofiles").json()["vnic_profile"][0]
    moved = api.put(f"/vnicprofiles/{profile['id']}", json={"network": {"id": non_vm["id"]}})
    assert moved.status_code == 409 and "cannot be changed" in fault(moved)["detail"]
    missing = api.post("/vnicprofiles", json={"name": "p4"})
    assert missing.status_code == 400 and fault(missing)["detail"] == "VnicProfile [network] required for add"

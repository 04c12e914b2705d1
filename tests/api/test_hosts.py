"""Host registration (deploying comes with the add-host feature)."""

from __future__ import annotations

import httpx

from tests.api.helpers import fault


def test_register_list_show_update_remove(api: httpx.Client, name: str) -> None:
    body = {"name": name, "address": f"{name}.lab.test", "cluster": {"name": "Default"}, "root_password": "token-xyz"}
    answer = api.post("/hosts", json=body)
    assert answer.status_code == 201
    host = answer.json()
    assert host["status"] == "maintenance" and host["type"] == "rhel" and host["port"] == 54321
    assert "root_password" not in host
    assert host["power_management"] == {"enabled": False, "kdump_detection": False}
    assert host["os"]["custom_kernel_cmdline"] == "" and host["spm"]["priority"] == 5
    assert [h["name"] for h in api.get("/hosts", params={"search": f"name={name}"}).json()["host"]] == [name]
    updated = api.put(f"/hosts/{host['id']}", json={"address": "192.0.2.10", "description": "rack 4"})
    assert updated.status_code == 200 and updated.json()["address"] == "192.0.2.10"
    events = api.get("/events", params={"max": 10}).json()["event"]
    assert any(e["code"] == 42 and e["description"] == f"Host {name} was added by admin@internal." for e in events)
    assert api.delete(f"/hosts/{host['id']}").status_code == 200
    assert api.get(f"/hosts/{host['id']}").status_code == 404
    texts = [e["description"] for e in api.get("/events", params={"max": 5}).json()["event"]]
    assert f"Host {name} was removed; its network configuration was left on the host as it is." in texts


def test_host_rules(api: httpx.Client, name: str) -> None:
    api.post("/hosts", json={"name": name, "address": f"{name}.lab.test", "cluster": {"name": "Default"}})
    same_name = api.post("/hosts", json={"name": name, "address": "192.0.2.99", "cluster": {"name": "Default"}})
    assert same_name.status_code == 409 and "already in use" in fault(same_name)["detail"]
    same_address = api.post(
        "/hosts", json={"name": name + "x", "address": f"{name}.LAB.test", "cluster": {"name": "Default"}}
    )
    assert same_address.status_code == 409 and "already has the address" in fault(same_address)["detail"]
    bad_address = api.post(
        "/hosts", json={"name": name + "y", "address": "not a host!", "cluster": {"name": "Default"}}
    )
    assert bad_address.status_code == 400 and fault(bad_address)["detail"].startswith("address:")
    no_cluster = api.post("/hosts", json={"name": name + "z", "address": "192.0.2.98", "cluster": {"name": "Nope"}})
    assert no_cluster.status_code == 400 and "cluster: no Cluster named 'Nope'" in fault(no_cluster)["detail"]
    missing = api.post("/hosts", json={"name": name + "w"})
    assert missing.status_code == 400 and fault(missing)["detail"] == "Host [address, cluster] required for add"
    bad_type = api.post(
        "/hosts", json={"name": name + "v", "address": "192.0.2.97", "cluster": {"name": "Default"}, "type": "windows"}
    )
    assert bad_type.status_code == 400 and "type" in fault(bad_type)["detail"]

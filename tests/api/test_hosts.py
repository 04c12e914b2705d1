"""Hosts through the API when no agent answers: adding deploys at once (installing), and what a user then
sees — install_failed with the reason, non_operational when the name does not resolve — plus the rules
and actions. Deploys that succeed run against a simulated fleet in tests/integration/test_add_host_fleet.py."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.api.helpers import add_host, events_of, fault, snapshot, wait_settled

NOT_INSTALLED = "Operation can be performed only when Host status is one of"


def test_add_without_token_is_400_naming_root_password_and_writes_nothing(api: httpx.Client, name: str) -> None:
    before = snapshot(api)
    for token in (None, "", "   "):
        body = {"name": name, "address": f"{name}.lab.test", "cluster": {"name": "Default"}}
        if token is not None:
            body["root_password"] = token
        answer = api.post("/hosts", json=body)
        assert answer.status_code == 400
        assert fault(answer)["detail"].startswith("root_password: the agent's enrollment token is required")
    assert snapshot(api) == before


def test_added_host_is_installing_then_install_failed_when_no_agent_answers(api: httpx.Client, name: str) -> None:
    correlation = f"add-{uuid.uuid4().hex[:8]}"
    host = add_host(api, name, correlation=correlation)
    assert host["status"] == "installing" and host["type"] == "rhel"
    assert "root_password" not in host
    assert host["power_management"] == {"enabled": False, "kdump_detection": False}
    assert host["os"]["custom_kernel_cmdline"] == "" and host["spm"]["priority"] == 5

    settled = wait_settled(api, host["id"])

    assert settled["status"] == "install_failed"
    reason = f"Cannot reach the agent at {host['address']}:{host['port']} to enroll it"
    assert settled["status_detail"].startswith(reason)
    assert settled["resolved_addresses"] == [host["address"]]
    events = events_of(api, correlation)
    assert [e["code"] for e in events] == [42, 560, 100014, 505]
    assert events[0]["description"] == f"Host {name} was added by admin@internal."
    assert events[1]["description"] == f"Host deploy (agent enrollment) has started on host {name}."
    assert events[2]["description"] == f"Host {name}: address {host['address']} resolves to {host['address']}."
    assert events[3]["description"].startswith(f"Host {name} installation failed. {reason}")
    assert events[3]["severity"] == "error"
    assert all(e["host"]["id"] == host["id"] for e in events)


def test_host_whose_name_does_not_resolve_is_non_operational(api: httpx.Client, name: str) -> None:
    correlation = f"add-{uuid.uuid4().hex[:8]}"
    host = add_host(api, name, correlation=correlation, address=f"{name}.invalid")

    settled = wait_settled(api, host["id"])

    assert settled["status"] == "non_operational"
    assert settled["status_detail"] == "Failed to configure management network on the host"
    events = events_of(api, correlation)
    assert [e["code"] for e in events] == [42, 560, 100006, 505]
    assert events[2]["description"].startswith(
        f"Failed to configure management network on host {name}: its address {name}.invalid could not be resolved ("
    )
    assert events[3]["description"] == (
        f"Host {name} installation failed. Failed to configure management network on the host."
    )
    # only a host in maintenance (or whose install failed) can be removed
    refused = api.delete(f"/hosts/{host['id']}")
    assert refused.status_code == 409
    assert "only when Host status is Maintenance (it is non_operational)" in fault(refused)["detail"]


def test_list_update_and_remove_a_host_whose_install_failed(api: httpx.Client, name: str) -> None:
    host = add_host(api, name)
    assert wait_settled(api, host["id"])["status"] == "install_failed"
    assert [h["name"] for h in api.get("/hosts", params={"search": f"name={name}"}).json()["host"]] == [name]
    assert [h["name"] for h in api.get("/hosts", params={"search": f"name={name} and status=install_failed"}).json()[
        "host"
    ]] == [name]  # fmt: skip

    updated = api.put(f"/hosts/{host['id']}", json={"description": "rack 4", "comment": "spare"})
    assert updated.status_code == 200
    assert updated.json()["description"] == "rack 4" and updated.json()["status"] == "install_failed"

    correlation = f"rm-{uuid.uuid4().hex[:8]}"
    assert api.delete(f"/hosts/{host['id']}", headers={"Correlation-Id": correlation}).status_code == 200
    assert api.get(f"/hosts/{host['id']}").status_code == 404
    assert [e["description"] for e in events_of(api, correlation)] == [
        f"Host {name} was removed by admin@internal.",
        f"Host {name} was removed; its network configuration was left on the host as it is.",
    ]


def test_reinstall_with_a_new_token_deploys_again(api: httpx.Client, name: str) -> None:
    host = add_host(api, name)
    assert wait_settled(api, host["id"])["status"] == "install_failed"
    correlation = f"inst-{uuid.uuid4().hex[:8]}"

    answer = api.post(
        f"/hosts/{host['id']}/install", json={"root_password": "another-token"}, headers={"Correlation-Id": correlation}
    )

    assert answer.status_code == 200
    assert answer.json()["status"] == "complete" and answer.json()["host"]["status"] == "installing"
    assert wait_settled(api, host["id"])["status"] == "install_failed"
    assert [e["code"] for e in events_of(api, correlation)] == [560, 100014, 505]


@pytest.mark.parametrize(
    ("action", "body", "status", "detail"),
    [
        ("install", {}, 400, "root_password: the agent's enrollment token is required: this host's agent is not enrolled"),
        ("activate", None, 409, "Operation can be performed only when Host status is one of: maintenance, "
         "non_operational, non_responsive (it is install_failed)"),
        ("refresh", None, 409, "The host's agent is not enrolled; install the host first."),
    ],
)  # fmt: skip
def test_actions_on_a_host_that_never_enrolled(
    api: httpx.Client, name: str, action: str, body: dict | None, status: int, detail: str
) -> None:
    host = add_host(api, name)
    assert wait_settled(api, host["id"])["status"] == "install_failed"

    answer = api.post(f"/hosts/{host['id']}/{action}", json=body)

    assert answer.status_code == status
    assert detail in fault(answer)["detail"]
    assert api.get(f"/hosts/{host['id']}").json()["status"] == "install_failed"


def test_deactivate_moves_to_maintenance_once(api: httpx.Client, name: str) -> None:
    host = add_host(api, name)
    assert wait_settled(api, host["id"])["status"] == "install_failed"
    correlation = f"m-{uuid.uuid4().hex[:8]}"

    first = api.post(f"/hosts/{host['id']}/deactivate", json={}, headers={"Correlation-Id": correlation})
    again = api.post(f"/hosts/{host['id']}/deactivate", json={})

    assert first.status_code == 200 and first.json()["host"]["status"] == "maintenance"
    assert [e["description"] for e in events_of(api, correlation)] == [
        f"Host {name} was switched to Maintenance mode by admin@internal."
    ]
    assert again.status_code == 409
    assert "Cannot switch the Host to Maintenance mode while it is maintenance." in fault(again)["detail"]
    # never installed: activating needs an install first
    refused = api.post(f"/hosts/{host['id']}/activate", json={})
    assert refused.status_code == 409 and "The host has never been installed; install it first." in fault(refused)[
        "detail"
    ]  # fmt: skip


def test_nics_and_attachments_are_empty_before_the_host_reports(api: httpx.Client, name: str) -> None:
    host = add_host(api, name)
    wait_settled(api, host["id"])
    assert api.get(f"/hosts/{host['id']}/nics").json() == {"host_nic": []}
    assert api.get(f"/hosts/{host['id']}/networkattachments").json() == {"network_attachment": []}
    missing = str(uuid.uuid4())
    for path in (f"/hosts/{missing}/nics", f"/hosts/{missing}/networkattachments", f"/hosts/{host['id']}/nics/eth0"):
        assert api.get(path).status_code == 404, path
    for action in ("install", "activate", "deactivate", "refresh"):
        assert api.post(f"/hosts/{missing}/{action}", json={}).status_code == 404, action


def test_viewer_cannot_add_or_act(viewer: httpx.Client, api: httpx.Client, name: str) -> None:
    host = add_host(api, name)
    body = {"name": name + "v", "address": "192.0.2.77", "cluster": {"name": "Default"}, "root_password": "t"}
    assert viewer.post("/hosts", json=body).status_code == 403
    for action in ("install", "activate", "deactivate", "refresh"):
        assert viewer.post(f"/hosts/{host['id']}/{action}", json={}).status_code == 403, action
    assert viewer.get(f"/hosts/{host['id']}/nics").status_code == 200


def test_host_rules(api: httpx.Client, name: str) -> None:
    first = add_host(api, name, address=f"{name}.lab.test")

    def post(**fields: object) -> httpx.Response:
        body = {"cluster": {"name": "Default"}, "root_password": "token-xyz", **fields}
        return api.post("/hosts", json=body)

    same_name = post(name=name, address="192.0.2.99")
    assert same_name.status_code == 409 and "already in use" in fault(same_name)["detail"]
    same_address = post(name=name + "x", address=f"{name}.LAB.test")
    assert same_address.status_code == 409
    assert f"Host '{name}' already has the address {name}.LAB.test." in fault(same_address)["detail"]
    bad_address = post(name=name + "y", address="not a host!")
    assert bad_address.status_code == 400 and fault(bad_address)["detail"].startswith("address:")
    no_cluster = post(name=name + "z", address="192.0.2.98", cluster={"name": "Nope"})
    assert no_cluster.status_code == 400 and "cluster: no Cluster named 'Nope'" in fault(no_cluster)["detail"]
    missing = api.post("/hosts", json={"name": name + "w"})
    assert missing.status_code == 400 and fault(missing)["detail"] == "Host [address, cluster] required for add"
    bad_type = post(name=name + "v", address="192.0.2.97", type="windows")
    assert bad_type.status_code == 400 and "type" in fault(bad_type)["detail"]
    bad_port = post(name=name + "p", address="192.0.2.96", port=70000)
    assert bad_port.status_code == 400 and fault(bad_port)["detail"].startswith("port")
    assert [h["id"] for h in api.get("/hosts", params={"search": f"name={name}*"}).json()["host"]] == [first["id"]]


def test_address_and_cluster_change_only_in_maintenance(api: httpx.Client, name: str) -> None:
    host = add_host(api, name, address=f"{name}.invalid")
    assert wait_settled(api, host["id"])["status"] == "non_operational"
    refused = api.put(f"/hosts/{host['id']}", json={"address": "192.0.2.10"})
    assert refused.status_code == 409
    assert "can be changed only when its status is Maintenance" in fault(refused)["detail"]
    assert api.post(f"/hosts/{host['id']}/deactivate", json={}).status_code == 200
    moved = api.put(f"/hosts/{host['id']}", json={"address": "192.0.2.10"})
    assert moved.status_code == 200 and moved.json()["address"] == "192.0.2.10"

"""Copy host networks between two real lab hosts (issue 6, host-network-setup.md §11): the destination gets
the source's attachments on the paired nics — VM network as a Linux bridge over the nic, non-VM network on
the nic itself — with static addresses turned into none, and the kernel shows exactly that."""

from __future__ import annotations

import uuid
from typing import Any

from dcnet.lab import Lab
from tests.lab.agent_support import addresses, link
from tests.lab.engine_support import (  # noqa: F401  (fixtures engine, hosts)
    EngineApi,
    HostLab,
    engine_fixture,
    hosts_fixture,
)


def _network(engine: EngineApi, vm: bool) -> dict[str, Any]:
    name = f"c{uuid.uuid4().hex[:7]}"
    network = engine.post(
        "/networks", {"name": name, "data_center": {"name": "Default"}, "usages": ["vm"] if vm else []}
    )
    cluster = engine.http.get("/clusters", params={"search": "name=Default"}).json()["cluster"][0]
    engine.post(f"/clusters/{cluster['id']}/networks", {"id": network["id"], "required": False})
    return network


def _methods(attachment: dict[str, Any]) -> list[str]:
    return [a["assignment_method"] for a in attachment["ip_address_assignments"]]


def test_copy_host_networks_between_two_lab_hosts(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    source = hosts.add_host("copy-src", lab.host("h1").fqdn, hosts.start_agent("h1").token)
    target = hosts.add_host("copy-dst", lab.host("h2").fqdn, hosts.start_agent("h2").token)
    engine.wait_status(source["id"], {"up"})
    engine.wait_status(target["id"], {"up"})
    vm_net, plain_net = _network(engine, vm=True), _network(engine, vm=False)
    static = [{"assignment_method": "static", "ip": {"address": "192.0.2.31", "netmask": "255.255.255.0"}}]
    body = {
        "modified_network_attachments": [
            {"network": {"id": vm_net["id"]}, "host_nic": {"name": "eth1"}, "ip_address_assignments": static},
            {"network": {"id": plain_net["id"]}, "host_nic": {"name": "eth2"}},
        ],
        "commit_on_success": True,
    }
    answer = engine.http.post(f"/hosts/{source['id']}/setupnetworks", json=body)
    assert answer.status_code == 200, answer.text

    copied = engine.http.post(f"/hosts/{target['id']}/copyhostnetworks", json={"source_host": {"id": source["id"]}})

    assert copied.status_code == 200, copied.text
    attachments = engine.attachments(target["id"])
    assert attachments[vm_net["name"]]["host_nic"]["name"] == "eth1"
    assert attachments[plain_net["name"]]["host_nic"]["name"] == "eth2"
    assert _methods(attachments[vm_net["name"]])[0] == "none"  # static on the source → none on the destination
    assert all(a["in_sync"] for a in attachments.values())
    # the kernel of h2: the VM network is a bridge over eth1 without the source's address; eth2 carries nothing
    assert link(lab, "h2", "eth1")["master"] == vm_net["name"]
    assert addresses(lab, "h2", vm_net["name"]) == []
    assert link(lab, "h2", "eth2").get("master") is None
    # the source is untouched and keeps its static address
    assert [a["local"] for a in addresses(lab, "h1", vm_net["name"])] == ["192.0.2.31"]
    assert engine.attachments(source["id"])["ovirtmgmt"]["host_nic"]["name"] == "eth0"

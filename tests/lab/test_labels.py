"""Label auto-attach on two real lab hosts (issue 6, host-network-setup.md §9): a label on eth1 of both hosts,
then a labelled VM network attached to the cluster → both hosts get it on eth1 (a bridge over eth1 in their
kernels) without any setup-networks call from the client; removing the network's label takes it away."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from dcnet.lab import Lab
from tests.lab.agent_support import link
from tests.lab.engine_support import (  # noqa: F401  (fixtures engine, hosts)
    EngineApi,
    HostLab,
    engine_fixture,
    hosts_fixture,
)


def _until(what: str, check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_label_auto_attach_on_two_hosts(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    added = [hosts.add_host(f"lbl-{h}", lab.host(h).fqdn, hosts.start_agent(h).token) for h in ("h1", "h2")]
    for host in added:
        engine.wait_status(host["id"], {"up"})
    label = f"lbl_{uuid.uuid4().hex[:6]}"
    for host in added:
        answer = engine.http.post(f"/hosts/{host['id']}/nics/eth1/networklabels", json={"id": label})
        assert answer.status_code in (200, 201), answer.text
    name = f"l{uuid.uuid4().hex[:7]}"
    network: dict[str, Any] = engine.post("/networks", {"name": name, "data_center": {"name": "Default"}})
    assert engine.http.post(f"/networks/{network['id']}/networklabels", json={"id": label}).status_code in (200, 201)
    cluster = engine.http.get("/clusters", params={"search": "name=Default"}).json()["cluster"][0]

    attached = engine.http.post(f"/clusters/{cluster['id']}/networks", json={"id": network["id"], "required": False})

    assert attached.status_code == 201, attached.text
    for host, h in zip(added, ("h1", "h2"), strict=True):
        _until(f"{name} on {h}", lambda host=host: name in engine.attachments(host["id"]))
        assert engine.attachments(host["id"])[name]["host_nic"]["name"] == "eth1"
        assert link(lab, h, "eth1")["master"] == name  # the VM network's bridge over the labelled nic

    removed = engine.http.delete(f"/networks/{network['id']}/networklabels/{label}")

    assert removed.status_code == 200, removed.text
    for host, h in zip(added, ("h1", "h2"), strict=True):
        _until(f"{name} gone from {h}", lambda host=host: name not in engine.attachments(host["id"]))
        assert link(lab, h, "eth1").get("master") is None

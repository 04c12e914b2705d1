"""Small helpers for API tests."""

from __future__ import annotations

import random
import socket
import time
from typing import Any

import httpx


def fault(answer: httpx.Response) -> dict[str, str]:
    body = answer.json()
    assert "fault" in body, body
    return body["fault"]


def snapshot(api: httpx.Client) -> dict[str, Any]:
    """Everything a user can read (events and jobs excluded): proves a failed request wrote nothing."""
    state: dict[str, Any] = {}
    for collection in ("datacenters", "clusters", "networks", "vnicprofiles", "hosts"):
        state[collection] = api.get(f"/{collection}").json()
    for cluster in state["clusters"]["cluster"]:
        state[f"cluster-networks-{cluster['id']}"] = api.get(f"/clusters/{cluster['id']}/networks").json()
    return state


def add_network(api: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "data_center": {"name": "Default"}, **fields}
    answer = api.post("/networks", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def network_by_name(api: httpx.Client, name: str) -> dict[str, Any] | None:
    found = api.get("/networks", params={"search": f'name="{name}" and datacenter=Default'}).json()["network"]
    return found[0] if found else None


SETTLED = ("up", "maintenance", "non_operational", "non_responsive", "install_failed")


def unreachable_address() -> str:
    """A loopback address of its own (host addresses are unique) where no agent listens."""
    return f"127.{random.randint(100, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def closed_port() -> int:
    """A port nothing listens on (taken from the kernel, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_host(api: httpx.Client, name: str, *, correlation: str | None = None, **fields: Any) -> dict[str, Any]:
    """POST /hosts with an enrollment token, an address of its own and a port where no agent answers."""
    body = {
        "name": name,
        "address": unreachable_address(),
        "port": closed_port(),
        "cluster": {"name": "Default"},
        "root_password": "token-without-agent",
        **fields,
    }
    headers = {"Correlation-Id": correlation} if correlation else {}
    answer = api.post("/hosts", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def wait_settled(api: httpx.Client, host_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """The host once its status is one a deploy or monitoring ends in (polls, never sleeps a default out)."""
    deadline = time.monotonic() + timeout
    while True:
        host = api.get(f"/hosts/{host_id}").json()
        if host["status"] in SETTLED or time.monotonic() > deadline:
            return dict(host)
        time.sleep(0.1)


def events_of(api: httpx.Client, correlation: str) -> list[dict[str, Any]]:
    """A request's events, oldest first."""
    found = api.get("/events", params={"search": f"correlation_id={correlation}"}).json()["event"]
    return sorted(found, key=lambda e: e["index"])

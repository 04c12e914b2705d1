"""Small helpers for API tests."""

from __future__ import annotations

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

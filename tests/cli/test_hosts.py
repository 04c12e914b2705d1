"""`dcnet host ...` round trips."""

from __future__ import annotations

import httpx

from tests.cli.conftest import Run
from tests.cli.helpers import find, one


def test_add_list_show_update_remove(dcnet: Run, api: httpx.Client, name: str) -> None:
    other_cluster = f"{name}-cl"
    assert dcnet("cluster", "add", other_cluster, "--dc", "Default").exit_code == 0

    added = dcnet("host", "add", name, "--address", "192.0.2.10", "--cluster", "Default", "--description", "r1")

    assert added.exit_code == 0, added.output
    held = one(api, "hosts", "host", name)
    assert held["address"] == "192.0.2.10"
    assert held["cluster"]["id"] == one(api, "clusters", "cluster", "Default")["id"]
    assert f"Added host {name} (id {held['id']}) to cluster Default: {held['status']}" in added.stdout

    listing = dcnet("host", "list", "--cluster", "Default")
    row = next(line for line in listing.stdout.splitlines() if held["id"] in line)
    assert "192.0.2.10" in row and "Default" in row and held["status"] in row

    shown = dcnet("host", "show", name)
    assert shown.exit_code == 0
    assert "192.0.2.10" in shown.stdout and held["status_detail"] in shown.stdout

    updated = dcnet("host", "update", name, "--address", "host1.example.org", "--cluster", other_cluster)
    assert updated.exit_code == 0, updated.output
    after = api.get(f"/hosts/{held['id']}").json()
    assert after["address"] == "host1.example.org"
    assert after["cluster"]["id"] == one(api, "clusters", "cluster", other_cluster)["id"]
    assert after["description"] == "r1"

    removed = dcnet("host", "remove", held["id"])
    assert removed.exit_code == 0, removed.output
    assert f"Removed host {name}" in removed.stdout
    assert find(api, "hosts", "host", name) == []


def test_unknown_cluster_is_named(dcnet: Run, api: httpx.Client, name: str) -> None:
    result = dcnet("host", "add", name, "--address", "192.0.2.11", "--cluster", f"{name}-none")

    assert result.exit_code == 1
    assert f"error: no cluster named '{name}-none'" in result.stderr
    assert find(api, "hosts", "host", name) == []

"""`dcnet dc ...` round trips, checked against what the API then holds."""

from __future__ import annotations

import json

import httpx

from tests.cli.conftest import Run
from tests.cli.helpers import find, one


def test_add_list_show_update_remove(dcnet: Run, api: httpx.Client, name: str) -> None:
    added = dcnet("dc", "add", name, "--description", "lab floor 2", "--version", "4.6")
    assert added.exit_code == 0, added.output
    held = one(api, "datacenters", "data_center", name)
    assert held["description"] == "lab floor 2"
    assert held["version"] == {"major": 4, "minor": 6}
    assert f"Added data center {name} (id {held['id']})" in added.stdout

    listing = dcnet("dc", "list")
    assert listing.exit_code == 0
    row = next(line for line in listing.stdout.splitlines() if name in line)
    assert held["id"] in row and "4.6" in row and "lab floor 2" in row

    shown = dcnet("dc", "show", name)
    assert shown.exit_code == 0
    assert "lab floor 2" in shown.stdout
    assert held["id"] in shown.stdout

    renamed = f"{name}-new"
    updated = dcnet("dc", "update", name, "--name", renamed, "--description", "moved")
    assert updated.exit_code == 0, updated.output
    assert f"Updated data center {renamed}" in updated.stdout
    after = api.get(f"/datacenters/{held['id']}").json()
    assert (after["name"], after["description"], after["version"]) == (renamed, "moved", {"major": 4, "minor": 6})

    removed = dcnet("dc", "remove", held["id"])  # by id this time
    assert removed.exit_code == 0, removed.output
    assert f"Removed data center {renamed}" in removed.stdout
    assert api.get(f"/datacenters/{held['id']}").status_code == 404


def test_json_output_is_the_api_representation(dcnet: Run, api: httpx.Client) -> None:
    shown = dcnet("dc", "show", "Default", "--json")
    listing = dcnet("dc", "list", "--json")

    assert (
        json.loads(shown.stdout) == api.get("/datacenters", params={"search": "name=Default"}).json()["data_center"][0]
    )
    assert "Default" in [dc["name"] for dc in json.loads(listing.stdout)["data_center"]]


def test_unknown_name_and_bad_version_fail_clearly(dcnet: Run, api: httpx.Client, name: str) -> None:
    missing = dcnet("dc", "show", name)
    unsupported = dcnet("dc", "add", name, "--version", "4.9")
    malformed = dcnet("dc", "add", name, "--version", "four")

    assert missing.exit_code == 1
    assert f"error: no data center named '{name}'" in missing.stderr
    assert unsupported.exit_code == 1
    assert "error: Bad Request: version: compatibility version 4.9 is not supported" in unsupported.stderr
    assert malformed.exit_code == 2
    assert "MAJOR.MINOR" in malformed.output
    assert find(api, "datacenters", "data_center", name) == []


def test_update_without_options_changes_nothing(dcnet: Run) -> None:
    result = dcnet("dc", "update", "Default")

    assert result.exit_code == 1
    assert "error: nothing to change" in result.stderr


def test_rule_violation_shows_the_engine_text(dcnet: Run, name: str) -> None:
    """Removing a data center that still has a cluster is refused with the engine's 409 message."""
    assert dcnet("dc", "add", name).exit_code == 0
    assert dcnet("cluster", "add", f"{name}-c", "--dc", name).exit_code == 0

    result = dcnet("dc", "remove", name)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: Operation Failed: [")

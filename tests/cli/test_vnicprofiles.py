"""`dcnet vnicprofile ...` round trips."""

from __future__ import annotations

import httpx

from tests.cli.conftest import Run
from tests.cli.helpers import find, one


def test_add_list_show_update_remove(dcnet: Run, api: httpx.Client, name: str) -> None:
    assert dcnet("network", "add", name, "--dc", "Default").exit_code == 0
    network_id = one(api, "networks", "network", name)["id"]
    profile = f"{name}-p"

    added = dcnet(
        "vnicprofile", "add", profile, "--network", name, "--dc", "Default", "--port-mirroring",
        "--custom-property", "queues=4", "--custom-property", "note=a=b", "--description", "mirrored",
    )  # fmt: skip

    assert added.exit_code == 0, added.output
    held = one(api, "vnicprofiles", "vnic_profile", profile)
    assert held["network"]["id"] == network_id
    assert held["port_mirroring"] is True
    assert held["custom_properties"] == [{"name": "queues", "value": "4"}, {"name": "note", "value": "a=b"}]
    assert held["description"] == "mirrored"
    assert f"Added vNIC profile {profile} (id {held['id']}) to network {name}" in added.stdout

    listing = dcnet("vnicprofile", "list", "--network", name)
    assert listing.exit_code == 0, listing.output
    names_listed = [line for line in listing.stdout.splitlines() if held["id"] in line]
    assert len(names_listed) == 1 and "queues=4, note=a=b" in names_listed[0] and "yes" in names_listed[0]
    assert "ovirtmgmt" not in listing.stdout  # only that network's profiles

    shown = dcnet("vnicprofile", "show", profile)
    assert shown.exit_code == 0
    assert "mirrored" in shown.stdout and name in shown.stdout

    updated = dcnet("vnicprofile", "update", profile, "--no-port-mirroring", "--no-custom-properties")
    assert updated.exit_code == 0, updated.output
    after = api.get(f"/vnicprofiles/{held['id']}").json()
    assert (after["port_mirroring"], after["custom_properties"], after["description"]) == (False, [], "mirrored")

    removed = dcnet("vnicprofile", "remove", profile, "--network", name)
    assert removed.exit_code == 0, removed.output
    assert api.get(f"/vnicprofiles/{held['id']}").status_code == 404


def test_profile_names_repeat_across_networks(dcnet: Run, api: httpx.Client, name: str) -> None:
    """Every network gets a profile named like itself; --network picks one of two same-named ones."""
    assert dcnet("network", "add", name, "--dc", "Default").exit_code == 0
    assert dcnet("network", "add", f"{name}-2", "--dc", "Default").exit_code == 0
    assert dcnet("vnicprofile", "add", name, "--network", f"{name}-2").exit_code == 0

    ambiguous = dcnet("vnicprofile", "show", name)
    chosen = dcnet("vnicprofile", "remove", name, "--network", f"{name}-2")

    assert ambiguous.exit_code == 1
    assert f"error: several vNIC profiles are named '{name}'" in ambiguous.stderr
    assert "--network" in ambiguous.stderr
    assert chosen.exit_code == 0, chosen.output
    left = find(api, "vnicprofiles", "vnic_profile", name)
    assert [p["network"]["id"] for p in left] == [one(api, "networks", "network", name)["id"]]


def test_malformed_custom_property_is_a_usage_error(dcnet: Run, api: httpx.Client, name: str) -> None:
    result = dcnet("vnicprofile", "add", name, "--network", "ovirtmgmt", "--custom-property", "novalue")

    assert result.exit_code == 2
    assert "KEY=VALUE" in result.output
    assert find(api, "vnicprofiles", "vnic_profile", name) == []

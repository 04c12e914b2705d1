"""`dcnet network ...`: options map to the network's JSON, faults reach the user verbatim."""

from __future__ import annotations

import httpx

from tests.cli.conftest import Run
from tests.cli.helpers import default_dc, find, one


def test_add_with_every_option_then_show_and_list(dcnet: Run, api: httpx.Client, name: str) -> None:
    added = dcnet(
        "network", "add", name, "--dc", "Default", "--vlan", "100", "--mtu", "9000", "--vm", "--stp",
        "--port-isolation", "--description", "storage", "--dns", "1.1.1.1", "--dns", "8.8.8.8",
    )  # fmt: skip

    assert added.exit_code == 0, added.output
    held = one(api, "networks", "network", name)
    assert held["data_center"]["id"] == default_dc(api)["id"]
    assert held["vlan"] == {"id": 100}
    assert held["mtu"] == 9000
    assert held["usages"] == ["vm"]
    assert held["stp"] is True
    assert held["port_isolation"] is True
    assert held["description"] == "storage"
    assert held["dns_resolver_configuration"] == {"name_servers": ["1.1.1.1", "8.8.8.8"]}
    assert f"Added network {name} (id {held['id']}) to data center Default" in added.stdout

    shown = dcnet("network", "show", name)
    assert shown.exit_code == 0
    for text in ("100", "9000", "1.1.1.1, 8.8.8.8", "storage", held["id"]):
        assert text in shown.stdout

    listing = dcnet("network", "list", "--dc", "Default")
    row = next(line for line in listing.stdout.splitlines() if name in line)
    assert "100" in row and "9000" in row and "Default" in row


def test_defaults_make_a_vm_network_without_vlan(dcnet: Run, api: httpx.Client, name: str) -> None:
    assert dcnet("network", "add", name, "--dc", "Default").exit_code == 0

    held = one(api, "networks", "network", name)
    assert held["usages"] == ["vm"]
    assert "vlan" not in held


def test_update_changes_only_what_is_given(dcnet: Run, api: httpx.Client, name: str) -> None:
    assert dcnet("network", "add", name, "--dc", "Default", "--vlan", "20", "--description", "keep me").exit_code == 0
    network_id = one(api, "networks", "network", name)["id"]

    renamed = f"{name}x"
    updated = dcnet("network", "update", name, "--name", renamed, "--mtu", "1400", "--no-vm")
    assert updated.exit_code == 0, updated.output
    after = api.get(f"/networks/{network_id}").json()
    assert (after["name"], after["mtu"], after["usages"]) == (renamed, 1400, [])
    assert after["vlan"] == {"id": 20}
    assert after["description"] == "keep me"

    cleared = dcnet("network", "update", renamed, "--no-vlan", "--vm")
    assert cleared.exit_code == 0, cleared.output
    after = api.get(f"/networks/{network_id}").json()
    assert "vlan" not in after
    assert after["usages"] == ["vm"]

    removed = dcnet("network", "remove", renamed, "--dc", "Default")
    assert removed.exit_code == 0, removed.output
    assert api.get(f"/networks/{network_id}").status_code == 404


def test_vlan_out_of_range_is_refused_naming_the_field(dcnet: Run, api: httpx.Client, name: str) -> None:
    result = dcnet("network", "add", name, "--dc", "Default", "--vlan", "4095")

    assert result.exit_code == 1
    assert "vlan.id" in result.stderr
    assert result.stderr.startswith("error: Bad Request: vlan.id: 4095")
    assert "Traceback" not in result.output
    assert find(api, "networks", "network", name) == []


def test_duplicate_name_shows_the_409_text(dcnet: Run, api: httpx.Client, name: str) -> None:
    assert dcnet("network", "add", name, "--dc", "Default").exit_code == 0

    again = dcnet("network", "add", name, "--dc", "Default")

    assert again.exit_code == 1
    assert again.stderr.startswith("error: Operation Failed: [Cannot add Network.")
    assert f"The name of the logical network '{name}' is already used" in again.stderr
    assert len(find(api, "networks", "network", name)) == 1


def test_same_name_in_two_data_centers_needs_dc(dcnet: Run, api: httpx.Client, name: str) -> None:
    other_dc = f"{name}-dc"
    assert dcnet("dc", "add", other_dc).exit_code == 0
    assert dcnet("network", "add", name, "--dc", "Default", "--vlan", "31").exit_code == 0
    assert dcnet("network", "add", name, "--dc", other_dc, "--vlan", "32").exit_code == 0

    ambiguous = dcnet("network", "show", name)
    in_other = dcnet("network", "update", name, "--dc", other_dc, "--vlan", "33")

    assert ambiguous.exit_code == 1
    assert f"error: several networks are named '{name}'" in ambiguous.stderr
    assert "--dc" in ambiguous.stderr
    assert in_other.exit_code == 0, in_other.output
    vlans = {n["data_center"]["id"]: n["vlan"]["id"] for n in find(api, "networks", "network", name)}
    other_id = one(api, "datacenters", "data_center", other_dc)["id"]
    assert vlans == {default_dc(api)["id"]: 31, other_id: 33}


def test_unknown_network_and_missing_dc(dcnet: Run, name: str) -> None:
    missing = dcnet("network", "remove", name)
    no_dc = dcnet("network", "add", name, "--dc", f"{name}-nodc")

    assert missing.exit_code == 1
    assert f"error: no network named '{name}'" in missing.stderr
    assert no_dc.exit_code == 1
    assert f"error: no data center named '{name}-nodc'" in no_dc.stderr


def test_names_are_text_not_markup_or_wildcards(dcnet: Run, api: httpx.Client, name: str) -> None:
    """A name with rich markup brackets or a search wildcard is shown and matched literally."""
    odd = f"[bold]{name}*"
    assert dcnet("network", "add", odd, "--dc", "Default").exit_code == 0
    assert dcnet("network", "add", f"[bold]{name}-other", "--dc", "Default").exit_code == 0

    shown = dcnet("network", "show", odd)

    assert shown.exit_code == 0, shown.output
    assert odd in shown.stdout
    assert one(api, "networks", "network", odd)["id"] in shown.stdout

"""`dcnet cluster ...`, including attaching networks with roles."""

from __future__ import annotations

import httpx

from tests.cli.conftest import Run
from tests.cli.helpers import one


def test_add_list_show_update_remove(dcnet: Run, api: httpx.Client, name: str) -> None:
    dc = f"{name}-dc"
    assert dcnet("dc", "add", dc, "--version", "4.6").exit_code == 0
    assert dcnet("network", "add", f"{name}-mgmt", "--dc", dc).exit_code == 0

    added = dcnet(
        "cluster", "add", name, "--dc", dc, "--version", "4.6", "--switch-type", "ovs",
        "--management-network", f"{name}-mgmt", "--description", "rack 7",
    )  # fmt: skip

    assert added.exit_code == 0, added.output
    held = one(api, "clusters", "cluster", name)
    dc_id = one(api, "datacenters", "data_center", dc)["id"]
    mgmt_id = one(api, "networks", "network", f"{name}-mgmt")["id"]
    assert held["data_center"]["id"] == dc_id
    assert held["version"] == {"major": 4, "minor": 6}
    assert held["switch_type"] == "ovs"
    assert held["management_network"]["id"] == mgmt_id
    assert held["description"] == "rack 7"
    assert f"Added cluster {name} (id {held['id']}) to data center {dc}" in added.stdout

    listing = dcnet("cluster", "list", "--dc", dc)
    row = next(line for line in listing.stdout.splitlines() if held["id"] in line)
    assert dc in row and "ovs" in row and f"{name}-mgmt" in row and "4.6" in row
    assert "Default" not in listing.stdout  # only that data center's clusters

    shown = dcnet("cluster", "show", name)
    assert shown.exit_code == 0
    assert "rack 7" in shown.stdout and f"{name}-mgmt" in shown.stdout

    updated = dcnet("cluster", "update", name, "--name", f"{name}b", "--switch-type", "legacy")
    assert updated.exit_code == 0, updated.output
    after = api.get(f"/clusters/{held['id']}").json()
    assert (after["name"], after["switch_type"], after["description"]) == (f"{name}b", "legacy", "rack 7")

    removed = dcnet("cluster", "remove", f"{name}b")
    assert removed.exit_code == 0, removed.output
    assert api.get(f"/clusters/{held['id']}").status_code == 404


def test_network_attach_update_detach_with_roles(dcnet: Run, api: httpx.Client, name: str) -> None:
    cluster = f"{name}-cl"
    assert dcnet("cluster", "add", cluster, "--dc", "Default").exit_code == 0
    assert dcnet("network", "add", name, "--dc", "Default", "--vlan", "77").exit_code == 0
    cluster_id = one(api, "clusters", "cluster", cluster)["id"]
    network_id = one(api, "networks", "network", name)["id"]

    attached = dcnet(
        "cluster", "network-attach", cluster, name, "--no-required", "--usage", "display", "--usage", "migration"
    )

    assert attached.exit_code == 0, attached.output
    assert "not required; roles: display, migration" in attached.stdout
    view = api.get(f"/clusters/{cluster_id}/networks/{network_id}").json()
    assert view["required"] is False
    assert sorted(view["usages"]) == ["display", "migration", "vm"]

    listing = dcnet("cluster", "networks", cluster)
    row = next(line for line in listing.stdout.splitlines() if network_id in line)
    assert "display, migration" in row and "77" in row and " no " in row

    updated = dcnet("cluster", "network-update", cluster, name, "--required", "--usage", "migration")
    assert updated.exit_code == 0, updated.output
    view = api.get(f"/clusters/{cluster_id}/networks/{network_id}").json()
    assert view["required"] is True
    assert sorted(view["usages"]) == ["migration", "vm"]

    cleared = dcnet("cluster", "network-update", cluster, name, "--no-usages")
    assert cleared.exit_code == 0, cleared.output
    assert "roles: none" in cleared.stdout
    assert api.get(f"/clusters/{cluster_id}/networks/{network_id}").json()["usages"] == ["vm"]

    detached = dcnet("cluster", "network-detach", cluster, name)
    assert detached.exit_code == 0, detached.output
    assert f"Detached network {name} from cluster {cluster}" in detached.stdout
    assert api.get(f"/clusters/{cluster_id}/networks/{network_id}").status_code == 404
    assert api.get(f"/networks/{network_id}").status_code == 200  # still in its data center


def test_attach_looks_the_network_up_in_the_cluster_data_center(dcnet: Run, api: httpx.Client, name: str) -> None:
    """The same network name in another data center does not make `network-attach` ambiguous."""
    other_dc = f"{name}-dc"
    assert dcnet("dc", "add", other_dc).exit_code == 0
    assert dcnet("network", "add", name, "--dc", other_dc).exit_code == 0
    assert dcnet("network", "add", name, "--dc", "Default").exit_code == 0
    assert dcnet("cluster", "add", f"{name}-cl", "--dc", other_dc).exit_code == 0

    result = dcnet("cluster", "network-attach", f"{name}-cl", name)

    assert result.exit_code == 0, result.output
    cluster_id = one(api, "clusters", "cluster", f"{name}-cl")["id"]
    attached = {
        n["name"]: n["data_center"]["id"] for n in api.get(f"/clusters/{cluster_id}/networks").json()["network"]
    }
    assert attached[name] == one(api, "datacenters", "data_center", other_dc)["id"]


def test_attach_twice_and_unknown_role_fail(dcnet: Run, name: str) -> None:
    assert dcnet("network", "add", name, "--dc", "Default").exit_code == 0
    assert dcnet("cluster", "network-attach", "Default", name).exit_code == 0

    again = dcnet("cluster", "network-attach", "Default", name)
    bad_role = dcnet("cluster", "network-attach", "Default", "ovirtmgmt", "--usage", "storage")

    assert again.exit_code == 1
    assert again.stderr.startswith("error: Operation Failed: [")
    assert bad_role.exit_code == 2
    assert "storage" in bad_role.output

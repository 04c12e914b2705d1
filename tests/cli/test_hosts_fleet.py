"""`dcnet host ...` deploying simulated hosts: `add --wait` follows the deploy to up, and the nics and network
attachments tables show what the host reports. The fleet and its engine are this module's own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from tests.cli.conftest import login_with_cli
from tests.cli.helpers import invoke
from tests.integration.add_host_support import Lab, running_lab

TOPOLOGY = """
hosts:
  sim4:
    management: bond0
    bonds: {bond0: {slaves: [eth1, eth2], mode: "4", options: {miimon: "100"}}}
    vlans: {eth3.300: {base: eth3, id: 300}}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    state = tmp_path_factory.mktemp("cli-fleet")
    topology = state.parent / "cli-topology.yaml"
    topology.write_text(TOPOLOGY)
    with running_lab("sqlite", state, 6, topology) as running:
        yield running


@pytest.fixture(scope="module")
def session(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-fleet-session") / "session.json"
    login_with_cli(lab.engine, path)
    return path


def run(session: Path, *args: str) -> Result:
    return invoke(session, *args)


def add(lab: Lab, session: Path, index: int, *extra: str, cluster: str = "Default") -> Result:
    entry = lab.entry(index)
    return run(session, "host", "add", entry["name"], "--address", entry["fqdn"], "--port", str(entry["port"]),
               "--cluster", cluster, "--token-file", entry["token_file"], "--wait", "--interval", "0.1", *extra)  # fmt: skip


def rows(result: Result) -> dict[str, list[str]]:
    """A rendered table by its first column (the box-drawing borders dropped)."""
    out = {}
    for line in result.stdout.replace("┃", "│").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if len(cells) > 1 and cells[0] and not set(line) <= set("━─┏┓┗┛┡┩└┘┌┐├┤┼┳┻╇╈┃│ "):
            out[cells[0]] = cells
    return out


def test_add_wait_follows_the_deploy_until_up(lab: Lab, session: Path) -> None:
    result = add(lab, session, 1)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    expected_events = [
        "  [normal] 42: Host sim1 was added by admin@internal.",
        "  [normal] 560: Host deploy (agent enrollment) has started on host sim1.",
        f"  [normal] 100014: Host sim1: address sim1.lab.test resolves to {lab.entry(1)['address']}.",
        "  [normal] 561: Host deploy (agent enrollment) has successfully finished on host sim1.",
        "  [normal] 100013: The management network ovirtmgmt is configured on host sim1 (eth0).",
        "  [normal] 504: Host sim1 installed",
        "  [normal] 13: Status of host sim1 was set to Up.",
    ]
    assert [line for line in lines if line.startswith("  [")] == expected_events
    statuses = [line for line in lines if line.startswith("sim1: ")]
    assert statuses[0] == "sim1: installing" and statuses[-1] == "sim1: up"
    assert lines[-1] == "Host sim1: up"


def test_add_no_activate_waits_for_maintenance_then_install_again(lab: Lab, session: Path) -> None:
    added = add(lab, session, 2, "--no-activate")
    assert added.exit_code == 0, added.output
    assert added.stdout.splitlines()[-1] == "Host sim2: maintenance"

    installed = run(session, "host", "install", "sim2", "--wait", "--interval", "0.1")

    assert installed.exit_code == 0, installed.output
    lines = installed.stdout.splitlines()
    assert lines[0] == "Installing host sim2: installing"
    assert "  [normal] 504: Host sim2 installed" in lines and lines[-1] == "Host sim2: up"


def test_activate_deactivate_refresh(lab: Lab, session: Path) -> None:
    assert add(lab, session, 3).exit_code == 0
    assert run(session, "host", "refresh", "sim3").stdout.strip() == "Refreshing host sim3: up"
    assert run(session, "host", "deactivate", "sim3").stdout.strip() == "Host sim3 is in maintenance"
    assert run(session, "host", "activate", "sim3").stdout.strip() == "Activating host sim3: initializing"
    again = run(session, "host", "activate", "sim3")
    assert again.exit_code == 1 and "(it is " in again.stderr


def test_nics_table_shows_bonds_vlans_bridges_and_networks(lab: Lab, session: Path) -> None:
    assert add(lab, session, 4).exit_code == 0
    address = lab.entry(4)["address"]

    table = rows(run(session, "host", "nics", "sim4"))

    assert table["Name"] == ["Name", "Type", "MTU", "Addresses", "Boot protocol", "Network", "Status", "Details"]
    # the bridged management network's address shows on its southbound bond as well (oVirt's host nic model)
    assert table["bond0"] == ["bond0", "bond", "1500", f"{address}/8", "static", "ovirtmgmt", "up",
                              table["bond0"][-1]]  # fmt: skip
    assert table["bond0"][-1].startswith("slaves eth1, eth2;") and "miimon=100" in table["bond0"][-1]
    assert table["eth3.300"] == ["eth3.300", "vlan", "1500", "", "none", "", "up", "VLAN 300 on eth3"]
    assert table["ovirtmgmt"][:5] == ["ovirtmgmt", "bridge", "1500", f"{address}/8", "static"]
    assert table["eth0"][:2] == ["eth0", "nic"]


def test_attachments_table_shows_what_is_out_of_sync(lab: Lab, session: Path) -> None:
    name = f"m{uuid.uuid4().hex[:8]}"
    cluster = lab.api.post("/clusters", json={"name": name, "data_center": {"name": "Default"}}).json()
    network = lab.api.post("/networks", json={"name": name, "data_center": {"name": "Default"}}).json()
    assert lab.api.post(f"/clusters/{cluster['id']}/networks", json={"id": network["id"]}).status_code == 201
    assert lab.api.put(
        f"/clusters/{cluster['id']}/networks/{network['id']}", json={"usages": ["management"]}
    ).is_success
    ovirtmgmt = lab.api.get("/networks", params={"search": "name=ovirtmgmt and datacenter=Default"}).json()["network"]
    assert lab.api.delete(f"/clusters/{cluster['id']}/networks/{ovirtmgmt[0]['id']}").is_success
    assert add(lab, session, 5, cluster=name).exit_code == 0
    address = lab.entry(5)["address"]

    in_sync = rows(run(session, "host", "attachments", "sim5"))

    assert in_sync["Network"] == ["Network", "NIC", "In sync", "Boot protocol", "Addresses", "Out of sync"]
    assert in_sync[name] == [name, "eth0", "yes", "static", f"{address}/8", ""]

    changed = lab.api.put(f"/networks/{network['id']}", json={"mtu": 9000})
    assert changed.status_code == 200, changed.text
    out_of_sync = rows(run(session, "host", "attachments", "sim5"))

    assert out_of_sync[name] == [name, "eth0", "no", "static", f"{address}/8", "mtu: host 1500, data center 9000"]

"""`dcnet host networks|attach|detach|bond-add|bond-remove|sync|commit|copy-networks|unmanaged` and `dcnet
cluster sync-networks` against simulated hosts: every change goes through the REST API, and a refusal prints
the engine's fault and exits 1. The fleet and its engine are this module's own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.cli.conftest import login_with_cli
from tests.cli.helpers import invoke
from tests.integration.add_host_support import Lab, running_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    state = tmp_path_factory.mktemp("cli-host-networks")
    with running_lab("sqlite", state, 4, None) as running:
        yield running


@pytest.fixture(scope="module")
def session(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-host-networks-session") / "session.json"
    login_with_cli(lab.engine, path)
    return path


@pytest.fixture(scope="module")
def hosts(lab: Lab) -> dict[str, dict[str, Any]]:
    out = {}
    for index in (1, 2, 3):
        host = lab.add(index)
        assert lab.wait_status(host["id"])["status"] == "up"
        out[host["name"]] = host
    return out


def run(session: Path, *args: str) -> Result:
    return invoke(session, *args)


def network(lab: Lab, **fields: Any) -> str:
    """A new network of the Default data center on the Default cluster (not required); its name."""
    name = f"n{uuid.uuid4().hex[:8]}"
    created = lab.api.post("/networks", json={"name": name, "data_center": {"name": "Default"}, **fields})
    assert created.status_code == 201, created.text
    cluster = lab.api.get("/clusters", params={"search": "name=Default"}).json()["cluster"][0]
    attached = lab.api.post(f"/clusters/{cluster['id']}/networks", json={"id": created.json()["id"], "required": False})
    assert attached.status_code == 201, attached.text
    return name


def tree_lines(result: Result) -> list[str]:
    """The tree's lines without the guides, each with its depth (4 columns per level)."""
    out = []
    for line in result.stdout.splitlines():
        stripped = line.lstrip("│├└─ ")
        depth = (len(line) - len(stripped)) // 4
        out.append(f"{depth}:{stripped.rstrip()}")
    return out


def test_attach_bond_and_the_tree(lab: Lab, session: Path, hosts: dict[str, Any]) -> None:
    red, plain = network(lab, vlan={"id": 100}), network(lab, vlan={"id": 300})

    attached = run(session, "host", "attach", "sim1", red, "--nic", "eth1", "--static", "192.0.2.10/24,192.0.2.1",
                   "--ipv6-autoconf")  # fmt: skip
    bonded = run(session, "host", "bond-add", "sim1", "bond1", "--slave", "eth2", "--slave", "eth3",
                 "--option", "mode=1", "--option", "miimon=100")  # fmt: skip
    on_bond = run(session, "host", "attach", "sim1", plain, "--nic", "bond1", "--dhcp")

    assert attached.exit_code == 0, attached.output
    assert attached.stdout.strip() == f"Attached network {red} on eth1 of host sim1 (static, v6 autoconf; in sync)"
    assert bonded.exit_code == 0 and bonded.stdout.strip() == "Bond bond1 of host sim1: slaves eth2, eth3"
    assert on_bond.exit_code == 0, on_bond.output
    lines = tree_lines(run(session, "host", "networks", "sim1"))
    assert lines[0] == "0:sim1  (up)"
    assert "1:eth0  nic, mtu 1500" in lines
    assert lines.index("1:eth0  nic, mtu 1500") + 1 == lines.index(
        next(line for line in lines if line.startswith("2:ovirtmgmt  ✓ in sync  static"))
    )
    vlan = lines.index("2:eth1.100  VLAN 100, mtu 1500")
    assert lines[vlan - 1] == "1:eth1  nic, mtu 1500"
    assert lines[vlan + 1] == f"3:{red}  ✓ in sync  static, v6 autoconf  192.0.2.10/24"
    bond = next(i for i, line in enumerate(lines) if line.startswith("1:bond1  bond, "))
    assert "miimon=100" in lines[bond] and "mode=" in lines[bond]
    assert lines[bond + 1 : bond + 3] == ["2:slave eth2  nic, mtu 1500", "2:slave eth3  nic, mtu 1500"]
    assert lines[bond + 3] == "2:bond1.300  VLAN 300, mtu 1500"
    assert lines[bond + 4].startswith(f"3:{plain}  ✓ in sync  dhcp")

    # an IPv6 option alone keeps the attachment's IPv4 configuration
    changed = run(session, "host", "attach", "sim1", red, "--nic", "eth1", "--ipv6-dhcp", "--no-check")
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.strip() == f"Updated network {red} on eth1 of host sim1 (static, v6 dhcp; in sync)"

    detached = run(session, "host", "detach", "sim1", plain)
    removed = run(session, "host", "bond-remove", "sim1", "bond1")
    assert detached.exit_code == 0 and detached.stdout.strip() == f"Detached network {plain} from bond1 of host sim1"
    assert removed.exit_code == 0 and removed.stdout.strip() == "Removed bond bond1 of host sim1"
    after = run(session, "host", "networks", "sim1").stdout
    assert "bond1" not in after and plain not in after and red in after


def test_refusals_print_the_engine_fault_and_exit_1(lab: Lab, session: Path, hosts: dict[str, Any]) -> None:
    blue = network(lab, vlan={"id": 101})

    unknown_nic = run(session, "host", "attach", "sim2", blue, "--nic", "eth9")
    ipv6_in_v4 = run(session, "host", "attach", "sim2", blue, "--nic", "eth1", "--static", "2001:db8::1/64")
    one_slave = run(session, "host", "bond-add", "sim2", "bond5", "--slave", "eth2")
    not_attached = run(session, "host", "detach", "sim2", blue)
    no_network = run(session, "host", "attach", "sim2", "nosuchnet", "--nic", "eth1")

    assert unknown_nic.exit_code == 1
    assert unknown_nic.stderr.strip() == (
        "error: Operation Failed: [Cannot setup Networks. The host network interface (name eth9) does not exist.]"
    )
    assert ipv6_in_v4.exit_code == 1 and "is an IPv6 address; an IPv4 address is expected" in ipv6_in_v4.stderr
    assert one_slave.exit_code == 1 and "consist of less than two Network Interfaces: bond5" in one_slave.stderr
    assert not_attached.exit_code == 1 and f"network '{blue}' is not attached to host sim2" in not_attached.stderr
    assert no_network.exit_code == 1 and "Logical Network 'nosuchnet' does not exist in Cluster." in no_network.stderr
    assert blue not in lab.attachments(hosts["sim2"]["id"])


@pytest.mark.parametrize(
    "options",
    [("--static", "192.0.2.1"), ("--static", "192.0.2.1/24", "--dhcp"), ("--ipv6-dhcp", "--ipv6-autoconf")],
)
def test_ip_option_mistakes_are_usage_errors(session: Path, options: tuple[str, ...]) -> None:
    result = run(session, "host", "attach", "sim1", "any", "--nic", "eth1", *options)

    assert result.exit_code == 2, result.output


def test_out_of_sync_then_sync_one_all_and_cluster(lab: Lab, session: Path, hosts: dict[str, Any]) -> None:
    green, mauve = network(lab, vlan={"id": 102}), network(lab, vlan={"id": 103})
    assert run(session, "host", "attach", "sim2", green, "--nic", "eth1").exit_code == 0
    assert run(session, "host", "attach", "sim2", mauve, "--nic", "eth2").exit_code == 0
    for name in (green, mauve):
        found = lab.api.get("/networks", params={"search": f"name={name}"}).json()["network"][0]
        assert lab.api.put(f"/networks/{found['id']}", json={"mtu": 9000}).status_code == 200
    assert run(session, "host", "refresh", "sim2").exit_code == 0

    out_of_sync = run(session, "host", "networks", "sim2").stdout
    assert f"{green}  ✗ out of sync (mtu: host 1500, data center 9000)  none" in out_of_sync

    one = run(session, "host", "sync", "sim2", green)
    assert one.exit_code == 0 and one.stdout.strip() == f"Synchronized network {green} of host sim2"
    states = {n: a["in_sync"] for n, a in lab.attachments(hosts["sim2"]["id"]).items()}
    assert states[green] is True and states[mauve] is False

    cluster = run(session, "cluster", "sync-networks", "Default")
    assert cluster.exit_code == 0, cluster.output
    assert cluster.stdout.splitlines()[-1] == "Synchronized the networks of cluster Default"
    assert all(a["in_sync"] for a in lab.attachments(hosts["sim2"]["id"]).values())

    every = run(session, "host", "sync", "sim2")
    assert every.exit_code == 0 and every.stdout.strip() == "Synchronized networks of host sim2"

    committed = run(session, "host", "commit", "sim2")
    assert committed.exit_code == 0
    assert committed.stdout.strip() == "Committed the network configuration of host sim2"


def test_copy_networks_and_unmanaged(lab: Lab, session: Path, hosts: dict[str, Any]) -> None:
    violet = network(lab, vlan={"id": 104})
    assert run(session, "host", "attach", "sim1", violet, "--nic", "eth3", "--static", "192.0.2.44/24").exit_code == 0

    copied = run(session, "host", "copy-networks", "sim1", "sim3")

    assert copied.exit_code == 0, copied.output
    assert copied.stdout.splitlines()[0] == "Copied the networks of host sim1 to host sim3"
    attachment = lab.attachments(hosts["sim3"]["id"])[violet]
    assert attachment["host_nic"]["name"] == "eth3"
    assert attachment["ip_address_assignments"][0]["assignment_method"] == "none"

    to_itself = run(session, "host", "copy-networks", "sim3", "sim3")
    assert to_itself.exit_code == 1 and "the source host is the destination host" in to_itself.stderr

    unmanaged = run(session, "host", "unmanaged", "sim3")
    assert unmanaged.exit_code == 0 and unmanaged.stdout.strip() == "(none)"
    as_json = run(session, "host", "unmanaged", "sim3", "--json")
    assert as_json.exit_code == 0 and '"unmanaged_network": []' in as_json.stdout

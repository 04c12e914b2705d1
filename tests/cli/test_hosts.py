"""`dcnet host ...` against an engine where no host agent answers: the token options, the refusals a user
gets, and the round trip of a host whose install failed. Deploys that succeed: test_hosts_fleet.py."""

from __future__ import annotations

import random
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Run
from tests.cli.helpers import find, one
from tests.support.engine_process import free_port


def nowhere() -> tuple[str, str]:
    """An address of its own on loopback and a port where no agent listens."""
    address = f"127.{random.randint(100, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    return address, str(free_port())


def settled(api: httpx.Client, name: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        host = one(api, "hosts", "host", name)
        if host["status"] != "installing" or time.monotonic() > deadline:
            return host
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "error: the host agent's enrollment token is required"),
        (["--token", "a", "--token-file", "{file}"], "error: give either --token or --token-file, not both"),
        (["--token", "  "], "error: the enrollment token is empty"),
        (["--token-file", "{empty}"], "error: the enrollment token is empty"),
        (["--token-file", "{missing}"], "error: cannot read the enrollment token from {missing}: "),
    ],
    ids=["none", "both", "blank", "empty-file", "missing-file"],
)
def test_add_needs_exactly_one_usable_token(
    dcnet: Run, api: httpx.Client, name: str, tmp_path: Path, options: list[str], message: str
) -> None:
    files = {"file": tmp_path / "token", "empty": tmp_path / "empty", "missing": tmp_path / "missing"}
    files["file"].write_text("abc\n")
    files["empty"].write_text("\n")
    paths = {key: str(path) for key, path in files.items()}

    result = dcnet("host", "add", name, "--address", "192.0.2.40", "--cluster", "Default",
                   *[option.format(**paths) for option in options])  # fmt: skip

    assert result.exit_code == 1
    assert message.format(**paths) in result.stderr
    assert find(api, "hosts", "host", name) == []


def test_token_hint_names_the_agent_file(dcnet: Run) -> None:
    result = dcnet("host", "add", "h", "--address", "192.0.2.41", "--cluster", "Default")
    assert "--token-file STATE_DIR/enrollment-token" in result.stderr


def test_add_list_show_update_remove(dcnet: Run, api: httpx.Client, name: str, tmp_path: Path) -> None:
    other_cluster = f"{name}-cl"
    assert dcnet("cluster", "add", other_cluster, "--dc", "Default").exit_code == 0
    address, port = nowhere()
    token = tmp_path / "enrollment-token"
    token.write_text("token-of-nobody\n")

    added = dcnet("host", "add", name, "--address", address, "--port", port, "--cluster", "Default",
                  "--token-file", str(token), "--description", "r1")  # fmt: skip

    assert added.exit_code == 0, added.output
    held = one(api, "hosts", "host", name)
    assert held["address"] == address and held["port"] == int(port)
    assert held["cluster"]["id"] == one(api, "clusters", "cluster", "Default")["id"]
    assert f"Added host {name} (id {held['id']}) to cluster Default: installing" in added.stdout
    held = settled(api, name)
    assert held["status"] == "install_failed"

    listing = dcnet("host", "list", "--cluster", "Default")
    row = next(line for line in listing.stdout.splitlines() if held["id"] in line)
    assert address in row and "Default" in row and "install_failed" in row

    shown = dcnet("host", "show", name)
    assert shown.exit_code == 0
    assert f"Cannot reach the agent at {address}:{port}" in shown.stdout

    refused = dcnet("host", "update", name, "--address", "host1.example.org")
    assert refused.exit_code == 1
    assert "can be changed only when its status is Maintenance" in refused.stderr
    deactivated = dcnet("host", "deactivate", name)
    assert deactivated.exit_code == 0, deactivated.output
    assert deactivated.stdout.strip() == f"Host {name} is in maintenance"

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


def test_wait_prints_statuses_and_events_then_fails_with_the_reason(dcnet: Run, name: str) -> None:
    address, port = nowhere()

    result = dcnet("host", "add", name, "--address", address, "--port", port, "--cluster", "Default",
                   "--token", "t0ken", "--wait", "--interval", "0.1")  # fmt: skip

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Added host {name} (id ")
    assert f"  [normal] 42: Host {name} was added by admin@internal." in lines
    assert f"  [normal] 560: Host deploy (agent enrollment) has started on host {name}." in lines
    failure = next(line for line in lines if line.startswith("  [error] 505: "))
    assert failure.startswith(f"  [error] 505: Host {name} installation failed. Cannot reach the agent at {address}:")
    statuses = [line for line in lines if line.startswith(f"{name}: ")]
    assert statuses[0] == f"{name}: installing"
    assert statuses[-1].startswith(f"{name}: install_failed (Cannot reach the agent at {address}:{port}")
    assert lines.index(failure) < lines.index(statuses[-1])
    assert f"error: host {name} is install_failed: Cannot reach the agent at {address}:{port}" in result.stderr


def test_wait_uses_the_global_correlation_id(dcnet: Run, api: httpx.Client, name: str) -> None:
    address, port = nowhere()
    tag = f"cli-{name}"
    result = dcnet("--correlation-id", tag, "host", "add", name, "--address", address, "--port", port,
                   "--cluster", "Default", "--token", "t", "--wait", "--interval", "0.1")  # fmt: skip
    assert result.exit_code == 1
    events = api.get("/events", params={"search": f"correlation_id={tag}"}).json()["event"]
    assert sorted(e["code"] for e in events) == [42, 505, 560, 100014]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["activate"], "Operation can be performed only when Host status is one of: maintenance, non_operational, "
         "non_responsive (it is install_failed)"),
        (["refresh"], "The host's agent is not enrolled; install the host first."),
        (["install"], "root_password: the agent's enrollment token is required: this host's agent is not enrolled"),
    ],
)  # fmt: skip
def test_actions_on_a_host_that_never_enrolled_show_the_engine_refusal(
    dcnet: Run, api: httpx.Client, name: str, command: list[str], message: str
) -> None:
    address, port = nowhere()
    assert dcnet("host", "add", name, "--address", address, "--port", port, "--cluster", "Default",
                 "--token", "t").exit_code == 0  # fmt: skip
    assert settled(api, name)["status"] == "install_failed"

    result = dcnet("host", *command, name)

    assert result.exit_code == 1
    assert message in result.stderr


def test_install_with_a_new_token_and_wait(dcnet: Run, api: httpx.Client, name: str) -> None:
    address, port = nowhere()
    assert dcnet("host", "add", name, "--address", address, "--port", port, "--cluster", "Default",
                 "--token", "t").exit_code == 0  # fmt: skip
    assert settled(api, name)["status"] == "install_failed"

    result = dcnet("host", "install", name, "--token", "new", "--wait", "--interval", "0.1")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"Installing host {name}: installing"
    assert any(line.startswith("  [error] 505: ") for line in result.stdout.splitlines())
    assert f"error: host {name} is install_failed" in result.stderr


def test_nics_and_attachments_of_a_host_that_never_reported(dcnet: Run, name: str) -> None:
    address, port = nowhere()
    assert dcnet("host", "add", name, "--address", address, "--port", port, "--cluster", "Default",
                 "--token", "t").exit_code == 0  # fmt: skip
    assert dcnet("host", "nics", name).stdout.strip() == "(none)"
    assert dcnet("host", "attachments", name).stdout.strip() == "(none)"
    assert dcnet("host", "nics", name, "--json").stdout.strip() == '{\n  "host_nic": []\n}'
    unknown = dcnet("host", "nics", f"{name}-nope")
    assert unknown.exit_code == 1 and f"no host named '{name}-nope'" in unknown.stderr

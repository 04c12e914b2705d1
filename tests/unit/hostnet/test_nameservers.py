"""Name servers of the default-route network: planned as one SetNameservers step, verified, put back by a
rollback; resolv.conf rewritten so that putting the old servers back gives back the old file."""

from __future__ import annotations

from pathlib import Path

from dcnet.agent.backends.resolv import read_nameservers, rewrite, write_nameservers
from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.planning import plan
from dcnet.domain.hostnet.verification import verify
from tests.unit.hostnet._hostnet import apply_plan, config

MGMT = {"nic": "eth0", "ipaddr": "192.0.2.10", "prefix": 24, "defaultRoute": True}


def test_default_route_network_name_servers_are_one_step_and_verified() -> None:
    backend = SimBackend()
    new = config({"mgmt": MGMT | {"nameservers": ["192.0.2.53", "2001:db8::53"]}})
    steps = apply_plan(backend, NetConfig(), new)
    assert steps[-1] == a.SetNameservers(("192.0.2.53", "2001:db8::53"))
    assert backend.query().nameservers == ["192.0.2.53", "2001:db8::53"]
    assert verify(new, backend.query()).ok
    assert not any(isinstance(step, a.SetNameservers) for step in plan(backend.query(), new, new))


def test_name_servers_that_differ_are_a_verify_mismatch() -> None:
    state = sim_host()
    state.nameservers = ["198.51.100.1"]
    verdict = verify(config({"mgmt": MGMT | {"nameservers": ["192.0.2.53"]}}), state)
    assert any("name servers" in mismatch for mismatch in verdict.mismatches)


def test_no_name_servers_asked_means_the_file_is_left_alone() -> None:
    state = sim_host()
    state.nameservers = ["198.51.100.1"]
    steps = plan(state, NetConfig(), config({"mgmt": MGMT}))
    assert not any(isinstance(step, a.SetNameservers) for step in steps)


def test_rollback_puts_the_baseline_name_servers_back() -> None:
    backend = SimBackend()
    backend.state.nameservers = ["198.51.100.1"]
    baseline = backend.query()
    attempted = config({"mgmt": MGMT | {"nameservers": ["192.0.2.53"]}})
    apply_plan(backend, NetConfig(), attempted)
    steps = plan(backend.query(), attempted, NetConfig(), baseline)
    assert a.SetNameservers(("198.51.100.1",)) in steps
    for step in steps:
        backend.apply(step)
    assert backend.query().nameservers == ["198.51.100.1"]


def test_rewrite_keeps_other_lines_and_restores_byte_identically() -> None:
    original = "# lab\nsearch lab.test\nnameserver 10.1.0.2\nnameserver 10.1.0.3\noptions ndots:1\n"
    changed = rewrite(original, ["192.0.2.53"])
    assert changed == "# lab\nsearch lab.test\nnameserver 192.0.2.53\noptions ndots:1\n"
    assert rewrite(changed, ["10.1.0.2", "10.1.0.3"]) == original
    assert rewrite("search lab.test\n", ["192.0.2.53"]) == "nameserver 192.0.2.53\nsearch lab.test\n"


def test_write_is_in_place_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "resolv.conf"
    path.write_text("search x\nnameserver 10.0.0.1\n")
    inode = path.stat().st_ino
    write_nameservers(path, ["192.0.2.53", "192.0.2.54"])
    assert path.stat().st_ino == inode  # a bind-mounted file cannot be replaced by a rename
    assert read_nameservers(path) == ["192.0.2.53", "192.0.2.54"]
    assert read_nameservers(tmp_path / "missing") == []

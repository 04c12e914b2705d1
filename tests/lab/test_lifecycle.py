"""up()/down() of extra labs: nothing left behind, partial failures, coexistence, name-exact sweeps."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from dcnet.lab import Lab, LabError, procs
from dcnet.lab.run import ip_batch, netns_names, root_link_names, run
from dcnet.lab.teardown import leftovers
from tests.lab.conftest import unique_prefix

MakeLab = Callable[..., Lab]


def _ours(prefix: str) -> list[str]:
    return [n for n in netns_names() if n.startswith(f"{prefix}-")] + [
        d for d in root_link_names() if d.startswith(f"{prefix}-")
    ]


def _ping(addr: str) -> int:
    return subprocess.run(["ping", "-c", "1", "-W", "2", addr], capture_output=True).returncode


def test_down_leaves_no_namespace_device_process_or_state(make_lab: MakeLab) -> None:
    lab = make_lab("d", n=2, nics=2)
    lab.up()
    lab.dhcp_lease("h1", "eth1")  # a background dhclient (recorded PID)
    stray = subprocess.Popen(["ip", "netns", "exec", lab.host("h2").netns, "sleep", "600"])  # not recorded
    recorded = procs.recorded_pids(lab.state_dir / "pids")
    assert set(recorded) == {"dnsmasq", "dhclient-h1-eth1"}
    assert all(procs.is_running(p) for p in recorded.values())

    removed = lab.down()
    stray.wait(timeout=5)

    assert _ours(lab.prefix) == []
    assert not lab.state_dir.exists()
    assert not any(procs.is_running(p) for p in [*recorded.values(), stray.pid])
    assert set(removed.pids) >= {*recorded.values(), stray.pid}
    assert sorted(removed.namespaces) == sorted([f"{lab.prefix}-sw", f"{lab.prefix}-h1", f"{lab.prefix}-h2"])
    assert lab.down().namespaces == []  # idempotent


def test_up_twice_rebuilds_from_scratch(make_lab: MakeLab) -> None:
    lab = make_lab("r")
    lab.up()
    first = procs.read_pid(lab.state_dir / "pids" / "dnsmasq.pid")
    lab.up()
    assert first is not None and not procs.is_running(first)
    assert _ping(lab.hosts[0].ipv4) == 0


def test_down_after_failed_up_and_up_after_partial_failure(make_lab: MakeLab, monkeypatch: pytest.MonkeyPatch) -> None:
    lab = make_lab("p", n=2)

    def broken(self: Lab) -> None:
        raise LabError("injected: dnsmasq did not start")

    with monkeypatch.context() as m:
        m.setattr(Lab, "_start_dnsmasq", broken)
        with pytest.raises(LabError, match="injected"):
            lab.up()
    assert f"{lab.prefix}-h2" in netns_names() and lab.engine_dev in root_link_names()  # partial lab left
    lab.down()
    assert _ours(lab.prefix) == []

    with monkeypatch.context() as m:
        m.setattr(Lab, "_start_dnsmasq", broken)
        with pytest.raises(LabError):
            lab.up()
    # extra debris of the same prefix (as lab-up.sh's root mode would leave): swept by exact name
    ip_batch([f"netns add {lab.prefix}-h9", f"link add {lab.prefix}-h9n0 type veth peer name {lab.prefix}-h9n1"])
    lab.up()
    assert set(_ours(lab.prefix)) == {f"{lab.prefix}-sw", f"{lab.prefix}-h1", f"{lab.prefix}-h2", lab.engine_dev}
    assert _ping(lab.hosts[1].ipv6) == 0
    lab.down()
    assert _ours(lab.prefix) == []


def test_down_spares_look_alike_names(make_lab: MakeLab) -> None:
    lab = make_lab("s")
    lab.up()
    alike = [f"{lab.prefix}x-h1", f"{lab.prefix}-hx"]
    ip_batch([f"netns add {n}" for n in alike])
    try:
        lab.down()
        assert set(alike) <= set(netns_names())
    finally:
        ip_batch([f"netns del {n}" for n in alike], force=True, check=False)


def test_down_works_after_the_state_dir_was_deleted_by_hand(make_lab: MakeLab) -> None:
    lab = make_lab("h")
    lab.up()
    dnsmasq = procs.read_pid(lab.state_dir / "pids" / "dnsmasq.pid")
    shutil.rmtree(lab.state_dir)
    lab.down()  # finds dnsmasq through `ip netns pids` of the switch namespace
    assert _ours(lab.prefix) == []
    assert dnsmasq is not None and not procs.is_running(dnsmasq)


def test_a_foreign_state_dir_is_refused_and_kept(make_lab: MakeLab, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data").write_text("keep me")
    lab = make_lab("f")
    lab.state_dir = precious
    with pytest.raises(LabError, match="not a dcnet lab"):
        lab.up()
    lab.down()
    assert (precious / "data").read_text() == "keep me"


def test_two_labs_coexist(lab: Lab, make_lab: MakeLab) -> None:
    other = make_lab("c", n=2)
    other.up()
    assert other.net != lab.net and other.prefix != lab.prefix
    for each in (lab, other):
        for h in each.hosts:
            assert _ping(h.ipv4) == 0 and _ping(h.ipv6) == 0
        assert {a.to_text() for a in each.resolver().resolve("h1.lab.test", "A")} == {each.hosts[0].ipv4}
    # separate segments and subnets: nothing of one lab is reachable from the other
    res = other.exec("h1", "ping", "-c", "1", "-W", "1", lab.dns_server.split(":")[0], check=False)
    assert res.returncode != 0
    other.down()
    assert _ours(other.prefix) == []
    assert _ping(lab.hosts[0].ipv4) == 0  # the session lab is untouched


def test_attach_from_another_process(lab: Lab) -> None:
    again = Lab.attach(prefix=lab.prefix)
    assert (again.net, again.nics, again.hosts) == (lab.net, lab.nics, lab.hosts)
    assert run(["ip", "-n", again.host("h1").netns, "-br", "link", "show", "eth2"]).returncode == 0


def test_leftovers_helper_sees_nothing_for_an_unused_prefix() -> None:
    assert leftovers("zq9zz") == []


def test_a_net_already_in_use_is_refused(lab: Lab) -> None:
    clash = Lab(prefix=unique_prefix("n"), net=lab.net, n=1)
    try:
        with pytest.raises(LabError, match=f"net {lab.net} is already used"):
            clash.up()
        assert _ours(clash.prefix) == []  # refused before anything was created
    finally:
        clash.down()
    assert _ping(lab.hosts[0].ipv4) == 0

"""transactions.py: journal → apply → verify → await confirmation → commit, or roll back (reference §4, §5),
on the sim backend with a temporary state directory."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from dcnet.agent import hooks, transactions
from dcnet.agent.backend import BackendError
from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.agent.persistence import HISTORY_SIZE, StateDir
from dcnet.agent.transactions import NetworkService
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.planning import plan
from dcnet.domain.hostnet.state import state_to_dict
from dcnet.domain.hostnet.verification import verify
from tests.unit.hostnet._hostnet import config, snapshot

GATEWAY = "192.0.2.1"
NO_CHECK = {"connectivityCheck": False}
RED = {"red": {"nic": "eth1", "vlan": 100, "ipaddr": "198.51.100.5", "prefix": 24}}
BLUE = {"blue": {"nic": "eth2", "bridged": False, "ipaddr": "203.0.113.5", "prefix": 24}}
BOND = {"bond0": {"nics": ["eth2", "eth3"], "options": "mode=1 miimon=100"}}


class Killed(BaseException):
    """Stands for SIGKILL at a crash point: nothing in the agent may catch it."""


@pytest.fixture
def backend() -> SimBackend:
    return SimBackend(sim_host(address="192.0.2.10/24", gateway=GATEWAY))


@pytest.fixture
def state_dir(tmp_path: Path) -> StateDir:
    return StateDir(tmp_path / "state")


@pytest.fixture
def service(backend: SimBackend, state_dir: StateDir) -> NetworkService:
    return NetworkService(backend, state_dir)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def opts(request_id: str, **options: Any) -> dict[str, Any]:
    return {"requestId": request_id, "correlationId": f"corr-{request_id}", **options}


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def awaiting_confirmation(service: NetworkService, request_id: str) -> Callable[[], bool]:
    return lambda: service.transaction(request_id).get("phase") == "awaiting confirmation"


def setup_error(call: Callable[[], Any]) -> SetupError:
    with pytest.raises(SetupError) as info:
        call()
    return info.value


# --- commit ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commit", "safe_has_red", "dirty"),
    [pytest.param(True, True, False, id="commitOnSuccess"), pytest.param(False, False, True, id="no-commit")],
)
def test_commit_persists_running_and_optionally_safe_config(
    service: NetworkService, state_dir: StateDir, backend: SimBackend, commit: bool, safe_has_red: bool, dirty: bool
) -> None:
    result = service.setup_networks(RED, {}, opts("r1", commitOnSuccess=commit, **NO_CHECK))
    assert result == {"requestId": "r1", "state": "committed"}
    assert set(state_dir.running().networks) == {"red"}
    assert ("red" in state_dir.safe().networks) is safe_has_red
    assert service.capabilities()["netConfigDirty"] is dirty
    assert verify(state_dir.running(), backend.query()).ok
    assert state_dir.open_transaction() is None
    assert service.transaction("r1")["state"] == "committed"


def test_committed_safe_config_is_what_was_requested(service: NetworkService, state_dir: StateDir) -> None:
    service.setup_networks(RED, BOND, opts("r1", commitOnSuccess=True, **NO_CHECK))
    assert state_dir.safe() == state_dir.running() == config(RED, BOND)
    on_disk = json.loads(state_dir.path("safe.json").read_text())
    assert on_disk["networks"]["red"]["vlan"] == 100


def test_partial_requests_accumulate(service: NetworkService, state_dir: StateDir) -> None:
    service.setup_networks(RED, {}, opts("r1", **NO_CHECK))
    service.setup_networks(BLUE, {}, opts("r2", **NO_CHECK))
    assert set(state_dir.running().networks) == {"red", "blue"}
    service.setup_networks({"red": {"remove": True}}, {}, opts("r3", **NO_CHECK))
    assert set(state_dir.running().networks) == {"blue"}


# --- connectivity check ------------------------------------------------------------------------------------

ROLLBACK_SCENARIOS = [
    pytest.param(RED, {}, id="vlan-bridge-on-a-free-nic"),
    pytest.param({"red": {"bonding": "bond0", "vlan": 7, "bootproto": "dhcp"}}, BOND, id="dhcp-bridge-on-new-bond"),
    pytest.param(
        {"red": {"nic": "eth1", "ipv6addr": "2001:db8:1::5/64", "ipv6autoconf": True}}, {}, id="ipv6-and-autoconf"
    ),
    pytest.param(
        {"mgmt": {"nic": "eth0", "ipaddr": "192.0.2.10", "prefix": 24, "gateway": GATEWAY, "defaultRoute": True}},
        {},
        id="adopt-management-address-and-route",
    ),
    pytest.param({"red": {"nic": "eth1", "mtu": 9000}}, {}, id="mtu-9000-on-a-free-nic"),
    pytest.param(
        {
            "red": {
                "nic": "eth1",
                "ipaddr": "198.51.100.5",
                "prefix": 24,
                "gateway": "198.51.100.9",
                "defaultRoute": True,
            }
        },
        {},
        id="default-route-moved-to-a-wrong-gateway",
    ),
]


@pytest.mark.parametrize(("networks", "bonds"), ROLLBACK_SCENARIOS)
def test_no_confirmation_within_timeout_rolls_back_with_code_10(
    service: NetworkService,
    state_dir: StateDir,
    backend: SimBackend,
    networks: dict[str, Any],
    bonds: dict[str, Any],
) -> None:
    before = snapshot(backend.query())
    started = time.monotonic()
    error = setup_error(lambda: service.setup_networks(networks, bonds, opts("r1", connectivityTimeout=0.3)))
    assert time.monotonic() - started >= 0.3
    assert error.code == Code.LOST_CONNECTION
    assert "connectivity check failed" in error.message
    assert state_dir.running() == NetConfig()
    after = snapshot(backend.query())
    after["dhcp4"] = before["dhcp4"]
    assert after == before
    entry = service.transaction("r1")
    assert (entry["state"], entry["reason"]) == ("rolled_back", "connectivity")


def test_confirmation_from_another_thread_commits(
    service: NetworkService, state_dir: StateDir, pool: ThreadPoolExecutor
) -> None:
    future: Future[dict[str, Any]] = pool.submit(service.setup_networks, RED, {}, opts("r1", connectivityTimeout=5))
    eventually(awaiting_confirmation(service, "r1"))
    service.confirm_connectivity()
    assert future.result(timeout=5) == {"requestId": "r1", "state": "committed"}
    assert set(state_dir.running().networks) == {"red"}


def test_confirmation_before_the_change_started_does_not_count(service: NetworkService) -> None:
    service.confirm_connectivity()
    time.sleep(0.01)
    error = setup_error(lambda: service.setup_networks(RED, {}, opts("r1", connectivityTimeout=0.3)))
    assert error.code == Code.LOST_CONNECTION


def test_ping2_is_not_a_confirmation(service: NetworkService, pool: ThreadPoolExecutor) -> None:
    future = pool.submit(service.setup_networks, RED, {}, opts("r1", connectivityTimeout=1.5))
    eventually(awaiting_confirmation(service, "r1"))
    service.ping2()
    with pytest.raises(SetupError) as info:
        future.result(timeout=5)
    assert info.value.code == Code.LOST_CONNECTION


# --- one change at a time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "second",
    [
        pytest.param(lambda s: s.setup_networks(BLUE, {}, opts("r2", **NO_CHECK)), id="setupNetworks"),
        pytest.param(lambda s: s.set_safe_config(), id="setSafeNetworkConfig"),
        pytest.param(lambda s: s.restore_safe_config(), id="restore"),
    ],
)
def test_second_network_verb_while_one_waits_gets_40_at_once(
    service: NetworkService,
    state_dir: StateDir,
    pool: ThreadPoolExecutor,
    second: Callable[[NetworkService], Any],
) -> None:
    first = pool.submit(service.setup_networks, RED, {}, opts("r1", connectivityTimeout=5))
    eventually(awaiting_confirmation(service, "r1"))
    started = time.monotonic()
    error = setup_error(lambda: second(service))
    assert time.monotonic() - started < 0.5
    assert error.code == Code.UNAVAILABLE
    service.confirm_connectivity()
    assert first.result(timeout=5)["state"] == "committed"
    assert set(state_dir.running().networks) == {"red"}
    assert service.transaction("r2")["state"] == "unknown"


def test_the_lock_is_free_again_after_a_failure(service: NetworkService) -> None:
    setup_error(lambda: service.setup_networks({"red": {"nic": "eth1", "vlan": 5000}}, {}, opts("r1")))
    setup_error(lambda: service.setup_networks(RED, {}, opts("r2", connectivityTimeout=0.1)))
    assert service.setup_networks(RED, {}, opts("r3", **NO_CHECK))["state"] == "committed"


# --- failures ----------------------------------------------------------------------------------------------


def test_validation_failure_touches_nothing(service: NetworkService, state_dir: StateDir, backend: SimBackend) -> None:
    before = snapshot(backend.query())
    error = setup_error(lambda: service.setup_networks({"red": {"nic": "eth1", "vlan": 5000}}, {}, opts("r1")))
    assert error.code == Code.BAD_VLAN
    assert snapshot(backend.query()) == before
    assert state_dir.open_transaction() is None
    assert state_dir.history() == []
    assert backend.change_counter() == 0


@pytest.mark.parametrize(
    ("fail_on", "networks", "bonds"),
    [
        pytest.param(a.AddAddress, RED, {}, id="AddAddress"),
        pytest.param(a.CreateVlan, RED, {}, id="CreateVlan"),
        pytest.param(a.SetMaster, {"red": {"bonding": "bond0"}}, BOND, id="SetMaster-on-bond"),
        pytest.param(a.StartDhcp, {"red": {"nic": "eth1", "bootproto": "dhcp"}}, {}, id="StartDhcp"),
        pytest.param(
            a.SetDefaultRoute,
            {
                "red": {
                    "nic": "eth1",
                    "ipaddr": "198.51.100.5",
                    "prefix": 24,
                    "gateway": "198.51.100.1",
                    "defaultRoute": True,
                }
            },
            {},
            id="SetDefaultRoute",
        ),
    ],
)
def test_backend_failure_mid_apply_rolls_back_with_reason_error(
    tmp_path: Path, fail_on: type, networks: dict[str, Any], bonds: dict[str, Any]
) -> None:
    backend = SimBackend(sim_host())  # no default route: restoring it would need the failing step kind
    service = NetworkService(backend, StateDir(tmp_path / "state"))
    before = snapshot(backend.query())
    backend.fail_on = fail_on
    error = setup_error(lambda: service.setup_networks(networks, bonds, opts("r1")))
    assert error.code == Code.GENERAL
    assert "simulated failure" in error.message
    assert snapshot(backend.query()) == before
    assert service.state_dir.running() == NetConfig()
    entry = service.transaction("r1")
    assert (entry["state"], entry["reason"]) == ("rolled_back", "error")
    assert "simulated failure" in entry["message"]


class LossySim(SimBackend):
    """A kernel that acknowledges AddAddress but never shows the address."""

    def apply(self, step: a.Action) -> None:
        if isinstance(step, a.AddAddress):
            return
        super().apply(step)


def test_verify_mismatch_rolls_back_with_reason_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transactions, "VERIFY_GRACE_SECONDS", 0.2)
    backend = LossySim(sim_host())
    service = NetworkService(backend, StateDir(tmp_path / "state"))
    before = snapshot(backend.query())
    error = setup_error(lambda: service.setup_networks(RED, {}, opts("r1", connectivityTimeout=5)))
    assert error.code == Code.BAD_PARAMS
    assert "verify failed: red: address 198.51.100.5/24 missing" in error.message
    assert snapshot(backend.query()) == before
    entry = service.transaction("r1")
    assert (entry["state"], entry["reason"]) == ("rolled_back", "verify")


# --- getNetworkTransaction ---------------------------------------------------------------------------------


def test_transaction_states_open_committed_rolled_back_unknown(
    service: NetworkService, pool: ThreadPoolExecutor
) -> None:
    assert service.transaction("nope") == {"requestId": "nope", "state": "unknown"}

    future = pool.submit(service.setup_networks, RED, {}, opts("r1", connectivityTimeout=5))
    eventually(awaiting_confirmation(service, "r1"))
    assert service.transaction("r1") == {"requestId": "r1", "state": "open", "phase": "awaiting confirmation"}
    service.confirm_connectivity()
    future.result(timeout=5)
    committed = service.transaction("r1")
    assert (committed["state"], committed["correlationId"]) == ("committed", "corr-r1")
    assert "reason" not in committed
    assert committed["started"] <= committed["finished"]

    setup_error(lambda: service.setup_networks(BLUE, {}, opts("r2", connectivityTimeout=0.2)))
    rolled_back = service.transaction("r2")
    assert (rolled_back["state"], rolled_back["reason"]) == ("rolled_back", "connectivity")
    assert "no Host.confirmConnectivity within 0.2 s" in rolled_back["message"]


def test_history_keeps_the_last_100(service: NetworkService, state_dir: StateDir) -> None:
    for number in range(HISTORY_SIZE + 5):
        service.setup_networks({}, {}, opts(f"r{number}", **NO_CHECK))
    history = state_dir.history()
    assert HISTORY_SIZE == 100
    assert len(history) == 100
    assert [entry["requestId"] for entry in history] == [f"r{n}" for n in range(5, 105)]
    assert service.transaction("r4")["state"] == "unknown"
    assert service.transaction("r5")["state"] == "committed"


# --- crash and recovery ------------------------------------------------------------------------------------


def crash_at(point: str) -> Callable[[str], None]:
    def crash_point(name: str) -> None:
        if name == point:
            raise Killed(name)

    return crash_point


@pytest.mark.parametrize("point", ["after_journal", "mid_apply", "after_verify"])
def test_new_agent_rolls_back_a_change_interrupted_by_a_crash(
    monkeypatch: pytest.MonkeyPatch, backend: SimBackend, state_dir: StateDir, point: str
) -> None:
    old = NetworkService(backend, state_dir)
    old.setup_networks(BLUE, {}, opts("r0", commitOnSuccess=True, **NO_CHECK))
    before = snapshot(backend.query())
    monkeypatch.setattr(hooks, "crash_point", crash_at(point))
    with pytest.raises(Killed):
        old.setup_networks({**RED, "blue": {"remove": True}}, BOND, opts("r1", connectivityTimeout=5))
    assert state_dir.open_transaction() is not None  # the journal survived the "kill"
    assert state_dir.path("transaction.json").exists()

    restarted = NetworkService(backend, StateDir(state_dir.root))
    outcome = restarted.recover()
    assert outcome is not None
    assert (outcome["requestId"], outcome["state"], outcome["reason"]) == ("r1", "rolled_back", "crash")
    assert snapshot(backend.query()) == before
    assert restarted.state_dir.running() == config(BLUE)
    assert not state_dir.path("transaction.json").exists()
    entry = restarted.transaction("r1")
    assert (entry["state"], entry["reason"]) == ("rolled_back", "crash")
    assert restarted.recover() is None  # nothing left to recover


def test_journal_holds_the_kernel_baseline_before_the_kernel_is_touched(
    monkeypatch: pytest.MonkeyPatch, service: NetworkService, state_dir: StateDir, backend: SimBackend
) -> None:
    before = backend.query()
    monkeypatch.setattr(hooks, "crash_point", crash_at("after_journal"))
    with pytest.raises(Killed):
        service.setup_networks(RED, {}, opts("r1"))
    journal = state_dir.open_transaction()
    assert journal is not None
    assert journal["baseline"] == state_to_dict(before)
    assert (journal["requestId"], journal["correlationId"], journal["phase"]) == ("r1", "corr-r1", "applying")
    assert NetConfig.model_validate(journal["desired"]) == config(RED)
    assert backend.change_counter() == 0


def test_crash_while_adopting_the_management_address_gives_it_back(
    monkeypatch: pytest.MonkeyPatch, backend: SimBackend, state_dir: StateDir
) -> None:
    before = snapshot(backend.query())
    mgmt = {"mgmt": {"nic": "eth0", "ipaddr": "192.0.2.10", "prefix": 24, "gateway": GATEWAY, "defaultRoute": True}}
    monkeypatch.setattr(hooks, "crash_point", crash_at("after_verify"))
    with pytest.raises(Killed):
        NetworkService(backend, state_dir).setup_networks(mgmt, {}, opts("r1"))
    assert backend.query().devices["eth0"].master == "mgmt"
    NetworkService(backend, StateDir(state_dir.root)).recover()
    assert snapshot(backend.query()) == before


@pytest.mark.parametrize("with_baseline", [True, False], ids=["journal-with-baseline", "journal-without-baseline"])
def test_recover_from_a_hand_written_journal(backend: SimBackend, state_dir: StateDir, with_baseline: bool) -> None:
    previous = config(BLUE)
    desired = config({**BLUE, **RED})
    NetworkService(backend, state_dir).setup_networks(BLUE, {}, opts("r0", **NO_CHECK))
    before = snapshot(backend.query())
    record = {
        "requestId": "r1",
        "correlationId": "c1",
        "previous": previous.model_dump(by_alias=True),
        "desired": desired.model_dump(by_alias=True),
        "phase": "applying",
        "started": "2024-01-01T00:00:00+00:00",
    }
    if with_baseline:  # journals of older agents have no baseline
        record["baseline"] = state_to_dict(backend.query())
    steps = plan(backend.query(), previous, desired)
    for step in steps[: len(steps) // 2]:  # the agent died half way through
        backend.apply(step)
    state_dir.begin_transaction(record)
    outcome = NetworkService(backend, StateDir(state_dir.root)).recover()
    assert outcome is not None
    assert (outcome["state"], outcome["reason"], outcome["correlationId"]) == ("rolled_back", "crash", "c1")
    assert outcome["started"] == "2024-01-01T00:00:00+00:00"
    assert snapshot(backend.query()) == before
    assert verify(previous, backend.query(), desired).ok
    assert state_dir.running() == previous


def test_recover_without_a_journal_does_nothing(service: NetworkService, backend: SimBackend) -> None:
    before = backend.change_counter()
    assert service.recover() is None
    assert backend.change_counter() == before


# --- safe config and the dirty flag ------------------------------------------------------------------------


def test_restore_safe_config_brings_the_safe_config_back(
    service: NetworkService, state_dir: StateDir, backend: SimBackend
) -> None:
    service.setup_networks(BLUE, {}, opts("r1", commitOnSuccess=True, **NO_CHECK))
    safe_state = snapshot(backend.query())
    service.setup_networks({**RED, "blue": {"remove": True}}, BOND, opts("r2", **NO_CHECK))
    assert service.capabilities()["netConfigDirty"] is True

    service.restore_safe_config()
    assert state_dir.running() == state_dir.safe() == config(BLUE)
    assert snapshot(backend.query()) == safe_state
    assert service.capabilities()["netConfigDirty"] is False


def test_restore_safe_config_rolls_back_an_open_journal_first(
    monkeypatch: pytest.MonkeyPatch, backend: SimBackend, state_dir: StateDir
) -> None:
    old = NetworkService(backend, state_dir)
    old.setup_networks(BLUE, {}, opts("r0", commitOnSuccess=True, **NO_CHECK))
    safe_state = snapshot(backend.query())
    monkeypatch.setattr(hooks, "crash_point", crash_at("mid_apply"))
    with pytest.raises(Killed):
        old.setup_networks(RED, {}, opts("r1"))
    monkeypatch.undo()

    NetworkService(backend, StateDir(state_dir.root)).restore_safe_config()
    assert snapshot(backend.query()) == safe_state
    assert state_dir.open_transaction() is None
    assert state_dir.history()[-1]["reason"] == "crash"


def test_net_config_dirty_until_the_safe_config_is_saved(service: NetworkService, state_dir: StateDir) -> None:
    assert service.capabilities()["netConfigDirty"] is False
    service.setup_networks(RED, {}, opts("r1", **NO_CHECK))
    assert service.capabilities()["netConfigDirty"] is True
    service.setup_networks(BLUE, {}, opts("r2", **NO_CHECK))
    assert service.capabilities()["netConfigDirty"] is True
    service.set_safe_config()
    assert service.capabilities()["netConfigDirty"] is False
    assert state_dir.safe() == state_dir.running()


def test_rolled_back_change_leaves_the_dirty_flag_as_it_was(service: NetworkService) -> None:
    setup_error(lambda: service.setup_networks(RED, {}, opts("r1", connectivityTimeout=0.2)))
    assert service.capabilities()["netConfigDirty"] is False


# --- change counter ----------------------------------------------------------------------------------------


def test_change_counter_moves_on_changes(service: NetworkService, backend: SimBackend) -> None:
    start = service.ping2()["changeCounter"]
    service.setup_networks(RED, {}, opts("r1", **NO_CHECK))
    after_change = service.ping2()["changeCounter"]
    assert after_change > start
    service.setup_networks({}, {}, opts("r2", **NO_CHECK))
    assert service.ping2()["changeCounter"] == after_change  # nothing to do, nothing changed
    backend.touch()  # a change behind the agent's back
    assert service.ping2()["changeCounter"] == after_change + 1
    assert service.capabilities()["changeCounter"] == after_change + 1


# --- logging -----------------------------------------------------------------------------------------------


def _committed(service: NetworkService) -> None:
    service.setup_networks(RED, {}, opts("req-42", **NO_CHECK))


def _connectivity(service: NetworkService) -> None:
    setup_error(lambda: service.setup_networks(RED, {}, opts("req-42", connectivityTimeout=0.2)))


def _backend_error(service: NetworkService) -> None:
    service.backend.fail_on = a.AddAddress  # type: ignore[attr-defined]
    setup_error(lambda: service.setup_networks(RED, {}, opts("req-42")))


def _restore_step_fails(service: NetworkService) -> None:
    service.setup_networks(RED, {}, opts("req-0", **NO_CHECK))
    real_apply = service.backend.apply
    mtu_steps = []

    def apply(step: a.Action) -> None:  # the second MTU step fails, and so does every later one
        if isinstance(step, a.SetMtu):
            mtu_steps.append(step)
            if len(mtu_steps) >= 2:
                raise BackendError(f"refused {step}")
        real_apply(step)

    service.backend.apply = apply  # type: ignore[method-assign]
    red_9000 = {"red": {**RED["red"], "mtu": 9000}}
    setup_error(lambda: service.setup_networks(red_9000, {}, opts("req-42")))


def _crash_and_recover(service: NetworkService) -> None:
    original = hooks.crash_point
    hooks.crash_point = crash_at("mid_apply")  # type: ignore[assignment]
    try:
        with pytest.raises(Killed):
            service.setup_networks(RED, {}, opts("req-42"))
    finally:
        hooks.crash_point = original
    NetworkService(service.backend, StateDir(service.state_dir.root)).recover()


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        pytest.param(_committed, "committed", id="committed"),
        pytest.param(_connectivity, "Connectivity check failed, rolling back", id="connectivity-rollback"),
        pytest.param(_backend_error, "rolling back (error)", id="backend-error"),
        pytest.param(_restore_step_fails, "restore step", id="restore-step-fails"),
        pytest.param(_crash_and_recover, "found an unfinished network change", id="crash-recovery"),
    ],
)
def test_every_log_line_of_a_transaction_carries_request_and_correlation_ids(
    caplog: pytest.LogCaptureFixture, service: NetworkService, scenario: Callable[[NetworkService], None], expected: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="dcnet.agent.network")
    scenario(service)
    lines = [record.getMessage() for record in caplog.records if record.name == "dcnet.agent.network"]
    ours = [line for line in lines if "req-0" not in line]
    assert any(expected in line for line in ours), ours
    for line in ours:
        assert line.startswith("[request=req-42 correlation=corr-req-42] "), line

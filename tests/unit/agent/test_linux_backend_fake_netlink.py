"""LinuxBackend.apply against a fake Netlink: the exact pyroute2 calls each step makes, and how kernel refusals
become BackendErrors (no root, no namespaces: this machine's kernel has no VLAN or bond devices anyway)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from dcnet.agent.backend import BackendError
from dcnet.agent.backends import linux
from dcnet.agent.backends.linux import LinuxBackend
from dcnet.agent.backends.netlink import Netlink, NetlinkFailure
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.planning import plan
from dcnet.domain.hostnet.state import Device, HostState
from tests.unit.hostnet._hostnet import config

EOPNOTSUPP, EEXIST, EADDRNOTAVAIL, EBUSY = 95, 17, 99, 16
Call = tuple[str, str, dict[str, Any]]


class FakeNetlink:
    """Implements the Netlink protocol in memory: records every link/addr/route call, knows device indexes, and
    refuses the kinds in `unsupported` with EOPNOTSUPP like a kernel without that module."""

    def __init__(
        self, names: tuple[str, ...] = ("eth0", "eth1", "eth2", "eth3"), unsupported: frozenset[str] = frozenset()
    ):
        self._next = itertools.count(1)
        self.indexes = {name: next(self._next) for name in names}
        self.kinds: dict[str, str] = {}
        self.unsupported = unsupported
        self.calls: list[Call] = []
        self.failures: dict[tuple[str, str], int] = {}  # (method, command) -> errno, once
        self.closed = False

    def index(self, name: str) -> int:
        if name not in self.indexes:
            raise BackendError(f"Cannot find device {name!r}")
        return self.indexes[name]

    def _record(self, method: str, command: str, kwargs: dict[str, Any]) -> None:
        self.calls.append((method, command, kwargs))
        code = self.failures.pop((method, command), None)
        if code is not None:
            raise NetlinkFailure(code, f"{command} {kwargs}: errno {code}")

    def link(self, command: str, **kwargs: Any) -> None:
        if command == "add" and kwargs.get("kind") in self.unsupported:
            self.calls.append(("link", command, kwargs))
            raise NetlinkFailure(EOPNOTSUPP, f"add {kwargs}: EOPNOTSUPP (Operation not supported)")
        self._record("link", command, kwargs)
        if command == "add":
            self.indexes[kwargs["ifname"]] = next(self._next)
            self.kinds[kwargs["ifname"]] = kwargs["kind"]

    def addr(self, command: str, **kwargs: Any) -> None:
        self._record("addr", command, kwargs)

    def route(self, command: str, **kwargs: Any) -> None:
        self._record("route", command, kwargs)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake() -> FakeNetlink:
    return FakeNetlink()


@pytest.fixture
def backend(tmp_path: Path, fake: FakeNetlink, monkeypatch: pytest.MonkeyPatch) -> LinuxBackend:
    backend = LinuxBackend(tmp_path / "run", netlink=fake, monitor=False)
    # _is_bond looks at /sys/class/net/<name>/bonding, outside the Netlink interface: answer from the fake
    monkeypatch.setattr(backend, "_is_bond", lambda name: fake.kinds.get(name) == "bond")
    return backend


def test_fake_implements_the_netlink_protocol(fake: FakeNetlink) -> None:
    netlink: Netlink = fake
    assert netlink.index("eth1") == 2


# --- creating devices --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "calls"),
    [
        pytest.param(
            a.CreateVlan("eth1.100", "eth1", 100),
            [("link", "add", {"ifname": "eth1.100", "kind": "vlan", "link": 2, "vlan_id": 100})],
            id="vlan-on-nic",
        ),
        pytest.param(
            a.CreateBond("bond0", {"mode": "1", "miimon": "100"}),
            [("link", "add", {"ifname": "bond0", "kind": "bond", "bond_mode": "active-backup", "bond_miimon": 100})],
            id="bond-mode-1",
        ),
        pytest.param(
            a.CreateBond("bond0", {"mode": "4", "miimon": "100", "xmit_hash_policy": "2"}),
            [
                (
                    "link",
                    "add",
                    {
                        "ifname": "bond0",
                        "kind": "bond",
                        "bond_mode": "802.3ad",
                        "bond_miimon": 100,
                        "bond_xmit_hash_policy": 2,
                    },
                )
            ],
            id="bond-mode-4-lacp",
        ),
        pytest.param(
            a.CreateBond("bond0", {"mode": "balance-alb", "lacp_rate": "fast"}),
            [
                (
                    "link",
                    "add",
                    {"ifname": "bond0", "kind": "bond", "bond_mode": "balance-alb", "bond_lacp_rate": "fast"},
                )
            ],
            id="bond-named-mode-and-text-option",
        ),
        pytest.param(
            a.CreateBond("bond0", {}),
            [("link", "add", {"ifname": "bond0", "kind": "bond"})],
            id="bond-kernel-defaults",
        ),
        pytest.param(
            a.CreateBridge("red", "52:54:00:00:00:01", True),
            [
                (
                    "link",
                    "add",
                    {
                        "ifname": "red",
                        "kind": "bridge",
                        "br_stp_state": 1,
                        "br_forward_delay": 0,
                        "address": "52:54:00:00:00:01",
                    },
                )
            ],
            id="bridge-stp-on-with-mac",
        ),
        pytest.param(
            a.CreateBridge("red", None, False),
            [("link", "add", {"ifname": "red", "kind": "bridge", "br_stp_state": 0, "br_forward_delay": 0})],
            id="bridge-stp-off-kernel-mac",
        ),
    ],
)
def test_create_device_calls(backend: LinuxBackend, fake: FakeNetlink, step: a.Action, calls: list[Call]) -> None:
    backend.apply(step)
    assert fake.calls == calls


def test_vlan_on_a_bond_links_to_the_bonds_index(backend: LinuxBackend, fake: FakeNetlink) -> None:
    backend.apply(a.CreateBond("bond0", {"mode": "1"}))
    backend.apply(a.CreateVlan("bond0.7", "bond0", 7))
    assert fake.calls[-1] == (
        "link",
        "add",
        {"ifname": "bond0.7", "kind": "vlan", "link": fake.indexes["bond0"], "vlan_id": 7},
    )


@pytest.mark.parametrize(
    ("kind", "step", "message"),
    [
        pytest.param("vlan", a.CreateVlan("eth1.100", "eth1", 100), "cannot create VLAN devices", id="no-8021q"),
        pytest.param("bond", a.CreateBond("bond0", {"mode": "1"}), "cannot create bond devices", id="no-bonding"),
    ],
)
def test_eopnotsupp_becomes_a_clear_backend_error(tmp_path: Path, kind: str, step: a.Action, message: str) -> None:
    fake = FakeNetlink(unsupported=frozenset({kind}))
    backend = LinuxBackend(tmp_path, netlink=fake, monitor=False)
    with pytest.raises(BackendError) as info:
        backend.apply(step)
    assert type(info.value) is BackendError  # not the raw NetlinkFailure
    assert message in str(info.value)
    assert "this host's kernel" in str(info.value)


@pytest.mark.parametrize(
    "step",
    [pytest.param(a.CreateVlan("eth1.100", "eth1", 100), id="vlan"), pytest.param(a.CreateBond("bond0"), id="bond")],
)
def test_other_kernel_errors_are_passed_on(backend: LinuxBackend, fake: FakeNetlink, step: a.Action) -> None:
    fake.failures[("link", "add")] = EEXIST
    with pytest.raises(NetlinkFailure) as info:
        backend.apply(step)
    assert info.value.code == EEXIST
    assert "cannot create" not in str(info.value)


def test_vlan_on_an_unknown_base_is_refused(backend: LinuxBackend, fake: FakeNetlink) -> None:
    with pytest.raises(BackendError, match="Cannot find device 'eth9'"):
        backend.apply(a.CreateVlan("eth9.5", "eth9", 5))
    assert fake.calls == []


# --- ports, MTU, STP, up, delete ---------------------------------------------------------------------------


def test_enslaving_to_a_bond_takes_the_nic_down_then_sets_master_then_up(
    backend: LinuxBackend, fake: FakeNetlink
) -> None:
    backend.apply(a.CreateBond("bond0", {"mode": "1"}))
    fake.calls.clear()
    backend.apply(a.SetMaster("eth1", "bond0"))
    bond = fake.indexes["bond0"]
    assert fake.calls == [
        ("link", "set", {"index": 2, "state": "down"}),
        ("link", "set", {"index": 2, "master": bond}),
        ("link", "set", {"index": 2, "state": "up"}),
    ]


def test_adding_a_port_to_a_bridge_does_not_take_it_down(backend: LinuxBackend, fake: FakeNetlink) -> None:
    backend.apply(a.CreateBridge("red", None, False))
    fake.calls.clear()
    backend.apply(a.SetMaster("eth1", "red"))
    assert fake.calls == [
        ("link", "set", {"index": 2, "master": fake.indexes["red"]}),
        ("link", "set", {"index": 2, "state": "up"}),
    ]


@pytest.mark.parametrize(
    ("step", "calls"),
    [
        pytest.param(a.SetMaster("eth1", None), [("link", "set", {"index": 2, "master": 0})], id="release-port"),
        pytest.param(a.SetMtu("eth2", 9000), [("link", "set", {"index": 3, "mtu": 9000})], id="mtu"),
        pytest.param(a.SetUp("eth3"), [("link", "set", {"index": 4, "state": "up"})], id="up"),
        pytest.param(a.DeleteDevice("eth3"), [("link", "del", {"index": 4})], id="delete"),
        pytest.param(
            a.SetStp("eth0", True), [("link", "set", {"index": 1, "kind": "bridge", "br_stp_state": 1})], id="stp-on"
        ),
        pytest.param(
            a.SetStp("eth0", False), [("link", "set", {"index": 1, "kind": "bridge", "br_stp_state": 0})], id="stp-off"
        ),
    ],
)
def test_link_set_calls(backend: LinuxBackend, fake: FakeNetlink, step: a.Action, calls: list[Call]) -> None:
    backend.apply(step)
    assert fake.calls == calls


# --- addresses and routes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "call"),
    [
        pytest.param(
            a.AddAddress("eth1", "192.0.2.10/24"),
            ("addr", "add", {"index": 2, "address": "192.0.2.10", "prefixlen": 24}),
            id="add-ipv4",
        ),
        pytest.param(
            a.AddAddress("eth1", "2001:db8::10/64"),
            ("addr", "add", {"index": 2, "address": "2001:db8::10", "prefixlen": 64, "IFA_FLAGS": 0x2}),
            id="add-ipv6-nodad",
        ),
        pytest.param(
            a.DeleteAddress("eth1", "192.0.2.10/24"),
            ("addr", "del", {"index": 2, "address": "192.0.2.10", "prefixlen": 24}),
            id="delete-ipv4",
        ),
        pytest.param(
            a.DeleteAddress("eth1", "2001:db8::10/64"),
            ("addr", "del", {"index": 2, "address": "2001:db8::10", "prefixlen": 64}),
            id="delete-ipv6",
        ),
        pytest.param(
            a.SetDefaultRoute("eth0", "192.0.2.1", 4),
            ("route", "replace", {"dst": "0.0.0.0/0", "gateway": "192.0.2.1", "oif": 1, "family": 2}),
            id="default-route-v4",
        ),
        pytest.param(
            a.SetDefaultRoute("eth0", "2001:db8::1", 6),
            ("route", "replace", {"dst": "::/0", "gateway": "2001:db8::1", "oif": 1, "family": 10}),
            id="default-route-v6",
        ),
    ],
)
def test_address_and_route_calls(backend: LinuxBackend, fake: FakeNetlink, step: a.Action, call: Call) -> None:
    backend.apply(step)
    assert fake.calls == [call]


@pytest.mark.parametrize(
    ("step", "command", "code"),
    [
        pytest.param(a.AddAddress("eth1", "192.0.2.10/24"), "add", EEXIST, id="add-existing-EEXIST"),
        pytest.param(a.DeleteAddress("eth1", "192.0.2.10/24"), "del", EADDRNOTAVAIL, id="delete-absent-EADDRNOTAVAIL"),
    ],
)
def test_address_already_in_the_wanted_state_is_not_an_error(
    backend: LinuxBackend, fake: FakeNetlink, step: a.Action, command: str, code: int
) -> None:
    fake.failures[("addr", command)] = code
    backend.apply(step)
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    ("step", "command"),
    [
        pytest.param(a.AddAddress("eth1", "192.0.2.10/24"), "add", id="add"),
        pytest.param(a.DeleteAddress("eth1", "192.0.2.10/24"), "del", id="delete"),
    ],
)
def test_other_address_errors_are_raised(
    backend: LinuxBackend, fake: FakeNetlink, step: a.Action, command: str
) -> None:
    fake.failures[("addr", command)] = EBUSY
    with pytest.raises(NetlinkFailure) as info:
        backend.apply(step)
    assert info.value.code == EBUSY


def test_route_error_is_raised(backend: LinuxBackend, fake: FakeNetlink) -> None:
    fake.failures[("route", "replace")] = 101  # ENETUNREACH: gateway not reachable through the device
    with pytest.raises(BackendError):
        backend.apply(a.SetDefaultRoute("eth0", "198.51.100.1", 4))


# --- whole plans, counter, close ---------------------------------------------------------------------------


def test_a_bonded_vlan_bridge_plan_becomes_bond_vlan_bridge_link_adds(
    backend: LinuxBackend, fake: FakeNetlink, monkeypatch: pytest.MonkeyPatch
) -> None:
    autoconf: list[tuple[str, bool]] = []
    monkeypatch.setattr(linux, "_set_autoconf", lambda device, enabled: autoconf.append((device, enabled)))
    state = HostState(devices={f"eth{i}": Device(f"eth{i}", "nic", up=True) for i in range(4)})
    new = config(
        {"red": {"bonding": "bond0", "vlan": 100, "mtu": 9000}},
        {"bond0": {"nics": ["eth1", "eth2"], "options": "mode=1 miimon=100"}},
    )
    for step in plan(state, config(), new):
        backend.apply(step)
    adds = [
        (kwargs["ifname"], kwargs["kind"])
        for method, command, kwargs in fake.calls
        if (method, command) == ("link", "add")
    ]
    assert adds == [("bond0", "bond"), ("bond0.100", "vlan"), ("red", "bridge")]
    slaves = [kwargs for method, command, kwargs in fake.calls if "master" in kwargs]
    assert slaves == [
        {"index": 2, "master": fake.indexes["bond0"]},
        {"index": 3, "master": fake.indexes["bond0"]},
        {"index": fake.indexes["bond0.100"], "master": fake.indexes["red"]},
    ]
    assert autoconf == [("bond0", False), ("bond0.100", False), ("red", False)]


def test_change_counter_moves_with_every_applied_step(backend: LinuxBackend) -> None:
    assert backend.change_counter() == 0
    backend.apply(a.SetUp("eth1"))
    backend.apply(a.SetMtu("eth1", 9000))
    assert backend.change_counter() == 2


def test_a_failed_step_does_not_move_the_counter(backend: LinuxBackend, fake: FakeNetlink) -> None:
    fake.failures[("link", "set")] = EBUSY
    with pytest.raises(BackendError):
        backend.apply(a.SetUp("eth1"))
    assert backend.change_counter() == 0


def test_close_closes_the_netlink_socket(backend: LinuxBackend, fake: FakeNetlink) -> None:
    backend.close()
    assert fake.closed


def test_autoconf_on_a_missing_device_is_a_backend_error(backend: LinuxBackend) -> None:
    with pytest.raises(BackendError, match="cannot set IPv6 autoconf on dcnet-no-such-dev"):
        backend.apply(a.SetAutoconf("dcnet-no-such-dev", True))

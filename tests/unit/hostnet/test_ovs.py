"""Open vSwitch networks on the simulated backend: plans, verification, rollback, capabilities."""

from __future__ import annotations

from pathlib import Path

import pytest

from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.agent.persistence import StateDir
from dcnet.agent.transactions import NetworkService
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.ovs import bridge_name, desired_ovs, ovs_plan, ovs_steps
from dcnet.domain.hostnet.ovs_model import OvsState
from dcnet.domain.hostnet.state import Features
from tests.unit.hostnet._hostnet import config

OVS = Features(kernel_vlan=False, kernel_bond=False, ovs=True, dhcp_client=True)
BOND = {"nics": ["eth1", "eth2"], "options": "mode=1 miimon=100", "switch": "ovs"}
VLAN_ON_BOND = {"red": {"bonding": "bond0", "vlan": 100, "switch": "ovs", "ipaddr": "10.1.0.5", "prefix": 24}}


def service(tmp_path: Path) -> tuple[NetworkService, SimBackend]:
    state = sim_host()
    state.ovs = OvsState(system_id="host-1")
    backend = SimBackend(state, features=OVS)
    return NetworkService(backend, StateDir(tmp_path)), backend


def test_bridge_names_fit_a_device_name() -> None:
    assert bridge_name("eth1") == "br-eth1"
    assert len(bridge_name("a-very-long-nic-name").encode()) <= 15


def test_vlan_network_on_an_ovs_bond_makes_bridge_bond_then_tagged_internal_port() -> None:
    before, after = ovs_steps(OvsState(), NetConfig(), config(VLAN_ON_BOND, {"bond0": BOND}))
    assert before == [
        a.OvsAddBridge("br-bond0"),
        a.OvsAddBond("br-bond0", "bond0", ("eth1", "eth2"), "active-backup", (("miimon", "100"),)),
        a.OvsAddPort("br-bond0", "red", 100, True, 1500),
    ]
    assert after == []


def test_removal_deletes_ports_then_the_bridge_last() -> None:
    old = config(VLAN_ON_BOND, {"bond0": BOND})
    _, after = ovs_steps(desired_ovs(old), old, NetConfig())
    assert after == [a.OvsDelPort("br-bond0", "bond0"), a.OvsDelPort("br-bond0", "red"), a.OvsDelBridge("br-bond0")]


def test_vlan_change_retags_the_port() -> None:
    old = config({"red": {"nic": "eth1", "vlan": 100, "switch": "ovs"}})
    new = config({"red": {"nic": "eth1", "vlan": 200, "switch": "ovs"}})
    before, after = ovs_steps(desired_ovs(old), old, new)
    assert before == [a.OvsSetTag("red", 200)] and after == []
    assert ovs_plan(desired_ovs(old), old, new) == ([a.OvsTransaction((a.OvsSetTag("red", 200),))], [])


def test_setup_commit_report_and_rollback_on_the_sim(tmp_path: Path) -> None:
    svc, backend = service(tmp_path)
    svc.setup_networks(VLAN_ON_BOND, {"bond0": BOND}, {"connectivityCheck": False})
    caps = svc.capabilities()
    assert caps["bondings"]["bond0"]["switch"] == "ovs" and caps["bondings"]["bond0"]["slaves"] == ["eth1", "eth2"]
    assert caps["vlans"]["bond0.100"] == caps["vlans"]["bond0.100"] | {"iface": "bond0", "vlanid": 100}
    assert caps["networks"]["red"]["iface"] == "red" and caps["networks"]["red"]["southbound"] == "bond0.100"
    assert caps["networks"]["red"]["ipv4addrs"] == ["10.1.0.5/24"]
    assert caps["openstack_binding_host_id"] == "host-1"
    before = backend.query()
    with pytest.raises(SetupError) as lost:
        svc.setup_networks(
            {"blue": {"nic": "eth3", "switch": "ovs"}}, {}, {"connectivityCheck": True, "connectivityTimeout": 0.2}
        )
    assert lost.value.code == Code.LOST_CONNECTION
    assert backend.query().ovs == before.ovs and "blue" not in backend.query().devices


def test_ovs_needs_open_vswitch(tmp_path: Path) -> None:
    svc = NetworkService(SimBackend(sim_host()), StateDir(tmp_path))
    with pytest.raises(SetupError) as refused:
        svc.setup_networks({"red": {"nic": "eth1", "switch": "ovs"}}, {}, {"connectivityCheck": False})
    assert refused.value.code == Code.BAD_PARAMS and "Open vSwitch is not available" in refused.value.message

"""fleet/topology.py, faults.py and the fleet's addresses: what a sim host is made of, without a process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dcnet.agent.fleet.faults import ALL, Faults, SimulatedCrash
from dcnet.agent.fleet.serve import FleetError, fleet_addresses
from dcnet.agent.fleet.topology import Topology, TopologyError, host_state, load_topology
from dcnet.domain.hostnet.state import HostState

BOND_VLAN = """
defaults:
  nics: 4
  bonds: {bond4: {slaves: [eth2, eth3], mode: "4", options: {miimon: "100"}}}
  vlans: {bond4.3000: {base: bond4, id: 3000}}
  management: bond4.3000
  gateway: 127.0.0.1
hosts:
  10-19: {bonds: {bond0: {slaves: [eth1]}}, vlans: {}, management: bond0}
  sim12: {nics: [eth0, {name: eth1, mtu: 9000}], prefix: 32}
"""


def test_default_host_has_four_nics_and_its_address_on_eth0() -> None:
    state = host_state(Topology().spec(5), "sim5", "127.1.0.6", 5)
    assert sorted(state.devices) == ["eth0", "eth1", "eth2", "eth3"]
    assert [a.cidr for a in state.devices["eth0"].addresses] == ["127.1.0.6/8"]
    assert state.devices["eth3"].mac == "52:54:00:00:05:03" and state.devices["eth3"].speed == 10000
    assert state.hostname == "sim5" and not state.default_routes and state.ovs is None


def test_management_on_a_vlan_of_a_bond(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(BOND_VLAN)
    topology = load_topology(path)
    state = host_state(topology.spec(0), "sim0", "127.1.0.1", 0)
    bond, vlan = state.devices["bond4"], state.devices["bond4.3000"]
    assert (bond.kind, bond.bond_mode, bond.bond_options, bond.active_slave) == ("bond", "4", {"miimon": "100"}, "eth2")
    assert state.ports_of("bond4") == ["eth2", "eth3"] and bond.speed == 20000
    assert (vlan.vlan_base, vlan.vlan_id, [a.cidr for a in vlan.addresses]) == ("bond4", 3000, ["127.1.0.1/8"])
    assert [(r.device, r.gateway) for r in state.default_routes] == [("bond4.3000", "127.0.0.1")]
    assert state.devices["eth0"].addresses == []


def test_overrides_by_range_then_name_replace_whole_keys(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(BOND_VLAN)
    topology = load_topology(path)
    one_slave = host_state(topology.spec(11), "sim11", "127.1.0.12", 11)
    assert state_kinds(one_slave) == {"bond0": "bond"}  # `bonds` replaced whole: no bond4, no VLAN on it
    assert one_slave.ports_of("bond0") == ["eth1"] and one_slave.devices["bond0"].addresses[0].prefixlen == 8
    small = host_state(topology.spec(12), "sim12", "127.1.0.13", 12)
    assert sorted(small.devices) == ["bond0", "eth0", "eth1"]
    assert small.devices["eth1"].mtu == 9000 and small.devices["bond0"].addresses[0].prefixlen == 32
    assert topology.spec(11) is topology.spec(13)  # one validated spec per combination of entries


def state_kinds(state: HostState) -> dict[str, str]:
    return {name: device.kind for name, device in state.devices.items() if device.kind != "nic"}


def test_json_files_and_bridges(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    spec = {"defaults": {"nics": 2, "bridges": {"br0": {"ports": ["eth0"], "stp": True}}, "management": "br0"}}
    path.write_text(json.dumps(spec))
    state = host_state(load_topology(path).spec(0), "sim0", "127.1.0.1", 0)
    assert state.devices["eth0"].master == "br0" and state.devices["br0"].stp
    assert [a.cidr for a in state.devices["br0"].addresses] == ["127.1.0.1/8"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("defaults: {bonds: {b: {slaves: [eth9]}}}", "eth9 is not a nic"),
        ("defaults: {bonds: {a: {slaves: [eth1]}, b: {slaves: [eth1]}}}", "eth1 already belongs to a"),
        ("defaults: {management: eth7}", "management: eth7"),
        ("defaults: {vlans: {v: {base: eth0, id: 5000}}}", "less than or equal to 4094"),
        ("defaults: {nics: 2, colour: blue}", "colour"),
        ("hosts: {web: {nics: 1}}", "select hosts by name"),
        ("hosts: {3-4: {management: eth9}}", "hosts.3-4"),
        ("[1, 2]", "expected a mapping"),
        ("defaults: {nics: [eth0, eth0]}", "nic eth0 twice"),
        ("defaults: {addresses: {eth0: [not-an-address]}}", "bad address"),
    ],
)
def test_impossible_hosts_fail_at_load(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(TopologyError, match=message):
        topology = load_topology(path)
        for index in range(5):
            topology.spec(index)


def test_fleet_addresses_stay_in_loopback() -> None:
    assert fleet_addresses("127.1.0.254", 4) == ["127.1.0.254", "127.1.0.255", "127.1.1.0", "127.1.1.1"]
    assert len(fleet_addresses("127.1.0.1", 10000)) == 10000
    for base, count in [("127.255.255.250", 10), ("10.0.0.1", 1), ("::1", 1), ("127.1.0.1", 0)]:
        with pytest.raises(FleetError):
            fleet_addresses(base, count)


def test_faults_per_verb_and_a_crash_that_fires_once() -> None:
    faults = Faults()
    faults.latency[ALL] = 0.5
    faults.latency["Host.ping2"] = 0.1
    faults.failures["Host.getCapabilities"] = (99, "no")
    assert (faults.delay("Host.ping2"), faults.delay("Host.setupNetworks")) == (0.1, 0.5)
    assert faults.failure("Host.getCapabilities") == (99, "no") and faults.failure("Host.ping2") is None
    faults.crash_at = "mid_apply"
    faults.crash_point("after_journal")
    with pytest.raises(SimulatedCrash) as crash:
        faults.crash_point("mid_apply")
    assert crash.value.point == "mid_apply" and not isinstance(crash.value, Exception)
    faults.crash_point("mid_apply")  # once only
    faults.clear("Host.ping2")
    assert faults.delay("Host.ping2") == 0.5
    faults.clear(None)
    assert faults.delay("Host.ping2") == 0 and faults.failure("Host.getCapabilities") is None

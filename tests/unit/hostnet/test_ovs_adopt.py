"""A host whose address sits on an OVS bond someone else built (`br-bond4`, bond `bond4` over eth2+eth3,
internal port `bond4.3000` tag 3000 or interface `bond4` in port `bond4-ip`): how capabilities show it, which
ports a management network takes over, and that a rollback brings the foreign layout back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dcnet.agent.backends.dhcp import dhclient_devices
from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.agent.persistence import StateDir
from dcnet.agent.transactions import NetworkService
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.capabilities import report
from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.ovs import TakenOver, ovs_steps, taken_over
from dcnet.domain.hostnet.ovs_model import OvsBridge, OvsPort, OvsState
from dcnet.domain.hostnet.planning import plan
from dcnet.domain.hostnet.state import Address, Device, Features, HostState, Route
from tests.unit.hostnet._hostnet import config, snapshot

OVS = Features(kernel_vlan=False, kernel_bond=False, ovs=True, dhcp_client=True)
BOND = {"bond4": {"nics": ["eth2", "eth3"], "options": "mode=active-backup", "switch": "ovs"}}
MAC = "02:00:00:00:30:00"
LEASE = Address("10.177.2.150", 24, dynamic=True)


def bond_host(vlan: int | None = 3000, *, dhcp: bool = True, extra_ports: tuple[OvsPort, ...] = ()) -> HostState:
    """What the lab's build_bond_host makes, as the Linux backend reads it."""
    state = sim_host(nics=4)
    holder = "bond4" if vlan is None else f"bond4.{vlan}"
    port = OvsPort("bond4-ip" if vlan is None else holder, "internal", tag=vlan, interfaces=[holder])
    bond = OvsPort("bond4", "bond", interfaces=["eth2", "eth3"], bond_mode="active-backup", active_slave="eth2")
    bridge = OvsBridge("br-bond4", {p.name: p for p in (bond, port, *extra_ports)})
    state.ovs = OvsState({"br-bond4": bridge}, system_id="host-1")
    address = LEASE if dhcp else Address("10.177.2.11", 24)
    state.devices[holder] = Device(holder, "ovs", mac=MAC, up=True, carrier=True, addresses=[address])
    state.default_routes.append(Route(holder, "10.177.2.1", 4))
    if dhcp:
        state.dhcp4.add(holder)
    for extra in extra_ports:
        for name in extra.interfaces:
            state.devices[name] = Device(name, "ovs", up=True, addresses=[Address("10.9.0.5", 24)])
    return state


def mgmt(vlan: int | None = 3000, **ip: Any) -> NetConfig:
    attrs = {"bonding": "bond4", "switch": "ovs", "defaultRoute": True, **ip} | ({"vlan": vlan} if vlan else {})
    return config({"ovirtmgmt": attrs}, BOND)


def caps(state: HostState, running: NetConfig | None = None) -> dict[str, Any]:
    return report(state, running or NetConfig(), OVS, dirty=False)


# --- capabilities ----------------------------------------------------------------------------------------


def test_foreign_tagged_port_is_a_vlan_over_the_bond_with_its_ip_fields() -> None:
    entry = caps(bond_host())["vlans"]["bond4.3000"]
    assert entry | {"iface": "bond4", "vlanid": 3000, "switch": "ovs"} == entry
    assert (entry["addr"], entry["netmask"], entry["ipv4addrs"]) == ("10.177.2.150", "255.255.255.0", [LEASE.cidr])
    assert (entry["dhcpv4"], entry["gateway"], entry["ipv4defaultroute"]) == (True, "10.177.2.1", True)


def test_untagged_interface_named_like_the_bond_gives_the_bond_its_ip_fields() -> None:
    report_ = caps(bond_host(None, dhcp=False))
    bond = report_["bondings"]["bond4"]
    assert bond["ipv4addrs"] == ["10.177.2.11/24"] and bond["dhcpv4"] is False and bond["hwaddr"] == MAC
    assert bond["slaves"] == ["eth2", "eth3"] and bond["opts"]["mode"] == "active-backup"
    assert report_["vlans"] == {} and "bond4" not in report_["nics"]


def test_a_network_of_ours_on_the_same_vlan_keeps_its_entry_and_a_foreign_port_its_own_name() -> None:
    state = bond_host()
    bridge = state.ovs.bridges["br-bond4"]  # type: ignore[union-attr]
    bridge.ports["red"] = OvsPort("red", "internal", tag=3000, interfaces=["red"])
    bridge.ports["mgmt"] = OvsPort("mgmt", "internal", tag=3000, interfaces=["mgmt"])
    state.devices["red"] = Device("red", "ovs", up=True)
    state.devices["mgmt"] = Device("mgmt", "ovs", up=True, addresses=[Address("10.177.2.9", 24)])
    running = config({"red": {"bonding": "bond4", "vlan": 3000, "switch": "ovs"}}, BOND)
    vlans = caps(state, running)["vlans"]
    assert vlans["bond4.3000"]["ipv4addrs"] == [] and vlans["bond4.3000"]["iface"] == "bond4"
    assert vlans["mgmt"]["ipv4addrs"] == ["10.177.2.9/24"] and vlans["mgmt"]["vlanid"] == 3000


def test_a_bridge_without_a_nic_or_bond_uplink_reports_no_vlans() -> None:
    state = bond_host()
    state.ovs.bridges["br-int"] = OvsBridge(  # type: ignore[union-attr]
        "br-int", {"patch": OvsPort("patch"), "x.5": OvsPort("x.5", "internal", tag=5, interfaces=["x.5"])}
    )
    state.devices["x.5"] = Device("x.5", "ovs", addresses=[Address("10.5.0.1", 24)])
    assert set(caps(state)["vlans"]) == {"bond4.3000"}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["dhclient", "-4", "-v", "-1", "-sf", "/s", "-cf", "/c", "-pf", "/p", "-lf", "/l", "bond4.3000"],
         (4, ["bond4.3000"])),
        (["dhclient", "-6", "-nw", "-pf", "/p", "eth1", "eth2"], (6, ["eth1", "eth2"])),
        (["dhclient", "-e", "DCNET_DEFAULT_ROUTE=yes", "ovirtmgmt"], (4, ["ovirtmgmt"])),
        (["dhclient", "-r", "-pf", "/p", "eth1"], (0, [])),
        (["dhclient", "-x", "eth1"], (0, [])),
    ],
)  # fmt: skip
def test_dhclient_command_lines_name_device_and_family(argv: list[str], expected: tuple[int, list[str]]) -> None:
    assert dhclient_devices(argv) == expected


# --- which ports are taken over --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "new", "old", "expected"),
    [
        pytest.param(bond_host(), mgmt(), None, ["bond4.3000"], id="same-bridge-and-tag"),
        pytest.param(bond_host(), mgmt(100), None, [], id="other-tag"),
        pytest.param(bond_host(None, dhcp=False), mgmt(None), None, ["bond4-ip"], id="untagged"),
        pytest.param(bond_host(), mgmt(), mgmt(), [], id="network-already-there"),
        pytest.param(bond_host(), NetConfig(), None, [], id="no-network"),
    ],
)
def test_taken_over_ports(state: HostState, new: NetConfig, old: NetConfig | None, expected: list[str]) -> None:
    assert [t.port for t in taken_over(state, new, old)] == expected


def test_a_foreign_port_without_an_address_is_not_taken_over() -> None:
    state = bond_host()
    state.devices["bond4.3000"].addresses = []
    state.dhcp4.clear()
    assert taken_over(state, mgmt()) == []


def test_take_over_adds_the_port_with_the_holders_mac_and_removes_only_the_holder() -> None:
    storage = OvsPort("bond4.200", "internal", tag=200, interfaces=["bond4.200"])
    state = bond_host(extra_ports=(storage,))
    replaced = taken_over(state, mgmt())
    assert replaced == [TakenOver("br-bond4", "bond4.3000", "bond4.3000", "ovirtmgmt", MAC)]
    before, after = ovs_steps(state.ovs, NetConfig(), mgmt(), replaced)
    assert before == [a.OvsAddPort("br-bond4", "ovirtmgmt", 3000, True, 1500, MAC)]  # bridge and bond adopted
    assert after == [a.OvsDelPort("br-bond4", "bond4.3000")]  # the storage port stays


def test_dhcp_take_over_plan_starts_the_new_client_first_and_stops_the_old_one_last() -> None:
    steps = plan(bond_host(), NetConfig(), mgmt(bootproto="dhcp"))
    start = steps.index(a.StartDhcp("ovirtmgmt", 4, True))
    stop = steps.index(a.StopDhcp("bond4.3000", 4))
    assert start < stop < len(steps) - 1 and isinstance(steps[-1], a.OvsTransaction)
    assert not any(isinstance(s, a.DeleteAddress) for s in steps)  # the holder's address goes with its port


# --- on the simulated backend ----------------------------------------------------------------------------


def service(tmp_path: Path, state: HostState) -> tuple[NetworkService, SimBackend]:
    backend = SimBackend(state, features=OVS)
    return NetworkService(backend, StateDir(tmp_path)), backend


@pytest.mark.parametrize("vlan", [3000, None], ids=["tagged", "untagged"])
def test_static_take_over_commits_then_rollback_restores_the_foreign_layout(tmp_path: Path, vlan: int | None) -> None:
    svc, backend = service(tmp_path, bond_host(vlan, dhcp=False))
    before = backend.query()
    request = {"bonding": "bond4", "switch": "ovs", "ipaddr": "10.177.2.11", "netmask": "255.255.255.0"}
    request |= {"gateway": "10.177.2.1", "defaultRoute": True} | ({"vlan": vlan} if vlan else {})
    with pytest.raises(SetupError) as lost:
        svc.setup_networks({"ovirtmgmt": request}, BOND, {"connectivityTimeout": 0.2})
    assert lost.value.code == Code.LOST_CONNECTION
    after = backend.query()
    assert snapshot(after) == snapshot(before) and after.ovs == before.ovs
    svc.setup_networks({"ovirtmgmt": request}, BOND, {"connectivityCheck": False})
    now = backend.query()
    holder = "bond4" if vlan is None else "bond4.3000"
    assert holder not in now.devices and now.devices["ovirtmgmt"].mac == MAC
    assert [x.cidr for x in now.devices["ovirtmgmt"].addresses] == ["10.177.2.11/24"]
    assert now.default_route(4) == Route("ovirtmgmt", "10.177.2.1", 4)


def test_dhcp_rollback_restarts_the_holders_client_with_its_default_route(tmp_path: Path) -> None:
    state = bond_host()
    svc, backend = service(tmp_path, state)
    with pytest.raises(SetupError):
        svc.setup_networks({"ovirtmgmt": mgmt(bootproto="dhcp").networks["ovirtmgmt"].model_dump()}, BOND,
                           {"connectivityTimeout": 0.2})  # fmt: skip
    after = backend.query()
    assert after.ovs == state.ovs and "ovirtmgmt" not in after.devices
    assert after.dhcp4 == {"bond4.3000"} and after.devices["bond4.3000"].mac == MAC
    assert after.default_route(4) is not None and after.default_route(4).device == "bond4.3000"  # type: ignore[union-attr]

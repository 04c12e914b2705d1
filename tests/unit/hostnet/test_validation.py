"""validation.py: merge (partial request → new running config) and validate (reference §3.3), each rule with
its exact agent code."""

from __future__ import annotations

from typing import Any

import pytest

from dcnet.agent.backends.sim import sim_host
from dcnet.domain.hostnet.codes import Code
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.state import Device, Features, HostState
from tests.unit.hostnet._hostnet import config, refusal, request

NO_VLAN = Features(kernel_vlan=False, kernel_bond=True, ovs=False, dhcp_client=True)
NO_BOND = Features(kernel_vlan=True, kernel_bond=False, ovs=False, dhcp_client=True)
TWO_SLAVES = {"nics": ["eth1", "eth2"], "options": "mode=1 miimon=100"}


def host_with(*devices: Device) -> HostState:
    """sim_host's eth0..eth3 plus the given (unmanaged) devices."""
    state = sim_host()
    for device in devices:
        state.devices[device.name] = device
    return state


def expect(code: Code, fragment: str, *args: Any, **kwargs: Any) -> None:
    error = refusal(*args, **kwargs)
    assert error.code == code, f"expected {int(code)} {code.name}, got {error}"
    assert fragment in error.message, f"{fragment!r} not in {error.message!r}"


# --- bonds -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("team0", id="no-bond-prefix"),
        pytest.param("bond", id="prefix-only"),
        pytest.param("bond-0", id="dash"),
        pytest.param("bond.0", id="dot"),
        pytest.param("bond 0", id="space"),
        pytest.param("Bond0", id="capital-B"),
        pytest.param("mybond0", id="prefix-not-at-start"),
    ],
)
def test_bond_name_must_match_bond_word_chars_25(name: str) -> None:
    expect(Code.BAD_BONDING, "must be 'bond' followed by", bonds={name: TWO_SLAVES})


@pytest.mark.parametrize("name", ["bond0", "bond_fancy0", "bondA", "bond007"])
def test_bond_name_matching_bond_word_chars_is_accepted(name: str) -> None:
    assert name in request(bonds={name: TWO_SLAVES}).bonds


@pytest.mark.parametrize(
    "nics",
    [pytest.param(["eth1"], id="one-slave"), pytest.param([], id="empty-list")],
)
def test_bond_needs_at_least_two_slaves_25(nics: list[str]) -> None:
    expect(Code.BAD_BONDING, "needs at least 2 slaves", bonds={"bond0": {"nics": nics}})


@pytest.mark.parametrize(
    ("nics", "state"),
    [
        pytest.param(["eth1", "eth9"], sim_host(), id="unknown-nic"),
        pytest.param(["eth1", "br9"], host_with(Device("br9", "bridge")), id="a-bridge-not-a-nic"),
        pytest.param(["eth1", "eth2.5"], host_with(Device("eth2.5", "vlan", vlan_base="eth2", vlan_id=5)), id="a-vlan"),
    ],
)
def test_bond_slave_nic_must_exist_23(nics: list[str], state: HostState) -> None:
    expect(Code.BAD_NIC, "is not a nic of this host", bonds={"bond0": {"nics": nics}}, state=state)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param("mode=9", id="mode-9"),
        pytest.param("mode=fastest", id="mode-unknown-name"),
    ],
)
def test_bond_unknown_mode_25(options: str) -> None:
    expect(Code.BAD_BONDING, "unknown mode", bonds={"bond0": {"nics": ["eth1", "eth2"], "options": options}})


@pytest.mark.parametrize(
    "options",
    [
        pytest.param("mode=1 miimon=100", id="numeric-mode"),
        pytest.param("mode=active-backup miimon=200", id="named-mode"),
        pytest.param("mode=4 miimon=100 xmit_hash_policy=2", id="engine-default-lacp"),
        pytest.param("", id="no-options-balance-rr"),
    ],
)
def test_bond_known_options_are_accepted(options: str) -> None:
    request(bonds={"bond0": {"nics": ["eth1", "eth2"], "options": options}})


@pytest.mark.parametrize(
    "options",
    [
        pytest.param("mode=1 frobnicate=3", id="unknown-option"),
        pytest.param("mode=1 miimon", id="option-without-value"),
    ],
)
def test_bond_unknown_or_bad_option_25(options: str) -> None:
    expect(Code.BAD_BONDING, "option", bonds={"bond0": {"nics": ["eth1", "eth2"], "options": options}})


def test_removing_a_bond_still_used_by_a_network_31() -> None:
    running = config({"red": {"bonding": "bond0"}}, {"bond0": TWO_SLAVES})
    expect(
        Code.USED_BOND, "bond bond0 is still used by network(s) red", bonds={"bond0": {"remove": True}}, running=running
    )


def test_removing_a_bond_together_with_its_network_is_accepted() -> None:
    running = config({"red": {"bonding": "bond0"}}, {"bond0": TWO_SLAVES})
    merged = request({"red": {"remove": True}}, {"bond0": {"remove": True}}, running=running)
    assert merged == NetConfig()


def test_bond_on_a_kernel_without_bonding_25_with_a_clear_message() -> None:
    expect(Code.BAD_BONDING, "kernel cannot create bond devices", bonds={"bond0": TWO_SLAVES}, features=NO_BOND)


def test_existing_bond_on_a_kernel_without_bonding_support_is_accepted() -> None:
    state = host_with(Device("bond0", "bond"))
    request(bonds={"bond0": TWO_SLAVES}, state=state, features=NO_BOND)


def test_ovs_bond_without_open_vswitch_21() -> None:
    expect(Code.BAD_PARAMS, "Open vSwitch is not available", bonds={"bond0": {**TWO_SLAVES, "switch": "ovs"}})


# --- VLANs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vlan",
    [
        pytest.param(5000, id="5000"),
        pytest.param(4095, id="4095"),
        pytest.param(-1, id="minus-1"),
        pytest.param("5000", id="string-5000"),
    ],
)
def test_vlan_id_outside_0_4094_26(vlan: Any) -> None:
    expect(Code.BAD_VLAN, "out of range 0-4094", {"red": {"nic": "eth1", "vlan": vlan}})


@pytest.mark.parametrize("vlan", [0, 1, 100, 4094])
def test_vlan_id_inside_0_4094_is_accepted(vlan: int) -> None:
    assert request({"red": {"nic": "eth1", "vlan": vlan}}).networks["red"].vlan == vlan


def test_vlan_without_nic_or_bonding_26() -> None:
    expect(Code.BAD_VLAN, "a VLAN needs a nic or a bonding", {"red": {"vlan": 100}})


def test_vlan_on_a_kernel_without_vlan_support_26_with_a_clear_message() -> None:
    expect(Code.BAD_VLAN, "kernel cannot create VLAN devices", {"red": {"nic": "eth1", "vlan": 100}}, features=NO_VLAN)


def test_untagged_network_on_a_kernel_without_vlan_support_is_accepted() -> None:
    request({"red": {"nic": "eth1"}}, features=NO_VLAN)


# --- addresses ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attrs", "fragment"),
    [
        pytest.param({"ipaddr": "192.0.2.300", "netmask": "255.255.255.0"}, "ipaddr", id="ipaddr-octet-300"),
        pytest.param({"ipaddr": "not-an-ip", "netmask": "255.255.255.0"}, "ipaddr", id="ipaddr-garbage"),
        pytest.param({"ipaddr": "2001:db8::1", "netmask": "255.255.255.0"}, "ipaddr", id="ipaddr-is-ipv6"),
        pytest.param({"ipaddr": "192.0.2.10", "netmask": "255.0.255.0"}, "netmask", id="netmask-non-contiguous"),
        pytest.param({"ipaddr": "192.0.2.10", "netmask": "garbage"}, "netmask", id="netmask-garbage"),
        pytest.param(
            {"ipaddr": "192.0.2.10", "netmask": "255.255.255.0", "gateway": "192.0.2.x"},
            "gateway",
            id="gateway-garbage",
        ),
        pytest.param(
            {"ipaddr": "192.0.2.10", "netmask": "255.255.255.0", "gateway": "2001:db8::1"}, "gateway", id="gateway-ipv6"
        ),
        pytest.param({"gateway": "192.0.2.1"}, "without ipaddr", id="gateway-without-ipaddr"),
        pytest.param({"netmask": "255.255.255.0"}, "without ipaddr", id="netmask-without-ipaddr"),
        pytest.param({"prefix": 24}, "without ipaddr", id="prefix-without-ipaddr"),
        pytest.param({"ipv6gateway": "2001:db8::zz"}, "ipv6gateway", id="ipv6gateway-garbage"),
    ],
)
def test_address_does_not_parse_or_is_incomplete_22(attrs: dict[str, Any], fragment: str) -> None:
    expect(Code.BAD_ADDR, fragment, {"red": {"nic": "eth1", **attrs}})


def test_ipaddr_without_netmask_or_prefix_22() -> None:
    expect(Code.BAD_ADDR, "netmask", {"red": {"nic": "eth1", "ipaddr": "192.0.2.10"}})


@pytest.mark.parametrize(
    "attrs",
    [
        pytest.param({"ipaddr": "192.0.2.10", "netmask": "255.255.255.0"}, id="ipv4"),
        pytest.param({"ipv6addr": "2001:db8::10/64"}, id="ipv6"),
    ],
)
def test_static_address_with_dhcp_22_mixing_not_allowed(attrs: dict[str, Any]) -> None:
    dynamic = {"bootproto": "dhcp"} if "ipaddr" in attrs else {"dhcpv6": True}
    expect(Code.BAD_ADDR, "is not allowed", {"red": {"nic": "eth1", **attrs, **dynamic}})


def test_static_ipv4_with_dhcp_message_is_vdsms() -> None:
    expect(
        Code.BAD_ADDR,
        "mixing static ip configuration with dhcp is not allowed",
        {"red": {"nic": "eth1", "bootproto": "dhcp", "ipaddr": "192.0.2.10", "prefix": 24}},
    )


def test_static_addresses_v4_and_v6_with_gateways_are_accepted() -> None:
    attrs = {
        "nic": "eth1",
        "vlan": 100,
        "ipaddr": "192.0.2.10",
        "netmask": "255.255.255.0",
        "gateway": "192.0.2.1",
        "ipv6addr": "2001:db8::10/64",
        "ipv6gateway": "2001:db8::1",
        "defaultRoute": True,
    }
    assert request({"red": attrs}).networks["red"].gateway == "192.0.2.1"


# --- nameservers -------------------------------------------------------------------------------------------


def test_nameservers_on_a_non_default_route_network_21() -> None:
    expect(
        Code.BAD_PARAMS,
        "nameservers are only allowed on the default route network",
        {"red": {"nic": "eth1", "nameservers": ["192.0.2.53"]}},
    )


@pytest.mark.parametrize("server", ["192.0.2.300", "dns.example.com", ""])
def test_bad_nameserver_address_22(server: str) -> None:
    expect(
        Code.BAD_ADDR,
        "is not an IP address",
        {"red": {"nic": "eth1", "bootproto": "dhcp", "defaultRoute": True, "nameservers": [server]}},
    )


@pytest.mark.parametrize("servers", [["192.0.2.53"], ["192.0.2.53", "2001:db8::53"]])
def test_nameservers_on_the_default_route_network_are_accepted(servers: list[str]) -> None:
    merged = request({"red": {"nic": "eth1", "bootproto": "dhcp", "defaultRoute": True, "nameservers": servers}})
    assert merged.networks["red"].nameservers == servers


# --- southbound devices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nic", "state"),
    [
        pytest.param("eth9", sim_host(), id="unknown"),
        pytest.param("br9", host_with(Device("br9", "bridge")), id="names-a-bridge"),
        pytest.param("bond9", host_with(Device("bond9", "bond")), id="names-a-bond"),
    ],
)
def test_nic_does_not_exist_23(nic: str, state: HostState) -> None:
    expect(Code.BAD_NIC, f"nic {nic} does not exist on this host", {"red": {"nic": nic}}, state=state)


def test_bond_does_not_exist_after_the_request_25() -> None:
    expect(Code.BAD_BONDING, "bond bond9 does not exist", {"red": {"bonding": "bond9"}})


def test_bond_removed_in_the_same_request_does_not_exist_after_it() -> None:
    running = config({}, {"bond0": TWO_SLAVES})
    state = host_with(Device("bond0", "bond"))
    # the kernel still has bond0, but the request removes it: VDSM's _validate_bond_exists says 25; dcnet's merge
    # notices first that a network would still use it after the request (31) — either refuses the request
    error = refusal({"red": {"bonding": "bond0"}}, {"bond0": {"remove": True}}, running=running, state=state)
    assert error.code in (Code.BAD_BONDING, Code.USED_BOND)


@pytest.mark.parametrize(
    ("state", "bonds"),
    [
        pytest.param(host_with(Device("bond0", "bond")), {}, id="kernel-bond"),
        pytest.param(sim_host(), {"bond0": TWO_SLAVES}, id="bond-in-the-request"),
    ],
)
def test_network_on_an_existing_or_requested_bond_is_accepted(state: HostState, bonds: dict[str, Any]) -> None:
    request({"red": {"bonding": "bond0"}}, bonds, state=state)


def test_nic_and_bonding_together_21() -> None:
    expect(
        Code.BAD_PARAMS, "either nic or bonding", {"red": {"nic": "eth1", "bonding": "bond0"}}, {"bond0": TWO_SLAVES}
    )


def test_non_bridged_network_without_southbound_21() -> None:
    expect(Code.BAD_PARAMS, "a bridgeless network needs a nic or a bonding", {"red": {"bridged": False}})


def test_bridged_network_without_southbound_is_accepted() -> None:
    assert request({"red": {}}).networks["red"].southbound is None


# --- bridge (network) names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a" * 16, id="16-chars"),
        pytest.param("ñ" * 8, id="16-bytes-in-8-chars"),
        pytest.param("VM Network", id="space"),
        pytest.param("net\ttab", id="tab"),
        pytest.param("net.100", id="dot"),
        pytest.param("net:1", id="colon"),
        pytest.param("-net", id="leading-dash"),
        pytest.param("", id="empty"),
    ],
)
def test_bridged_network_name_must_be_a_valid_bridge_name_27(name: str) -> None:
    expect(Code.BAD_BRIDGE, "cannot name a bridge", {name: {"nic": "eth1"}})


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a" * 15, id="15-chars"),
        pytest.param("x", id="1-char"),
        pytest.param("net-_1", id="dash-underscore"),
    ],
)
def test_valid_bridge_names_are_accepted(name: str) -> None:
    request({name: {"nic": "eth1"}})


@pytest.mark.parametrize("name", ["a" * 20, "VM Network", "net.100"])
def test_bridgeless_network_name_is_not_a_device_name(name: str) -> None:
    request({name: {"nic": "eth1", "bridged": False}})


def test_bridged_network_named_like_an_existing_nic_27() -> None:
    expect(Code.BAD_BRIDGE, "eth2", {"eth2": {"nic": "eth1"}})


# --- device sharing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("running", "networks", "bonds"),
    [
        pytest.param(None, {"red": {"nic": "eth1"}, "blue": {"nic": "eth1"}}, {}, id="two-untagged-on-a-nic"),
        pytest.param(
            None,
            {"red": {"nic": "eth1", "vlan": 10}, "blue": {"nic": "eth1", "vlan": "10", "bridged": False}},
            {},
            id="same-vlan-on-a-nic",
        ),
        pytest.param(
            None,
            {"red": {"bonding": "bond0"}, "blue": {"bonding": "bond0", "bridged": False}},
            {"bond0": TWO_SLAVES},
            id="two-untagged-on-a-bond",
        ),
        pytest.param(
            config({"red": {"nic": "eth1", "vlan": 10}}),
            {"blue": {"nic": "eth1", "vlan": 10}},
            {},
            id="clash-with-running",
        ),
    ],
)
def test_two_networks_on_the_same_device_and_vlan_21(
    running: NetConfig | None, networks: dict[str, Any], bonds: dict[str, Any]
) -> None:
    expect(
        Code.BAD_PARAMS,
        "multiple networks/similar vlans cannot be defined on a single underlying device",
        networks,
        bonds,
        running=running,
    )


@pytest.mark.parametrize(
    "networks",
    [
        pytest.param({"red": {"nic": "eth1"}, "blue": {"nic": "eth1", "vlan": 10}}, id="untagged-plus-vlan"),
        pytest.param({"red": {"nic": "eth1", "vlan": 10}, "blue": {"nic": "eth1", "vlan": 20}}, id="two-vlans"),
        pytest.param(
            {"red": {"nic": "eth1", "vlan": 10}, "blue": {"nic": "eth2", "vlan": 10}}, id="same-vlan-two-nics"
        ),
    ],
)
def test_different_device_or_vlan_is_accepted(networks: dict[str, Any]) -> None:
    request(networks)


def test_moving_a_network_to_another_vlan_on_the_same_nic_is_accepted() -> None:
    running = config({"red": {"nic": "eth1", "vlan": 10}, "blue": {"nic": "eth1", "vlan": 20}})
    request({"red": {"nic": "eth1", "vlan": 30}}, running=running)


@pytest.mark.parametrize(
    ("networks", "bonds"),
    [
        pytest.param({"red": {"nic": "eth1"}}, {"bond0": TWO_SLAVES}, id="network-nic-is-a-slave"),
        pytest.param(
            {"red": {"nic": "eth2", "vlan": 10, "bridged": False}}, {"bond0": TWO_SLAVES}, id="vlan-network-on-a-slave"
        ),
        pytest.param({}, {"bond0": TWO_SLAVES, "bond1": {"nics": ["eth2", "eth3"]}}, id="slave-of-two-bonds"),
    ],
)
def test_nic_both_bond_slave_and_network_nic_24(networks: dict[str, Any], bonds: dict[str, Any]) -> None:
    error = refusal(networks, bonds)
    assert error.code == Code.USED_NIC
    assert "eth" in error.message


def test_nic_already_port_of_an_unmanaged_device_24() -> None:
    state = host_with(Device("virbr0", "bridge"))
    state.devices["eth1"].master = "virbr0"
    expect(Code.USED_NIC, "nic eth1 is already a port of virbr0", {"red": {"nic": "eth1"}}, state=state)


def test_bond_slave_carrying_an_unmanaged_vlan_24() -> None:
    state = host_with(Device("eth2.50", "vlan", vlan_base="eth2", vlan_id=50))
    expect(Code.USED_NIC, "eth2", {}, {"bond0": {"nics": ["eth2", "eth3"]}}, state=state)


def test_swapping_networks_on_a_nic_in_one_request_is_accepted() -> None:
    running = config({"red": {"nic": "eth1"}})
    state = sim_host()
    state.devices["red"] = Device("red", "bridge", up=True)
    state.devices["eth1"].master = "red"
    merged = request({"red": {"remove": True}, "blue": {"nic": "eth1"}}, running=running, state=state)
    assert set(merged.networks) == {"blue"}


def test_removing_a_bond_and_using_its_former_slave_in_one_request_is_accepted() -> None:
    running = config({"red": {"bonding": "bond0"}}, {"bond0": TWO_SLAVES})
    state = sim_host()
    state.devices["bond0"] = Device("bond0", "bond", up=True)
    state.devices["red"] = Device("red", "bridge", up=True)
    state.devices["bond0"].master = "red"
    for nic in ("eth1", "eth2"):
        state.devices[nic].master = "bond0"
    merged = request({"red": {"nic": "eth1"}}, {"bond0": {"remove": True}}, running=running, state=state)
    assert merged.networks["red"].nic == "eth1"
    assert merged.bonds == {}


def test_moving_a_network_to_another_nic_frees_the_old_one() -> None:
    running = config({"red": {"nic": "eth1"}})
    state = sim_host()
    state.devices["red"] = Device("red", "bridge", up=True)
    state.devices["eth1"].master = "red"
    merged = request({"red": {"nic": "eth2"}, "blue": {"nic": "eth1", "vlan": 5}}, running=running, state=state)
    assert merged.networks["red"].nic == "eth2"


# --- removal -----------------------------------------------------------------------------------------------


def test_removing_a_network_that_does_not_exist_27() -> None:
    expect(Code.BAD_BRIDGE, "cannot remove network red: it does not exist", {"red": {"remove": True}})


def test_remove_with_other_attributes_21() -> None:
    running = config({"red": {"nic": "eth1"}})
    expect(
        Code.BAD_PARAMS,
        "'remove' cannot be combined with ['nic']",
        {"red": {"remove": True, "nic": "eth1"}},
        running=running,
    )


def test_remove_with_custom_is_accepted() -> None:
    running = config({"red": {"nic": "eth1"}})
    assert request({"red": {"remove": True, "custom": {"x": "1"}}}, running=running).networks == {}


# --- switch type, MTU, STP ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("networks", "bonds", "fragment"),
    [
        pytest.param({"red": {"nic": "eth1", "switch": "ovs"}}, {}, "Open vSwitch is not available", id="ovs-network"),
        pytest.param({}, {"bond0": {**TWO_SLAVES, "switch": "ovs"}}, "Open vSwitch is not available", id="ovs-bond"),
    ],
)
def test_switch_ovs_without_open_vswitch_21(networks: dict[str, Any], bonds: dict[str, Any], fragment: str) -> None:
    expect(Code.BAD_PARAMS, fragment, networks, bonds)


OVS_ONLY = Features(kernel_vlan=False, kernel_bond=False, ovs=True, dhcp_client=True)


def test_mixing_legacy_and_ovs_21() -> None:
    networks = {"red": {"nic": "eth1"}, "blue": {"nic": "eth2", "switch": "ovs"}}
    expect(Code.BAD_PARAMS, "mixing legacy and ovs", networks, features=OVS_ONLY)


def test_ovs_vlan_and_bond_need_no_kernel_vlan_or_bonding() -> None:
    merged = request(
        {"red": {"bonding": "bond0", "vlan": 100, "switch": "ovs"}},
        {"bond0": {**TWO_SLAVES, "options": "mode=1 miimon=100", "switch": "ovs"}},
        features=OVS_ONLY,
    )
    assert merged.networks["red"].vlan == 100 and merged.bonds["bond0"].switch == "ovs"


def test_ovs_bond_mode_open_vswitch_cannot_do_25() -> None:
    bonds = {"bond0": {**TWO_SLAVES, "options": "mode=6", "switch": "ovs"}}
    expect(Code.BAD_BONDING, "not supported by Open vSwitch", {}, bonds, features=OVS_ONLY)


@pytest.mark.parametrize("mtu", [67, 65536, 0])
def test_mtu_out_of_range_21(mtu: int) -> None:
    expect(Code.BAD_PARAMS, f"MTU {mtu} is out of range", {"red": {"nic": "eth1", "mtu": mtu}})


def test_stp_on_a_bridgeless_network_21() -> None:
    expect(Code.BAD_PARAMS, "STP needs a bridged network", {"red": {"nic": "eth1", "bridged": False, "STP": "yes"}})


# --- default route (merge) ---------------------------------------------------------------------------------

STATIC_A = {"nic": "eth1", "ipaddr": "198.51.100.5", "prefix": 24, "gateway": "198.51.100.1"}
STATIC_B = {"nic": "eth2", "ipaddr": "203.0.113.5", "prefix": 24, "gateway": "203.0.113.1"}


def test_two_default_routes_in_one_request_21() -> None:
    expect(
        Code.BAD_PARAMS,
        "Only a single default route network is allowed",
        {"red": {**STATIC_A, "defaultRoute": True}, "blue": {**STATIC_B, "defaultRoute": True}},
    )


def test_default_route_moves_to_the_new_holder_in_merge() -> None:
    running = config({"red": {**STATIC_A, "defaultRoute": True}})
    merged = request({"blue": {**STATIC_B, "defaultRoute": True}}, running=running)
    assert merged.networks["blue"].defaultRoute is True
    assert merged.networks["red"].defaultRoute is False
    assert merged.networks["red"].nic == "eth1"  # everything else of the previous holder is kept
    assert running.networks["red"].defaultRoute is True  # merge does not change the running config it was given


def test_default_route_request_keeps_the_holder_when_nobody_else_takes_it() -> None:
    running = config({"red": {**STATIC_A, "defaultRoute": True}})
    merged = request({"blue": {**STATIC_B}}, running=running)
    assert (merged.networks["red"].defaultRoute, merged.networks["blue"].defaultRoute) == (True, False)


def test_default_route_moves_away_from_a_holder_with_nameservers() -> None:
    running = config({"red": {**STATIC_A, "defaultRoute": True, "nameservers": ["192.0.2.53"]}})
    merged = request({"blue": {**STATIC_B, "defaultRoute": True}}, running=running)
    assert merged.networks["red"].defaultRoute is False
    assert merged.networks["red"].nameservers == []


# --- merge: a partial desired state ------------------------------------------------------------------------


def test_merge_changes_only_the_named_networks_and_bonds() -> None:
    running = config(
        {"red": {"nic": "eth1"}, "blue": {"bonding": "bond0", "vlan": 20}},
        {"bond0": {"nics": ["eth2", "eth3"], "options": "mode=1"}},
    )
    merged = request({"red": {"nic": "eth1", "mtu": 9000}}, running=running)
    assert merged.networks["red"].mtu == 9000
    assert merged.networks["blue"] == running.networks["blue"]
    assert merged.bonds == running.bonds


def test_merge_of_an_empty_request_is_the_running_config() -> None:
    running = config({"red": {"nic": "eth3", "vlan": 10}}, {"bond0": TWO_SLAVES})
    assert request(running=running) == running


def test_removing_an_unmanaged_bond_25() -> None:
    expect(Code.BAD_BONDING, "dcnet does not manage it", bonds={"bond0": {"remove": True}})

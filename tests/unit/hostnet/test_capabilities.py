"""capabilities.py: the network part of Host.getCapabilities with VDSM's field names (reference §2)."""

from __future__ import annotations

from typing import Any

import pytest

from dcnet.domain.hostnet.capabilities import report
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.state import Address, Device, Features, HostState, Route
from tests.unit.hostnet._hostnet import ALL_FEATURES, config

COMMON_FIELDS = {
    "addr",
    "netmask",
    "ipv4addrs",
    "ipv6addrs",
    "gateway",
    "ipv6gateway",
    "ipv4defaultroute",
    "mtu",
    "dhcpv4",
    "dhcpv6",
    "ipv6autoconf",
}


def host() -> HostState:
    """eth0: management (two IPv4, global + link-local IPv6, both default routes); bond0 = eth1+eth2 (mode 1)
    carrying VLAN 100 under bridge 'red' (STP on, DHCP); eth3: bridgeless network 'blue' (autoconf, DHCPv6)."""
    state = HostState(hostname="host-0.example.com", nameservers=["192.0.2.53", "2001:db8::53"])
    state.devices["eth0"] = Device(
        "eth0",
        "nic",
        mtu=1500,
        mac="52:54:00:00:00:00",
        up=True,
        carrier=True,
        speed=10000,
        addresses=[
            Address("10.9.9.9", 8),
            Address("192.0.2.10", 24),
            Address("fe80::5054:ff:fe00:0", 64),
            Address("2001:db8::10", 64),
        ],
    )
    for index, nic in ((1, "eth1"), (2, "eth2")):
        state.devices[nic] = Device(
            nic, "nic", mtu=9000, mac=f"52:54:00:00:00:0{index}", up=True, carrier=True, speed=1000, master="bond0"
        )
    state.devices["eth3"] = Device(
        "eth3",
        "nic",
        mtu=1500,
        mac="52:54:00:00:00:03",
        up=True,
        carrier=False,
        addresses=[Address("2001:db8:3::7", 64, dynamic=True), Address("fe80::3", 64)],
    )
    state.devices["bond0"] = Device(
        "bond0",
        "bond",
        mtu=9000,
        mac="52:54:00:00:00:01",
        up=True,
        carrier=True,
        master=None,
        bond_mode="1",
        bond_options={"miimon": "100"},
        active_slave="eth1",
    )
    state.devices["bond0.100"] = Device(
        "bond0.100",
        "vlan",
        mtu=9000,
        mac="52:54:00:00:00:01",
        up=True,
        carrier=True,
        master="red",
        vlan_id=100,
        vlan_base="bond0",
    )
    state.devices["red"] = Device(
        "red",
        "bridge",
        mtu=9000,
        mac="52:54:00:00:00:01",
        up=True,
        carrier=True,
        stp=True,
        addresses=[Address("198.51.100.20", 24, dynamic=True)],
    )
    state.default_routes = [Route("eth0", "192.0.2.1", 4), Route("eth0", "2001:db8::1", 6)]
    state.dhcp4 = {"red"}
    state.dhcp6 = {"eth3"}
    state.autoconf6 = {"eth3"}
    return state


RUNNING = config(
    {
        "red": {"bonding": "bond0", "vlan": 100, "mtu": 9000, "STP": "yes", "bootproto": "dhcp"},
        "blue": {"nic": "eth3", "bridged": False, "dhcpv6": True, "ipv6autoconf": True},
    },
    {"bond0": {"nics": ["eth1", "eth2"], "options": "mode=1 miimon=100"}},
)


@pytest.fixture
def caps() -> dict[str, Any]:
    return report(host(), RUNNING, ALL_FEATURES, dirty=True)


def test_top_level_fields(caps: dict[str, Any]) -> None:
    assert {"nics", "bondings", "vlans", "bridges", "networks", "nameservers", "supportsIPv6", "netConfigDirty"} <= set(
        caps
    )
    assert caps["hostname"] == "host-0.example.com"
    assert caps["nameservers"] == ["192.0.2.53", "2001:db8::53"]
    assert caps["supportsIPv6"] is True


def test_devices_land_in_the_map_of_their_kind(caps: dict[str, Any]) -> None:
    assert sorted(caps["nics"]) == ["eth0", "eth1", "eth2", "eth3"]
    assert list(caps["bondings"]) == ["bond0"]
    assert list(caps["vlans"]) == ["bond0.100"]
    assert list(caps["bridges"]) == ["red"]


@pytest.mark.parametrize(
    ("section", "name"),
    [
        pytest.param("nics", "eth0", id="nic"),
        pytest.param("bondings", "bond0", id="bond"),
        pytest.param("vlans", "bond0.100", id="vlan"),
        pytest.param("bridges", "red", id="bridge"),
        pytest.param("networks", "red", id="bridged-network"),
        pytest.param("networks", "blue", id="bridgeless-network"),
    ],
)
def test_common_ip_fields_on_every_device_and_network(caps: dict[str, Any], section: str, name: str) -> None:
    entry = caps[section][name]
    assert set(entry) >= COMMON_FIELDS, COMMON_FIELDS - set(entry)
    assert isinstance(entry["mtu"], int)
    for flag in ("ipv4defaultroute", "dhcpv4", "dhcpv6", "ipv6autoconf"):
        assert isinstance(entry[flag], bool), flag


@pytest.mark.parametrize(
    ("section", "name", "expected"),
    [
        pytest.param(
            "nics", "eth1", {"hwaddr": "52:54:00:00:00:01", "permhwaddr": "52:54:00:00:00:01", "speed": 1000}, id="nic"
        ),
        pytest.param("nics", "eth3", {"speed": 0}, id="nic-without-speed"),
        pytest.param(
            "bondings",
            "bond0",
            {
                "hwaddr": "52:54:00:00:00:01",
                "slaves": ["eth1", "eth2"],
                "active_slave": "eth1",
                "opts": {"mode": "1", "miimon": "100"},
                "switch": "legacy",
                "mtu": 9000,
            },
            id="bond",
        ),
        pytest.param("vlans", "bond0.100", {"iface": "bond0", "vlanid": 100, "mtu": 9000}, id="vlan"),
        pytest.param("bridges", "red", {"ports": ["bond0.100"], "stp": "on", "mtu": 9000}, id="bridge"),
    ],
)
def test_extra_fields_per_map(caps: dict[str, Any], section: str, name: str, expected: dict[str, Any]) -> None:
    entry = caps[section][name]
    assert {key: entry.get(key) for key in expected} == expected


@pytest.mark.parametrize(("section", "name", "field"), [("bridges", "red", "opts"), ("bondings", "bond0", "speed")])
def test_reference_fields_missing_from_the_report(caps: dict[str, Any], section: str, name: str, field: str) -> None:
    assert field in caps[section][name]


def test_bond_without_active_slave_reports_empty_string() -> None:
    state = host()
    state.devices["bond0"].active_slave = None
    assert report(state, RUNNING, ALL_FEATURES, dirty=False)["bondings"]["bond0"]["active_slave"] == ""


@pytest.mark.parametrize(("stp", "text"), [(True, "on"), (False, "off")])
def test_stp_is_on_or_off(stp: bool, text: str) -> None:
    state = host()
    state.devices["red"].stp = stp
    caps = report(state, RUNNING, ALL_FEATURES, dirty=False)
    assert caps["bridges"]["red"]["stp"] == text
    assert caps["networks"]["red"]["stp"] == text


# --- IP fields ---------------------------------------------------------------------------------------------


def test_primary_address_is_the_one_in_the_gateways_subnet(caps: dict[str, Any]) -> None:
    eth0 = caps["nics"]["eth0"]
    assert (eth0["addr"], eth0["netmask"]) == ("192.0.2.10", "255.255.255.0")
    assert eth0["ipv4addrs"] == ["10.9.9.9/8", "192.0.2.10/24"]
    assert (eth0["gateway"], eth0["ipv6gateway"], eth0["ipv4defaultroute"]) == ("192.0.2.1", "2001:db8::1", True)


def test_primary_address_without_gateway_is_the_first() -> None:
    state = host()
    state.default_routes = []
    eth0 = report(state, RUNNING, ALL_FEATURES, dirty=False)["nics"]["eth0"]
    assert (eth0["addr"], eth0["netmask"]) == ("10.9.9.9", "255.0.0.0")
    assert (eth0["gateway"], eth0["ipv6gateway"], eth0["ipv4defaultroute"]) == ("", "::", False)


@pytest.mark.parametrize(
    ("name", "ipv6addrs"),
    [
        pytest.param("eth0", ["2001:db8::10/64"], id="static-global-only"),
        pytest.param("eth3", ["2001:db8:3::7/64"], id="dynamic-global-only"),
        pytest.param("eth1", [], id="none"),
    ],
)
def test_link_local_is_excluded_from_ipv6addrs(caps: dict[str, Any], name: str, ipv6addrs: list[str]) -> None:
    assert caps["nics"][name]["ipv6addrs"] == ipv6addrs
    assert all(not entry["address"].startswith("fe80") for entry in caps["nics"][name]["addresses"])


def test_device_without_ipv4_has_empty_addr_and_netmask(caps: dict[str, Any]) -> None:
    eth3 = caps["nics"]["eth3"]
    assert (eth3["addr"], eth3["netmask"], eth3["ipv4addrs"], eth3["gateway"]) == ("", "", [], "")
    assert eth3["ipv4defaultroute"] is False


@pytest.mark.parametrize(
    ("section", "name", "methods"),
    [
        pytest.param("bridges", "red", (True, False, False), id="dhcpv4-on-bridge"),
        pytest.param("nics", "eth3", (False, True, True), id="dhcpv6-and-autoconf-on-nic"),
        pytest.param("nics", "eth0", (False, False, False), id="static"),
    ],
)
def test_address_methods(caps: dict[str, Any], section: str, name: str, methods: tuple[bool, bool, bool]) -> None:
    entry = caps[section][name]
    assert (entry["dhcpv4"], entry["dhcpv6"], entry["ipv6autoconf"]) == methods


def test_addresses_carry_static_or_dynamic(caps: dict[str, Any]) -> None:
    assert caps["bridges"]["red"]["addresses"] == [
        {"address": "198.51.100.20", "prefix": 24, "family": 4, "dynamic": True}
    ]


# --- networks ----------------------------------------------------------------------------------------------


def test_bridged_network_entry(caps: dict[str, Any]) -> None:
    red = caps["networks"]["red"]
    expected = {
        "bridged": True,
        "iface": "red",
        "ports": ["bond0.100"],
        "stp": "on",
        "southbound": "bond0.100",
        "vlanid": 100,
        "switch": "legacy",
        "mtu": 9000,
        "addr": "198.51.100.20",
        "dhcpv4": True,
    }
    assert {key: red.get(key) for key in expected} == expected
    assert "interface" not in red


def test_bridgeless_network_entry(caps: dict[str, Any]) -> None:
    blue = caps["networks"]["blue"]
    expected = {
        "bridged": False,
        "iface": "eth3",
        "interface": "eth3",
        "southbound": "eth3",
        "switch": "legacy",
        "mtu": 1500,
        "dhcpv6": True,
        "ipv6autoconf": True,
        "ipv6addrs": ["2001:db8:3::7/64"],
    }
    assert {key: blue.get(key) for key in expected} == expected
    assert "ports" not in blue and "stp" not in blue and "vlanid" not in blue


def test_bridgeless_vlan_network_reports_the_vlan_device() -> None:
    state = host()
    running = config({"green": {"bonding": "bond0", "vlan": 100, "bridged": False}})
    del state.devices["red"]
    state.devices["bond0.100"].master = None
    green = report(state, running, ALL_FEATURES, dirty=False)["networks"]["green"]
    assert (green["iface"], green["southbound"], green["vlanid"], green["bridged"]) == (
        "bond0.100",
        "bond0.100",
        100,
        False,
    )


def test_only_managed_networks_are_listed() -> None:
    caps = report(host(), NetConfig(), ALL_FEATURES, dirty=False)
    assert caps["networks"] == {}
    assert "red" in caps["bridges"]  # the devices are still reported


def test_network_whose_device_disappeared_is_omitted() -> None:
    state = host()
    del state.devices["red"]
    caps = report(state, RUNNING, ALL_FEATURES, dirty=False)
    assert sorted(caps["networks"]) == ["blue"]


# --- dirty flag and features -------------------------------------------------------------------------------


@pytest.mark.parametrize("dirty", [True, False])
def test_net_config_dirty_is_a_bool(dirty: bool) -> None:
    assert report(host(), RUNNING, ALL_FEATURES, dirty=dirty)["netConfigDirty"] is dirty


@pytest.mark.parametrize(
    ("features", "switch_types"),
    [
        pytest.param(ALL_FEATURES, ["legacy"], id="no-ovs"),
        pytest.param(
            Features(kernel_vlan=False, kernel_bond=False, ovs=True, dhcp_client=False), ["legacy", "ovs"], id="ovs"
        ),
    ],
)
def test_features_are_reported(features: Features, switch_types: list[str]) -> None:
    caps = report(host(), RUNNING, features, dirty=False)
    assert caps["features"] == {
        "kernel_vlan": features.kernel_vlan,
        "kernel_bond": features.kernel_bond,
        "ovs": features.ovs,
        "dhcp_client": features.dhcp_client,
    }
    assert caps["supportedSwitchTypes"] == switch_types


def test_default_route_summary(caps: dict[str, Any]) -> None:
    assert caps["defaultRoute"] == {
        "ipv4": {"device": "eth0", "gateway": "192.0.2.1"},
        "ipv6": {"device": "eth0", "gateway": "2001:db8::1"},
    }


def test_operstate_needs_up_and_carrier(caps: dict[str, Any]) -> None:
    assert caps["nics"]["eth0"]["operstate"] == "up"
    assert caps["nics"]["eth3"]["operstate"] == "down"  # up without carrier

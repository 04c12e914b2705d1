"""canonical.py: a raw setupNetworks request → typed attributes with VDSM's defaults (reference §3.2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.agent.persistence import StateDir
from dcnet.agent.transactions import NetworkService
from dcnet.domain.hostnet.canonical import canonical_bond, canonical_network, canonical_options
from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import DEFAULT_MTU
from dcnet.domain.hostnet.state import Device

# --- defaults and normalization, attribute by attribute ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field", "expected"),
    [
        pytest.param({}, "mtu", DEFAULT_MTU, id="mtu-default-1500"),
        pytest.param({"mtu": "9000"}, "mtu", 9000, id="mtu-string-to-int"),
        pytest.param({"mtu": 9000}, "mtu", 9000, id="mtu-int-kept"),
        pytest.param({"vlan": ""}, "vlan", None, id="vlan-empty-string-dropped"),
        pytest.param({"vlan": None}, "vlan", None, id="vlan-none-dropped"),
        pytest.param({"vlan": "100"}, "vlan", 100, id="vlan-string-to-int"),
        pytest.param({"vlan": 0}, "vlan", 0, id="vlan-zero-kept"),
        pytest.param({}, "bridged", True, id="bridged-default-true"),
        pytest.param({"bridged": "false"}, "bridged", False, id="bridged-string-false"),
        pytest.param({"bridged": "no"}, "bridged", False, id="bridged-string-no"),
        pytest.param({"bridged": "true"}, "bridged", True, id="bridged-string-true"),
        pytest.param({}, "stp", False, id="stp-default-false"),
        pytest.param({"STP": "yes"}, "stp", True, id="STP-yes"),
        pytest.param({"STP": "no"}, "stp", False, id="STP-no"),
        pytest.param({"stp": "yes"}, "stp", True, id="stp-lowercase-key-yes"),
        pytest.param({"stp": "NO"}, "stp", False, id="stp-uppercase-value-NO"),
        pytest.param({"STP": "on"}, "stp", True, id="STP-on"),
        pytest.param({"STP": "off"}, "stp", False, id="STP-off"),
        pytest.param({"STP": True}, "stp", True, id="STP-bool-true"),
        pytest.param({"STP": "1"}, "stp", True, id="STP-string-1"),
        pytest.param({}, "bootproto", "none", id="bootproto-default-none"),
        pytest.param({"bootproto": "dhcp"}, "bootproto", "dhcp", id="bootproto-dhcp"),
        pytest.param({}, "dhcpv6", False, id="dhcpv6-default-false"),
        pytest.param({}, "ipv6autoconf", False, id="ipv6autoconf-default-false"),
        pytest.param({}, "switch", "legacy", id="switch-default-legacy"),
        pytest.param({}, "defaultRoute", False, id="defaultRoute-default-false"),
        pytest.param({}, "nameservers", [], id="nameservers-default-empty"),
        pytest.param({}, "custom", {}, id="custom-default-empty"),
        pytest.param({}, "remove", False, id="remove-default-false"),
    ],
)
def test_network_attribute_canonicalization(raw: dict[str, Any], field: str, expected: Any) -> None:
    attrs = canonical_network("net1", {"nic": "eth1", **raw})
    assert getattr(attrs, field) == expected


@pytest.mark.parametrize(
    ("prefix", "netmask"),
    [
        pytest.param(24, "255.255.255.0", id="24"),
        pytest.param("24", "255.255.255.0", id="string-24"),
        pytest.param(16, "255.255.0.0", id="16"),
        pytest.param(25, "255.255.255.128", id="25"),
        pytest.param(32, "255.255.255.255", id="32"),
        pytest.param(0, "0.0.0.0", id="0"),
    ],
)
def test_prefix_is_converted_to_netmask(prefix: Any, netmask: str) -> None:
    attrs = canonical_network("net1", {"nic": "eth1", "ipaddr": "192.0.2.10", "prefix": prefix})
    assert attrs.netmask == netmask
    assert attrs.prefix is None


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        pytest.param("2001:0DB8:0000:0000:0000:0000:0000:0010/64", "2001:db8::10/64", id="long-form-compressed"),
        pytest.param("2001:db8::10/64", "2001:db8::10/64", id="already-compressed"),
        pytest.param("2001:DB8:0:0:1:0:0:1/80", "2001:db8::1:0:0:1/80", id="uppercase-lowered-prefix-kept"),
        pytest.param("2001:db8::10", "2001:db8::10/64", id="no-prefix-gets-64"),
    ],
)
def test_ipv6_address_is_compressed(given: str, canonical: str) -> None:
    assert canonical_network("net1", {"nic": "eth1", "ipv6addr": given}).ipv6addr == canonical


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"remove": True}, id="bool"),
        pytest.param({"remove": "true"}, id="string-true"),
        pytest.param({"remove": "yes"}, id="string-yes"),
        pytest.param({"remove": True, "custom": {"bridge_opts": "x=1"}}, id="with-custom-allowed"),
    ],
)
def test_remove_is_normalized(raw: dict[str, Any]) -> None:
    assert canonical_network("net1", raw).remove is True


def test_remove_false_is_an_ordinary_network() -> None:
    attrs = canonical_network("net1", {"remove": "false", "nic": "eth1"})
    assert (attrs.remove, attrs.nic) == (False, "eth1")


# --- refusals during canonicalization ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        pytest.param({"STP": "maybe"}, Code.BAD_PARAMS, "is not a boolean", id="stp-bad-value-21"),
        pytest.param({"stp": 2}, Code.BAD_PARAMS, "is not a boolean", id="stp-number-2-21"),
        pytest.param(
            {"ipaddr": "192.0.2.10", "prefix": 24, "netmask": "255.255.255.0"},
            Code.BAD_PARAMS,
            "Both PREFIX and NETMASK supplied",
            id="prefix-and-netmask-21",
        ),
        pytest.param(
            {"remove": True, "nic": "eth1"}, Code.BAD_PARAMS, "'remove' cannot be combined", id="remove-plus-nic-21"
        ),
        pytest.param({"remove": True, "mtu": 9000}, Code.BAD_PARAMS, "['mtu']", id="remove-plus-mtu-21"),
        pytest.param({"remove": "perhaps"}, Code.BAD_PARAMS, "is not a boolean", id="remove-bad-value-21"),
        pytest.param({"ipaddr": "192.0.2.10", "prefix": 33}, Code.BAD_ADDR, "prefix 33", id="prefix-33-22"),
        pytest.param({"ipaddr": "192.0.2.10", "prefix": -1}, Code.BAD_ADDR, "prefix -1", id="prefix-negative-22"),
        pytest.param({"ipv6addr": "2001:db8::zz/64"}, Code.BAD_ADDR, "bad IPv6 address", id="ipv6-garbage-22"),
        pytest.param({"ipv6addr": "2001:db8::1/129"}, Code.BAD_ADDR, "bad IPv6 address", id="ipv6-prefix-129-22"),
        pytest.param({"ipv6addr": "192.0.2.1"}, Code.BAD_ADDR, "bad IPv6 address", id="ipv6-given-ipv4-22"),
        pytest.param({"mtu": "big"}, Code.BAD_PARAMS, "mtu", id="mtu-not-a-number-21"),
        pytest.param({"bootproto": "static"}, Code.BAD_PARAMS, "bootproto", id="bootproto-unknown-21"),
        pytest.param({"switch": "vpp"}, Code.BAD_PARAMS, "switch", id="switch-unknown-21"),
        pytest.param({"colour": "red"}, Code.BAD_PARAMS, "colour", id="unknown-attribute-21"),
    ],
)
def test_network_canonicalization_refusal(raw: dict[str, Any], code: Code, fragment: str) -> None:
    with pytest.raises(SetupError) as info:
        canonical_network("net1", {"nic": "eth1", **raw} if not raw.get("remove") else raw)
    assert info.value.code == code
    assert fragment in info.value.message
    assert "net1" in info.value.message


def test_documented_hostQos_attribute_is_accepted() -> None:
    canonical_network("net1", {"nic": "eth1", "hostQos": {"out": {"ls": {"m2": 100}, "ul": {"m2": 1000}}}})


# --- bonds ---------------------------------------------------------------------------------------------


def test_bond_is_canonicalized() -> None:
    bond = canonical_bond("bond0", {"nics": ["eth1", "eth2"], "options": "mode=1 miimon=100"})
    assert bond.nics == ["eth1", "eth2"]
    assert bond.option_map() == {"mode": "1", "miimon": "100"}
    assert (bond.switch, bond.remove) == ("legacy", False)


@pytest.mark.parametrize("value", [True, "true", "yes"], ids=["bool", "string-true", "string-yes"])
def test_bond_remove_is_normalized(value: Any) -> None:
    assert canonical_bond("bond0", {"remove": value}).remove is True


def test_bond_without_nics_is_refused_with_code_21_or_23() -> None:
    with pytest.raises(SetupError) as info:
        canonical_bond("bond0", {"options": "mode=1"})
    assert "Missing nics attribute" in info.value.message
    assert info.value.code in (Code.BAD_PARAMS, Code.BAD_NIC)


def test_bond_without_nics_message_names_the_missing_attribute() -> None:
    with pytest.raises(SetupError) as info:
        canonical_bond("bond0", {"options": "mode=1"})
    assert "bond bond0: Missing nics attribute" in info.value.message


def test_bond_with_unknown_attribute_is_refused() -> None:
    with pytest.raises(SetupError) as info:
        canonical_bond("bond0", {"nics": ["eth1", "eth2"], "lacp": "fast"})
    assert info.value.code == Code.BAD_BONDING


# --- options -------------------------------------------------------------------------------------------


def test_options_defaults() -> None:
    options = canonical_options({})
    assert (options.connectivityCheck, options.connectivityTimeout, options.commitOnSuccess) == (True, 4.0, False)


@pytest.mark.parametrize(
    ("raw", "field", "expected"),
    [
        pytest.param({"connectivityCheck": "false"}, "connectivityCheck", False, id="check-string-false"),
        pytest.param({"connectivityTimeout": "120"}, "connectivityTimeout", 120.0, id="timeout-string"),
        pytest.param({"connectivityTimeout": 0.3}, "connectivityTimeout", 0.3, id="timeout-fraction"),
        pytest.param({"commitOnSuccess": True}, "commitOnSuccess", True, id="commit"),
        pytest.param({"requestId": "r1", "correlationId": "c1"}, "correlationId", "c1", id="ids"),
        pytest.param({"somethingNew": 1}, "commitOnSuccess", False, id="unknown-option-ignored"),
    ],
)
def test_options_canonicalization(raw: dict[str, Any], field: str, expected: Any) -> None:
    assert getattr(canonical_options(raw), field) == expected


def test_bad_option_value_is_refused_with_21() -> None:
    with pytest.raises(SetupError) as info:
        canonical_options({"connectivityTimeout": "soon"})
    assert info.value.code == Code.BAD_PARAMS


# --- canonicalization rules that need the host (run through the agent's NetworkService) --------------------


def _service(tmp_path: Path, backend: SimBackend) -> NetworkService:
    return NetworkService(backend, StateDir(tmp_path / "state"))


def test_nameservers_default_to_host_servers_on_a_static_default_route_network(tmp_path: Path) -> None:
    state = sim_host(gateway="192.0.2.1")
    state.nameservers = ["192.0.2.53"]
    service = _service(tmp_path, SimBackend(state))
    service.setup_networks(
        {
            "mgmt": {
                "nic": "eth0",
                "ipaddr": "192.0.2.10",
                "prefix": 24,
                "gateway": "192.0.2.1",
                "defaultRoute": True,
            }
        },
        {},
        {"connectivityCheck": False},
    )
    assert service.state_dir.running().networks["mgmt"].nameservers == ["192.0.2.53"]


@pytest.mark.parametrize(
    "attrs",
    [
        pytest.param({"nic": "eth1", "bootproto": "dhcp", "defaultRoute": True}, id="dhcp-default-route"),
        pytest.param({"nic": "eth1", "ipaddr": "198.51.100.5", "prefix": 24}, id="static-not-default-route"),
    ],
)
def test_nameservers_stay_empty_where_the_host_servers_do_not_apply(tmp_path: Path, attrs: dict[str, Any]) -> None:
    state = sim_host()
    state.nameservers = ["192.0.2.53"]
    service = _service(tmp_path, SimBackend(state))
    service.setup_networks({"net1": attrs}, {}, {"connectivityCheck": False})
    assert service.state_dir.running().networks["net1"].nameservers == []


def test_bond_referenced_but_not_requested_is_added_with_its_current_slaves(tmp_path: Path) -> None:
    state = sim_host()
    state.devices["bond7"] = Device(
        "bond7", "bond", up=True, mac="02:00:00:00:00:07", bond_mode="1", bond_options={"miimon": "100"}
    )
    for nic in ("eth2", "eth3"):
        state.devices[nic].master = "bond7"
    service = _service(tmp_path, SimBackend(state))
    service.setup_networks({"net1": {"bonding": "bond7"}}, {}, {"connectivityCheck": False})
    bond = service.state_dir.running().bonds["bond7"]
    assert sorted(bond.nics) == ["eth2", "eth3"]
    assert bond.option_map().get("mode") in ("1", "active-backup")

"""active_interface.py / addresses.py: which host device holds the host address (management-network.md §4,
acceptance 12–18). One resolved set against every global address of every device; exactly one holder."""

from __future__ import annotations

from typing import Any

import pytest

from dcnet.domain.events import AuditLog
from dcnet.domain.mgmt.active_interface import Holder, base_device, holders, vlan_of
from dcnet.domain.mgmt.addresses import global_addresses, same_address
from dcnet.domain.mgmt.plan import Failure, ManagementNetworkSpec, active_interface
from tests.unit.mgmt._caps import ADDRESS, MGMT, bond, bridge, caps, dev, vlan

SPEC = ManagementNetworkSpec(name=MGMT)

# --- address comparison (§4.2) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        pytest.param("10.0.0.5", "10.0.0.5", True, id="ipv4 equal"),
        pytest.param("10.0.0.5", "10.0.0.6", False, id="ipv4 different"),
        pytest.param("10.0.0.5", "10.0.0.5/24", True, id="prefix lengths ignored"),
        pytest.param("10.0.0.5/16", "10.0.0.5/24", True, id="different prefix lengths ignored"),
        pytest.param("2001:db8::1", "2001:0db8:0:0::1", True, id="ipv6 compressed vs expanded"),
        pytest.param("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001/64", True, id="ipv6 full form"),
        pytest.param("2001:DB8::1", "2001:db8::1", True, id="ipv6 case ignored"),
        pytest.param("2001:db8::1", "2001:db8::2", False, id="ipv6 different"),
        pytest.param("10.0.0.5", "::ffff:10.0.0.6", False, id="ipv4 vs other mapped ipv6"),
        pytest.param("h1.example", "h1.example", True, id="equal strings"),
        pytest.param("h1.example", "10.0.0.5", False, id="name never equals an address"),
    ],
)
def test_address_comparison(left: str, right: str, same: bool) -> None:
    assert same_address(left, right) is same
    assert same_address(right, left) is same


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(dev("10.0.0.5/24"), ["10.0.0.5"], id="primary ipv4"),
        pytest.param(dev("10.0.0.5/24", "10.0.1.7/24"), ["10.0.0.5", "10.0.1.7"], id="secondary ipv4 addresses"),
        pytest.param(dev(ipv6=("2001:db8::5/64",)), ["2001:db8::5"], id="ipv6 global"),
        pytest.param(dev(ipv6=("fe80::1/64",)), [], id="link-local ipv6 excluded"),
        pytest.param(dev("169.254.3.4/16"), [], id="link-local ipv4 excluded"),
        pytest.param(
            dev("10.0.0.5/24", ipv6=("fe80::1/64", "2001:db8::5/64")), ["10.0.0.5", "2001:db8::5"], id="mixed"
        ),
        pytest.param({"addr": "10.0.0.5", "ipv4addrs": ["10.0.0.5/24"]}, ["10.0.0.5"], id="primary listed once"),
        pytest.param(dev(), [], id="no address"),
    ],
)
def test_global_addresses_of_a_device(entry: dict[str, Any], expected: list[str]) -> None:
    assert global_addresses(entry) == expected


# --- the one device that holds a resolved address (§4.2–§4.4, acceptance 12–18) ------------------------

ONE_NIC = caps(nics={"eth0": dev("10.0.0.5/24"), "eth1": dev()})
SEVERAL_NICS = caps(
    nics={"eth0": dev("10.0.0.5/24"), "eth1": dev("10.1.0.5/24"), "eth2": dev(ipv6=("2001:db8:2::5/64",))}
)
BOND = caps(nics={"ens1": dev(), "ens2": dev()}, bondings={"bond0": bond("ens1", "ens2", ipv4=("10.0.0.5/24",))})
NIC_VLAN = caps(nics={"eth0": dev("10.9.0.5/24")}, vlans={"eth0.100": vlan("eth0", 100, "10.0.0.5/24")})
BOND_VLAN = caps(
    nics={"ens1": dev(), "ens2": dev()},
    bondings={"bond0": bond("ens1", "ens2")},
    vlans={"bond0.100": vlan("bond0", 100, "10.0.0.5/24")},
)
BRIDGE = caps(nics={"eth0": dev()}, bridges={"br0": bridge("eth0", ipv4=("10.0.0.5/24",))})
SECONDARY = caps(nics={"eth0": dev("10.0.0.5/24", "10.0.1.7/24"), "eth1": dev("10.1.0.5/24")})
IPV6_EXPANDED = caps(nics={"eth0": dev(ipv6=("2001:0db8:0000:0000::5/64",)), "eth1": dev("10.0.0.5/24")})
IPV6_LINK_LOCAL = caps(nics={"eth0": dev(ipv6=("fe80::5/64",)), "eth1": dev(ipv6=("2001:db8::5/64",))})
DUAL_STACK = caps(nics={"eth0": dev("10.0.0.5/24", ipv6=("2001:db8::5/64",)), "eth1": dev("10.1.0.5/24")})


@pytest.mark.parametrize(
    ("host", "resolved", "device", "kind", "held"),
    [
        pytest.param(ONE_NIC, ["10.0.0.5"], "eth0", "nic", ("10.0.0.5",), id="one nic owns the host IP"),
        pytest.param(
            SEVERAL_NICS,
            ["10.1.0.5"],
            "eth1",
            "nic",
            ("10.1.0.5",),
            id="several nics own IPs, one has the resolved IP",
        ),
        pytest.param(BOND, ["10.0.0.5"], "bond0", "bond", ("10.0.0.5",), id="bond owns the host IP"),
        pytest.param(NIC_VLAN, ["10.0.0.5"], "eth0.100", "vlan", ("10.0.0.5",), id="vlan on a nic owns it"),
        pytest.param(BOND_VLAN, ["10.0.0.5"], "bond0.100", "vlan", ("10.0.0.5",), id="vlan on a bond owns it"),
        pytest.param(
            NIC_VLAN, ["10.9.0.5"], "eth0", "nic", ("10.9.0.5",), id="vlan base device with its own untagged address"
        ),
        pytest.param(BRIDGE, ["10.0.0.5"], "br0", "bridge", ("10.0.0.5",), id="bridge on top owns it"),
        pytest.param(SECONDARY, ["10.0.1.7"], "eth0", "nic", ("10.0.1.7",), id="secondary addresses match"),
        pytest.param(IPV6_EXPANDED, ["2001:db8::5"], "eth0", "nic", ("2001:db8::5",), id="ipv6 compressed vs expanded"),
        pytest.param(
            caps(nics={"eth0": dev(ipv6=("2001:db8::5/64",))}),
            ["2001:0db8:0:0::5"],
            "eth0",
            "nic",
            ("2001:0db8:0:0::5",),
            id="ipv6 expanded resolved vs compressed reported",
        ),
        pytest.param(
            caps(nics={"eth0": dev("10.0.0.5/8")}), ["10.0.0.5"], "eth0", "nic", ("10.0.0.5",), id="prefix ignored"
        ),
        pytest.param(
            IPV6_LINK_LOCAL,
            ["fe80::5", "2001:db8::5"],
            "eth1",
            "nic",
            ("2001:db8::5",),
            id="link-local never matches",
        ),
        pytest.param(
            DUAL_STACK,
            ["10.0.0.5", "2001:db8::5"],
            "eth0",
            "nic",
            ("10.0.0.5", "2001:db8::5"),
            id="a device holding the A and the AAAA address counts once",
        ),
        pytest.param(
            caps(nics={"eth0": dev(), "eth1": dev(ipv6=("2001:db8::5/64",))}),
            ["2001:db8::5"],
            "eth1",
            "nic",
            ("2001:db8::5",),
            id="ipv6-only host address",
        ),
        pytest.param(
            SEVERAL_NICS,
            ["10.7.7.7", "10.1.0.5"],
            "eth1",
            "nic",
            ("10.1.0.5",),
            id="every resolved address is tried, not only the first",
        ),
    ],
)
def test_active_interface_is_the_one_device_holding_a_resolved_address(
    host: dict[str, Any], resolved: list[str], device: str, kind: str, held: tuple[str, ...]
) -> None:
    chosen = active_interface(SPEC, host, ADDRESS, resolved)
    assert chosen == Holder(device, kind, held)
    assert holders(host, resolved) == [chosen]


@pytest.mark.parametrize(
    ("host", "resolved", "event", "names"),
    [
        pytest.param(
            SEVERAL_NICS,
            ["10.0.0.5", "10.1.0.5"],
            AuditLog.AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK,
            ["10.0.0.5 (eth0)", "10.1.0.5 (eth1)"],
            id="several nics own resolved IPs",
        ),
        pytest.param(
            SEVERAL_NICS,
            ["10.0.0.5", "2001:db8:2::5"],
            AuditLog.AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK,
            ["10.0.0.5 (eth0)", "2001:db8:2::5 (eth2)"],
            id="A on one nic and AAAA on another",
        ),
        pytest.param(
            caps(nics={"eth0": dev("10.0.0.5/24")}, bondings={"bond0": bond("ens1", "ens2", ipv4=("10.1.0.5/24",))}),
            ["10.0.0.5", "10.1.0.5"],
            AuditLog.AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK,
            ["10.0.0.5 (eth0)", "10.1.0.5 (bond0)"],
            id="a nic and a bond own resolved IPs",
        ),
        pytest.param(
            ONE_NIC,
            ["10.9.9.9"],
            AuditLog.NO_INTERFACE_FOR_MANAGEMENT_NETWORK,
            ["10.9.9.9"],
            id="no device holds the resolved address",
        ),
        pytest.param(
            IPV6_LINK_LOCAL,
            ["fe80::5"],
            AuditLog.NO_INTERFACE_FOR_MANAGEMENT_NETWORK,
            ["fe80::5"],
            id="only a link-local address matches",
        ),
        pytest.param(
            caps(nics={"eth0": dev("10.0.0.5/24", "10.0.1.7/24")}),
            ["10.0.0.6"],
            AuditLog.NO_INTERFACE_FOR_MANAGEMENT_NETWORK,
            ["10.0.0.6"],
            id="same subnet is not the same address",
        ),
    ],
)
def test_active_interface_failures_name_devices_and_addresses(
    host: dict[str, Any], resolved: list[str], event: AuditLog, names: list[str]
) -> None:
    failure = active_interface(SPEC, host, ADDRESS, resolved)
    assert isinstance(failure, Failure)
    assert failure.event is event
    text = failure.text("h1")
    for name in [ADDRESS, *names]:
        assert name in text, f"{name!r} not in {text!r}"


# --- the attachment's base device and VLAN (§3 step 5, step 7) ------------------------------------------


@pytest.mark.parametrize(
    ("host", "holder", "base", "tag"),
    [
        pytest.param(ONE_NIC, Holder("eth0", "nic", ()), "eth0", None, id="nic is its own base, no vlan"),
        pytest.param(BOND, Holder("bond0", "bond", ()), "bond0", None, id="bond is its own base, no vlan"),
        pytest.param(NIC_VLAN, Holder("eth0.100", "vlan", ()), "eth0", 100, id="eth0.100 -> eth0 vlan 100"),
        pytest.param(BOND_VLAN, Holder("bond0.100", "vlan", ()), "bond0", 100, id="bond0.100 -> bond0 vlan 100"),
        pytest.param(
            caps(vlans={"mgmtvlan": vlan("eth3", 42)}),
            Holder("mgmtvlan", "vlan", ()),
            "eth3",
            42,
            id="vlan device named freely -> reported iface and vlanid",
        ),
        pytest.param(
            caps(vlans={"bond4.3000": {}}),
            Holder("bond4.3000", "vlan", ()),
            "bond4",
            3000,
            id="vlan without iface/vlanid -> from the name",
        ),
    ],
)
def test_base_device_and_vlan(host: dict[str, Any], holder: Holder, base: str, tag: int | None) -> None:
    assert base_device(host, holder) == base
    assert vlan_of(host, holder) == tag

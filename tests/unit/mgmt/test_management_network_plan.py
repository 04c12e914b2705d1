"""plan.py / bootstrap.py: the management network step as a pure function (management-network.md §3, §4,
§9, acceptance 1, 3–7, 10, 12–20, 26). Each case is named after the reference's rule or acceptance row."""

from __future__ import annotations

from typing import Any

import pytest

from dcnet.domain.events import AuditLog
from dcnet.domain.hostnet import canonical
from dcnet.domain.mgmt.bootstrap import bootstrap_plan
from dcnet.domain.mgmt.plan import AlreadyCompliant, Configure, Failure, ManagementNetworkSpec, plan
from tests.unit.mgmt._caps import ADDRESS, HOST, MGMT, bond, bridge, caps, dev, network, vlan

VM = ManagementNetworkSpec(name=MGMT)
VM_100 = ManagementNetworkSpec(name=MGMT, vlan=100)
VM_200 = ManagementNetworkSpec(name=MGMT, vlan=200)
NON_VM = ManagementNetworkSpec(name=MGMT, bridged=False)

EVENT_PREFIX = f"Failed to configure management network on host {HOST}"


def configure(spec: ManagementNetworkSpec, host: dict[str, Any], resolved: list[str], **kw: Any) -> Configure:
    outcome = plan(spec, host, ADDRESS, resolved, **kw)
    assert isinstance(outcome, Configure), outcome
    return outcome


def attachment(outcome: Configure) -> dict[str, Any]:
    """The one network sent; nothing about any other network is in the request."""
    assert list(outcome.networks) == [MGMT]
    attrs: dict[str, Any] = outcome.networks[MGMT]
    return attrs


def subset(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    assert {key: actual.get(key, "<absent>") for key in expected} == expected, actual


# --- hosts ----------------------------------------------------------------------------------------------

STATIC_NIC = caps(nics={"eth0": dev("10.0.0.5/24", gateway="10.0.0.1"), "eth1": dev()})
DHCP_NIC = caps(nics={"eth0": dev("10.0.0.5/24", gateway="10.0.0.1", dhcpv4=True)})
SEVERAL_NICS = caps(nics={"eth0": dev("10.0.0.5/24"), "eth1": dev("10.1.0.5/24"), "eth2": dev("10.2.0.5/24")})
BOND = caps(nics={"ens1": dev(), "ens2": dev()}, bondings={"bond0": bond("ens1", "ens2", ipv4=("10.0.0.5/24",))})
BOND_1_SLAVE = caps(nics={"ens1": dev()}, bondings={"bond0": bond("ens1", ipv4=("10.0.0.5/24",))})
NIC_VLAN = caps(nics={"eth0": dev()}, vlans={"eth0.100": vlan("eth0", 100, "10.0.0.5/24")})
BOND_VLAN = caps(
    nics={"ens1": dev(), "ens2": dev()},
    bondings={"bond0": bond("ens1", "ens2")},
    vlans={"bond0.100": vlan("bond0", 100, "10.0.0.5/24")},
)
BOND_VLAN_1_SLAVE = caps(
    nics={"ens1": dev()}, bondings={"bond0": bond("ens1")}, vlans={"bond0.100": vlan("bond0", 100, "10.0.0.5/24")}
)
BRIDGE_ON_NIC = caps(nics={"eth0": dev()}, bridges={"br0": bridge("eth0", ipv4=("10.0.0.5/24",))})
BRIDGE_ON_VLAN = caps(
    nics={"eth0": dev()},
    vlans={"eth0.100": vlan("eth0", 100)},
    bridges={"br0": bridge("eth0.100", ipv4=("10.0.0.5/24",))},
)
BRIDGE_ON_BOND = caps(
    nics={"ens1": dev(), "ens2": dev()},
    bondings={"bond0": bond("ens1", "ens2")},
    bridges={"br0": bridge("bond0", ipv4=("10.0.0.5/24",))},
)
FOREIGN_NETWORK_BRIDGE = caps(
    nics={"eth0": dev()},
    bridges={"vmnet": bridge("eth0", ipv4=("10.0.0.5/24",))},
    networks={"vmnet": network("vmnet", bridged=True, southbound="eth0", ports=["eth0"])},
)
MGMT_BRIDGE = caps(
    nics={"eth0": dev()},
    bridges={MGMT: bridge("eth0", ipv4=("10.0.0.5/24",))},
    networks={MGMT: network(MGMT, bridged=True, southbound="eth0", ports=["eth0"])},
)
MGMT_BRIDGE_WITH_ADDRESS_IN_NETWORK = caps(
    nics={"eth0": dev()},
    bridges={MGMT: bridge("eth0", ipv4=("10.0.0.5/24",))},
    networks={MGMT: network(MGMT, bridged=True, southbound="eth0", ports=["eth0"], ipv4addrs=["10.0.0.5/24"])},
)
MGMT_BRIDGE_NOT_IN_NETWORKS = caps(nics={"eth0": dev()}, bridges={MGMT: bridge("eth0", ipv4=("10.0.0.5/24",))})
MGMT_BRIDGELESS = caps(
    nics={"eth0": dev("10.0.0.5/24")}, networks={MGMT: network("eth0", bridged=False, southbound="eth0")}
)
MGMT_BRIDGELESS_VLAN = caps(
    nics={"eth0": dev()},
    vlans={"eth0.100": vlan("eth0", 100, "10.0.0.5/24")},
    networks={MGMT: network("eth0.100", bridged=False, southbound="eth0.100", vlanid=100)},
)
MGMT_ON_A = caps(
    nics={"eth0": dev("10.0.0.5/24"), "eth1": dev("10.1.0.5/24")},
    networks={MGMT: network("eth0", bridged=False, southbound="eth0")},
)
MGMT_BRIDGE_ON_A = caps(
    nics={"eth0": dev(), "eth1": dev("10.1.0.5/24")},
    bridges={MGMT: bridge("eth0", ipv4=("10.0.0.5/24",))},
    networks={MGMT: network(MGMT, bridged=True, southbound="eth0", ports=["eth0"])},
)
MGMT_IPV6 = caps(
    nics={"eth0": dev()},
    bridges={MGMT: bridge("eth0", ipv6=("2001:0db8:0:0::5/64",))},
    networks={MGMT: network(MGMT, bridged=True, southbound="eth0", ports=["eth0"])},
)
MGMT_SECONDARY = caps(
    nics={"eth0": dev("10.0.0.5/24", "10.0.1.7/24")},
    networks={MGMT: network("eth0", bridged=False, southbound="eth0")},
)
OTHER_NETWORKS = caps(
    nics={"eth0": dev("10.0.0.5/24", gateway="10.0.0.1"), "eth1": dev("10.1.0.5/24"), "eth2": dev()},
    bondings={"bond1": bond("eth3", "eth4")},
    bridges={"vmnet": bridge("eth2")},
    networks={
        "storage": network("eth1", bridged=False, southbound="eth1"),
        "vmnet": network("vmnet", bridged=True, southbound="eth2", ports=["eth2"]),
        "migration": network("bond1", bridged=False, southbound="bond1"),
    },
)


# --- step 2 / §4.4: already compliant, nothing sent -----------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "host", "resolved", "device"),
    [
        pytest.param(VM, MGMT_BRIDGE, ["10.0.0.5"], MGMT, id="management network already carries the address (bridge)"),
        pytest.param(
            VM,
            MGMT_BRIDGE_WITH_ADDRESS_IN_NETWORK,
            ["10.0.0.5"],
            MGMT,
            id="management network entry itself reports the address",
        ),
        pytest.param(VM, MGMT_BRIDGE_NOT_IN_NETWORKS, ["10.0.0.5"], MGMT, id="bridge that is the management network"),
        pytest.param(NON_VM, MGMT_BRIDGELESS, ["10.0.0.5"], "eth0", id="bridgeless management network on the nic"),
        pytest.param(
            VM_100,
            MGMT_BRIDGELESS_VLAN,
            ["10.0.0.5"],
            "eth0.100",
            id="bridgeless management network on a vlan",
        ),
        pytest.param(
            VM,
            MGMT_ON_A,
            ["10.1.0.5", "10.0.0.5"],
            "eth0",
            id="re-add with DNS answering A and B: management network on A is compliant",
        ),
        pytest.param(VM, MGMT_IPV6, ["2001:db8::5"], MGMT, id="management network carries the AAAA address"),
        pytest.param(
            NON_VM, MGMT_SECONDARY, ["10.0.1.7"], "eth0", id="management network carries it as a secondary address"
        ),
        pytest.param(
            VM_200,
            MGMT_BRIDGE,
            ["10.0.0.5"],
            MGMT,
            id="carrying the address wins over definition differences (out of sync later, not here)",
        ),
    ],
)
def test_management_network_already_carrying_the_host_address_is_compliant_with_no_request(
    spec: ManagementNetworkSpec, host: dict[str, Any], resolved: list[str], device: str
) -> None:
    outcome = plan(spec, host, ADDRESS, resolved)
    assert isinstance(outcome, AlreadyCompliant), outcome
    assert outcome.device == device


# --- the one attachment (§3 step 7, acceptance 1, 3, 4, 12–16) --------------------------------------------


@pytest.mark.parametrize(
    ("spec", "host", "resolved", "device", "expected", "bondings"),
    [
        pytest.param(
            VM,
            STATIC_NIC,
            ["10.0.0.5"],
            "eth0",
            {"nic": "eth0", "vlan": "<absent>", "bonding": "<absent>", "bridged": True},
            {},
            id="one nic owns the host IP",
        ),
        pytest.param(
            VM,
            SEVERAL_NICS,
            ["10.1.0.5"],
            "eth1",
            {"nic": "eth1", "ipaddr": "10.1.0.5"},
            {},
            id="several nics own IPs, one has the resolved IP",
        ),
        pytest.param(
            VM,
            BOND,
            ["10.0.0.5"],
            "bond0",
            {"bonding": "bond0", "nic": "<absent>", "vlan": "<absent>"},
            {"bond0": {"nics": ["ens1", "ens2"], "options": "mode=4 miimon=100", "switch": "legacy"}},
            id="bond owns it (bond untouched)",
        ),
        pytest.param(
            VM_100,
            NIC_VLAN,
            ["10.0.0.5"],
            "eth0.100",
            {"nic": "eth0", "vlan": 100},
            {},
            id="vlan eth0.100 with DC VLAN 100 -> eth0 vlan 100",
        ),
        pytest.param(
            VM_100,
            BOND_VLAN,
            ["10.0.0.5"],
            "bond0.100",
            {"bonding": "bond0", "vlan": 100},
            {"bond0": {"nics": ["ens1", "ens2"], "options": "mode=4 miimon=100", "switch": "legacy"}},
            id="vlan bond0.100 with DC VLAN 100 -> bond0 vlan 100",
        ),
        pytest.param(
            NON_VM,
            STATIC_NIC,
            ["10.0.0.5"],
            "eth0",
            {"nic": "eth0", "bridged": False},
            {},
            id="non-VM management network -> bridged false",
        ),
        pytest.param(
            VM,
            caps(nics={"eth0": dev("10.0.0.5/24", ipv6=("2001:db8::5/64",))}),
            ["10.0.0.5", "2001:db8::5"],
            "eth0",
            {"nic": "eth0"},
            {},
            id="device holding both the A and the AAAA address counts once",
        ),
        pytest.param(
            VM,
            caps(nics={"eth0": dev("10.0.0.5/24", ipv6=("fe80::5/64",)), "eth1": dev(ipv6=("fe80::5/64",))}),
            ["10.0.0.5", "fe80::5"],
            "eth0",
            {"nic": "eth0"},
            {},
            id="link-local never matches (no ambiguity from a shared fe80::)",
        ),
        pytest.param(
            VM,
            caps(nics={"eth0": dev(ipv6=("2001:0db8:0000:0000::5/64",))}),
            ["2001:db8::5"],
            "eth0",
            {"nic": "eth0"},
            {},
            id="IPv6 compressed vs expanded",
        ),
        pytest.param(
            VM,
            caps(nics={"eth0": dev("10.0.0.5/24", "10.0.1.7/24"), "eth1": dev("10.1.0.5/24")}),
            ["10.0.1.7"],
            "eth0",
            {"nic": "eth0"},
            {},
            id="secondary addresses match",
        ),
        pytest.param(
            VM,
            caps(nics={"eth0": dev("10.0.0.5/16")}),
            ["10.0.0.5"],
            "eth0",
            {"nic": "eth0", "ipaddr": "10.0.0.5", "netmask": "255.255.0.0"},
            {},
            id="prefix lengths ignored",
        ),
        pytest.param(
            ManagementNetworkSpec(name=MGMT, mtu=0),
            STATIC_NIC,
            ["10.0.0.5"],
            "eth0",
            {"mtu": 1500},
            {},
            id="MTU from the definition, default 1500",
        ),
        pytest.param(
            ManagementNetworkSpec(name=MGMT, mtu=9000),
            STATIC_NIC,
            ["10.0.0.5"],
            "eth0",
            {"mtu": 9000},
            {},
            id="MTU from the definition, not from the device",
        ),
    ],
)
def test_plan_attaches_the_management_network_to_the_active_interface(
    spec: ManagementNetworkSpec,
    host: dict[str, Any],
    resolved: list[str],
    device: str,
    expected: dict[str, Any],
    bondings: dict[str, Any],
) -> None:
    outcome = configure(spec, host, resolved)
    assert outcome.device == device
    subset(attachment(outcome), expected)
    assert outcome.bondings == bondings


# --- IP configuration copied from the active device (§3 step 7, acceptance 1, 3, 26) ----------------------


@pytest.mark.parametrize(
    ("entry", "resolved", "expected"),
    [
        pytest.param(
            dev("10.0.0.5/24", gateway="10.0.0.1", dhcpv4=True),
            ["10.0.0.5"],
            {"bootproto": "dhcp", "ipaddr": "<absent>", "netmask": "<absent>", "gateway": "<absent>"},
            id="DHCP stays DHCP",
        ),
        pytest.param(
            dev("10.0.0.5/24", gateway="10.0.0.1"),
            ["10.0.0.5"],
            {"bootproto": "none", "ipaddr": "10.0.0.5", "netmask": "255.255.255.0", "gateway": "10.0.0.1"},
            id="static copies address/netmask/gateway",
        ),
        pytest.param(
            dev("10.0.0.5/24"),
            ["10.0.0.5"],
            {"bootproto": "none", "ipaddr": "10.0.0.5", "netmask": "255.255.255.0", "gateway": "<absent>"},
            id="static without a gateway",
        ),
        pytest.param(
            dev("10.0.0.5/24", ipv6=("2001:db8::5/64",), dhcpv6=True),
            ["10.0.0.5"],
            {"dhcpv6": True, "ipv6autoconf": False, "ipv6addr": "<absent>"},
            id="DHCPv6 copied",
        ),
        pytest.param(
            dev("10.0.0.5/24", ipv6=("2001:db8::5/64",), ipv6autoconf=True),
            ["10.0.0.5"],
            {"dhcpv6": False, "ipv6autoconf": True, "ipv6addr": "<absent>"},
            id="IPv6 autoconf copied",
        ),
        pytest.param(
            dev("10.0.0.5/24", ipv6=("2001:db8::5/64",), dhcpv6=True, ipv6autoconf=True),
            ["10.0.0.5"],
            {"dhcpv6": True, "ipv6autoconf": True, "ipv6addr": "<absent>"},
            id="DHCPv6 and autoconf (poly) copied",
        ),
        pytest.param(
            dev("10.0.0.5/24", ipv6=("fe80::5/64", "2001:db8::5/64"), ipv6gateway="2001:db8::1"),
            ["10.0.0.5"],
            {"ipv6addr": "2001:db8::5/64", "ipv6gateway": "2001:db8::1"},
            id="static IPv6 copied with its gateway, link-local skipped",
        ),
        pytest.param(
            dev("10.0.0.5/24", ipv6=("2001:db8::5/64",), ipv6gateway="::"),
            ["10.0.0.5"],
            {"ipv6addr": "2001:db8::5/64", "ipv6gateway": "<absent>"},
            id="IPv6 gateway '::' means none",
        ),
        pytest.param(
            dev("10.0.0.5/24"),
            ["10.0.0.5"],
            {"ipv6addr": "<absent>", "dhcpv6": "<absent>", "ipv6autoconf": "<absent>"},
            id="no IPv6 -> no IPv6 configuration",
        ),
        pytest.param(
            {"addr": "10.0.0.5", "netmask": "255.255.255.0", "gateway": "10.0.0.1", "mtu": 1500},
            ["10.0.0.5"],
            {"bootproto": "none", "ipaddr": "10.0.0.5", "netmask": "255.255.255.0", "gateway": "10.0.0.1"},
            id="static copied from addr/netmask when ipv4addrs is not reported",
        ),
        pytest.param(
            dev("10.0.0.5/24", ipv6=("2001:db8::5/64",), ipv6gateway="2001:db8::1", dhcpv4=True),
            ["10.0.0.5"],
            {"bootproto": "dhcp", "ipaddr": "<absent>", "ipv6addr": "2001:db8::5/64", "ipv6gateway": "2001:db8::1"},
            id="DHCP IPv4 and static IPv6 each copied by its own rule",
        ),
        pytest.param(
            dev(ipv6=("fe80::5/64", "2001:db8::5/64"), ipv6gateway="2001:db8::1"),
            ["2001:db8::5"],
            {
                "bootproto": "none",
                "ipaddr": "<absent>",
                "netmask": "<absent>",
                "ipv6addr": "2001:db8::5/64",
                "ipv6gateway": "2001:db8::1",
            },
            id="IPv6-only host (AAAA only, static IPv6 copied)",
        ),
    ],
)
def test_ip_configuration_is_copied_from_the_active_device(
    entry: dict[str, Any], resolved: list[str], expected: dict[str, Any]
) -> None:
    subset(attachment(configure(VM, caps(nics={"eth0": entry}), resolved)), expected)


# --- failures: event, parameters, rendered text (§3 steps 3–6, §4.3–§4.5, §6) ---------------------------


@pytest.mark.parametrize(
    ("spec", "host", "resolved", "event", "params", "text"),
    [
        pytest.param(
            VM,
            SEVERAL_NICS,
            ["10.0.0.5", "10.1.0.5"],
            AuditLog.AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK,
            {"HostAddress": ADDRESS, "Candidates": "10.0.0.5 (eth0) and 10.1.0.5 (eth1)"},
            f"{EVENT_PREFIX}: host address {ADDRESS} resolves to 10.0.0.5 (eth0) and 10.1.0.5 (eth1); cannot "
            "choose the management interface. Fix the DNS records or the host's addresses.",
            id="several devices own resolved IPs -> ambiguous event naming each",
        ),
        pytest.param(
            VM,
            SEVERAL_NICS,
            ["10.0.0.5", "10.1.0.5", "10.2.0.5"],
            AuditLog.AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK,
            {"Candidates": "10.0.0.5 (eth0), 10.1.0.5 (eth1) and 10.2.0.5 (eth2)"},
            f"{EVENT_PREFIX}: host address {ADDRESS} resolves to 10.0.0.5 (eth0), 10.1.0.5 (eth1) and 10.2.0.5 "
            "(eth2); cannot choose the management interface. Fix the DNS records or the host's addresses.",
            id="three devices own resolved IPs -> each named",
        ),
        pytest.param(
            VM,
            STATIC_NIC,
            ["10.9.9.9", "2001:db8::9"],
            AuditLog.NO_INTERFACE_FOR_MANAGEMENT_NETWORK,
            {"HostAddress": ADDRESS, "Addresses": "10.9.9.9, 2001:db8::9"},
            f"{EVENT_PREFIX}: the host address {ADDRESS} resolves to 10.9.9.9, 2001:db8::9, but no device on host "
            f"{HOST} holds any of them.",
            id="no device holds a resolved address",
        ),
        pytest.param(
            VM,
            caps(nics={"eth0": dev(ipv6=("fe80::5/64",))}),
            ["fe80::5"],
            AuditLog.NO_INTERFACE_FOR_MANAGEMENT_NETWORK,
            {"Addresses": "fe80::5"},
            f"{EVENT_PREFIX}: the host address {ADDRESS} resolves to fe80::5, but no device on host {HOST} holds "
            "any of them.",
            id="link-local never matches",
        ),
        pytest.param(
            VM,
            BRIDGE_ON_NIC,
            ["10.0.0.5"],
            AuditLog.INVALID_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "br0"},
            f"{EVENT_PREFIX}. Host {HOST} has an invalid interface br0 for the management network configuration "
            "(bridge; remove it or use setup networks).",
            id="bridge on top of a nic -> invalid-interface event naming the bridge",
        ),
        pytest.param(
            VM_100,
            BRIDGE_ON_VLAN,
            ["10.0.0.5"],
            AuditLog.INVALID_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "br0"},
            f"{EVENT_PREFIX}. Host {HOST} has an invalid interface br0 for the management network configuration "
            "(bridge; remove it or use setup networks).",
            id="bridge on top of eth0.100 -> invalid-interface event naming the bridge",
        ),
        pytest.param(
            VM,
            BRIDGE_ON_BOND,
            ["10.0.0.5"],
            AuditLog.INVALID_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "br0"},
            f"{EVENT_PREFIX}. Host {HOST} has an invalid interface br0 for the management network configuration "
            "(bridge; remove it or use setup networks).",
            id="bridge on top of a bond -> invalid-interface event naming the bridge",
        ),
        pytest.param(
            VM,
            FOREIGN_NETWORK_BRIDGE,
            ["10.0.0.5"],
            AuditLog.INVALID_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "vmnet"},
            f"{EVENT_PREFIX}. Host {HOST} has an invalid interface vmnet for the management network configuration "
            "(bridge; remove it or use setup networks).",
            id="bridge of another network -> invalid-interface event naming it",
        ),
        pytest.param(
            VM_100,
            STATIC_NIC,
            ["10.0.0.5"],
            AuditLog.VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "eth0", "VlanId": "none", "MgmtVlanId": "100"},
            f"{EVENT_PREFIX}. Host {HOST} has an interface eth0 for the management network configuration with "
            "VLAN-ID (none), which is different from data-center definition (100).",
            id="untagged nic and DC VLAN 100 -> 1119",
        ),
        pytest.param(
            VM,
            NIC_VLAN,
            ["10.0.0.5"],
            AuditLog.VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "eth0.100", "VlanId": "100", "MgmtVlanId": "none"},
            f"{EVENT_PREFIX}. Host {HOST} has an interface eth0.100 for the management network configuration "
            "with VLAN-ID (100), which is different from data-center definition (none).",
            id="eth0.100 and DC VLAN none -> 1119",
        ),
        pytest.param(
            VM_200,
            NIC_VLAN,
            ["10.0.0.5"],
            AuditLog.VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "eth0.100", "VlanId": "100", "MgmtVlanId": "200"},
            f"{EVENT_PREFIX}. Host {HOST} has an interface eth0.100 for the management network configuration "
            "with VLAN-ID (100), which is different from data-center definition (200).",
            id="eth0.100 and DC VLAN 200 -> 1119",
        ),
        pytest.param(
            VM,
            BOND_VLAN,
            ["10.0.0.5"],
            AuditLog.VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "bond0.100", "VlanId": "100", "MgmtVlanId": "none"},
            f"{EVENT_PREFIX}. Host {HOST} has an interface bond0.100 for the management network configuration "
            "with VLAN-ID (100), which is different from data-center definition (none).",
            id="bond0.100 and DC VLAN none -> 1119",
        ),
        pytest.param(
            VM_200,
            BOND_VLAN,
            ["10.0.0.5"],
            AuditLog.VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "bond0.100", "VlanId": "100", "MgmtVlanId": "200"},
            f"{EVENT_PREFIX}. Host {HOST} has an interface bond0.100 for the management network configuration "
            "with VLAN-ID (100), which is different from data-center definition (200).",
            id="bond0.100 and DC VLAN 200 -> 1119",
        ),
        pytest.param(
            VM,
            BOND_1_SLAVE,
            ["10.0.0.5"],
            AuditLog.INVALID_BOND_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "bond0"},
            f"{EVENT_PREFIX}. Host {HOST} has an invalid bond interface (bond0 contains less than 2 active slaves) "
            "for the management network configuration.",
            id="bond with 1 slave -> 1118",
        ),
        pytest.param(
            VM,
            caps(bondings={"bond0": bond(ipv4=("10.0.0.5/24",))}),
            ["10.0.0.5"],
            AuditLog.INVALID_BOND_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "bond0"},
            f"{EVENT_PREFIX}. Host {HOST} has an invalid bond interface (bond0 contains less than 2 active slaves) "
            "for the management network configuration.",
            id="bond with no slave -> 1118",
        ),
        pytest.param(
            VM_100,
            BOND_VLAN_1_SLAVE,
            ["10.0.0.5"],
            AuditLog.INVALID_BOND_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"InterfaceName": "bond0"},
            f"{EVENT_PREFIX}. Host {HOST} has an invalid bond interface (bond0 contains less than 2 active slaves) "
            "for the management network configuration.",
            id="bond0.100 over a 1-slave bond0 -> 1118",
        ),
        pytest.param(
            VM,
            MGMT_ON_A,
            ["10.1.0.5"],
            AuditLog.MANAGEMENT_NETWORK_ON_OTHER_INTERFACE,
            {
                "NetworkName": MGMT,
                "CurrentInterface": "eth0",
                "CurrentAddresses": "10.0.0.5",
                "Addresses": "10.1.0.5",
                "InterfaceName": "eth1",
            },
            f"{EVENT_PREFIX}: management network {MGMT} is on eth0 (10.0.0.5) but the host address {ADDRESS} "
            "resolves to 10.1.0.5 on eth1; the management network is never moved implicitly (use setup networks).",
            id="management network on A while the name resolves only to B's address -> naming both",
        ),
        pytest.param(
            VM,
            MGMT_BRIDGE_ON_A,
            ["10.1.0.5"],
            AuditLog.MANAGEMENT_NETWORK_ON_OTHER_INTERFACE,
            {"NetworkName": MGMT, "CurrentInterface": MGMT, "CurrentAddresses": "10.0.0.5", "InterfaceName": "eth1"},
            f"{EVENT_PREFIX}: management network {MGMT} is on {MGMT} (10.0.0.5) but the host address {ADDRESS} "
            "resolves to 10.1.0.5 on eth1; the management network is never moved implicitly (use setup networks).",
            id="bridged management network on A while the name resolves only to B -> naming both",
        ),
        pytest.param(
            VM,
            caps(
                nics={"eth0": dev(), "eth1": dev("10.1.0.5/24")},
                networks={MGMT: network("eth0", bridged=False, southbound="eth0")},
            ),
            ["10.1.0.5"],
            AuditLog.MANAGEMENT_NETWORK_ON_OTHER_INTERFACE,
            {"CurrentInterface": "eth0", "CurrentAddresses": "no address", "InterfaceName": "eth1"},
            f"{EVENT_PREFIX}: management network {MGMT} is on eth0 (no address) but the host address {ADDRESS} "
            "resolves to 10.1.0.5 on eth1; the management network is never moved implicitly (use setup networks).",
            id="management network on an address-less device while the name resolves to B -> never moved",
        ),
    ],
)
def test_plan_failures_carry_the_event_and_its_text(
    spec: ManagementNetworkSpec,
    host: dict[str, Any],
    resolved: list[str],
    event: AuditLog,
    params: dict[str, str],
    text: str,
) -> None:
    outcome = plan(spec, host, ADDRESS, resolved)
    assert isinstance(outcome, Failure), outcome
    assert outcome.event is event
    subset(outcome.params, params)
    assert outcome.text(HOST) == text


def test_vlan_and_bond_failure_codes_are_ovirts() -> None:
    assert AuditLog.INVALID_BOND_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION.code == 1118
    assert AuditLog.VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION.code == 1119


# --- the whole request --------------------------------------------------------------------------------------


def test_design_page_example_bond4_3000_dhcp_vm_network_mtu_9000() -> None:
    host = caps(
        nics={"eth0": dev(), "eth1": dev(), "eth2": dev(mtu=9000), "eth3": dev(mtu=9000)},
        bondings={"bond4": bond("eth2", "eth3", mtu=9000)},
        vlans={"bond4.3000": vlan("bond4", 3000, "10.30.0.5/24", gateway="10.30.0.1", dhcpv4=True, mtu=9000)},
    )
    spec = ManagementNetworkSpec(name=MGMT, vlan=3000, bridged=True, mtu=9000)
    outcome = configure(spec, host, ["10.30.0.5"])
    assert outcome.device == "bond4.3000"
    subset(
        attachment(outcome),
        {"bonding": "bond4", "nic": "<absent>", "vlan": 3000, "bridged": True, "mtu": 9000, "bootproto": "dhcp"},
    )
    assert list(outcome.bondings) == ["bond4"]
    assert outcome.bondings["bond4"]["nics"] == ["eth2", "eth3"]
    subset(outcome.options, {"connectivityCheck": True, "connectivityTimeout": 120, "commitOnSuccess": True})


def test_the_request_is_a_valid_setup_networks_for_the_agent() -> None:
    """The attachment and bond parse with the agent's own request canonicalization (host-network-setup.md)."""
    host = caps(
        nics={"eth2": dev(), "eth3": dev()},
        bondings={"bond4": bond("eth2", "eth3")},
        vlans={
            "bond4.3000": vlan(
                "bond4", 3000, "10.30.0.5/24", gateway="10.30.0.1", ipv6=("2001:db8::5/64",), ipv6gateway="2001:db8::1"
            )
        },
    )
    outcome = configure(ManagementNetworkSpec(name=MGMT, vlan=3000, mtu=9000), host, ["10.30.0.5"])
    net = canonical.canonical_network(MGMT, attachment(outcome))
    assert (net.bonding, net.vlan, net.bridged, net.mtu) == ("bond4", 3000, True, 9000)
    assert (net.bootproto, net.ipaddr, net.netmask, net.gateway) == ("none", "10.30.0.5", "255.255.255.0", "10.30.0.1")
    assert (net.ipv6addr, net.ipv6gateway) == ("2001:db8::5/64", "2001:db8::1")
    assert canonical.canonical_bond("bond4", outcome.bondings["bond4"]).nics == ["eth2", "eth3"]


def test_networks_on_other_nics_preserved_only_the_management_network_is_sent() -> None:
    outcome = configure(VM, OTHER_NETWORKS, ["10.0.0.5"])
    subset(attachment(outcome), {"nic": "eth0", "bridged": True, "ipaddr": "10.0.0.5", "gateway": "10.0.0.1"})
    assert outcome.bondings == {}


def test_plain_nic_dhcp_request_is_exactly_the_management_network() -> None:
    outcome = configure(VM, DHCP_NIC, ["10.0.0.5"])
    assert outcome.networks == {
        MGMT: {
            "nic": "eth0",
            "bridged": True,
            "mtu": 1500,
            "STP": False,
            "switch": "legacy",
            "defaultRoute": True,
            "bootproto": "dhcp",
        }
    }
    assert outcome.bondings == {}
    assert outcome.options == {"connectivityCheck": True, "connectivityTimeout": 120, "commitOnSuccess": True}


def test_connectivity_timeout_is_configurable() -> None:
    outcome = configure(VM, STATIC_NIC, ["10.0.0.5"], connectivity_timeout=7)
    subset(outcome.options, {"connectivityCheck": True, "connectivityTimeout": 7, "commitOnSuccess": True})


# --- bootstrap (§7, §8): always bridged, over the local device, with its MTU and VLAN ----------------------


@pytest.mark.parametrize(
    ("host", "local", "device", "expected", "bondings"),
    [
        pytest.param(
            caps(nics={"eth0": dev("10.0.0.5/24", gateway="10.0.0.1", mtu=1400), "eth1": dev("10.1.0.5/24")}),
            "10.0.0.5",
            "eth0",
            {
                "nic": "eth0",
                "vlan": "<absent>",
                "bridged": True,
                "mtu": 1400,
                "bootproto": "none",
                "ipaddr": "10.0.0.5",
                "netmask": "255.255.255.0",
                "gateway": "10.0.0.1",
            },
            {},
            id="bridged over the nic holding the local address with its MTU",
        ),
        pytest.param(
            caps(nics={"eth0": dev(mtu=9000)}, vlans={"eth0.100": vlan("eth0", 100, "10.0.0.5/24", mtu=9000)}),
            "10.0.0.5",
            "eth0.100",
            {"nic": "eth0", "vlan": 100, "bridged": True, "mtu": 9000},
            {},
            id="bridged over eth0 with the VLAN and MTU of eth0.100",
        ),
        pytest.param(
            caps(
                nics={"eth2": dev(), "eth3": dev()},
                bondings={"bond4": bond("eth2", "eth3", mtu=9000)},
                vlans={"bond4.3000": vlan("bond4", 3000, "10.30.0.5/24", dhcpv4=True, mtu=9000)},
            ),
            "10.30.0.5",
            "bond4.3000",
            {"bonding": "bond4", "vlan": 3000, "bridged": True, "mtu": 9000, "bootproto": "dhcp"},
            {"bond4": {"nics": ["eth2", "eth3"], "options": "mode=4 miimon=100", "switch": "legacy"}},
            id="bridged over bond4 with the VLAN and MTU of bond4.3000",
        ),
        pytest.param(
            caps(nics={"eth0": dev(ipv6=("2001:db8::5/64",), ipv6gateway="2001:db8::1", mtu=1500)}),
            "2001:db8::5",
            "eth0",
            {"nic": "eth0", "bridged": True, "ipv6addr": "2001:db8::5/64", "ipv6gateway": "2001:db8::1"},
            {},
            id="bridged over the nic holding the local IPv6 address",
        ),
    ],
)
def test_bootstrap_plan_is_bridged_over_the_local_device(
    host: dict[str, Any], local: str, device: str, expected: dict[str, Any], bondings: dict[str, Any]
) -> None:
    outcome = bootstrap_plan(host, local, MGMT)
    assert isinstance(outcome, Configure), outcome
    assert outcome.device == device
    subset(attachment(outcome), expected)
    assert outcome.bondings == bondings


def test_bootstrap_plan_with_the_management_bridge_in_place_is_compliant() -> None:
    outcome = bootstrap_plan(MGMT_BRIDGE, "10.0.0.5", MGMT)
    assert isinstance(outcome, AlreadyCompliant)
    assert outcome.device == MGMT


def test_bootstrap_plan_without_a_device_holding_the_local_address_fails() -> None:
    outcome = bootstrap_plan(STATIC_NIC, "10.9.9.9", MGMT)
    assert isinstance(outcome, Failure)
    assert outcome.event is AuditLog.NO_INTERFACE_FOR_MANAGEMENT_NETWORK

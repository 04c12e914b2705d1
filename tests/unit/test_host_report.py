"""host_report.py: what a host's capabilities mean for the engine — its networks, their IP assignments,
whether each is in sync with its definition, the required cluster networks it lacks, and its nic rows.

Hand-built VDSM-shaped reports (tests/unit/mgmt/_caps.py) plus real reports from the sim backend after a
setupNetworks, so the tests read the field names the agent really sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.agent.persistence import StateDir
from dcnet.agent.transactions import NetworkService
from dcnet.domain.entities import ClusterNetwork, Network
from dcnet.domain.host_report import (
    HostNicView,
    ReportedNetwork,
    compare,
    ip_assignments,
    missing_required,
    nic_views,
    out_of_sync,
    reported_networks,
)
from tests.unit.mgmt._caps import bond, bridge, caps, dev, network, vlan

GATEWAY = "192.0.2.1"

# Bridged management network on eth0, a bridgeless MTU-9000 VLAN network over an active-backup bond.
SIM_MGMT_AND_BOND_VLAN: tuple[dict[str, Any], dict[str, Any]] = (
    {
        "ovirtmgmt": {
            "nic": "eth0",
            "bridged": True,
            "ipaddr": "192.0.2.10",
            "prefix": 24,
            "gateway": GATEWAY,
            "defaultRoute": True,
        },
        "storage": {
            "bonding": "bond0",
            "vlan": 20,
            "bridged": False,
            "ipaddr": "198.51.100.5",
            "prefix": 24,
            "mtu": 9000,
        },
    },
    {"bond0": {"nics": ["eth2", "eth3"], "options": "mode=1 miimon=100"}},
)
# A bridged VLAN network (the bridge is named after the network) and a bridgeless DHCP + IPv6 network.
SIM_BRIDGED_VLAN_AND_DHCP: tuple[dict[str, Any], dict[str, Any]] = (
    {
        "red": {"nic": "eth1", "vlan": 100, "ipaddr": "198.51.100.5", "prefix": 24},
        "blue": {"nic": "eth2", "bridged": False, "bootproto": "dhcp", "dhcpv6": True, "ipv6autoconf": True},
    },
    {},
)


def sim_report(tmp: Path, setup: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    """`Host.getCapabilities` from a sim agent after one committed setupNetworks."""
    service = NetworkService(SimBackend(sim_host(address="192.0.2.10/24", gateway=GATEWAY)), StateDir(tmp / "state"))
    networks, bondings = setup
    service.setup_networks(networks, bondings, {"requestId": "r1", "connectivityCheck": False})
    report: dict[str, Any] = service.capabilities()
    return report


@pytest.fixture(scope="module")
def mgmt_and_bond_vlan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return sim_report(tmp_path_factory.mktemp("sim1"), SIM_MGMT_AND_BOND_VLAN)


@pytest.fixture(scope="module")
def bridged_vlan_and_dhcp(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return sim_report(tmp_path_factory.mktemp("sim2"), SIM_BRIDGED_VLAN_AND_DHCP)


def net(name: str = "net1", **fields: Any) -> Network:
    fields.setdefault("id", f"id-{name}")
    fields.setdefault("data_center_id", "dc-1")
    return Network(name=name, **fields)


def reported(name: str = "net1", **fields: Any) -> ReportedNetwork:
    fields.setdefault("nic", "eth0")
    fields.setdefault("vlan", None)
    fields.setdefault("bridged", True)
    fields.setdefault("mtu", 1500)
    return ReportedNetwork(name=name, **fields)


V4_NONE = {"assignment_method": "none"}
STATIC_MGMT = {
    "assignment_method": "static",
    "ip": {"address": "192.0.2.10", "netmask": "255.255.255.0", "version": "v4", "gateway": GATEWAY},
}
STATIC_STORAGE = {
    "assignment_method": "static",
    "ip": {"address": "198.51.100.5", "netmask": "255.255.255.0", "version": "v4"},
}

# --- reported networks: base nic, vlan, bridged, mtu ---------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "nic", "vlan_id", "bridged", "mtu"),
    [
        pytest.param(network("ovirtmgmt", bridged=True, southbound="eth0"), "eth0", None, True, 1500, id="bridged"),
        pytest.param(network("eth2", bridged=False, southbound="eth2"), "eth2", None, False, 1500, id="bridgeless"),
        pytest.param(
            network("red", bridged=True, southbound="eth1.100", vlanid=100), "eth1", 100, True, 1500, id="bridged-vlan"
        ),
        pytest.param(
            network("bond0.20", bridged=False, southbound="bond0.20", vlanid=20, mtu=9000),
            "bond0",
            20,
            False,
            9000,
            id="bridgeless-vlan-over-bond",
        ),
        pytest.param(
            network("eth1.0", bridged=False, southbound="eth1.0", vlanid=0), "eth1", 0, False, 1500, id="vlan-0"
        ),
        pytest.param({"iface": "eth3", "bridged": False}, "eth3", None, False, 1500, id="no-southbound-uses-iface"),
        pytest.param(
            network("eth1", bridged=False, southbound="eth1", mtu=0), "eth1", None, False, 1500, id="mtu-0-is-1500"
        ),
        pytest.param({"iface": "eth1"}, "eth1", None, False, 1500, id="bare-entry"),
    ],
)
def test_reported_network_base_nic_vlan_bridged_and_mtu(
    entry: dict[str, Any], nic: str, vlan_id: int | None, bridged: bool, mtu: int
) -> None:
    got = reported_networks(caps(networks={"n": entry}))["n"]
    assert (got.name, got.nic, got.vlan, got.bridged, got.mtu) == ("n", nic, vlan_id, bridged, mtu)
    assert got.ip_assignments == ip_assignments(entry)


@pytest.mark.parametrize(
    "report",
    [pytest.param({}, id="empty"), pytest.param({"networks": None}, id="null"), pytest.param(caps(), id="none")],
)
def test_reported_networks_of_a_host_without_networks_is_empty(report: dict[str, Any]) -> None:
    assert reported_networks(report) == {}


def test_reported_networks_of_a_sim_host_bridged_on_eth0_and_vlan_over_bond(mgmt_and_bond_vlan: dict[str, Any]) -> None:
    assert reported_networks(mgmt_and_bond_vlan) == {
        "ovirtmgmt": ReportedNetwork("ovirtmgmt", "eth0", None, True, 1500, [STATIC_MGMT]),
        "storage": ReportedNetwork("storage", "bond0", 20, False, 9000, [STATIC_STORAGE]),
    }


def test_reported_networks_of_a_sim_host_bridged_vlan_and_dhcp(bridged_vlan_and_dhcp: dict[str, Any]) -> None:
    got = reported_networks(bridged_vlan_and_dhcp)
    assert set(got) == {"red", "blue"}
    red, blue = got["red"], got["blue"]
    assert (red.nic, red.vlan, red.bridged, red.mtu) == ("eth1", 100, True, 1500)
    assert red.ip_assignments == [STATIC_STORAGE]
    assert (blue.nic, blue.vlan, blue.bridged) == ("eth2", None, False)
    v4, v6 = blue.ip_assignments
    assert v4["assignment_method"] == "dhcp"
    assert v4["ip"]["version"] == "v4" and "gateway" not in v4["ip"]
    assert v6["assignment_method"] == "poly_dhcp_autoconf"
    assert v6["ip"]["version"] == "v6" and "gateway" not in v6["ip"]


# --- ip assignments --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(dev(), V4_NONE, id="none"),
        pytest.param({}, V4_NONE, id="empty-entry"),
        pytest.param(dev(dhcpv4=True), {"assignment_method": "dhcp"}, id="dhcp-no-lease-yet"),
        pytest.param(
            dev("198.51.100.11/24", dhcpv4=True, gateway="198.51.100.1"),
            {
                "assignment_method": "dhcp",
                "ip": {
                    "address": "198.51.100.11",
                    "netmask": "255.255.255.0",
                    "version": "v4",
                    "gateway": "198.51.100.1",
                },
            },
            id="dhcp-with-lease",
        ),
        pytest.param(dev("192.0.2.10/24", gateway=GATEWAY), STATIC_MGMT, id="static-with-gateway"),
        pytest.param(
            dev("10.1.2.3/16"),
            {"assignment_method": "static", "ip": {"address": "10.1.2.3", "netmask": "255.255.0.0", "version": "v4"}},
            id="static-without-gateway",
        ),
        pytest.param(
            {"addr": "10.1.2.3"},
            {"assignment_method": "static", "ip": {"address": "10.1.2.3", "netmask": "", "version": "v4"}},
            id="static-without-netmask",
        ),
    ],
)
def test_ipv4_assignment(entry: dict[str, Any], expected: dict[str, Any]) -> None:
    assert ip_assignments(entry) == [expected]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(
            dev(dhcpv6=True, ipv6autoconf=True), {"assignment_method": "poly_dhcp_autoconf"}, id="poly-dhcp-autoconf"
        ),
        pytest.param(dev(dhcpv6=True), {"assignment_method": "dhcp"}, id="dhcp"),
        pytest.param(dev(ipv6autoconf=True), {"assignment_method": "autoconf"}, id="autoconf"),
        pytest.param(
            dev(ipv6=("2001:db8::11/128",), dhcpv6=True),
            {"assignment_method": "dhcp", "ip": {"address": "2001:db8::11", "netmask": "128", "version": "v6"}},
            id="dhcp-with-lease",
        ),
        pytest.param(
            dev(ipv6=("2001:db8::5054:ff:fe00:100/64",), ipv6autoconf=True, ipv6gateway="fe80::1"),
            {
                "assignment_method": "autoconf",
                "ip": {"address": "2001:db8::5054:ff:fe00:100", "netmask": "64", "version": "v6", "gateway": "fe80::1"},
            },
            id="autoconf-with-address-and-gateway",
        ),
        pytest.param(
            dev(ipv6=("2001:db8::5/64",), ipv6gateway="2001:db8::1"),
            {
                "assignment_method": "static",
                "ip": {"address": "2001:db8::5", "netmask": "64", "version": "v6", "gateway": "2001:db8::1"},
            },
            id="static-with-prefix-and-gateway",
        ),
        pytest.param(
            dev(ipv6=("2001:db8::5/64",), ipv6gateway="::"),
            {"assignment_method": "static", "ip": {"address": "2001:db8::5", "netmask": "64", "version": "v6"}},
            id="static-gateway-::-is-no-gateway",
        ),
        pytest.param(
            dev(ipv6=("2001:db8::5/64",), ipv6gateway=""),
            {"assignment_method": "static", "ip": {"address": "2001:db8::5", "netmask": "64", "version": "v6"}},
            id="static-empty-gateway",
        ),
        pytest.param(
            {"ipv6addrs": ["2001:db8::5"]},
            {"assignment_method": "static", "ip": {"address": "2001:db8::5", "netmask": "128", "version": "v6"}},
            id="static-without-prefix-is-128",
        ),
        pytest.param(
            {"ipv6addrs": ["2001:0DB8:0:0::5/64"]},
            {"assignment_method": "static", "ip": {"address": "2001:db8::5", "netmask": "64", "version": "v6"}},
            id="address-normalized",
        ),
        pytest.param(
            dev(ipv6=("2001:db8::5/64", "2001:db8::6/64")),
            {"assignment_method": "static", "ip": {"address": "2001:db8::5", "netmask": "64", "version": "v6"}},
            id="first-of-several-addresses",
        ),
    ],
)
def test_ipv6_assignment(entry: dict[str, Any], expected: dict[str, Any]) -> None:
    v4, v6 = ip_assignments(entry)
    assert v4 == V4_NONE
    assert v6 == expected


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(dev(), id="nothing-configured"),
        pytest.param(dev(ipv6gateway="2001:db8::1"), id="gateway-without-address"),
        pytest.param(dev("192.0.2.10/24", gateway=GATEWAY), id="ipv4-only"),
        pytest.param({"ipv6addrs": None, "dhcpv6": False}, id="null-addresses"),
    ],
)
def test_ipv6_assignment_absent_when_not_configured(entry: dict[str, Any]) -> None:
    assert len(ip_assignments(entry)) == 1


def test_ip_assignments_both_families() -> None:
    entry = dev("192.0.2.10/24", ipv6=("2001:db8::5/64",), gateway=GATEWAY, ipv6gateway="2001:db8::1")
    assert [(a["assignment_method"], a["ip"]["version"]) for a in ip_assignments(entry)] == [
        ("static", "v4"),
        ("static", "v6"),
    ]


# --- compare / out of sync ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "host", "differences"),
    [
        pytest.param(net(), reported(), [], id="defaults-in-sync"),
        pytest.param(net(mtu=0), reported(mtu=1500), [], id="mtu-0-means-1500"),
        pytest.param(net(mtu=1500), reported(mtu=0), [], id="reported-mtu-0-means-1500"),
        pytest.param(net(mtu=9000), reported(mtu=9000), [], id="mtu-9000-equal"),
        pytest.param(net(mtu=0), reported(mtu=9000), [("mtu", "1500", "9000")], id="mtu-default-vs-9000"),
        pytest.param(net(mtu=9000), reported(mtu=1500), [("mtu", "9000", "1500")], id="mtu-9000-vs-1500"),
        pytest.param(net(vm=False), reported(bridged=False), [], id="non-vm-bridgeless"),
        pytest.param(net(vm=True), reported(bridged=False), [("bridged", "true", "false")], id="vm-not-bridged"),
        pytest.param(net(vm=False), reported(bridged=True), [("bridged", "false", "true")], id="non-vm-bridged"),
        pytest.param(net(vlan_id=100), reported(vlan=100), [], id="vlan-equal"),
        pytest.param(net(vlan_id=0), reported(vlan=0), [], id="vlan-0-equal"),
        pytest.param(net(vlan_id=100), reported(vlan=None), [("vlan", "100", "none")], id="vlan-vs-none"),
        pytest.param(net(vlan_id=None), reported(vlan=100), [("vlan", "none", "100")], id="none-vs-vlan"),
        pytest.param(net(vlan_id=0), reported(vlan=None), [("vlan", "0", "none")], id="vlan-0-is-not-none"),
        pytest.param(net(vlan_id=100), reported(vlan=200), [("vlan", "100", "200")], id="vlan-differs"),
        pytest.param(
            net(mtu=9000, vm=False, vlan_id=20),
            reported(mtu=1500, bridged=True, vlan=None),
            [("mtu", "9000", "1500"), ("bridged", "false", "true"), ("vlan", "20", "none")],
            id="everything-differs",
        ),
    ],
)
def test_network_sync_compares_mtu_bridged_and_vlan(
    network: Network, host: ReportedNetwork, differences: list[tuple[str, str, str]]
) -> None:
    entries = compare(network, host)
    assert [e.name for e in entries] == ["mtu", "bridged", "vlan"]
    assert [(e.name, e.expected, e.actual) for e in entries if not e.in_sync] == differences
    assert out_of_sync(network, host) is bool(differences)


@pytest.mark.parametrize(
    ("name", "network", "in_sync"),
    [
        pytest.param("ovirtmgmt", net("ovirtmgmt"), True, id="mgmt-vm-network"),
        pytest.param("ovirtmgmt", net("ovirtmgmt", vm=False), False, id="mgmt-defined-non-vm"),
        pytest.param("storage", net("storage", vm=False, vlan_id=20, mtu=9000), True, id="storage-vlan-9000"),
        pytest.param("storage", net("storage", vm=False, vlan_id=20), False, id="storage-defined-default-mtu"),
        pytest.param("storage", net("storage", vm=False, vlan_id=21, mtu=9000), False, id="storage-other-vlan"),
    ],
)
def test_network_sync_against_a_sim_report(
    mgmt_and_bond_vlan: dict[str, Any], name: str, network: Network, in_sync: bool
) -> None:
    assert out_of_sync(network, reported_networks(mgmt_and_bond_vlan)[name]) is not in_sync


# --- missing required networks ----------------------------------------------------------------------------------

NETWORKS = {
    n.id: n
    for n in (
        net("ovirtmgmt"),
        net("storage"),
        net("display"),
        net("backup"),
        net("ext", external_provider_id="provider-1"),
    )
}
CLUSTER = [
    ClusterNetwork("cluster-1", "id-storage"),
    ClusterNetwork("cluster-1", "id-ovirtmgmt", management=True),
    ClusterNetwork("cluster-1", "id-backup"),
    ClusterNetwork("cluster-1", "id-display", required=False),
    ClusterNetwork("cluster-1", "id-ext"),
    ClusterNetwork("cluster-1", "id-deleted"),
]


@pytest.mark.parametrize(
    ("on_host", "missing"),
    [
        pytest.param(["ovirtmgmt", "storage", "backup", "display", "ext"], [], id="all-present"),
        pytest.param(["ovirtmgmt", "storage", "backup"], [], id="optional-and-external-not-needed"),
        pytest.param(["ovirtmgmt"], ["backup", "storage"], id="sorted-by-name"),
        pytest.param([], ["backup", "ovirtmgmt", "storage"], id="nothing-on-host"),
        pytest.param(["storage", "unrelated"], ["backup", "ovirtmgmt"], id="extra-networks-ignored"),
        pytest.param(["OVIRTMGMT", "storage", "backup"], ["ovirtmgmt"], id="names-are-case-sensitive"),
    ],
)
def test_missing_required_networks(on_host: list[str], missing: list[str]) -> None:
    assert missing_required(on_host, CLUSTER, NETWORKS) == missing
    assert missing_required(iter(on_host), iter(CLUSTER), NETWORKS) == missing


def test_missing_required_against_a_sim_report(mgmt_and_bond_vlan: dict[str, Any]) -> None:
    assert missing_required(reported_networks(mgmt_and_bond_vlan), CLUSTER, NETWORKS) == ["backup"]


# --- nic views ------------------------------------------------------------------------------------------------


def view(name: str, kind: str, **fields: Any) -> HostNicView:
    fields.setdefault("mac", "")
    fields.setdefault("mtu", 1500)
    fields.setdefault("speed", 0)
    fields.setdefault("up", True)
    fields.setdefault("ip_assignments", [V4_NONE])
    return HostNicView(name=name, kind=kind, **fields)


def test_nic_views_of_a_sim_host_bridged_on_eth0_and_vlan_over_bond(mgmt_and_bond_vlan: dict[str, Any]) -> None:
    nic = {"speed": 10000}
    assert nic_views(mgmt_and_bond_vlan) == [
        view(
            "eth0",
            "nic",
            mac="52:54:00:00:01:00",
            network="ovirtmgmt",
            bridged=True,
            **nic,
            ip_assignments=[
                {
                    "assignment_method": "static",
                    "ip": {
                        "address": "192.0.2.10",
                        "netmask": "255.255.255.0",
                        "version": "v4",
                        "gateway": "192.0.2.1",
                    },
                }
            ],
        ),  # a bridged network's IP shows on its southbound row, as in oVirt
        view("eth1", "nic", mac="52:54:00:00:01:01", **nic),
        view("eth2", "nic", mac="52:54:00:00:01:02", mtu=9000, **nic),
        view("eth3", "nic", mac="52:54:00:00:01:03", mtu=9000, **nic),
        view(
            "bond0",
            "bond",
            mac=mgmt_and_bond_vlan["bondings"]["bond0"]["hwaddr"],
            mtu=9000,
            slaves=("eth2", "eth3"),
            bond_options={"mode": "1", "miimon": "100"},
            network="storage",
        ),
        view(
            "bond0.20",
            "vlan",
            mtu=9000,
            ip_assignments=[STATIC_STORAGE],
            base_interface="bond0",
            vlan=20,
            network="storage",
        ),
        view("ovirtmgmt", "bridge", ip_assignments=[STATIC_MGMT]),
    ]


@pytest.mark.parametrize(
    ("device", "network", "bridged"),
    [
        pytest.param("eth1", "red", True, id="base-nic-of-bridged-vlan"),
        pytest.param("eth1.100", "red", True, id="vlan-device-of-bridged-vlan"),
        pytest.param("red", None, False, id="bridge-device-not-a-base-device"),
        pytest.param("eth2", "blue", False, id="bridgeless-on-nic"),
        pytest.param("eth0", None, False, id="unused-nic"),
        pytest.param("eth3", None, False, id="other-unused-nic"),
    ],
)
def test_nic_view_network_on_the_device(
    bridged_vlan_and_dhcp: dict[str, Any], device: str, network: str | None, bridged: bool
) -> None:
    views = {v.name: v for v in nic_views(bridged_vlan_and_dhcp)}
    assert (views[device].network, views[device].bridged) == (network, bridged)


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(("a-vlan", "z-untagged"), id="vlan-network-first"),
        pytest.param(("z-vlan", "a-untagged"), id="untagged-first"),
    ],
)
def test_nic_view_untagged_network_wins_the_base_nic_over_a_vlan_network(names: tuple[str, str]) -> None:
    tagged, untagged = names
    report = caps(
        nics={"eth1": dev()},
        vlans={"eth1.10": vlan("eth1", 10)},
        networks={
            tagged: network("eth1.10", bridged=False, southbound="eth1.10", vlanid=10),
            untagged: network("eth1", bridged=False, southbound="eth1"),
        },
    )
    views = {v.name: v.network for v in nic_views(report)}
    assert views == {"eth1": untagged, "eth1.10": tagged}


@pytest.mark.parametrize(
    ("section", "entry", "expected"),
    [
        pytest.param(
            "nics",
            dev(hwaddr="52:54:00:aa:bb:cc", speed=1000, operstate="down", mtu=9000),
            view("d", "nic", mac="52:54:00:aa:bb:cc", speed=1000, up=False, mtu=9000),
            id="nic-down",
        ),
        pytest.param("nics", {}, view("d", "nic"), id="nic-empty-entry-defaults"),
        pytest.param(
            "bondings",
            bond("eth2", "eth3") | {"opts": {"mode": "4", "miimon": 100}},
            view("d", "bond", slaves=("eth2", "eth3"), bond_options={"mode": "4", "miimon": "100"}),
            id="bond-slaves-and-options-as-strings",
        ),
        pytest.param("bondings", {"slaves": []}, view("d", "bond"), id="bond-without-slaves"),
        pytest.param(
            "vlans",
            vlan("eth1", 100, "198.51.100.5/24"),
            view("d", "vlan", base_interface="eth1", vlan=100, ip_assignments=[STATIC_STORAGE]),
            id="vlan-base-and-id",
        ),
        pytest.param("vlans", vlan("bond0", 0), view("d", "vlan", base_interface="bond0", vlan=0), id="vlan-0"),
        pytest.param(
            "bridges",
            bridge("eth0", opts={"stp_state": "0"}),
            view("d", "bridge"),
            id="bridge-opts-are-not-bond-options",
        ),
        pytest.param(
            "nics",
            dev(iface="x", vlanid=5, opts={"a": "b"}),
            view("d", "nic"),
            id="vlan-and-bond-fields-only-for-their-kind",
        ),
    ],
)
def test_nic_view_fields(section: str, entry: dict[str, Any], expected: HostNicView) -> None:
    assert nic_views({section: {"d": entry}}) == [expected]


def test_nic_views_order_nics_bonds_vlans_bridges_each_sorted() -> None:
    report = caps(
        nics={"eth1": dev(), "eth0": dev()},
        bondings={"bond1": bond(), "bond0": bond()},
        vlans={"eth0.5": vlan("eth0", 5)},
        bridges={"br1": bridge(), "br0": bridge()},
    )
    assert [(v.kind, v.name) for v in nic_views(report)] == [
        ("nic", "eth0"),
        ("nic", "eth1"),
        ("bond", "bond0"),
        ("bond", "bond1"),
        ("vlan", "eth0.5"),
        ("bridge", "br0"),
        ("bridge", "br1"),
    ]

"""out_of_sync.compare: every attribute of host-network-setup.md §8, normalized so that nothing is out of sync
falsely (MTU 0, netmask forms, gateway forms, IPv6 spelling, link-local, DHCP-learned values). Each case is
named after the attribute or normalization rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcnet.domain.entities import ClusterNetwork, Network
from dcnet.domain.host_report import ReportedConfiguration
from dcnet.domain.setup.model import Attachment, IpConfig, IpMethod
from dcnet.domain.setup.out_of_sync import compare, in_sync, out_of_sync_values
from tests.unit.setup._host import MGMT, PLAIN, RED, cluster_row, network

ROW = cluster_row(PLAIN)
DEFAULT_ROUTE_ROW = cluster_row(MGMT, management=True, default_route=True)


def entry(**kw: Any) -> dict[str, Any]:
    """`plain` as the host reports it: bridged, untagged on eth2, MTU 1500, no IP."""
    return reported_network({"iface": "plain", "bridged": True, "southbound": "eth2", "switch": "legacy"} | kw)


def reported_network(fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    iface, bridged, southbound = fields.pop("iface"), fields.pop("bridged"), fields.pop("southbound")
    return network(iface, bridged=bridged, southbound=southbound, **fields)


def host(**kw: Any) -> dict[str, Any]:
    return {"nics": {}, "vlans": {}, "networks": {}, "nameservers": ["10.0.0.53"]} | kw


def run(
    reported: dict[str, Any],
    *,
    net: Network = PLAIN,
    row: ClusterNetwork | None = ROW,
    attachment: Attachment | None = None,
    caps: dict[str, Any] | None = None,
    switch: str = "legacy",
    **kw: Any,
) -> dict[str, ReportedConfiguration]:
    entries = compare(net, row, attachment, reported, caps if caps is not None else host(), switch, **kw)
    names = [e.name for e in entries]
    assert len(names) == len(set(names)), names
    return {e.name: e for e in entries}


def out(result: dict[str, ReportedConfiguration]) -> dict[str, tuple[str, str]]:
    return {name: (e.expected, e.actual) for name, e in result.items() if not e.in_sync}


def att(ipv4: IpConfig = IpConfig(), ipv6: IpConfig | None = None, dns: tuple[str, ...] = ()) -> Attachment:
    return Attachment("a", PLAIN.id, "eth2", ipv4, ipv6, dns)


# --- always compared ------------------------------------------------------------------------------------


def test_in_sync_network_compares_mtu_bridged_vlan_switch_and_default_route() -> None:
    result = run(entry())
    assert list(result) == ["mtu", "bridged", "vlan", "switchType", "default_route"]
    assert out(result) == {}


def test_scenario_9_mtu_changed_behind_dcnets_back() -> None:
    result = run(entry(mtu=1501))
    assert out(result) == {"mtu": ("1500", "1501")}
    assert out_of_sync_values(result.values()) == "MTU Host - 1501, DC - 1500"


@pytest.mark.parametrize("host_mtu", [1500, 0, None])
def test_mtu_0_is_1500(host_mtu: int | None) -> None:
    assert out(run(entry(mtu=host_mtu), net=replace(PLAIN, mtu=0))) == {}


def test_bridged() -> None:
    assert out(run(entry(bridged=False))) == {"bridged": ("true", "false")}


def test_vlan() -> None:
    assert out(run(entry(vlanid=100))) == {"vlan": ("none", "100")}
    assert out(run(entry(vlanid=100, southbound="eth2.100"), net=RED)) == {}


def test_vlan_from_the_southbound_vlan_device_when_the_entry_has_no_vlanid() -> None:
    caps = host(vlans={"eth2.100": {"iface": "eth2", "vlanid": 100}})
    assert out(run(entry(southbound="eth2.100"), net=RED, caps=caps)) == {}


def test_switch_type() -> None:
    assert out(run(entry(), switch="ovs")) == {"switchType": ("ovs", "legacy")}
    assert out(run(entry(switch="ovs"), switch="ovs")) == {}


def test_default_route_held_by_a_network_without_the_role() -> None:
    assert out(run(entry(ipv4defaultroute=True))) == {"default_route": ("false", "true")}


def test_default_route_from_the_caps_default_route_map() -> None:
    caps = host(defaultRoute={"ipv4": {"device": "plain", "gateway": "192.0.2.1"}})
    assert out(run(entry(iface="plain"), caps=caps)) == {"default_route": ("false", "true")}


def test_an_ipv6_default_route_from_router_advertisements_is_not_the_default_route() -> None:
    caps = host(defaultRoute={"ipv6": {"device": "plain", "gateway": "fe80::1"}})
    assert out(run(entry(iface="plain"), caps=caps)) == {}


# --- IPv4 -----------------------------------------------------------------------------------------------


def static_entry(address: str = "192.0.2.10/24", **kw: Any) -> dict[str, Any]:
    ip = address.split("/")[0]
    return entry(ipv4addrs=[address], addr=ip, **kw)


def test_ipv4_boot_protocol() -> None:
    assert out(run(entry(dhcpv4=True), attachment=att(IpConfig("static", "192.0.2.10", "24")))) == {
        "ipv4_boot_protocol": ("static", "dhcp")
    }


def test_ipv4_static_in_sync_with_netmask_as_prefix_or_dotted() -> None:
    for netmask in ("24", "255.255.255.0", "/24"):
        result = run(static_entry(), attachment=att(IpConfig("static", "192.0.2.10", netmask)))
        assert {"ipv4_address", "ipv4_netmask"} <= set(result) and out(result) == {}


def test_ipv4_address_and_netmask_differ() -> None:
    result = run(static_entry("192.0.2.11/25"), attachment=att(IpConfig("static", "192.0.2.10", "24")))
    assert out(result) == {
        "ipv4_address": ("192.0.2.10", "192.0.2.11"),
        "ipv4_netmask": ("255.255.255.0", "255.255.255.128"),
    }


def test_ipv4_the_expected_address_among_several_is_found() -> None:
    reported = entry(ipv4addrs=["198.51.100.1/24", "192.0.2.10/24"], addr="198.51.100.1")
    assert out(run(reported, attachment=att(IpConfig("static", "192.0.2.10", "24")))) == {}


@pytest.mark.parametrize("expected_gateway", [None, "", "0.0.0.0"])
def test_ipv4_gateway_none_forms_are_equal(expected_gateway: str | None) -> None:
    attachment = Attachment("a", MGMT.id, "eth0", IpConfig("static", "10.0.0.5", "24", expected_gateway))
    reported = static_entry("10.0.0.5/24", gateway="")
    result = run(reported, net=MGMT, row=DEFAULT_ROUTE_ROW, attachment=attachment, caps=host(nameservers=[]))
    assert result["ipv4_gateway"].in_sync


def test_ipv4_gateway_differs_on_the_default_route_network() -> None:
    attachment = Attachment("a", MGMT.id, "eth0", IpConfig("static", "10.0.0.5", "24", "10.0.0.1"))
    reported = static_entry("10.0.0.5/24", gateway="10.0.0.254", ipv4defaultroute=True)
    result = run(reported, net=MGMT, row=DEFAULT_ROUTE_ROW, attachment=attachment)
    assert out(result) == {"ipv4_gateway": ("10.0.0.1", "10.0.0.254")}


def test_ipv4_gateway_not_compared_where_the_host_cannot_report_it() -> None:
    """The agent reports a gateway only on the device holding the default route."""
    result = run(static_entry(gateway=""), attachment=att(IpConfig("static", "192.0.2.10", "24", "192.0.2.1")))
    assert "ipv4_gateway" not in result and out(result) == {}


def test_dhcp_learned_values_never_compared() -> None:
    result = run(static_entry(dhcpv4=True, gateway="192.0.2.1"), attachment=att(IpConfig("dhcp")))
    assert [n for n in result if n.startswith("ipv4")] == ["ipv4_boot_protocol"] and out(result) == {}


def test_dynamic_address_is_not_a_static_one() -> None:
    reported = static_entry(addresses=[{"address": "192.0.2.10", "prefix": 24, "family": 4, "dynamic": True}])
    assert out(run(reported, attachment=att(IpConfig("none")))) == {}


def test_no_ip_entries_without_an_attachment() -> None:
    assert not [n for n in run(static_entry()) if n.startswith("ipv")]


# --- IPv6 -----------------------------------------------------------------------------------------------


def test_ipv6_compared_semantically() -> None:
    reported = entry(ipv6addrs=["2001:db8:0:0::10/64"])
    result = run(reported, attachment=att(ipv6=IpConfig("static", "2001:DB8::0010", "64")))
    assert {"ipv6_boot_protocol", "ipv6_address", "ipv6_prefix"} <= set(result) and out(result) == {}


def test_ipv6_address_and_prefix_differ() -> None:
    reported = entry(ipv6addrs=["2001:db8::11/80"])
    result = run(reported, attachment=att(ipv6=IpConfig("static", "2001:db8::10/64")))
    assert out(result) == {"ipv6_address": ("2001:db8::10", "2001:db8::11"), "ipv6_prefix": ("64", "80")}


def test_ipv6_link_local_ignored() -> None:
    reported = entry(ipv6addrs=["fe80::1/64"])
    assert out(run(reported, attachment=att(ipv6=IpConfig("none")))) == {}


@pytest.mark.parametrize(
    ("flags", "method"),
    [
        ({"dhcpv6": True}, "dhcp"),
        ({"ipv6autoconf": True}, "autoconf"),
        ({"dhcpv6": True, "ipv6autoconf": True}, "poly_dhcp_autoconf"),
    ],
)
def test_ipv6_boot_protocol(flags: dict[str, bool], method: IpMethod) -> None:
    assert out(run(entry(**flags), attachment=att(ipv6=IpConfig(method)))) == {}
    assert out(run(entry(**flags), attachment=att(ipv6=IpConfig("none")))) == {"ipv6_boot_protocol": ("none", method)}


def test_ipv6_not_compared_without_an_ipv6_config() -> None:
    assert "ipv6_boot_protocol" not in run(entry(dhcpv6=True), attachment=att())


def test_ipv6_gateway_double_colon_is_none_on_the_default_route_network() -> None:
    attachment = Attachment("a", MGMT.id, "eth0", IpConfig("dhcp"), IpConfig("static", "2001:db8::5", "64"))
    reported = entry(dhcpv4=True, ipv4defaultroute=True, ipv6addrs=["2001:db8::5/64"], ipv6gateway="::")
    result = run(reported, net=MGMT, row=DEFAULT_ROUTE_ROW, attachment=attachment)
    assert result["ipv6_gateway"].expected == result["ipv6_gateway"].actual == "none" and out(result) == {}


# --- QoS ------------------------------------------------------------------------------------------------


def test_qos_not_compared_when_neither_side_has_it() -> None:
    assert not [n for n in run(entry()) if n.startswith("out")]


def test_qos_compared_when_the_host_has_it() -> None:
    result = run(entry(hostQos={"out": {"ls": {"m2": 50}, "ul": {"m2": 100}}}))
    assert out(result) == {"outAverageLinkShare": ("none", "50"), "outAverageUpperLimit": ("none", "100")}


def test_qos_in_sync() -> None:
    qos = {"out": {"ls": 50, "ul": 100, "rt": 10}}
    result = run(entry(hostQos={"out": {"ls": {"m2": 50}, "ul": {"m2": 100}, "rt": {"m2": 10}}}), expected_qos=qos)
    assert len([n for n in result if n.startswith("out")]) == 3 and out(result) == {}


# --- DNS and default route on the default-route network -------------------------------------------------


def mgmt_reported(**kw: Any) -> dict[str, Any]:
    base = {"iface": "ovirtmgmt", "bridged": True, "southbound": "eth0", "switch": "legacy", "dhcpv4": True}
    return reported_network(base | {"ipv4defaultroute": True} | kw)


MGMT_DHCP = Attachment("a", MGMT.id, "eth0", IpConfig("dhcp"), dns_servers=("10.0.0.53",))


def test_dns_configuration_host_list_contains_the_expected() -> None:
    caps = host(nameservers=["10.0.0.53", "10.0.0.54"])
    result = run(mgmt_reported(), net=MGMT, row=DEFAULT_ROUTE_ROW, attachment=MGMT_DHCP, caps=caps)
    assert result["dns_configuration"].in_sync and in_sync(result.values())


def test_dns_configuration_missing_server() -> None:
    caps = host(nameservers=["10.0.0.54"])
    result = run(mgmt_reported(), net=MGMT, row=DEFAULT_ROUTE_ROW, attachment=MGMT_DHCP, caps=caps)
    assert out(result) == {"dns_configuration": ("10.0.0.53", "10.0.0.54")}


def test_dns_configuration_falls_back_to_the_network_servers() -> None:
    net = replace(MGMT, dns_name_servers=["9.9.9.9"])
    result = run(mgmt_reported(), net=net, row=DEFAULT_ROUTE_ROW, attachment=replace(MGMT_DHCP, dns_servers=()))
    assert out(result) == {"dns_configuration": ("9.9.9.9", "10.0.0.53")}


def test_dns_configuration_only_on_the_default_route_network() -> None:
    assert "dns_configuration" not in run(entry(), attachment=att(dns=("1.1.1.1",)))


def test_default_route_role_network_without_the_route() -> None:
    """The host's IPv4 default route is on another device: the DHCP default-route network does not hold it."""
    caps = host(defaultRoute={"ipv4": {"device": "eth9", "gateway": "192.0.2.1"}})
    result = run(
        mgmt_reported(ipv4defaultroute=False), net=MGMT, row=DEFAULT_ROUTE_ROW, attachment=MGMT_DHCP, caps=caps
    )
    assert out(result) == {"default_route": ("true", "false")}


def test_default_route_not_compared_when_dhcp_gave_no_router() -> None:
    """No IPv4 default route anywhere on the host: the DHCP server hands out no router; nothing to compare."""
    result = run(mgmt_reported(ipv4defaultroute=False), net=MGMT, row=DEFAULT_ROUTE_ROW, attachment=MGMT_DHCP)
    assert "default_route" not in result


def test_default_route_not_compared_when_the_network_has_no_gateway_source() -> None:
    """A default-route network with a static address and no gateway cannot hold the route."""
    attachment = Attachment("a", MGMT.id, "eth0", IpConfig("static", "10.0.0.5", "24"))
    reported = static_entry("10.0.0.5/24")
    result = run(reported, net=MGMT, row=DEFAULT_ROUTE_ROW, attachment=attachment)
    assert "default_route" not in result and out(result) == {}


# --- rendering ------------------------------------------------------------------------------------------


def test_out_of_sync_values_joins_every_difference() -> None:
    result = run(entry(mtu=1501, bridged=False, vlanid=7))
    assert out_of_sync_values(result.values()) == (
        "MTU Host - 1501, DC - 1500; Bridged Host - false, DC - true; VLAN Host - 7, DC - none"
    )
    assert out_of_sync_values(run(entry()).values()) == ""

"""plan_setup: the setup-networks command as a pure function (host-network-setup.md §7, §12). Each case is
named after the reference's rule, scenario or the issue's bad-input list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcnet.domain.setup.model import Attachment, AttachmentSpec, BondSpec, IpConfig, SetupRequest
from dcnet.domain.setup.plan import DEFAULT_BOND_OPTIONS, plan_setup
from tests.unit._expect import bad_input, rule_violation
from tests.unit.setup._host import (
    ELSEWHERE,
    EXTERNAL,
    JUMBO,
    LONG,
    MGMT,
    MIGRATION,
    PLAIN,
    PLAIN2,
    RED,
    RED_TWIN,
    bond,
    cluster_row,
    context,
    host_caps,
    mgmt_entry,
    network,
    parses,
)

STATIC_V4 = IpConfig("static", "192.0.2.10", "255.255.255.0")
STATIC_V6 = IpConfig("static", "2001:db8::10", "64")


def test_scenario_3_static_ipv4_and_ipv6_on_a_vlan_vm_network() -> None:
    plan = plan_setup(
        context(), SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth0", STATIC_V4, STATIC_V6),))
    )
    parses(plan)
    assert plan.networks == {
        "red": {
            "nic": "eth0",
            "vlan": 100,
            "bridged": True,
            "mtu": 1500,
            "STP": False,
            "switch": "legacy",
            "defaultRoute": False,
            "bootproto": "none",
            "ipaddr": "192.0.2.10",
            "netmask": "255.255.255.0",
            "dhcpv6": False,
            "ipv6autoconf": False,
            "ipv6addr": "2001:db8::10/64",
        }
    }
    assert plan.bondings == {}
    assert plan.options == {"connectivityCheck": True, "connectivityTimeout": 120, "commitOnSuccess": False}
    assert plan.created == (RED.id,)
    assert [(a.id, a.network_id, a.nic) for a in plan.attachments][-1] == ("", RED.id, "eth0")


# --- scenarios ------------------------------------------------------------------------------------------


def red_static() -> Attachment:
    return Attachment("att-red", RED.id, "eth0", STATIC_V4, STATIC_V6)


def red_entry(**kw: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "vlanid": 100,
        "switch": "legacy",
        "ipv4addrs": ["192.0.2.10/24"],
        "addr": "192.0.2.10",
        "netmask": "255.255.255.0",
        "ipv6addrs": ["2001:db8::10/64"],
    }
    return network("red", bridged=True, southbound="eth0.100", **(fields | kw))


def test_scenario_4_switch_to_dhcp_and_poly_dhcp_autoconf() -> None:
    ctx = context(red_static(), host_caps_=host_caps(networks={"ovirtmgmt": mgmt_entry(), "red": red_entry()}))
    spec = AttachmentSpec(RED.id, "eth0", IpConfig("dhcp"), IpConfig("poly_dhcp_autoconf"), id="att-red")
    plan = plan_setup(ctx, SetupRequest(modified_attachments=(spec,)))
    parses(plan)
    attrs = plan.networks["red"]
    assert attrs["bootproto"] == "dhcp" and attrs["dhcpv6"] is True and attrs["ipv6autoconf"] is True
    assert "ipaddr" not in attrs and "ipv6addr" not in attrs
    assert plan.created == () and plan.removed == ()
    assert [a.ipv4.method for a in plan.attachments if a.id == "att-red"] == ["dhcp"]


def test_a_spec_without_id_updates_the_attachment_of_the_same_network() -> None:
    ctx = context(red_static(), host_caps_=host_caps(networks={"ovirtmgmt": mgmt_entry(), "red": red_entry()}))
    plan = plan_setup(ctx, SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth0", IpConfig("dhcp")),)))
    assert [a.id for a in plan.attachments] == ["att-mgmt", "att-red"]


def test_scenario_5_detach_sends_remove() -> None:
    plan = plan_setup(context(red_static()), SetupRequest(removed_attachments=("att-red",)))
    parses(plan)
    assert plan.networks == {"red": {"remove": True}}
    assert plan.removed == (RED.id,)
    assert [a.id for a in plan.attachments] == ["att-mgmt"]


BOND_FANCY = BondSpec("bond_fancy0", ("eth2", "eth3"), "mode=1 miimon=200")
MIGRATION_V4 = IpConfig("static", "192.0.3.1", "24")
MIGRATION_V6 = IpConfig("static", "2001:db8:3::1/64")


def test_scenario_6_bond_active_backup_with_a_non_vm_vlan_network_mtu_9000() -> None:
    spec = AttachmentSpec(MIGRATION.id, "bond_fancy0", MIGRATION_V4, MIGRATION_V6)
    plan = plan_setup(context(), SetupRequest(modified_attachments=(spec,), modified_bonds=(BOND_FANCY,)))
    parses(plan)
    assert plan.bondings == {
        "bond_fancy0": {"nics": ["eth2", "eth3"], "options": "mode=1 miimon=200", "switch": "legacy"}
    }
    attrs = plan.networks["Migration_Net"]
    assert attrs["bonding"] == "bond_fancy0" and "nic" not in attrs
    assert attrs["vlan"] == 200 and attrs["mtu"] == 9000 and attrs["bridged"] is False and "STP" not in attrs
    assert attrs["netmask"] == "255.255.255.0" and attrs["ipv6addr"] == "2001:db8:3::1/64"


def bond_host() -> dict[str, Any]:
    migration = network(
        "Migration_Net", bridged=False, southbound="bond_fancy0.200", vlanid=200, switch="legacy", mtu=9000
    )
    return host_caps(
        bondings={"bond_fancy0": bond("eth2", "eth3", opts={"mode": "active-backup 1", "miimon": "200"})},
        networks={"ovirtmgmt": mgmt_entry(), "Migration_Net": migration},
    )


def test_scenario_7_bond_and_attachment_removed_in_one_call() -> None:
    on_bond = Attachment("att-mig", MIGRATION.id, "bond_fancy0", MIGRATION_V4, MIGRATION_V6)
    ctx = context(on_bond, host_caps_=bond_host())
    plan = plan_setup(ctx, SetupRequest(removed_attachments=("att-mig",), removed_bonds=("bond_fancy0",)))
    parses(plan)
    assert plan.networks == {"Migration_Net": {"remove": True}}
    assert plan.bondings == {"bond_fancy0": {"remove": True}}


def test_scenario_2_long_network_name_uses_the_host_side_name() -> None:
    plan = plan_setup(context(), SetupRequest(modified_attachments=(AttachmentSpec(LONG.id, "eth1"),)))
    parses(plan)
    assert list(plan.networks) == ["on0f1e2d3c4b5a6"]


def test_scenario_9_sync_pushes_the_dc_definition_even_when_nothing_else_changes() -> None:
    drifted = network("plain", bridged=True, southbound="eth2", switch="legacy", mtu=1501)
    ctx = context(
        Attachment("att-plain", PLAIN.id, "eth2"),
        host_caps_=host_caps(networks={"ovirtmgmt": mgmt_entry(), "plain": drifted}),
    )
    plan = plan_setup(ctx, SetupRequest(synchronized_attachments=("att-plain",)))
    parses(plan)
    assert plan.networks["plain"]["mtu"] == 1500 and plan.networks["plain"]["nic"] == "eth2"


# --- mapping (§7.4) -------------------------------------------------------------------------------------


def test_mapping_default_route_network_carries_gateway_ipv6_gateway_and_dns() -> None:
    spec = AttachmentSpec(
        MGMT.id,
        "eth0",
        IpConfig("static", "10.0.0.5", "255.255.255.0", "10.0.0.1"),
        IpConfig("static", "2001:db8::5", "64", "2001:db8::1"),
        dns_servers=("10.0.0.53",),
        id="att-mgmt",
    )
    plan = plan_setup(context(), SetupRequest(modified_attachments=(spec,)))
    parses(plan)
    attrs = plan.networks["ovirtmgmt"]
    assert attrs["defaultRoute"] is True and attrs["gateway"] == "10.0.0.1"
    assert attrs["ipv6gateway"] == "2001:db8::1" and attrs["nameservers"] == ["10.0.0.53"]


def test_mapping_ipv6_gateway_and_dns_only_on_the_default_route_network() -> None:
    spec = AttachmentSpec(
        RED.id, "eth1", STATIC_V4, IpConfig("static", "2001:db8::10", "64", "2001:db8::1"), ("1.1.1.1",)
    )
    attrs = plan_setup(context(), SetupRequest(modified_attachments=(spec,))).networks["red"]
    assert attrs["defaultRoute"] is False and "ipv6gateway" not in attrs and "nameservers" not in attrs


def test_mapping_dns_falls_back_to_the_network_dns_servers() -> None:
    ctx = context()
    networks = dict(ctx.networks) | {MGMT.id: replace(MGMT, dns_name_servers=["9.9.9.9"])}
    spec = AttachmentSpec(MGMT.id, "eth0", IpConfig("static", "10.0.0.5", "24", "10.0.0.1"), id="att-mgmt")
    request = SetupRequest(modified_attachments=(spec,), synchronized_attachments=("att-mgmt",))
    plan = plan_setup(replace(ctx, networks=networks), request)
    assert plan.networks["ovirtmgmt"]["nameservers"] == ["9.9.9.9"]


def test_mapping_mtu_0_is_1500_and_stp_only_for_vm_networks() -> None:
    ctx = context()
    networks = dict(ctx.networks) | {PLAIN.id: replace(PLAIN, stp=True)}
    plan = plan_setup(
        replace(ctx, networks=networks), SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth1"),))
    )
    parses(plan)
    assert plan.networks["plain"]["mtu"] == 1500 and plan.networks["plain"]["STP"] is True


def test_mapping_switch_type_ovs_on_networks_and_bonds() -> None:
    bond0 = BondSpec("bond0", ("eth2", "eth3"))
    spec = AttachmentSpec(PLAIN.id, "bond0")
    plan = plan_setup(context(switch_type="ovs"), SetupRequest(modified_attachments=(spec,), modified_bonds=(bond0,)))
    parses(plan)
    assert plan.networks["plain"]["switch"] == "ovs"
    assert plan.bondings["bond0"] == {"nics": ["eth2", "eth3"], "options": DEFAULT_BOND_OPTIONS, "switch": "ovs"}


def test_mapping_options_without_connectivity_check_have_no_timeout() -> None:
    request = SetupRequest(
        modified_attachments=(AttachmentSpec(PLAIN.id, "eth1"),), check_connectivity=False, commit_on_success=True
    )
    assert plan_setup(context(), request).options == {"connectivityCheck": False, "commitOnSuccess": True}


def test_mapping_prefix_netmask_becomes_dotted() -> None:
    spec = AttachmentSpec(PLAIN.id, "eth1", IpConfig("static", "192.0.2.7", "/26", "0.0.0.0"))
    attrs = plan_setup(context(), SetupRequest(modified_attachments=(spec,))).networks["plain"]
    assert attrs["netmask"] == "255.255.255.192" and "gateway" not in attrs


def test_mapping_removed_unmanaged_network_is_removed_by_name() -> None:
    foreign = network("foreign", bridged=True, southbound="eth3", switch="legacy")
    ctx = context(host_caps_=host_caps(networks={"ovirtmgmt": mgmt_entry(), "foreign": foreign}))
    plan = plan_setup(ctx, SetupRequest(removed_unmanaged_networks=("foreign",)))
    assert plan.networks == {"foreign": {"remove": True}}


# --- drop what is unchanged (§7.2 step 3) ---------------------------------------------------------------


def test_unchanged_attachment_is_not_sent() -> None:
    ctx = context(red_static(), host_caps_=host_caps(networks={"ovirtmgmt": mgmt_entry(), "red": red_entry()}))
    same = AttachmentSpec(RED.id, "eth0", IpConfig("static", "192.0.2.10", "24"), STATIC_V6, id="att-red")
    plan = plan_setup(ctx, SetupRequest(modified_attachments=(same,)))
    assert not plan.changed and plan.networks == {} and plan.bondings == {}


def test_unchanged_bond_is_not_sent() -> None:
    same = BondSpec("bond_fancy0", ("eth3", "eth2"), "mode=active-backup miimon=200")
    plan = plan_setup(context(host_caps_=bond_host()), SetupRequest(modified_bonds=(same,)))
    assert not plan.changed


def test_empty_bond_options_keep_the_existing_bond_options() -> None:
    plan = plan_setup(
        context(host_caps_=bond_host()), SetupRequest(modified_bonds=(BondSpec("bond_fancy0", ("eth2", "eth3")),))
    )
    assert not plan.changed


def test_changed_bond_is_sent() -> None:
    mode4 = BondSpec("bond_fancy0", ("eth2", "eth3"), "mode=4")
    plan = plan_setup(context(host_caps_=bond_host()), SetupRequest(modified_bonds=(mode4,)))
    assert plan.bondings == {"bond_fancy0": {"nics": ["eth2", "eth3"], "options": "mode=4", "switch": "legacy"}}


# --- host status (§7.2 step 1) --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["up", "maintenance", "non_operational"])
def test_host_status_allowed(status: str) -> None:
    assert plan_setup(
        context(status=status), SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth1"),))
    ).changed


@pytest.mark.parametrize("status", ["installing", "initializing", "non_responsive", "install_failed"])
def test_host_status_illegal(status: str) -> None:
    with rule_violation(
        "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL", "Cannot setup Networks.", "Maintenance, Up, NonOperational"
    ):
        plan_setup(context(status=status), SetupRequest())


# --- structural rules (409) -----------------------------------------------------------------------------

NON_VM = replace(PLAIN, vm=False)
Case = tuple[str, SetupRequest, tuple[str, ...]]


def _mgmt_on_bond_caps() -> dict[str, Any]:
    return host_caps(bondings={"bond0": bond("eth2", "eth3", opts={"mode": "balance-rr 0"})})


RULES: list[tuple[str, str, SetupRequest, tuple[str, ...]]] = [
    (
        "unknown_nic",
        "HOST_NETWORK_INTERFACE_HAVING_NAME_DOES_NOT_EXIST",
        SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth9"),)),
        ("Cannot setup Networks.", "(name eth9) does not exist"),
    ),
    (
        "unknown_bond_slave",
        "HOST_NETWORK_INTERFACE_HAVING_NAME_DOES_NOT_EXIST",
        SetupRequest(modified_bonds=(BondSpec("bond1", ("eth2", "eth9")),)),
        ("(name eth9)",),
    ),
    (
        "network_not_in_cluster",
        "NETWORK_OF_GIVEN_NAME_NOT_EXISTS_IN_CLUSTER",
        SetupRequest(modified_attachments=(AttachmentSpec(ELSEWHERE.id, "eth1"),)),
        ("Logical Network 'elsewhere' does not exist in Cluster.",),
    ),
    (
        "external_network",
        "EXTERNAL_NETWORK_HAVING_NAME_CANNOT_BE_PROVISIONED",
        SetupRequest(modified_attachments=(AttachmentSpec(EXTERNAL.id, "eth1"),)),
        ("The external network 'ext' cannot be configured on the host's interface.",),
    ),
    (
        "attachment_on_a_vlan_device",
        "ATTACHMENT_REFERENCE_VLAN_DEVICE",
        SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth1.50"),)),
        ("references vlan device 'eth1.50'",),
    ),
    (
        "nic_already_carrying_an_untagged_network",
        "NETWORK_INTERFACES_NOT_EXCLUSIVELY_USED_BY_UNTAGGED_NETWORK",
        SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth0"),)),
        ("At most one VLAN-untagged Logical Network", "violate that rule: eth0."),
    ),
    (
        "two_networks_with_the_same_vlan_on_one_device",
        "NETWORK_INTERFACES_NOT_EXCLUSIVELY_USED_BY_UNTAGGED_NETWORK",
        SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth1"), AttachmentSpec(RED_TWIN.id, "eth1"))),
        ("one Logical Network per VLAN", "red, red_twin", "VLAN 100", "violate that rule: eth1."),
    ),
    (
        "networks_sharing_a_nic_with_different_mtus",
        "NETWORK_MTU_DIFFERENCES",
        SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth1"), AttachmentSpec(JUMBO.id, "eth1"))),
        ("do not have the same MTU value: jumbo(9000), red(1500).",),
    ),
    (
        "networks_sharing_a_bond_with_different_mtus",
        "NETWORK_MTU_DIFFERENCES",
        SetupRequest(
            modified_bonds=(BondSpec("bond1", ("eth2", "eth3"), "mode=1"),),
            modified_attachments=(AttachmentSpec(MIGRATION.id, "bond1"), AttachmentSpec(RED.id, "bond1")),
        ),
        ("Migration_Net(9000), red(1500)",),
    ),
    (
        "a_bond_of_one_nic",
        "NETWORK_BONDS_INVALID_SLAVE_COUNT",
        SetupRequest(modified_bonds=(BondSpec("bond1", ("eth2",)),)),
        ("consist of less than two Network Interfaces: bond1.",),
    ),
    (
        "bond_name_format",
        "NETWORK_BOND_NAME_BAD_FORMAT",
        SetupRequest(modified_bonds=(BondSpec("team0", ("eth2", "eth3")),)),
        ("Bond name 'team0' does not follow naming criteria.",),
    ),
    (
        "slave_carrying_a_network",
        "NETWORK_INTERFACE_ATTACHED_TO_NETWORK_CANNOT_BE_SLAVE",
        SetupRequest(modified_bonds=(BondSpec("bond1", ("eth0", "eth3")),)),
        ("Network Interface 'eth0' cannot become slave, there's network 'ovirtmgmt' attached to it.",),
    ),
    (
        "slave_of_two_bonds",
        "NETWORK_INTERFACE_REFERENCED_AS_A_SLAVE_MULTIPLE_TIMES",
        SetupRequest(modified_bonds=(BondSpec("bond1", ("eth1", "eth2")), BondSpec("bond2", ("eth2", "eth3")))),
        ("'eth2'",),
    ),
    (
        "network_on_two_nics",
        "NETWORKS_ALREADY_ATTACHED_TO_IFACES",
        SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth1"), AttachmentSpec(RED.id, "eth2"))),
        ("attached to more than one Network Interface: red.",),
    ),
    (
        "vm_network_on_bond_mode_0",
        "INVALID_BOND_MODE_FOR_BOND_WITH_VM_NETWORK",
        SetupRequest(
            modified_bonds=(BondSpec("bond1", ("eth2", "eth3"), "mode=balance-rr"),),
            modified_attachments=(AttachmentSpec(RED.id, "bond1"),),
        ),
        ("Network red is attached to bond bond1. VM networks cannot be attached to bonds in mode 0, 5 or 6.",),
    ),
    (
        "vm_network_on_bond_mode_6",
        "INVALID_BOND_MODE_FOR_BOND_WITH_VM_NETWORK",
        SetupRequest(
            modified_bonds=(BondSpec("bond1", ("eth2", "eth3"), "mode=6 miimon=100"),),
            modified_attachments=(AttachmentSpec(RED.id, "bond1"),),
        ),
        ("bond bond1",),
    ),
    (
        "removing_the_management_network_attachment",
        "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_CANNOT_BE_REMOVED",
        SetupRequest(removed_attachments=("att-mgmt",)),
        ("Cannot setup Networks.", "The management network 'ovirtmgmt' cannot be removed"),
    ),
    (
        "removed_attachment_does_not_exist",
        "NETWORK_ATTACHMENTS_NOT_EXISTS",
        SetupRequest(removed_attachments=("nope",)),
        ("nope",),
    ),
    (
        "modified_attachment_id_does_not_exist",
        "NETWORK_ATTACHMENTS_NOT_EXISTS",
        SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth1", id="nope"),)),
        ("nope",),
    ),
    (
        "synchronized_attachment_does_not_exist",
        "NETWORK_ATTACHMENTS_NOT_EXISTS",
        SetupRequest(synchronized_attachments=("nope",)),
        ("nope",),
    ),
    (
        "removed_bond_does_not_exist",
        "NETWORK_BOND_RECORDS_DOES_NOT_EXISTS",
        SetupRequest(removed_bonds=("bond7",)),
        ("bond7",),
    ),
    (
        "removed_unmanaged_network_does_not_exist",
        "REMOVED_UNMANAGED_NETWORK_DOES_NOT_EXISIT_ON_HOST",
        SetupRequest(removed_unmanaged_networks=("ghost",)),
        ("'ghost'",),
    ),
    (
        "removed_unmanaged_network_is_a_cluster_network",
        "REMOVED_UNMANAGED_NETWORK_IS_A_CLUSTER_NETWORK",
        SetupRequest(removed_unmanaged_networks=("ovirtmgmt",)),
        ("'ovirtmgmt'",),
    ),
]


@pytest.mark.parametrize(("rule", "key", "request_", "fragments"), RULES, ids=[r[0] for r in RULES])
def test_structural_rule(rule: str, key: str, request_: SetupRequest, fragments: tuple[str, ...]) -> None:
    with rule_violation(key, *fragments):
        plan_setup(context(), request_)


def test_removing_a_bond_still_used() -> None:
    on_bond = Attachment("att-mig", MIGRATION.id, "bond_fancy0")
    with rule_violation("BOND_USED_BY_NETWORK_ATTACHMENTS", "Cannot remove bond bond_fancy0", "att-mig"):
        plan_setup(context(on_bond, host_caps_=bond_host()), SetupRequest(removed_bonds=("bond_fancy0",)))


def test_vm_network_on_an_existing_bond_mode_5() -> None:
    host = host_caps(bondings={"bond0": bond("eth2", "eth3", opts={"mode": "balance-tlb 5"})})
    with rule_violation("INVALID_BOND_MODE_FOR_BOND_WITH_VM_NETWORK", "bond bond0"):
        plan_setup(context(host_caps_=host), SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "bond0"),)))


def test_non_vm_network_on_bond_mode_0_is_allowed() -> None:
    ctx = replace(context(), networks=dict(context().networks) | {PLAIN.id: NON_VM})
    request = SetupRequest(
        modified_bonds=(BondSpec("bond1", ("eth2", "eth3"), "mode=0"),),
        modified_attachments=(AttachmentSpec(PLAIN.id, "bond1"),),
    )
    assert plan_setup(ctx, request).changed


@pytest.mark.parametrize("role", ["migration", "display", "gluster", "default_route"])
def test_role_network_has_no_boot_protocol(role: str) -> None:
    ctx = context(rows={PLAIN.id: cluster_row(PLAIN, **{role: True})})
    with rule_violation("ACTION_TYPE_FAILED_ROLE_NETWORK_HAS_NO_BOOT_PROTOCOL", "network 'plain' has no boot protocol"):
        plan_setup(ctx, SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth1"),)))


def test_role_network_with_ipv6_boot_protocol_is_enough() -> None:
    ctx = context(rows={PLAIN.id: cluster_row(PLAIN, migration=True)})
    spec = AttachmentSpec(PLAIN.id, "eth1", IpConfig("none"), IpConfig("autoconf"))
    assert plan_setup(ctx, SetupRequest(modified_attachments=(spec,))).changed


def test_moving_the_management_network_keeps_it() -> None:
    """Removing and re-creating an attachment in one request is a move, not a removal."""
    spec = AttachmentSpec(MGMT.id, "eth1", IpConfig("dhcp"))
    plan = plan_setup(context(), SetupRequest(removed_attachments=("att-mgmt",), modified_attachments=(spec,)))
    assert plan.networks["ovirtmgmt"]["nic"] == "eth1" and plan.removed == ()


def test_device_rules_ignore_devices_the_change_does_not_touch() -> None:
    """An old irregularity on eth1 never blocks a change on eth2."""
    ctx = context(Attachment("att-p", PLAIN.id, "eth1"), Attachment("att-p2", PLAIN2.id, "eth1"))
    assert plan_setup(ctx, SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth2"),))).changed


def test_network_not_in_sync_refuses_a_modification_without_sync() -> None:
    drifted = network("plain", bridged=True, southbound="eth2", switch="legacy", mtu=1501)
    ctx = context(
        Attachment("att-plain", PLAIN.id, "eth2"),
        host_caps_=host_caps(networks={"ovirtmgmt": mgmt_entry(), "plain": drifted}),
    )
    spec = AttachmentSpec(PLAIN.id, "eth2", IpConfig("dhcp"), id="att-plain")
    with rule_violation(
        "NETWORK_NOT_IN_SYNC",
        "Please synchronize the Network Interface before editing network plain.",
        "The non-synchronized values are: MTU Host - 1501, DC - 1500.",
    ):
        plan_setup(ctx, SetupRequest(modified_attachments=(spec,)))
    plan = plan_setup(ctx, SetupRequest(modified_attachments=(spec,), synchronized_attachments=("att-plain",)))
    assert plan.networks["plain"]["mtu"] == 1500 and plan.networks["plain"]["bootproto"] == "dhcp"


# --- bad input (400) ------------------------------------------------------------------------------------

BAD_INPUT: list[tuple[str, IpConfig, IpConfig | None, str, tuple[str, ...]]] = [
    ("static_address_without_netmask", IpConfig("static", "192.0.2.1"), None, "ipv4.netmask", ("required",)),
    ("static_without_address", IpConfig("static", None, "24"), None, "ipv4.address", ("required",)),
    (
        "ipv6_address_in_an_ipv4_field",
        IpConfig("static", "2001:db8::1", "24"),
        None,
        "ipv4.address",
        ("IPv6 address; an IPv4 address is expected",),
    ),
    (
        "ipv4_address_in_an_ipv6_field",
        IpConfig(),
        IpConfig("static", "192.0.2.1", "64"),
        "ipv6.address",
        ("IPv4 address; an IPv6 address is expected",),
    ),
    (
        "bad_netmask",
        IpConfig("static", "192.0.2.1", "255.0.255.0"),
        None,
        "ipv4.netmask",
        ("not a valid IPv4 netmask",),
    ),
    ("prefix_out_of_range", IpConfig("static", "192.0.2.1", "33"), None, "ipv4.netmask", ("out of range 0-32",)),
    ("bad_ipv6_prefix", IpConfig(), IpConfig("static", "2001:db8::1", "129"), "ipv6.netmask", ("0-128",)),
    ("ipv6_without_prefix", IpConfig(), IpConfig("static", "2001:db8::1"), "ipv6.netmask", ("required",)),
    ("gateway_not_parsable", IpConfig("static", "192.0.2.1", "24", "gw"), None, "ipv4.gateway", ("not a valid",)),
    ("ipv6_gateway_in_ipv4", IpConfig("static", "192.0.2.1", "24", "2001:db8::1"), None, "ipv4.gateway", ("IPv6",)),
    ("ipv4_method_autoconf", IpConfig("autoconf"), None, "ipv4.assignment_method", ("not an IPv4 method",)),
]


@pytest.mark.parametrize(("rule", "ipv4", "ipv6", "field", "fragments"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_ip_input(rule: str, ipv4: IpConfig, ipv6: IpConfig | None, field: str, fragments: tuple[str, ...]) -> None:
    with bad_input(f"network_attachments[red].{field}", *fragments):
        plan_setup(context(), SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth1", ipv4, ipv6),)))


def test_bad_dns_server() -> None:
    spec = AttachmentSpec(MGMT.id, "eth0", IpConfig("dhcp"), dns_servers=("dns.example",), id="att-mgmt")
    with bad_input("network_attachments[ovirtmgmt].dns_resolver_configuration.name_servers[0]", "not an IP address"):
        plan_setup(context(), SetupRequest(modified_attachments=(spec,)))


def test_bad_input_sends_nothing_even_with_a_valid_change_beside_it() -> None:
    good, bad = AttachmentSpec(PLAIN.id, "eth1"), AttachmentSpec(RED.id, "eth2", IpConfig("static", "192.0.2.1"))
    with bad_input("network_attachments[red].ipv4.netmask"):
        plan_setup(context(), SetupRequest(modified_attachments=(good, bad)))

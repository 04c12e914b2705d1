"""copy_request: copy host networks (host-network-setup.md §11) as the setup-networks request it makes on the
destination. Each layout is also planned on the destination, so the request is one the planner accepts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcnet.domain.setup.copy import copy_request
from dcnet.domain.setup.model import Attachment, AttachmentSpec, BondSpec, HostContext, IpConfig, SetupRequest
from dcnet.domain.setup.plan import plan_setup
from tests.unit._expect import rule_violation
from tests.unit.mgmt._caps import dev
from tests.unit.setup._host import (
    BLUE,
    MGMT,
    MGMT_ATTACHMENT,
    MIGRATION,
    PLAIN,
    RED,
    bond,
    cluster_row,
    context,
    host_caps,
    network,
    parses,
)

STATIC_V4 = IpConfig("static", "192.0.2.10", "255.255.255.0", "192.0.2.1")
STATIC_V6 = IpConfig("static", "2001:db8::10", "64")


def mgmt_on(device: str) -> dict[str, Any]:
    return network("ovirtmgmt", bridged=True, southbound=device, switch="legacy", dhcpv4=True, ipv4defaultroute=True)


def host(name: str, *attachments: Attachment, **caps: Any) -> HostContext:
    return replace(context(*attachments, host_caps_=host_caps(**caps)), host_name=name)


def copied(source: HostContext, destination: HostContext) -> SetupRequest:
    request = copy_request(source, destination)
    parses(plan_setup(destination, request))
    return request


def test_management_only_copies_nothing() -> None:
    request = copied(host("host-0"), host("host-1"))

    assert request == SetupRequest(commit_on_success=True)
    assert not plan_setup(host("host-1"), request).changed


def test_one_network_on_eth1_static_becomes_none() -> None:
    source = host("host-0", Attachment("src-plain", PLAIN.id, "eth1", STATIC_V4, STATIC_V6, ("192.0.2.53",)))

    request = copied(source, host("host-1"))

    assert request.modified_attachments == (
        AttachmentSpec(PLAIN.id, "eth1", IpConfig("none"), IpConfig("none"), ("192.0.2.53",), None),
    )
    assert (request.removed_attachments, request.modified_bonds, request.removed_bonds) == ((), (), ())
    assert request.commit_on_success and request.check_connectivity
    plan = plan_setup(host("host-1"), request)
    assert plan.networks["plain"]["nic"] == "eth1" and plan.networks["plain"]["bootproto"] == "none"
    assert "ipaddr" not in plan.networks["plain"] and "ipv6addr" not in plan.networks["plain"]


def test_vlan_network_and_vm_network_replace_the_destination_ones_keeping_an_existing_id() -> None:
    source = host(
        "host-0",
        Attachment("src-red", RED.id, "eth1", IpConfig("dhcp"), IpConfig("autoconf")),
        Attachment("src-plain", PLAIN.id, "eth1", STATIC_V4),
    )
    destination = host(
        "host-1",
        Attachment("dst-blue", BLUE.id, "eth2"),
        Attachment("dst-red", RED.id, "eth3", STATIC_V4),
    )

    request = copied(source, destination)

    assert request.modified_attachments == (
        AttachmentSpec(RED.id, "eth1", IpConfig("dhcp"), IpConfig("autoconf"), (), "dst-red"),
        AttachmentSpec(PLAIN.id, "eth1", IpConfig("none"), None, (), None),
    )
    assert request.removed_attachments == ("dst-blue",)
    plan = plan_setup(destination, request)
    assert plan.networks["blue"] == {"remove": True}
    assert plan.networks["red"]["nic"] == "eth1" and plan.networks["red"]["vlan"] == 100
    assert {(a.id, a.network_id, a.nic) for a in plan.attachments} == {
        ("att-mgmt", MGMT.id, "eth0"),
        ("dst-red", RED.id, "eth1"),
        ("", PLAIN.id, "eth1"),
    }


def test_networks_on_a_bond_replace_the_destination_bond() -> None:
    source = host(
        "host-0",
        Attachment("src-mig", MIGRATION.id, "bond0", IpConfig("dhcp")),
        bondings={"bond0": bond("eth2", "eth3", opts={"mode": "active-backup 1", "miimon": "200"})},
    )
    destination = host(
        "host-1",
        Attachment("dst-plain", PLAIN.id, "bond7"),
        bondings={"bond7": bond("eth1", "eth2")},
    )

    request = copied(source, destination)

    assert request.modified_bonds == (BondSpec("bond0", ("eth2", "eth3"), "mode=active-backup miimon=200"),)
    assert request.removed_bonds == ("bond7",)
    assert request.removed_attachments == ("dst-plain",)
    assert request.modified_attachments == (AttachmentSpec(MIGRATION.id, "bond0", IpConfig("dhcp"), None, (), None),)
    plan = plan_setup(destination, request)
    assert plan.bondings["bond7"] == {"remove": True}
    assert plan.bondings["bond0"]["nics"] == ["eth2", "eth3"]
    assert plan.networks["Migration_Net"]["bonding"] == "bond0"


def test_same_bond_name_on_the_destination_is_recreated_not_removed() -> None:
    source = host("host-0", Attachment("src-red", RED.id, "bond0"), bondings={"bond0": bond("eth1", "eth2")})
    destination = host("host-1", Attachment("dst-red", RED.id, "bond0"), bondings={"bond0": bond("eth2", "eth3")})

    request = copied(source, destination)

    assert request.modified_bonds == (BondSpec("bond0", ("eth1", "eth2"), "mode=4 miimon=100"),)
    assert request.removed_bonds == () and request.removed_attachments == ()
    assert request.modified_attachments == (AttachmentSpec(RED.id, "bond0", IpConfig("none"), None, (), "dst-red"),)


def test_nics_are_paired_by_sorted_name_leaving_the_management_nic_out() -> None:
    source = host("host-0", Attachment("src-plain", PLAIN.id, "eth3"))
    nics = {name: dev() for name in ("em1", "em2", "em3", "em4")}
    destination = replace(
        context(host_caps_=host_caps(nics=nics, vlans={}, networks={"ovirtmgmt": mgmt_on("em2")})),
        host_name="host-1",
        attachments=(replace(MGMT_ATTACHMENT, nic="em2"), Attachment("dst-blue", BLUE.id, "em1")),
    )

    request = copied(source, destination)

    assert [(a.network_id, a.nic) for a in request.modified_attachments] == [(PLAIN.id, "em4")]
    assert request.removed_attachments == ("dst-blue",)


def test_a_management_bond_is_left_out_and_a_copied_bond_of_its_name_gets_the_next_free_name() -> None:
    data_bond = bond("eth2", "eth3", opts={"mode": "1"})
    source = replace(
        host(
            "host-0",
            bondings={"bond0": data_bond, "bond1": bond("eth0", "eth1")},
            networks={"ovirtmgmt": mgmt_on("bond1")},
        ),
        attachments=(replace(MGMT_ATTACHMENT, nic="bond1"), Attachment("src-red", RED.id, "bond0")),
    )
    destination = replace(
        host("host-1", bondings={"bond0": bond("eth0", "eth1")}, networks={"ovirtmgmt": mgmt_on("bond0")}),
        attachments=(replace(MGMT_ATTACHMENT, nic="bond0"),),
    )

    request = copied(source, destination)

    assert request.modified_bonds == (BondSpec("bond1", ("eth2", "eth3"), "mode=1"),)
    assert request.removed_bonds == ()
    assert [(a.network_id, a.nic) for a in request.modified_attachments] == [(RED.id, "bond1")]


def test_hosts_in_different_clusters_are_refused() -> None:
    other = {n: replace(row, cluster_id="other") for n, row in host("host-1").cluster_networks.items()}
    destination = replace(host("host-1"), cluster_networks=other)

    with rule_violation("HOSTS_NOT_IN_SAME_CLUSTER", "Cannot copy Host Networks.", "host-0", "host-1"):
        copy_request(host("host-0"), destination)


@pytest.mark.parametrize("count", [2, 5])
def test_a_different_number_of_nics_is_refused(count: int) -> None:
    nics = {f"eth{i}": dev() for i in range(count)}
    destination = host("host-1", nics=nics)

    with rule_violation("INTERFACE_COUNT_DOES_NOT_MATCH", "host host-0 has 3 (eth1, eth2, eth3)", f"has {count - 1}"):
        copy_request(host("host-0"), destination)


def test_management_bond_slaves_count_as_the_management_nic() -> None:
    source = host("host-0", nics={f"eth{i}": dev() for i in range(5)}, bondings={"bond0": bond("eth0", "eth4")})
    source = replace(source, attachments=(replace(MGMT_ATTACHMENT, nic="bond0"),))

    request = copy_request(source, host("host-1"))

    assert request == SetupRequest(commit_on_success=True)


def test_a_static_role_network_becomes_none_and_the_planner_refuses_it() -> None:
    """A copied attachment whose network has a role and was static becomes none: the planner then refuses it
    like any setup networks request (a role network needs a boot protocol)."""
    rows = {MIGRATION.id: cluster_row(MIGRATION, migration=True)}
    source = host("host-0", Attachment("src-mig", MIGRATION.id, "eth1", STATIC_V4))
    destination = replace(context(rows=rows), host_name="host-1")

    request = copy_request(replace(source, cluster_networks=destination.cluster_networks), destination)

    with rule_violation("ACTION_TYPE_FAILED_ROLE_NETWORK_HAS_NO_BOOT_PROTOCOL", "Migration_Net"):
        plan_setup(destination, request)

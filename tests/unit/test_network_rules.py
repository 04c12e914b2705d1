"""network_rules.py: logical networks of a data center."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dcnet.domain import network_rules
from dcnet.domain.entities import Network
from dcnet.domain.errors import BadInput, RuleViolation
from dcnet.domain.messages import used_by
from dcnet.domain.naming import vdsm_name
from dcnet.domain.network_rules import check_new, check_remove, effective_mtu
from tests.unit._expect import bad_input, rule_violation

DC = "dc-1"
_serial = itertools.count(1)


def new_id(prefix: int | None = None) -> str:
    """A UUID whose first 13 hex characters differ from every other test network's."""
    return f"{next(_serial) if prefix is None else prefix:08x}-1111-4111-8111-111111111111"


def network(name: str = "red", **fields: Any) -> Network:
    fields.setdefault("id", new_id())
    fields.setdefault("data_center_id", DC)
    return Network(name=name, **fields)


def check_update(
    old: Network,
    new: Network,
    siblings: Sequence[Network] = (),
    *,
    management_in_clusters: Sequence[str] = (),
    carried_by_hosts: Sequence[str] = (),
) -> None:
    network_rules.check_update(
        old,
        new,
        [old, *siblings],
        management_in_clusters=list(management_in_clusters),
        carried_by_hosts=list(carried_by_hosts),
    )


# --- name unique per data center ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("red", id="plain"),
        pytest.param("VM Network with a very long name and עברית", id="unicode"),
        pytest.param("x" * 256, id="256-chars"),
        pytest.param("x" * 15, id="15-chars"),
    ],
)
def test_network_name_must_be_unique_in_data_center(name: str) -> None:
    existing = network(name)
    with rule_violation(
        "ACTION_TYPE_FAILED_NETWORK_NAME_IN_USE",
        "Cannot add Network.",
        f"The name of the logical network '{name}' is already used by an existing logical network "
        "in the same data-center.",
        "Please choose a different name.",
    ):
        check_new(network(name), [existing])


@pytest.mark.parametrize(
    ("existing", "name"),
    [
        pytest.param("red", "Red", id="case-differs"),
        pytest.param("red", "red2", id="longer"),
        pytest.param("red", "re", id="prefix"),
        pytest.param("red", "blue", id="other-name"),
        pytest.param("VM Network עברית", "VM Network עברית 2", id="unicode-differs"),
    ],
)
def test_different_network_names_may_coexist(existing: str, name: str) -> None:
    check_new(network(name), [network(existing)])


def test_network_is_not_compared_with_itself() -> None:
    red = network("red")
    check_new(red, [red])


def test_renaming_to_a_name_in_use_is_refused_on_edit() -> None:
    old, blue = network("red"), network("blue")
    with rule_violation("ACTION_TYPE_FAILED_NETWORK_NAME_IN_USE", "Cannot edit Network.", "'blue'"):
        check_update(old, replace(old, name="blue"), [blue])


# --- bond prefix ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("bond", id="bond"),
        pytest.param("bond0", id="bond0"),
        pytest.param("BOND1", id="upper"),
        pytest.param("Bond_x", id="capitalised"),
        pytest.param("bONd", id="mixed-case"),
        pytest.param("bonding", id="bonding"),
        pytest.param("bond with spaces and עברית", id="non-plain-bond"),
    ],
)
def test_network_name_must_not_start_with_bond(name: str) -> None:
    with rule_violation("NETWORK_CANNOT_CONTAIN_BOND_NAME", "Cannot add Network.", "network cannot start with 'bond'"):
        check_new(network(name), [])


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("bon", id="bon"),
        pytest.param("mybond", id="bond-inside"),
        pytest.param("xbond0", id="bond-after-first-char"),
        pytest.param("b0nd0", id="zero-not-o"),
        pytest.param("bon d", id="split"),
    ],
)
def test_network_name_containing_bond_elsewhere_is_allowed(name: str) -> None:
    check_new(network(name), [])


def test_renaming_to_bond_name_is_refused() -> None:
    old = network("red")
    with rule_violation("NETWORK_CANNOT_CONTAIN_BOND_NAME", "Cannot edit Network."):
        check_update(old, replace(old, name="Bond7"))


# --- any Unicode name; host-side vdsm name --------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("VM Network with a very long name and עברית", id="hebrew-long"),
        pytest.param("ovirtmgmt", id="ovirtmgmt"),
        pytest.param("網絡", id="cjk"),
        pytest.param("réseau de production", id="french"),
        pytest.param("🚀 launch net", id="emoji"),
        pytest.param("a", id="one-char"),
        pytest.param("x" * 256, id="256-chars"),
        pytest.param("ע" * 256, id="256-hebrew-chars"),
    ],
)
def test_any_unicode_network_name_is_allowed_with_short_vdsm_name(name: str) -> None:
    candidate = network(name)
    check_new(candidate, [network("other"), network("Other Unicode Net ✓")])
    assert len(vdsm_name(candidate.name, candidate.id).encode()) <= 15


@given(name=st.text(min_size=1, max_size=256), network_id=st.uuids().map(str))
def test_every_acceptable_network_name_has_a_vdsm_name_of_at_most_15_bytes(name: str, network_id: str) -> None:
    candidate = Network(id=network_id, name=name, data_center_id=DC)
    try:
        check_new(candidate, [])
    except BadInput as error:
        assert error.field == "name"
        return
    except RuleViolation as error:  # only the bond rule may refuse a well-formed name without siblings
        assert error.key == "NETWORK_CANNOT_CONTAIN_BOND_NAME"
        assume(False)
    assert len(vdsm_name(name, network_id).encode()) <= 15


def _clash_cases() -> list[Any]:
    other_id = "abcdef01-2345-4678-8abc-def012345678"
    twin_id = "abcdef01-2345-4fff-9fff-ffffffffffff"  # same first 13 hex characters as other_id
    own_id = "12345678-9abc-4def-8123-456789abcdef"
    return [
        pytest.param(
            network("Other Network", id=other_id),
            network("onabcdef0123454", id=new_id()),
            id="plain-name-equals-other-networks-derived-vdsm-name",
        ),
        pytest.param(
            network("on123456789abc4", id=new_id()),
            network("My New Network", id=own_id),
            id="derived-vdsm-name-equals-other-networks-plain-name",
        ),
        pytest.param(
            network("Other Network", id=other_id),
            network("Twin Network", id=twin_id),
            id="both-derived-vdsm-names-equal",
        ),
    ]


@pytest.mark.parametrize(("other", "candidate"), _clash_cases())
def test_network_name_used_as_another_networks_vdsm_name_is_refused(other: Network, candidate: Network) -> None:
    with rule_violation(
        "NETWORK_NAME_USED_AS_VDSM_NETWORK_NAME",
        "Cannot add Network.",
        f"Bad network name ({candidate.name}). The name is already used as an on-host identifier of the "
        f"network: {other.name}",
    ):
        check_new(candidate, [other])


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("onabcdef0123455", id="one-hex-char-off"),
        pytest.param("onabcdef012345", id="one-char-shorter"),
        pytest.param("ONABCDEF0123454", id="different-case"),
    ],
)
def test_name_close_to_another_networks_vdsm_name_is_allowed(name: str) -> None:
    other = network("Other Network", id="abcdef01-2345-4678-8abc-def012345678")
    check_new(network(name), [other])


def test_renaming_a_network_to_its_own_vdsm_name_is_allowed() -> None:
    old = network("Unicode name ✓")
    check_update(old, replace(old, name=vdsm_name(old.name, old.id)), [network("other")])


def test_renaming_to_another_networks_vdsm_name_is_refused() -> None:
    old, other = network("red"), network("Other Network")
    with rule_violation("NETWORK_NAME_USED_AS_VDSM_NETWORK_NAME", "Cannot edit Network.", "Other Network"):
        check_update(old, replace(old, name=vdsm_name(other.name, other.id)), [other])


# --- VLAN, MTU ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vlan_id", [-1, 4095, 4096, 65535, -4094], ids=lambda v: f"vlan-{v}")
def test_vlan_id_out_of_range_is_bad_input(vlan_id: int) -> None:
    with bad_input("vlan.id", f"{vlan_id} is out of range 0-4094"):
        check_new(network(vlan_id=vlan_id), [])
    old = network()
    with bad_input("vlan.id", "out of range 0-4094"):
        check_update(old, replace(old, vlan_id=vlan_id))


@pytest.mark.parametrize("vlan_id", [None, 0, 1, 100, 4094], ids=lambda v: f"vlan-{v}")
def test_vlan_id_in_range_is_allowed(vlan_id: int | None) -> None:
    check_new(network(vlan_id=vlan_id), [])


@pytest.mark.parametrize("mtu", [-1, 1, 67, 65536, 100_000], ids=lambda v: f"mtu-{v}")
def test_mtu_out_of_range_is_bad_input(mtu: int) -> None:
    with bad_input("mtu", f"{mtu} is out of range", "0 (default 1500) or 68-65535"):
        check_new(network(mtu=mtu), [])
    old = network()
    with bad_input("mtu", "out of range"):
        check_update(old, replace(old, mtu=mtu))


@pytest.mark.parametrize("mtu", [0, 68, 1500, 9000, 65535], ids=lambda v: f"mtu-{v}")
def test_mtu_zero_or_68_to_65535_is_allowed(mtu: int) -> None:
    check_new(network(mtu=mtu), [])


@pytest.mark.parametrize(("mtu", "effective"), [(0, 1500), (68, 68), (1500, 1500), (9000, 9000)], ids=str)
def test_mtu_zero_means_default_1500(mtu: int, effective: int) -> None:
    assert effective_mtu(mtu) == effective


# --- VM-only options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vm", "stp", "refused"),
    [
        pytest.param(True, True, False, id="vm-with-stp"),
        pytest.param(True, False, False, id="vm-without-stp"),
        pytest.param(False, False, False, id="non-vm-without-stp"),
        pytest.param(False, True, True, id="non-vm-with-stp"),
    ],
)
@pytest.mark.parametrize("action", ["add", "edit"])
def test_stp_only_on_vm_networks(vm: bool, stp: bool, refused: bool, action: str) -> None:
    def run() -> None:
        if action == "add":
            check_new(network(vm=vm, stp=stp), [])
        else:
            old = network(vm=True)
            check_update(old, replace(old, vm=vm, stp=stp))

    if refused:
        with rule_violation(
            "NON_VM_NETWORK_CANNOT_SUPPORT_STP", f"Cannot {action} Network.", "STP can only be enabled on VM Networks."
        ):
            run()
    else:
        run()


@pytest.mark.parametrize(
    ("vm", "port_isolation", "refused"),
    [
        pytest.param(True, True, False, id="vm-with-isolation"),
        pytest.param(True, False, False, id="vm-without-isolation"),
        pytest.param(False, False, False, id="non-vm-without-isolation"),
        pytest.param(False, True, True, id="non-vm-with-isolation"),
    ],
)
def test_port_isolation_only_on_vm_networks(vm: bool, port_isolation: bool, refused: bool) -> None:
    candidate = network(vm=vm, port_isolation=port_isolation)
    if refused:
        with rule_violation(
            "NON_VM_NETWORK_CANNOT_SUPPORT_PORT_ISOLATION",
            "Cannot add Network.",
            "Port isolation can only be enabled on VM Networks.",
        ):
            check_new(candidate, [])
    else:
        check_new(candidate, [])


def test_vm_network_with_port_isolation_cannot_become_non_vm() -> None:
    old = network(vm=True, port_isolation=True)
    with rule_violation("NON_VM_NETWORK_CANNOT_SUPPORT_PORT_ISOLATION", "Cannot edit Network."):
        check_update(old, replace(old, vm=False))


@pytest.mark.parametrize(
    ("before", "after", "refused"),
    [
        pytest.param(False, True, True, id="enable"),
        pytest.param(True, False, True, id="disable"),
        pytest.param(True, True, False, id="keep-enabled"),
        pytest.param(False, False, False, id="keep-disabled"),
    ],
)
def test_port_isolation_is_immutable(before: bool, after: bool, refused: bool) -> None:
    old = network(port_isolation=before)
    new = replace(old, port_isolation=after, description="changed")
    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_NETWORK_PORT_ISOLATION_CANNOT_BE_CHANGED",
            "Cannot edit Network.",
            "Port isolation option cannot be updated after Network is defined.",
        ):
            check_update(old, new)
    else:
        check_update(old, new)


# --- data center, management network, hosts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("management_in_clusters", "carried_by_hosts"),
    [
        pytest.param([], [], id="unused"),
        pytest.param(["Default"], ["host1"], id="management-on-hosts"),
    ],
)
def test_network_data_center_is_immutable(management_in_clusters: list[str], carried_by_hosts: list[str]) -> None:
    old = network()
    with rule_violation(
        "ACTION_TYPE_FAILED_DATA_CENTER_ID_CANNOT_BE_CHANGED",
        "Cannot edit Network.",
        "Change of Data Center ID is not allowed.",
    ):
        check_update(
            old,
            replace(old, data_center_id="dc-2"),
            management_in_clusters=management_in_clusters,
            carried_by_hosts=carried_by_hosts,
        )


@pytest.mark.parametrize(
    ("clusters", "named"),
    [
        pytest.param(["Default"], "cluster(s) Default.", id="one-cluster"),
        pytest.param(["prod", "Default", "dev"], "cluster(s) Default, dev, prod.", id="clusters-sorted"),
    ],
)
def test_management_network_cannot_be_renamed(clusters: list[str], named: str) -> None:
    old = network("ovirtmgmt")
    with rule_violation(
        "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_CANNOT_BE_RENAMED",
        "Cannot edit Network.",
        "The management network 'ovirtmgmt' cannot be renamed: it is the management network of",
        named,
    ):
        check_update(old, replace(old, name="mgmt"), management_in_clusters=clusters, carried_by_hosts=["h1"])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"description": "the management network"}, id="description"),
        pytest.param({"mtu": 9000}, id="mtu"),
        pytest.param({"vlan_id": 10}, id="vlan"),
        pytest.param({"comment": "x"}, id="comment"),
    ],
)
def test_management_network_other_fields_are_editable(change: dict[str, Any]) -> None:
    old = network("ovirtmgmt")
    check_update(old, replace(old, **change), management_in_clusters=["Default"], carried_by_hosts=["h1"])


@pytest.mark.parametrize(
    ("clusters", "refused"),
    [
        pytest.param(["Default"], True, id="management-of-one-cluster"),
        pytest.param(["a", "b"], True, id="management-of-two-clusters"),
        pytest.param([], False, id="not-a-management-network"),
    ],
)
def test_management_network_cannot_be_removed(clusters: list[str], refused: bool) -> None:
    mgmt = network("ovirtmgmt")
    if refused:
        with rule_violation(
            "NETWORK_CANNOT_REMOVE_MANAGEMENT_NETWORK",
            "Cannot remove Network.",
            "The Management Network ('ovirtmgmt') is mandatory and cannot be removed.",
        ):
            check_remove(mgmt, clusters)
    else:
        check_remove(mgmt, clusters)


@pytest.mark.parametrize(
    ("hosts", "key", "text"),
    [
        pytest.param(
            ["host1"],
            "ACTION_TYPE_FAILED_NETWORK_IN_ONE_USE",
            "This logical network is used by host: host1\n - Please remove it from this host and try again.",
            id="one-host",
        ),
        pytest.param(
            ["host2", "host1"],
            "ACTION_TYPE_FAILED_NETWORK_IN_MANY_USES",
            "This logical network is used by hosts: (2): host1, host2\n"
            " - Please detach hosts using this logical network and try again.",
            id="two-hosts-sorted",
        ),
        pytest.param(
            ["c", "a", "b"],
            "ACTION_TYPE_FAILED_NETWORK_IN_MANY_USES",
            "used by hosts: (3): a, b, c",
            id="three-hosts",
        ),
    ],
)
def test_renaming_network_carried_by_hosts_is_refused_with_used_by_text(hosts: list[str], key: str, text: str) -> None:
    old = network("red")
    with rule_violation(key, "Cannot edit Network.", text) as info:
        check_update(old, replace(old, name="blue"), carried_by_hosts=hosts)
    if len(hosts) < 3:
        assert info.value.message == "Cannot edit Network. " + used_by("host", "hosts", sorted(hosts))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"description": "d"}, id="description"),
        pytest.param({"mtu": 9000}, id="mtu"),
        pytest.param({"vlan_id": 7}, id="vlan"),
        pytest.param({"name": "red"}, id="same-name"),
    ],
)
def test_network_carried_by_hosts_can_be_edited_without_renaming(change: dict[str, Any]) -> None:
    old = network("red")
    check_update(old, replace(old, **change), carried_by_hosts=["host1", "host2"])


# --- DNS, label -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "servers",
    [
        pytest.param([], id="none"),
        pytest.param(["8.8.8.8"], id="ipv4"),
        pytest.param(["2001:db8::1"], id="ipv6"),
        pytest.param(["1.1.1.1", "::1", "fe80::1%eth0"], id="mixed-and-scoped"),
    ],
)
def test_dns_name_servers_that_are_ip_addresses_are_allowed(servers: list[str]) -> None:
    check_new(network(dns_name_servers=servers), [])


@pytest.mark.parametrize(
    ("servers", "position"),
    [
        pytest.param(["dns.example.com"], 0, id="host-name"),
        pytest.param(["8.8.8"], 0, id="three-octets"),
        pytest.param(["1.1.1.1", "256.1.1.1"], 1, id="octet-over-255"),
        pytest.param(["1.1.1.1", "8.8.8.8", ""], 2, id="empty-third"),
        pytest.param([" 8.8.8.8"], 0, id="leading-space"),
        pytest.param(["2001:db8::g"], 0, id="bad-ipv6"),
        pytest.param(["8.8.8.8/32"], 0, id="cidr"),
    ],
)
def test_dns_name_servers_must_be_ip_addresses(servers: list[str], position: int) -> None:
    with bad_input(
        f"dns_resolver_configuration.name_servers[{position}]", f"{servers[position]!r} is not an IP address"
    ):
        check_new(network(dns_name_servers=servers), [])


@pytest.mark.parametrize("label", ["a b", "", "lbl.1", "ünïcode"], ids=["space", "empty", "dot", "non-ascii"])
def test_network_label_format_is_bad_input(label: str) -> None:
    with bad_input("label", "Network label must be formed only from: English letters, numbers, hyphen or underscore."):
        check_new(network(label=label), [])


@pytest.mark.parametrize("label", [None, "lbl", "Lbl_1-x"], ids=["none", "plain", "mixed"])
def test_network_label_of_allowed_characters_is_accepted(label: str | None) -> None:
    check_new(network(label=label), [])


@pytest.mark.parametrize(
    ("before", "after", "hosts", "refused"),
    [
        pytest.param("a", "b", ["h1"], True, id="rename-on-hosts"),
        pytest.param("a", "b", [], False, id="rename-not-on-hosts"),
        pytest.param(None, "b", ["h1"], False, id="add-label-on-hosts"),
        pytest.param("a", "a", ["h1"], False, id="unchanged-on-hosts"),
        pytest.param("a", None, [], False, id="unlabel-not-on-hosts"),
    ],
)
def test_network_label_cannot_be_renamed_while_on_hosts(
    before: str | None, after: str | None, hosts: list[str], refused: bool
) -> None:
    old = network(label=before)
    new = replace(old, label=after)
    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_NETWORK_LABEL_RENAMING_NOT_SUPPORTED",
            "Cannot edit Network.",
            "Renaming a network label while configured on hosts interfaces is not supported.",
        ):
            check_update(old, new, carried_by_hosts=hosts)
    else:
        check_update(old, new, carried_by_hosts=hosts)


def test_network_can_be_unlabelled_while_on_hosts() -> None:
    old = network(label="a")
    check_update(old, replace(old, label=None), carried_by_hosts=["h1"])


# --- external networks ----------------------------------------------------------------------------------


def external_network() -> Network:
    return network("ext", external_provider_id="provider-1", external_provider_network_id="provider-net-1")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"name": "ext-renamed"}, id="name"),
        pytest.param({"description": "new"}, id="description"),
        pytest.param({"comment": "new"}, id="comment"),
        pytest.param({"mtu": 1400}, id="mtu"),
        pytest.param({"name": "ext2", "description": "d", "mtu": 9000}, id="all-editable-at-once"),
    ],
)
def test_external_network_name_description_and_mtu_are_editable(change: dict[str, Any]) -> None:
    old = external_network()
    check_update(old, replace(old, **change))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"vlan_id": 10}, id="vlan"),
        pytest.param({"vm": False}, id="vm"),
        pytest.param({"stp": True}, id="stp"),
        pytest.param({"dns_name_servers": ["8.8.8.8"]}, id="dns"),
        pytest.param({"label": "lbl"}, id="label"),
        pytest.param({"external_provider_id": "provider-2"}, id="provider"),
        pytest.param({"external_provider_network_id": "other"}, id="provider-network"),
        pytest.param({"external_physical_network_id": "phys"}, id="physical-network"),
        pytest.param({"mtu": 1400, "vlan_id": 10}, id="editable-with-non-editable"),
    ],
)
def test_external_network_only_name_description_mtu_editable(change: dict[str, Any]) -> None:
    old = external_network()
    with rule_violation(
        "ACTION_TYPE_FAILED_EXTERNAL_NETWORK_DETAILS_CANNOT_BE_EDITED",
        "Cannot edit Network.",
        "External network details (except name, description and MTU) cannot be changed.",
    ):
        check_update(old, replace(old, **change))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"vlan_id": 10}, id="vlan"),
        pytest.param({"vm": False}, id="vm"),
        pytest.param({"dns_name_servers": ["8.8.8.8"]}, id="dns"),
        pytest.param({"label": "lbl"}, id="label"),
    ],
)
def test_internal_network_details_are_editable(change: dict[str, Any]) -> None:
    old = network()
    check_update(old, replace(old, **change))


# --- name and text formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        pytest.param("", "must not be empty", id="empty"),
        pytest.param("   ", "must not be empty", id="whitespace"),
        pytest.param(" red", "white space", id="leading-space"),
        pytest.param("red\t", "white space", id="trailing-tab"),
        pytest.param("re\x00d", "control characters", id="nul"),
        pytest.param("re\nd", "control characters", id="newline"),
        pytest.param("x" * 257, "257 characters long; at most 256", id="257-chars"),
    ],
)
def test_malformed_network_name_is_bad_input(name: str, rule: str) -> None:
    with bad_input("name", rule):
        check_new(network(name), [])
    old = network()
    with bad_input("name", rule):
        check_update(old, replace(old, name=name))


@pytest.mark.parametrize(
    ("field", "length"),
    [pytest.param("description", 4001, id="description-4001"), pytest.param("comment", 4001, id="comment-4001")],
)
def test_overlong_network_description_or_comment_is_bad_input(field: str, length: int) -> None:
    with bad_input(field, f"is {length} characters long; at most 4000"):
        check_new(network(**{field: "x" * length}), [])


def test_field_errors_come_before_rule_violations() -> None:
    existing = network("bond0")
    with bad_input("vlan.id", "out of range"):
        check_new(network("bond0", vlan_id=5000, vm=False, stp=True), [existing])

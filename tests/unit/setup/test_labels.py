"""Network labels in setup networks (host-network-setup.md §9): the label rules with their oVirt keys, and the
attachments a label on a nic or bond implies, through plan_setup."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcnet.domain.entities import Network
from dcnet.domain.setup.labels import check_label_format
from dcnet.domain.setup.model import Attachment, AttachmentSpec, BondSpec, HostContext, IpConfig, SetupRequest
from dcnet.domain.setup.plan import plan_setup
from tests.unit._expect import rule_violation
from tests.unit.setup._host import EXTERNAL, NETWORKS, PLAIN, RED, bond, cluster_row, context, host_caps, parses

LBL = "lbl"
RED_L = replace(RED, label=LBL)  # VLAN 100, VM network
PLAIN_L = replace(PLAIN, label=LBL)  # untagged
OTHER_L = Network(
    id="00000000-0000-0000-0000-0000000000f9", name="other", data_center_id="dc", label="other", vlan_id=9
)
NOT_IN_CLUSTER = Network(
    id="00000000-0000-0000-0000-0000000000f8", name="dcwide", data_center_id="dc", label=LBL, vlan_id=8
)
EXTERNAL_L = replace(EXTERNAL, label=LBL)


def labelled(
    *attachments: Attachment,
    labels: dict[str, frozenset[str]] | None = None,
    caps: dict[str, Any] | None = None,
    networks: tuple[Network, ...] = (RED_L, PLAIN_L, OTHER_L),
) -> HostContext:
    base = context(*attachments, host_caps_=caps)
    all_networks = {n.id: n for n in NETWORKS} | {n.id: n for n in (*networks, NOT_IN_CLUSTER)}
    rows = dict(base.cluster_networks) | {n.id: cluster_row(n) for n in networks}
    return replace(base, networks=all_networks, cluster_networks=rows, nic_labels=labels or {})


def bonded_caps(*slaves: str) -> dict[str, Any]:
    return host_caps(bondings={"bond0": bond(*slaves)})


# --- NETWORK_LABEL_FORMAT_INVALID ------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["lbl", "Label_1", "a-b", "0"])
def test_label_format_accepts_letters_digits_hyphen_underscore(label: str) -> None:
    check_label_format(label)


@pytest.mark.parametrize("label", ["", "with space", "dot.ted", "ü", "a/b", "semi;colon"])
def test_network_label_format_invalid(label: str) -> None:
    with rule_violation("NETWORK_LABEL_FORMAT_INVALID", "English letters, numbers, hyphen or underscore"):
        plan_setup(labelled(), SetupRequest(modified_labels=(("eth1", label),)))


# --- where labels may go ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nic", "caps", "request_bonds", "key"),
    [
        ("eth1.50", None, (), "LABEL_ATTACH_TO_IMPROPER_INTERFACE"),  # a VLAN device
        ("eth2", bonded_caps("eth2", "eth3"), (), "LABEL_ATTACH_TO_IMPROPER_INTERFACE"),  # a reported slave
        ("eth2", None, (BondSpec("bond1", ("eth2", "eth3")),), "LABEL_ATTACH_TO_IMPROPER_INTERFACE"),  # slave now
        ("eth9", None, (), "HOST_NETWORK_INTERFACE_HAVING_NAME_DOES_NOT_EXIST"),
        ("bond0", bonded_caps("eth2"), (), "IMPROPER_BOND_IS_LABELED"),  # a one-slave bond
    ],
)
def test_labels_only_on_nics_and_bonds(
    nic: str, caps: dict[str, Any] | None, request_bonds: tuple[BondSpec, ...], key: str
) -> None:
    with rule_violation(key, nic):
        plan_setup(labelled(caps=caps), SetupRequest(modified_labels=((nic, LBL),), modified_bonds=request_bonds))


def test_a_label_on_a_bond_of_two_slaves_is_accepted() -> None:
    plan = plan_setup(labelled(caps=bonded_caps("eth2", "eth3")), SetupRequest(modified_labels=(("bond0", LBL),)))
    assert plan.nic_labels == {"bond0": frozenset({LBL})}
    assert plan.networks["red"]["bonding"] == "bond0"


def test_a_label_on_a_bond_created_in_the_same_request() -> None:
    request = SetupRequest(
        modified_bonds=(BondSpec("bond1", ("eth2", "eth3"), "mode=1 miimon=100"),), modified_labels=(("bond1", LBL),)
    )
    plan = plan_setup(labelled(), request)
    assert plan.networks["red"]["bonding"] == "bond1" and plan.networks["plain"]["bonding"] == "bond1"
    assert "bond1" in plan.bondings


def test_improper_interface_is_labeled_a_labelled_nic_cannot_become_a_slave() -> None:
    request = SetupRequest(modified_bonds=(BondSpec("bond1", ("eth2", "eth3")),))
    with rule_violation("IMPROPER_INTERFACE_IS_LABELED", "eth2"):
        plan_setup(labelled(labels={"eth2": frozenset({LBL})}, networks=()), request)


# --- one label on one nic per host ------------------------------------------------------------------------


def test_other_interface_already_labeled() -> None:
    with rule_violation(
        "OTHER_INTERFACE_ALREADY_LABELED", "The label 'lbl' is already defined on other interface eth1 on the host."
    ):
        plan_setup(labelled(labels={"eth1": frozenset({LBL})}), SetupRequest(modified_labels=(("eth2", LBL),)))


def test_other_interface_already_labeled_within_one_request() -> None:
    with rule_violation("OTHER_INTERFACE_ALREADY_LABELED", "eth1"):
        plan_setup(labelled(), SetupRequest(modified_labels=(("eth1", LBL), ("eth2", LBL))))


def test_a_label_moves_when_the_same_request_removes_it_from_its_nic() -> None:
    red = Attachment("att-red", RED_L.id, "eth1")
    plain = Attachment("att-plain", PLAIN_L.id, "eth1")
    ctx = labelled(red, plain, labels={"eth1": frozenset({LBL})})
    plan = plan_setup(ctx, SetupRequest(removed_labels=(("eth1", LBL),), modified_labels=(("eth2", LBL),)))
    assert plan.nic_labels == {"eth2": frozenset({LBL})}
    assert {(a.id, a.network_id, a.nic) for a in plan.attachments if a.network_id != ctx.attachments[0].network_id} == {
        ("att-red", RED_L.id, "eth2"),
        ("att-plain", PLAIN_L.id, "eth2"),
    }
    assert plan.networks["red"]["nic"] == "eth2" and plan.removed == ()


def test_removing_a_label_the_host_does_not_carry() -> None:
    with rule_violation("LABEL_NOT_EXIST_IN_HOST", "lbl"):
        plan_setup(labelled(), SetupRequest(removed_labels=(("eth1", LBL),)))


def test_adding_and_removing_the_same_label_of_a_nic() -> None:
    with rule_violation("PARAMS_CONTAIN_DUPLICATE_LABELS", "lbl"):
        plan_setup(
            labelled(labels={"eth1": frozenset({LBL})}),
            SetupRequest(modified_labels=(("eth1", LBL),), removed_labels=(("eth1", LBL),)),
        )


# --- NETWORK_SHOULD_BE_ATTACHED_VIA_LABEL_TO_ANOTHER_NIC --------------------------------------------------


def test_a_labelled_network_may_not_be_attached_manually_to_another_nic() -> None:
    request = SetupRequest(modified_attachments=(AttachmentSpec(RED_L.id, "eth2"),))
    with rule_violation("NETWORK_SHOULD_BE_ATTACHED_VIA_LABEL_TO_ANOTHER_NIC", "red", "eth1", "eth2"):
        plan_setup(labelled(labels={"eth1": frozenset({LBL})}), request)


def test_nor_to_another_nic_than_the_one_labelled_in_the_same_request() -> None:
    request = SetupRequest(modified_labels=(("eth1", LBL),), modified_attachments=(AttachmentSpec(RED_L.id, "eth2"),))
    with rule_violation("NETWORK_SHOULD_BE_ATTACHED_VIA_LABEL_TO_ANOTHER_NIC"):
        plan_setup(labelled(), request)


def test_a_labelled_network_attached_manually_to_its_labelled_nic_keeps_the_admins_ip() -> None:
    static = IpConfig("static", "192.0.2.7", "24")
    request = SetupRequest(
        modified_labels=(("eth1", LBL),), modified_attachments=(AttachmentSpec(RED_L.id, "eth1", static),)
    )
    plan = plan_setup(labelled(), request)
    assert plan.networks["red"]["ipaddr"] == "192.0.2.7"
    assert plan.networks["plain"]["bootproto"] == "none"


# --- the expansion ----------------------------------------------------------------------------------------


def test_a_label_on_a_nic_attaches_every_cluster_network_with_that_label() -> None:
    plan = plan_setup(labelled(), SetupRequest(modified_labels=(("eth1", LBL),)))
    parses(plan)
    assert set(plan.networks) == {"red", "plain"}  # not `other` (other label) nor `dcwide` (not in the cluster)
    assert (plan.networks["red"]["nic"], plan.networks["red"]["vlan"], plan.networks["red"]["bootproto"]) == (
        "eth1",
        100,
        "none",
    )
    assert plan.networks["plain"]["nic"] == "eth1" and "vlan" not in plan.networks["plain"]
    assert set(plan.created) == {RED_L.id, PLAIN_L.id}
    new = [a for a in plan.attachments if a.id == ""]
    assert {(a.network_id, a.nic, a.ipv4.method) for a in new} == {
        (RED_L.id, "eth1", "none"),
        (PLAIN_L.id, "eth1", "none"),
    }
    assert plan.nic_labels == {"eth1": frozenset({LBL})}


def test_external_networks_are_never_attached_through_a_label() -> None:
    plan = plan_setup(labelled(networks=(RED_L, EXTERNAL_L)), SetupRequest(modified_labels=(("eth1", LBL),)))
    assert set(plan.networks) == {"red"}


def test_a_label_moves_the_existing_attachment_of_a_labelled_network_keeping_its_ip() -> None:
    static = IpConfig("static", "192.0.2.9", "255.255.255.0")
    ctx = labelled(Attachment("att-red", RED_L.id, "eth2", static), networks=(RED_L,))
    plan = plan_setup(ctx, SetupRequest(modified_labels=(("eth1", LBL),)))
    assert plan.networks["red"]["nic"] == "eth1" and plan.networks["red"]["ipaddr"] == "192.0.2.9"
    assert ("att-red", "eth1") in {(a.id, a.nic) for a in plan.attachments}
    assert plan.created == ()


def test_a_label_whose_networks_are_already_on_the_nic_changes_only_the_labels() -> None:
    ctx = labelled(Attachment("att-red", RED_L.id, "eth1"), networks=(RED_L,))
    plan = plan_setup(ctx, SetupRequest(modified_labels=(("eth1", LBL),)))
    assert not plan.changed and plan.nic_labels == {"eth1": frozenset({LBL})}


def test_a_label_no_network_carries_changes_only_the_labels() -> None:
    plan = plan_setup(labelled(), SetupRequest(modified_labels=(("eth3", "nobody"),)))
    assert not plan.changed and plan.nic_labels == {"eth3": frozenset({"nobody"})}


def test_removing_a_label_removes_the_attachments_it_implied() -> None:
    ctx = labelled(
        Attachment("att-red", RED_L.id, "eth1"),
        Attachment("att-plain", PLAIN_L.id, "eth1"),
        Attachment("att-other", OTHER_L.id, "eth1"),
        labels={"eth1": frozenset({LBL, "other"})},
    )
    plan = plan_setup(ctx, SetupRequest(removed_labels=(("eth1", LBL),)))
    assert plan.networks == {"red": {"remove": True}, "plain": {"remove": True}}
    assert set(plan.removed) == {RED_L.id, PLAIN_L.id}
    assert plan.nic_labels == {"eth1": frozenset({"other"})}


def test_removing_a_label_keeps_attachments_the_same_request_modifies() -> None:
    ctx = labelled(
        Attachment("att-red", RED_L.id, "eth1"),
        Attachment("att-plain", PLAIN_L.id, "eth1"),
        labels={"eth1": frozenset({LBL})},
    )
    request = SetupRequest(
        removed_labels=(("eth1", LBL),), modified_attachments=(AttachmentSpec(RED_L.id, "eth2", id="att-red"),)
    )
    plan = plan_setup(ctx, request)
    assert plan.networks["red"]["nic"] == "eth2"
    assert plan.networks["plain"] == {"remove": True}


def test_removing_a_label_leaves_a_labelled_network_that_sits_elsewhere() -> None:
    ctx = labelled(Attachment("att-red", RED_L.id, "eth2"), networks=(RED_L,), labels={"eth1": frozenset({LBL})})
    plan = plan_setup(ctx, SetupRequest(removed_labels=(("eth1", LBL),)))
    assert not plan.changed and plan.nic_labels == {}


def test_removing_a_labelled_bond_drops_its_labels_and_their_attachments() -> None:
    ctx = labelled(
        Attachment("att-red", RED_L.id, "bond0"),
        Attachment("att-plain", PLAIN_L.id, "bond0"),
        caps=bonded_caps("eth2", "eth3"),
        labels={"bond0": frozenset({LBL})},
    )
    plan = plan_setup(ctx, SetupRequest(removed_bonds=("bond0",)))
    assert plan.bondings == {"bond0": {"remove": True}}
    assert plan.networks == {"red": {"remove": True}, "plain": {"remove": True}}
    assert plan.nic_labels == {}


def test_label_expansion_meets_the_structural_rules() -> None:
    """Two untagged labelled networks on one nic: the usual rule refuses it."""
    plain2 = Network(id="00000000-0000-0000-0000-0000000000c9", name="plain9", data_center_id="dc", label=LBL)
    with rule_violation("NETWORK_INTERFACES_NOT_EXCLUSIVELY_USED_BY_UNTAGGED_NETWORK", "eth1"):
        plan_setup(labelled(networks=(PLAIN_L, plain2)), SetupRequest(modified_labels=(("eth1", LBL),)))


def test_unchanged_labels_leave_plans_as_they_were() -> None:
    ctx = labelled(labels={"eth3": frozenset({"other"})})
    plan = plan_setup(ctx, SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth2"),)))
    assert plan.nic_labels is None and set(plan.networks) == {"plain"}

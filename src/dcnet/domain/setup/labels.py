"""Network labels in setup networks (host-network-setup.md §9), as pure functions.

A label on a host's nic or bond stands for every network of the host's cluster carrying that label: adding the
label attaches them to that nic (a new attachment with IP method `none`, or the network's existing attachment
moved there); removing it removes the attachments it implied, unless the same request modifies them.

`expand_labels(ctx, request, bonds)` checks the request's labels and returns the request with the attachments
the labels imply added, and the host's nic labels after the change. `plan_setup` calls it before resolving.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from dcnet.domain.entities import Network
from dcnet.domain.errors import RuleViolation
from dcnet.domain.messages import violation
from dcnet.domain.setup.model import AttachmentSpec, HostContext, SetupRequest

ACTION, TYPE = "setup", "Networks"
LABEL_FORMAT = re.compile(r"[0-9a-zA-Z_-]+")

NicLabel = tuple[str, str]  # (nic or bond name, label)


@dataclass(frozen=True)
class LabelOutcome:
    request: SetupRequest  # the request with the attachments the labels imply
    nic_labels: dict[str, frozenset[str]]  # nic → its labels once the request succeeds
    changed: bool  # the host's labels change


def expand_labels(ctx: HostContext, request: SetupRequest, bonds: Mapping[str, Sequence[str]]) -> LabelOutcome:
    """`bonds`: the host's bonds after the request (name → slaves)."""
    before = {nic: frozenset(labels) for nic, labels in ctx.nic_labels.items() if labels}
    check_label_requests(ctx, request, before, bonds)
    after = labels_after(before, request, bonds)
    check_labelled_interfaces(ctx, request, after, bonds)
    check_manual_attachments(ctx, request, after)
    expanded = implied_request(ctx, request, before, after)
    return LabelOutcome(expanded, after, after != before)


# --- rules ----------------------------------------------------------------------------------------------


def check_label_format(label: str) -> None:
    if not LABEL_FORMAT.fullmatch(label):
        raise RuleViolation(
            "NETWORK_LABEL_FORMAT_INVALID",
            "Network label must be formed only from: English letters, numbers, hyphen or underscore.",
        )


def check_label_requests(
    ctx: HostContext,
    request: SetupRequest,
    before: Mapping[str, frozenset[str]],
    bonds: Mapping[str, Sequence[str]],
) -> None:
    seen: dict[str, str] = {}
    for nic, label in request.modified_labels:
        check_label_format(label)
        if label in seen and seen[label] != nic:
            raise _already_labeled(label, seen[label])
        seen[label] = nic
    removed = set(request.removed_labels)
    for nic, label in request.removed_labels:
        if label not in before.get(nic, frozenset()):
            raise violation(
                "LABEL_NOT_EXIST_IN_HOST",
                ACTION,
                TYPE,
                f"The label '{label}' is not defined on interface {nic} of the host.",
            )
    for nic, label in request.modified_labels:
        if (nic, label) in removed:
            raise violation(
                "PARAMS_CONTAIN_DUPLICATE_LABELS",
                ACTION,
                TYPE,
                f"The label '{label}' of interface {nic} is both added and removed in the request.",
            )
        check_label_target(ctx, nic, bonds)
        other = _owner(before, label, exclude=nic)
        if other is not None and (other, label) not in removed:
            raise _already_labeled(label, other)


def check_label_target(ctx: HostContext, nic: str, bonds: Mapping[str, Sequence[str]]) -> None:
    """Labels go on physical nics and bonds; never on a bond's slave or a VLAN device."""
    nics = ctx.caps.get("nics") or {}
    vlans = ctx.caps.get("vlans") or {}
    bridges = ctx.caps.get("bridges") or {}
    slaves = {slave for members in bonds.values() for slave in members}
    if nic in vlans or nic in slaves or (nic in bridges and nic not in bonds):
        raise violation(
            "LABEL_ATTACH_TO_IMPROPER_INTERFACE",
            ACTION,
            TYPE,
            f"Labels can be attached only to physical nics and bonds; {nic} is a {_kind(nic, vlans, slaves)}.",
        )
    if nic not in nics and nic not in bonds:
        raise violation(
            "HOST_NETWORK_INTERFACE_HAVING_NAME_DOES_NOT_EXIST",
            ACTION,
            TYPE,
            f"The host network interface (name {nic}) does not exist.",
        )
    if nic in bonds and len(set(bonds[nic])) < 2:
        raise violation(
            "IMPROPER_BOND_IS_LABELED",
            ACTION,
            TYPE,
            f"The bond {nic} is labelled but has less than two slaves.",
        )


def _kind(nic: str, vlans: Mapping[str, object], slaves: set[str]) -> str:
    if nic in vlans:
        return "VLAN device"
    if nic in slaves:
        return "bond slave"
    return "bridge"


def check_labelled_interfaces(
    ctx: HostContext, request: SetupRequest, after: Mapping[str, frozenset[str]], bonds: Mapping[str, Sequence[str]]
) -> None:
    """A nic keeping its labels may not become a slave (IMPROPER_INTERFACE_IS_LABELED)."""
    slaves = {slave for members in bonds.values() for slave in members}
    modified = {nic for nic, _label in request.modified_labels}
    for nic in sorted(after):
        if nic in slaves and nic not in modified:
            raise violation(
                "IMPROPER_INTERFACE_IS_LABELED",
                ACTION,
                TYPE,
                f"Interface {nic} carries the labels {', '.join(sorted(after[nic]))} and cannot become a bond slave; "
                "remove its labels first.",
            )


def check_manual_attachments(ctx: HostContext, request: SetupRequest, after: Mapping[str, frozenset[str]]) -> None:
    """A labelled network goes on the nic carrying its label, not elsewhere."""
    for spec in request.modified_attachments:
        network = ctx.networks.get(spec.network_id)
        if network is None or not network.label:
            continue
        owner = _owner(after, network.label)
        if owner is not None and owner != spec.nic:
            raise violation(
                "NETWORK_SHOULD_BE_ATTACHED_VIA_LABEL_TO_ANOTHER_NIC",
                ACTION,
                TYPE,
                f"Network '{network.name}' carries the label '{network.label}', which is on interface {owner}; "
                f"it cannot be attached manually to {spec.nic}.",
            )


def _already_labeled(label: str, nic: str) -> RuleViolation:
    return violation(
        "OTHER_INTERFACE_ALREADY_LABELED",
        ACTION,
        TYPE,
        f"The label '{label}' is already defined on other interface {nic} on the host.",
    )


def _owner(labels: Mapping[str, Iterable[str]], label: str, exclude: str | None = None) -> str | None:
    for nic, carried in sorted(labels.items()):
        if nic != exclude and label in carried:
            return nic
    return None


# --- the host's labels after the request ----------------------------------------------------------------


def labels_after(
    before: Mapping[str, frozenset[str]], request: SetupRequest, bonds: Mapping[str, Sequence[str]]
) -> dict[str, frozenset[str]]:
    """Removed labels go, modified ones come; labels of removed bonds go with them."""
    out = {nic: set(labels) for nic, labels in before.items()}
    for nic, label in request.removed_labels:
        out.get(nic, set()).discard(label)
    for bond in request.removed_bonds:
        if bond not in bonds:
            out.pop(bond, None)
    for nic, label in request.modified_labels:
        out.setdefault(nic, set()).add(label)
    return {nic: frozenset(labels) for nic, labels in sorted(out.items()) if labels}


# --- the attachments labels imply -----------------------------------------------------------------------


def labelled_networks(ctx: HostContext, label: str) -> list[Network]:
    """The networks of the host's cluster that carry `label` (external networks are never labelled)."""
    return sorted(
        (n for n in ctx.networks.values() if n.label == label and n.id in ctx.cluster_networks and not n.is_external),
        key=lambda n: n.name,
    )


def implied_request(
    ctx: HostContext,
    request: SetupRequest,
    before: Mapping[str, frozenset[str]],
    after: Mapping[str, frozenset[str]],
) -> SetupRequest:
    pairs_before = {(nic, label) for nic, labels in before.items() for label in labels}
    pairs_after = {(nic, label) for nic, labels in after.items() for label in labels}
    modified = {spec.network_id for spec in request.modified_attachments}
    removing = set(request.removed_attachments)
    existing = {a.network_id: a for a in ctx.attachments if a.id not in removing}
    removed_networks = {a.network_id for a in ctx.attachments if a.id in removing}

    added: list[AttachmentSpec] = []
    handled: set[str] = set()
    for nic, label in sorted(pairs_after - pairs_before):
        for network in labelled_networks(ctx, label):
            if network.id in modified or network.id in removed_networks:
                continue  # the admin says what happens to it in this request
            handled.add(network.id)
            current = existing.get(network.id)
            if current is None:
                added.append(AttachmentSpec(network.id, nic))
            elif current.nic != nic:
                added.append(
                    AttachmentSpec(network.id, nic, current.ipv4, current.ipv6, current.dns_servers, current.id)
                )
    removed: list[str] = []
    for nic, label in sorted(pairs_before - pairs_after):
        for network in labelled_networks(ctx, label):
            current = existing.get(network.id)
            if network.id in modified or network.id in handled or current is None or current.nic != nic:
                continue
            removed.append(current.id)
    if not added and not removed:
        return request
    return replace(
        request,
        modified_attachments=(*request.modified_attachments, *added),
        removed_attachments=(*request.removed_attachments, *removed),
    )

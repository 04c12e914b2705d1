"""Setup networks on one host as a pure function (host-network-setup.md §7).

`plan_setup(ctx, request)` reads like the algorithm: host status → IP input → the attachments and bonds the
host will have (existing + modified − removed; synchronized ones re-sent with the data center's definition)
→ drop what does not change → structural rules (oVirt's message keys) → the out-of-sync guard → the agent's
`Host.setupNetworks` arguments (§7.4). Any failure raises before anything is built: nothing is half-sent.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dcnet.domain.entities import HostStatus, Network
from dcnet.domain.errors import BadInput, RuleViolation
from dcnet.domain.messages import violation
from dcnet.domain.naming import vdsm_name
from dcnet.domain.setup.labels import expand_labels
from dcnet.domain.setup.model import (
    Attachment,
    AttachmentSpec,
    BondSpec,
    HostContext,
    IpConfig,
    SetupPlan,
    SetupRequest,
)
from dcnet.domain.setup.out_of_sync import compare, out_of_sync_values

ACTION, TYPE = "setup", "Networks"
DEFAULT_MTU = 1500
DEFAULT_BOND_OPTIONS = "mode=4 miimon=100 xmit_hash_policy=2"
ALLOWED_STATUSES = (HostStatus.MAINTENANCE, HostStatus.UP, HostStatus.NON_OPERATIONAL)
BOND_NAME = re.compile(r"bond\w+")
VM_FORBIDDEN_BOND_MODES = ("0", "5", "6")
_BOND_MODES = {
    "balance-rr": "0",
    "active-backup": "1",
    "balance-xor": "2",
    "broadcast": "3",
    "802.3ad": "4",
    "balance-tlb": "5",
    "balance-alb": "6",
}
_XMIT_HASH = {"layer2": "0", "layer3+4": "1", "layer2+3": "2", "encap2+3": "3", "encap3+4": "4"}
IPV4_METHODS = ("none", "dhcp", "static")
IPV6_METHODS = ("none", "dhcp", "static", "autoconf", "poly_dhcp_autoconf")


@dataclass(frozen=True)
class Resolved:
    """The host after the change, and what of it must be sent."""

    attachments: dict[str, Attachment]  # key (the id; `new:<index>` for a new one) → attachment
    bonds: dict[str, BondSpec]  # name → bond
    send_attachments: dict[str, Attachment]  # key → attachment, changed or synchronized
    modified_attachments: set[str]  # keys of attachments the admin changed (new ones included)
    send_bonds: list[BondSpec]
    removed_attachments: list[Attachment]
    removed_bonds: list[str]


def plan_setup(ctx: HostContext, request: SetupRequest) -> SetupPlan:
    check_host_status(ctx)
    check_request_input(ctx, request)
    labelled = expand_labels(ctx, request, bonds_after(ctx, request))
    request = labelled.request
    resolved = resolve(ctx, request)
    check_structure(ctx, request, resolved)
    check_out_of_sync(ctx, request, resolved)
    plan = build_plan(ctx, request, resolved)
    return replace(plan, nic_labels=labelled.nic_labels) if labelled.changed else plan


def bonds_after(ctx: HostContext, request: SetupRequest) -> dict[str, tuple[str, ...]]:
    """Bond name → slaves once the request is applied (for the label rules)."""
    bonds = {name: bond.slaves for name, bond in reported_bonds(ctx.caps).items() if name not in request.removed_bonds}
    return bonds | {bond.name: bond.slaves for bond in request.modified_bonds}


# --- 1. host status -------------------------------------------------------------------------------------


def check_host_status(ctx: HostContext) -> None:
    if ctx.host_status not in ALLOWED_STATUSES:
        allowed = ", ".join(_status_text(status) for status in ALLOWED_STATUSES)
        raise violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            ACTION,
            TYPE,
            f"Operation can be performed only when Host status is {allowed}.",
        )


def _status_text(status: str) -> str:
    return "".join(part.capitalize() for part in status.split("_"))


# --- 2. input (400) -------------------------------------------------------------------------------------


def check_request_input(ctx: HostContext, request: SetupRequest) -> None:
    if request.check_connectivity and request.connectivity_timeout <= 0:
        raise BadInput(
            "connectivity_timeout", f"must be a positive number of seconds, not {request.connectivity_timeout}"
        )
    for spec in request.modified_attachments:
        where = f"network_attachments[{_network_label(ctx, spec.network_id)}]"
        check_ipv4(spec.ipv4, f"{where}.ipv4")
        if spec.ipv6 is not None:
            check_ipv6(spec.ipv6, f"{where}.ipv6")
        for index, server in enumerate(spec.dns_servers):
            if _ip(server) is None:
                raise BadInput(
                    f"{where}.dns_resolver_configuration.name_servers[{index}]", f"{server!r} is not an IP address"
                )


def check_ipv4(config: IpConfig, where: str) -> None:
    if config.method not in IPV4_METHODS:
        raise BadInput(
            f"{where}.assignment_method", f"{config.method!r} is not an IPv4 method ({', '.join(IPV4_METHODS)})"
        )
    if config.method != "static":
        return
    if not config.address:
        raise BadInput(f"{where}.address", "is required for a static IPv4 assignment")
    _address(config.address, 4, f"{where}.address")
    if not config.netmask:
        raise BadInput(f"{where}.netmask", "is required for a static IPv4 assignment")
    ipv4_prefix(config.netmask, f"{where}.netmask")
    if config.gateway:
        _address(config.gateway, 4, f"{where}.gateway")


def check_ipv6(config: IpConfig, where: str) -> None:
    if config.method not in IPV6_METHODS:
        raise BadInput(
            f"{where}.assignment_method", f"{config.method!r} is not an IPv6 method ({', '.join(IPV6_METHODS)})"
        )
    if config.method != "static":
        return
    if not config.address:
        raise BadInput(f"{where}.address", "is required for a static IPv6 assignment")
    address, _, inline_prefix = config.address.partition("/")
    _address(address, 6, f"{where}.address")
    prefix = config.netmask or inline_prefix
    if not prefix:
        raise BadInput(f"{where}.netmask", "the prefix length is required for a static IPv6 assignment")
    ipv6_prefix(prefix, f"{where}.netmask" if config.netmask else f"{where}.address")
    if config.gateway:
        _address(config.gateway, 6, f"{where}.gateway")


def _address(text: str, family: int, field: str) -> None:
    parsed = _ip(text)
    if parsed is None:
        raise BadInput(field, f"{text!r} is not a valid IPv{family} address")
    if parsed.version != family:
        raise BadInput(field, f"{text} is an IPv{parsed.version} address; an IPv{family} address is expected")


def ipv4_prefix(netmask: str, field: str) -> int:
    """A dotted netmask or a prefix length (0-32)."""
    text = netmask.strip().lstrip("/")
    if text.isdigit():
        if not 0 <= int(text) <= 32:
            raise BadInput(field, f"prefix {text} is out of range 0-32")
        return int(text)
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{text}").prefixlen
    except ValueError:
        raise BadInput(field, f"{netmask!r} is not a valid IPv4 netmask or prefix length") from None


def ipv6_prefix(prefix: str, field: str) -> int:
    text = prefix.strip().lstrip("/")
    if not text.isdigit() or not 0 <= int(text) <= 128:
        raise BadInput(field, f"{prefix!r} is not a valid IPv6 prefix length (0-128)")
    return int(text)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


# --- 3. the host after the change -----------------------------------------------------------------------


def resolve(ctx: HostContext, request: SetupRequest) -> Resolved:
    existing = {a.id: a for a in ctx.attachments}
    check_removed_attachments_exist(existing, request.removed_attachments)
    check_synchronized_attachments_exist(existing, request.synchronized_attachments)
    current_bonds = reported_bonds(ctx.caps)
    check_removed_bonds_exist(current_bonds, request.removed_bonds)
    check_removed_unmanaged_networks(ctx, request.removed_unmanaged_networks)

    removing = set(request.removed_attachments)
    attachments = {a.id: a for a in ctx.attachments if a.id not in removing}
    send: dict[str, Attachment] = {}
    modified: set[str] = set()
    for index, spec in enumerate(request.modified_attachments):
        key, attachment = complete_attachment(spec, existing, removing, index)
        attachments[key] = attachment
        if not _same_attachment(existing.get(key), attachment):
            modified.add(key)
            send[key] = attachment
        elif key in request.synchronized_attachments:
            send[key] = attachment
    for attachment_id in request.synchronized_attachments:
        send.setdefault(attachment_id, attachments.get(attachment_id, existing[attachment_id]))

    removing_bonds = set(request.removed_bonds)
    bonds = {name: bond for name, bond in current_bonds.items() if name not in removing_bonds}
    send_bonds: list[BondSpec] = []
    for bond in request.modified_bonds:
        before = current_bonds.get(bond.name)
        options = bond.options.strip() or (before.options if before else "") or DEFAULT_BOND_OPTIONS
        bond = replace(bond, options=options)
        bonds[bond.name] = bond
        if before is None or not _same_bond(before, bond):
            send_bonds.append(bond)
    return Resolved(
        attachments=attachments,
        bonds=bonds,
        send_attachments=send,
        modified_attachments=modified,
        send_bonds=send_bonds,
        removed_attachments=[existing[i] for i in request.removed_attachments],
        removed_bonds=list(request.removed_bonds),
    )


def complete_attachment(
    spec: AttachmentSpec, existing: Mapping[str, Attachment], removing: set[str], index: int
) -> tuple[str, Attachment]:
    """A spec without id updates the host's attachment of the same network (oVirt completes the id), else it
    is new: id "" (the engine gives it one), keyed `new:<index>` while planning."""
    attachment_id = spec.id
    if attachment_id is None:
        same_network = [a.id for a in existing.values() if a.network_id == spec.network_id and a.id not in removing]
        attachment_id = same_network[0] if same_network else f"new:{index}"
    elif attachment_id not in existing:
        raise _attachments_not_exist([attachment_id])
    key = attachment_id
    if key.startswith("new:"):
        attachment_id = ""
    return key, Attachment(
        id=attachment_id,
        network_id=spec.network_id,
        nic=spec.nic,
        ipv4=spec.ipv4,
        ipv6=spec.ipv6,
        dns_servers=spec.dns_servers,
    )


def _same_attachment(before: Attachment | None, after: Attachment) -> bool:
    if before is None:
        return False
    return (
        before.network_id == after.network_id
        and before.nic == after.nic
        and _same_ip(before.ipv4, after.ipv4)
        and _same_ip(before.ipv6 or IpConfig(), after.ipv6 or IpConfig())
        and tuple(before.dns_servers) == tuple(after.dns_servers)
    )


def _same_ip(before: IpConfig, after: IpConfig) -> bool:
    if before.method != after.method:
        return False
    if before.method != "static":
        return True
    return (
        before.address == after.address
        and _netmask_key(before.netmask) == _netmask_key(after.netmask)
        and _gateway_key(before.gateway) == _gateway_key(after.gateway)
    )


def _netmask_key(value: str | None) -> str:
    text = (value or "").strip().lstrip("/")
    if text and not text.isdigit():
        try:
            return str(ipaddress.IPv4Network(f"0.0.0.0/{text}").prefixlen)
        except ValueError:
            return text
    return text


def _gateway_key(value: str | None) -> str:
    parsed = _ip(value or "")
    return "" if parsed is None or parsed.is_unspecified else parsed.compressed


def reported_bonds(caps: Mapping[str, Any]) -> dict[str, BondSpec]:
    out: dict[str, BondSpec] = {}
    for name, entry in (caps.get("bondings") or {}).items():
        opts = entry.get("opts") or {}
        options = " ".join(f"{k}={_first_word(v)}" for k, v in opts.items() if str(v).strip())
        out[name] = BondSpec(name=name, slaves=tuple(sorted(entry.get("slaves") or ())), options=options)
    return out


def _first_word(value: Any) -> str:
    """sysfs renders "active-backup 1": keep the first word."""
    return str(value).split()[0]


def bond_options(options: str) -> dict[str, str]:
    """Option map with modes and hash policies by number, so "mode=active-backup" equals "mode=1"."""
    out: dict[str, str] = {}
    for item in options.split():
        key, _, value = item.partition("=")
        if key == "mode":
            value = _BOND_MODES.get(value, value)
        elif key == "xmit_hash_policy":
            value = _XMIT_HASH.get(value, value)
        out[key] = value
    return out


def bond_mode(options: str) -> str:
    return bond_options(options).get("mode", "0")  # the kernel's default mode is balance-rr


def _same_bond(before: BondSpec, after: BondSpec) -> bool:
    if sorted(before.slaves) != sorted(after.slaves):
        return False
    have, want = bond_options(before.options), bond_options(after.options)
    return all(have.get(key) == value for key, value in want.items())


def check_removed_attachments_exist(existing: Mapping[str, Attachment], removed: Iterable[str]) -> None:
    missing = [attachment_id for attachment_id in removed if attachment_id not in existing]
    if missing:
        raise _attachments_not_exist(missing)


def check_synchronized_attachments_exist(existing: Mapping[str, Attachment], synchronized: Iterable[str]) -> None:
    missing = [attachment_id for attachment_id in synchronized if attachment_id not in existing]
    if missing:
        raise _attachments_not_exist(missing)


def _attachments_not_exist(ids: list[str]) -> RuleViolation:
    return violation(
        "NETWORK_ATTACHMENTS_NOT_EXISTS",
        ACTION,
        TYPE,
        f"The following network attachments do not exist on the host: {', '.join(ids)}.",
    )


def check_removed_bonds_exist(current: Mapping[str, BondSpec], removed: Iterable[str]) -> None:
    missing = [name for name in removed if name not in current]
    if missing:
        raise violation(
            "NETWORK_BOND_RECORDS_DOES_NOT_EXISTS",
            ACTION,
            TYPE,
            f"The following bonds do not exist on the host: {', '.join(missing)}.",
        )


def check_removed_unmanaged_networks(ctx: HostContext, names: Iterable[str]) -> None:
    reported = ctx.caps.get("networks") or {}
    managed = {vdsm_name(n.name, n.id) for n in ctx.networks.values() if n.id in ctx.cluster_networks}
    for name in names:
        if name not in reported:
            raise violation(
                "REMOVED_UNMANAGED_NETWORK_DOES_NOT_EXISIT_ON_HOST",
                ACTION,
                TYPE,
                f"Unmanaged network '{name}' does not exist on the host.",
            )
        if name in managed:
            raise violation(
                "REMOVED_UNMANAGED_NETWORK_IS_A_CLUSTER_NETWORK",
                ACTION,
                TYPE,
                f"Network '{name}' is a network of the cluster, not an unmanaged network; remove its attachment instead.",
            )


# --- 4. structural rules (409) --------------------------------------------------------------------------


def check_structure(ctx: HostContext, request: SetupRequest, resolved: Resolved) -> None:
    check_management_network_not_removed(ctx, resolved)
    for attachment in resolved.send_attachments.values():
        check_network_in_cluster(ctx, attachment)
        check_not_external(ctx, attachment)
        check_not_vlan_device(ctx, attachment)
        check_nic_exists(ctx, resolved, attachment)
    for bond in request.modified_bonds:
        check_bond_name(bond)
        check_bond_slave_count(resolved.bonds[bond.name])
        check_bond_slaves_exist(ctx, resolved.bonds[bond.name])
    check_slaves_used_once(resolved)
    check_slaves_carry_no_network(ctx, resolved)
    check_removed_bonds_unused(ctx, resolved)
    check_network_attached_once(ctx, resolved)
    touched = touched_devices(resolved)
    check_untagged_exclusive(ctx, resolved, touched)
    check_vlans_unique(ctx, resolved, touched)
    check_mtu_equal(ctx, resolved, touched)
    check_vm_network_bond_mode(ctx, resolved, touched)
    for key, attachment in resolved.send_attachments.items():
        if key in resolved.modified_attachments:
            check_role_network_has_boot_protocol(ctx, attachment)


def check_management_network_not_removed(ctx: HostContext, resolved: Resolved) -> None:
    kept = {a.network_id for a in resolved.attachments.values()}
    for attachment in resolved.removed_attachments:
        row = ctx.cluster_networks.get(attachment.network_id)
        if row is not None and row.management and attachment.network_id not in kept:
            name = _network_label(ctx, attachment.network_id)
            raise violation(
                "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_CANNOT_BE_REMOVED",
                ACTION,
                TYPE,
                f"The management network '{name}' cannot be removed from the host; "
                "the engine would lose its connection to it.",
            )


def check_network_in_cluster(ctx: HostContext, attachment: Attachment) -> None:
    if attachment.network_id not in ctx.networks or attachment.network_id not in ctx.cluster_networks:
        name = _network_label(ctx, attachment.network_id)
        raise RuleViolation(
            "NETWORK_OF_GIVEN_NAME_NOT_EXISTS_IN_CLUSTER", f"Logical Network '{name}' does not exist in Cluster."
        )


def check_not_external(ctx: HostContext, attachment: Attachment) -> None:
    network = ctx.networks[attachment.network_id]
    if network.is_external:
        raise RuleViolation(
            "EXTERNAL_NETWORK_HAVING_NAME_CANNOT_BE_PROVISIONED",
            f"The external network '{network.name}' cannot be configured on the host's interface.",
        )


def check_not_vlan_device(ctx: HostContext, attachment: Attachment) -> None:
    if attachment.nic in (ctx.caps.get("vlans") or {}):
        raise violation(
            "ATTACHMENT_REFERENCE_VLAN_DEVICE",
            ACTION,
            TYPE,
            f"The attachment of network '{ctx.networks[attachment.network_id].name}' references vlan device "
            f"'{attachment.nic}'. Network attachment cannot reference vlan device.",
        )


def check_nic_exists(ctx: HostContext, resolved: Resolved, attachment: Attachment) -> None:
    if attachment.nic not in (ctx.caps.get("nics") or {}) and attachment.nic not in resolved.bonds:
        raise _no_such_interface(attachment.nic)


def _no_such_interface(name: str) -> RuleViolation:
    return violation(
        "HOST_NETWORK_INTERFACE_HAVING_NAME_DOES_NOT_EXIST",
        ACTION,
        TYPE,
        f"The host network interface (name {name}) does not exist.",
    )


def check_bond_name(bond: BondSpec) -> None:
    if not BOND_NAME.fullmatch(bond.name):
        raise RuleViolation(
            "NETWORK_BOND_NAME_BAD_FORMAT",
            f"Bond name '{bond.name}' does not follow naming criteria. For host compatibility version 4.0 or "
            "greater, custom bond names must begin with the prefix 'bond' followed by 'a-z', 'A-Z', '0-9', or "
            "'_' characters.",
        )


def check_bond_slave_count(bond: BondSpec) -> None:
    if len(set(bond.slaves)) < 2:
        raise violation(
            "NETWORK_BONDS_INVALID_SLAVE_COUNT",
            ACTION,
            TYPE,
            f"The following bonds consist of less than two Network Interfaces: {bond.name}.",
        )


def check_bond_slaves_exist(ctx: HostContext, bond: BondSpec) -> None:
    nics = ctx.caps.get("nics") or {}
    for slave in bond.slaves:
        if slave not in nics:
            raise _no_such_interface(slave)


def check_slaves_used_once(resolved: Resolved) -> None:
    owner: dict[str, str] = {}
    for bond in resolved.bonds.values():
        for slave in bond.slaves:
            if slave in owner and owner[slave] != bond.name:
                raise violation(
                    "NETWORK_INTERFACE_REFERENCED_AS_A_SLAVE_MULTIPLE_TIMES",
                    ACTION,
                    TYPE,
                    f"Network interface '{slave}' is referenced as a slave of both {owner[slave]} and {bond.name}.",
                )
            owner[slave] = bond.name


def check_slaves_carry_no_network(ctx: HostContext, resolved: Resolved) -> None:
    slaves = {slave for bond in resolved.bonds.values() for slave in bond.slaves}
    for attachment in resolved.attachments.values():
        if attachment.nic in slaves:
            raise violation(
                "NETWORK_INTERFACE_ATTACHED_TO_NETWORK_CANNOT_BE_SLAVE",
                ACTION,
                TYPE,
                f"Network Interface '{attachment.nic}' cannot become slave, there's network "
                f"'{_network_label(ctx, attachment.network_id)}' attached to it.",
            )


def check_removed_bonds_unused(ctx: HostContext, resolved: Resolved) -> None:
    for name in resolved.removed_bonds:
        users = sorted(
            a.id or _network_label(ctx, a.network_id) for a in resolved.attachments.values() if a.nic == name
        )
        if users:
            raise RuleViolation(
                "BOND_USED_BY_NETWORK_ATTACHMENTS",
                f"Cannot remove bond {name}, because it's used by Network Attachments: {', '.join(users)}.",
            )


def check_network_attached_once(ctx: HostContext, resolved: Resolved) -> None:
    counts: dict[str, int] = defaultdict(int)
    for attachment in resolved.attachments.values():
        counts[attachment.network_id] += 1
    twice = sorted(_network_label(ctx, network_id) for network_id, count in counts.items() if count > 1)
    if twice:
        raise violation(
            "NETWORKS_ALREADY_ATTACHED_TO_IFACES",
            ACTION,
            TYPE,
            f"The following Logical Networks are attached to more than one Network Interface: {', '.join(twice)}.",
        )


def touched_devices(resolved: Resolved) -> set[str]:
    """Devices the change puts networks on or reshapes: the device-level rules look at these only, so an
    old irregularity elsewhere on the host never blocks an unrelated change."""
    return {a.nic for a in resolved.send_attachments.values()} | {b.name for b in resolved.send_bonds}


def _networks_by_device(ctx: HostContext, resolved: Resolved, devices: set[str]) -> dict[str, list[Network]]:
    out: dict[str, list[Network]] = defaultdict(list)
    for _key, attachment in sorted(resolved.attachments.items()):
        network = ctx.networks.get(attachment.network_id)
        if network is not None and attachment.nic in devices:
            out[attachment.nic].append(network)
    return out


def check_untagged_exclusive(ctx: HostContext, resolved: Resolved, touched: set[str]) -> None:
    """At most one untagged network per nic or bond."""
    bad = sorted(
        device
        for device, networks in _networks_by_device(ctx, resolved, touched).items()
        if sum(1 for n in networks if n.vlan_id is None) > 1
    )
    if bad:
        raise violation(
            "NETWORK_INTERFACES_NOT_EXCLUSIVELY_USED_BY_UNTAGGED_NETWORK",
            ACTION,
            TYPE,
            "At most one VLAN-untagged Logical Network is allowed on a NIC (optionally in conjunction with "
            f"several VLAN Logical Networks). The following Network Interfaces violate that rule: {', '.join(bad)}.",
        )


def check_vlans_unique(ctx: HostContext, resolved: Resolved, touched: set[str]) -> None:
    """One network per VLAN id on one nic or bond (the agent refuses "similar vlans" on one device)."""
    for device, networks in sorted(_networks_by_device(ctx, resolved, touched).items()):
        by_vlan: dict[int, list[str]] = defaultdict(list)
        for network in networks:
            if network.vlan_id is not None:
                by_vlan[network.vlan_id].append(network.name)
        for vlan, names in sorted(by_vlan.items()):
            if len(names) > 1:
                raise violation(
                    "NETWORK_INTERFACES_NOT_EXCLUSIVELY_USED_BY_UNTAGGED_NETWORK",
                    ACTION,
                    TYPE,
                    f"At most one Logical Network per VLAN is allowed on a NIC: networks {', '.join(sorted(names))} "
                    f"all use VLAN {vlan}. The following Network Interfaces violate that rule: {device}.",
                )


def check_mtu_equal(ctx: HostContext, resolved: Resolved, touched: set[str]) -> None:
    for _device, networks in sorted(_networks_by_device(ctx, resolved, touched).items()):
        if len({n.mtu or DEFAULT_MTU for n in networks}) > 1:
            listed = ", ".join(f"{n.name}({n.mtu or DEFAULT_MTU})" for n in sorted(networks, key=lambda n: n.name))
            raise violation(
                "NETWORK_MTU_DIFFERENCES",
                ACTION,
                TYPE,
                f"The following Logical Networks do not have the same MTU value: {listed}.",
            )


def check_vm_network_bond_mode(ctx: HostContext, resolved: Resolved, touched: set[str]) -> None:
    for device, networks in sorted(_networks_by_device(ctx, resolved, touched).items()):
        bond = resolved.bonds.get(device)
        if bond is None or bond_mode(bond.options) not in VM_FORBIDDEN_BOND_MODES:
            continue
        for network in networks:
            if network.vm:
                raise RuleViolation(
                    "INVALID_BOND_MODE_FOR_BOND_WITH_VM_NETWORK",
                    f"Network {network.name} is attached to bond {device}. VM networks cannot be attached to bonds "
                    "in mode 0, 5 or 6.",
                )


def check_role_network_has_boot_protocol(ctx: HostContext, attachment: Attachment) -> None:
    row = ctx.cluster_networks.get(attachment.network_id)
    if row is None or not (row.migration or row.display or row.gluster or row.default_route):
        return
    v6 = attachment.ipv6.method if attachment.ipv6 is not None else "none"
    if attachment.ipv4.method == "none" and v6 == "none":
        raise violation(
            "ACTION_TYPE_FAILED_ROLE_NETWORK_HAS_NO_BOOT_PROTOCOL",
            ACTION,
            TYPE,
            f"Role (migration/display/gluster/default-route) network '{_network_label(ctx, attachment.network_id)}' "
            "has no boot protocol assigned.",
        )


# --- 5. out-of-sync guard -------------------------------------------------------------------------------


def check_out_of_sync(ctx: HostContext, request: SetupRequest, resolved: Resolved) -> None:
    """Modifying an existing attachment whose network is out of sync needs the sync flag."""
    existing = {a.id: a for a in ctx.attachments}
    reported = ctx.caps.get("networks") or {}
    for key in resolved.send_attachments:
        before = existing.get(key)
        if before is None or key in request.synchronized_attachments:
            continue
        network = ctx.networks.get(before.network_id)
        entry = reported.get(vdsm_name(network.name, network.id)) if network is not None else None
        if network is None or entry is None:
            continue
        entries = compare(
            network,
            ctx.cluster_networks.get(network.id),
            before,
            entry,
            ctx.caps,
            ctx.switch_type,
            expected_qos=ctx.qos.get(network.id),
        )
        values = out_of_sync_values(entries)
        if values:
            raise violation(
                "NETWORK_NOT_IN_SYNC",
                ACTION,
                TYPE,
                "The following Network definitions on the Network Interface are different than those on the "
                f"Logical Network. Please synchronize the Network Interface before editing network {network.name}. "
                f"The non-synchronized values are: {values}.",
            )


# --- 6. the agent call (§7.4) ---------------------------------------------------------------------------


def build_plan(ctx: HostContext, request: SetupRequest, resolved: Resolved) -> SetupPlan:
    networks: dict[str, dict[str, Any]] = {}
    kept = {a.network_id for a in resolved.attachments.values()}
    removed_ids: list[str] = []
    for attachment in resolved.removed_attachments:
        if attachment.network_id in kept:
            continue  # removed and re-created in one request: the new attachment is sent below
        network = ctx.networks.get(attachment.network_id)
        if network is not None:
            networks[vdsm_name(network.name, network.id)] = {"remove": True}
        removed_ids.append(attachment.network_id)
    for name in request.removed_unmanaged_networks:
        networks[name] = {"remove": True}
    for attachment in resolved.send_attachments.values():
        network = ctx.networks[attachment.network_id]
        networks[vdsm_name(network.name, network.id)] = network_attributes(ctx, resolved, network, attachment)
    bondings: dict[str, dict[str, Any]] = {name: {"remove": True} for name in resolved.removed_bonds}
    for bond in resolved.send_bonds:
        bondings[bond.name] = {"nics": sorted(bond.slaves), "options": bond.options, "switch": ctx.switch_type}
    options: dict[str, Any] = {"connectivityCheck": request.check_connectivity}
    if request.check_connectivity:
        options["connectivityTimeout"] = request.connectivity_timeout
    options["commitOnSuccess"] = request.commit_on_success
    before = {a.network_id for a in ctx.attachments if a.id not in set(request.removed_attachments)}
    created = tuple(
        dict.fromkeys(a.network_id for a in resolved.send_attachments.values() if a.network_id not in before)
    )
    return SetupPlan(
        networks=networks,
        bondings=bondings,
        options=options,
        attachments=tuple(attachment for _key, attachment in sorted(resolved.attachments.items())),
        created=created,
        removed=tuple(removed_ids),
    )


def network_attributes(
    ctx: HostContext, resolved: Resolved, network: Network, attachment: Attachment
) -> dict[str, Any]:
    row = ctx.cluster_networks.get(network.id)
    default_route = bool(row and row.default_route)
    is_bond = attachment.nic in resolved.bonds
    attrs: dict[str, Any] = {"bonding" if is_bond else "nic": attachment.nic}
    if network.vlan_id is not None:
        attrs["vlan"] = network.vlan_id
    attrs["bridged"] = network.vm
    attrs["mtu"] = network.mtu or DEFAULT_MTU
    if network.vm:
        attrs["STP"] = network.stp
    attrs["switch"] = ctx.switch_type
    attrs["defaultRoute"] = default_route
    attrs |= ipv4_attributes(attachment.ipv4)
    attrs |= ipv6_attributes(attachment.ipv6, default_route)
    if default_route:
        servers = list(attachment.dns_servers or network.dns_name_servers)
        if servers:
            attrs["nameservers"] = servers
    if network.vm and network.port_isolation:
        attrs["portIsolation"] = True
    host_qos = ctx.qos.get(network.id)
    if host_qos:
        attrs["hostQos"] = {"out": {k: dict(v) for k, v in host_qos["out"].items()}}
    return attrs


def ipv4_attributes(config: IpConfig) -> dict[str, Any]:
    if config.method == "dhcp":
        return {"bootproto": "dhcp"}
    if config.method != "static" or not config.address or not config.netmask:
        return {"bootproto": "none"}
    netmask = str(ipaddress.IPv4Network(f"0.0.0.0/{ipv4_prefix(config.netmask, 'netmask')}").netmask)
    attrs: dict[str, Any] = {"bootproto": "none", "ipaddr": config.address.strip(), "netmask": netmask}
    gateway = _gateway_key(config.gateway)
    if gateway:
        attrs["gateway"] = gateway
    return attrs


def ipv6_attributes(config: IpConfig | None, default_route: bool) -> dict[str, Any]:
    method = config.method if config is not None else "none"
    attrs: dict[str, Any] = {
        "dhcpv6": method in ("dhcp", "poly_dhcp_autoconf"),
        "ipv6autoconf": method in ("autoconf", "poly_dhcp_autoconf"),
    }
    if config is not None and method == "static" and config.address:
        address, _, inline = config.address.partition("/")
        prefix = ipv6_prefix(config.netmask or inline, "netmask")
        attrs["ipv6addr"] = f"{ipaddress.IPv6Address(address.strip()).compressed}/{prefix}"
        gateway = _gateway_key(config.gateway)
        if gateway and default_route:
            attrs["ipv6gateway"] = gateway
    return attrs


def _network_label(ctx: HostContext, network_id: str) -> str:
    network = ctx.networks.get(network_id)
    return network.name if network is not None else network_id

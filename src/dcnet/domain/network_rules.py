"""Rules for logical networks of a data center (reference: multi-host-update.md §5, §7)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from dcnet.domain.entities import Network
from dcnet.domain.errors import BadInput
from dcnet.domain.messages import used_by, violation
from dcnet.domain.naming import check_description, check_label, check_name, vdsm_name

VLAN_MIN, VLAN_MAX = 0, 4094
MTU_MIN, MTU_MAX = 68, 65535
DEFAULT_MTU = 1500
MANAGEMENT_NETWORK_NAME = "ovirtmgmt"
TYPE = "Network"


def effective_mtu(mtu: int) -> int:
    """MTU 0 means the default."""
    return mtu or DEFAULT_MTU


def check_fields(network: Network) -> None:
    """Field ranges and formats (HTTP 400, naming the field)."""
    check_name(network.name)
    check_description(network.description)
    check_description(network.comment, "comment")
    if network.vlan_id is not None and not VLAN_MIN <= network.vlan_id <= VLAN_MAX:
        raise BadInput("vlan.id", f"{network.vlan_id} is out of range {VLAN_MIN}-{VLAN_MAX}")
    if network.mtu != 0 and not MTU_MIN <= network.mtu <= MTU_MAX:
        raise BadInput("mtu", f"{network.mtu} is out of range: 0 (default {DEFAULT_MTU}) or {MTU_MIN}-{MTU_MAX}")
    for position, server in enumerate(network.dns_name_servers):
        try:
            ipaddress.ip_address(server)
        except ValueError:
            raise BadInput(
                f"dns_resolver_configuration.name_servers[{position}]", f"{server!r} is not an IP address"
            ) from None
    if network.label is not None:
        check_label(network.label)


def check_vm_only_options(network: Network, action: str) -> None:
    if network.stp and not network.vm:
        raise violation("NON_VM_NETWORK_CANNOT_SUPPORT_STP", action, TYPE, "STP can only be enabled on VM Networks.")
    if network.port_isolation and not network.vm:
        raise violation(
            "NON_VM_NETWORK_CANNOT_SUPPORT_PORT_ISOLATION",
            action,
            TYPE,
            "Port isolation can only be enabled on VM Networks.",
        )


def check_name_free(network: Network, siblings: Iterable[Network], action: str) -> None:
    """Unique name per data center; no clash with another network's host-side name."""
    if network.name.lower().startswith("bond"):
        raise violation(
            "NETWORK_CANNOT_CONTAIN_BOND_NAME",
            action,
            TYPE,
            "Bad network name, network cannot start with 'bond'.",
        )
    own_host_name = vdsm_name(network.name, network.id)
    for other in siblings:
        if other.id == network.id:
            continue
        if other.name == network.name:
            raise violation(
                "ACTION_TYPE_FAILED_NETWORK_NAME_IN_USE",
                action,
                TYPE,
                f"The name of the logical network '{network.name}' is already used by an existing logical "
                "network in the same data-center.\n-Please choose a different name.",
            )
        other_host_name = vdsm_name(other.name, other.id)
        if own_host_name in (other_host_name, other.name) or network.name == other_host_name:
            raise violation(
                "NETWORK_NAME_USED_AS_VDSM_NETWORK_NAME",
                action,
                TYPE,
                f"Bad network name ({network.name}). The name is already used as an on-host identifier "
                f"of the network: {other.name}",
            )


def check_new(network: Network, siblings: Iterable[Network]) -> None:
    """Everything a new network must satisfy before it is stored."""
    check_fields(network)
    check_vm_only_options(network, "add")
    check_name_free(network, siblings, "add")


def check_update(
    old: Network,
    new: Network,
    siblings: Iterable[Network],
    *,
    management_in_clusters: list[str],
    carried_by_hosts: list[str],
) -> None:
    """An edit of a network; `management_in_clusters` names the clusters it manages."""
    check_fields(new)
    if new.data_center_id != old.data_center_id:
        raise violation(
            "ACTION_TYPE_FAILED_DATA_CENTER_ID_CANNOT_BE_CHANGED",
            "edit",
            TYPE,
            "Change of Data Center ID is not allowed.",
        )
    check_vm_only_options(new, "edit")
    if new.port_isolation != old.port_isolation:
        raise violation(
            "ACTION_TYPE_FAILED_NETWORK_PORT_ISOLATION_CANNOT_BE_CHANGED",
            "edit",
            TYPE,
            "Port isolation option cannot be updated after Network is defined.",
        )
    if old.is_external and _external_details_changed(old, new):
        raise violation(
            "ACTION_TYPE_FAILED_EXTERNAL_NETWORK_DETAILS_CANNOT_BE_EDITED",
            "edit",
            TYPE,
            "External network details (except name, description and MTU) cannot be changed.",
        )
    if new.name != old.name:
        if management_in_clusters:
            raise violation(
                "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_CANNOT_BE_RENAMED",
                "edit",
                TYPE,
                f"The management network '{old.name}' cannot be renamed: it is the management network of "
                f"cluster(s) {', '.join(sorted(management_in_clusters))}.",
            )
        if carried_by_hosts:
            raise violation(
                "ACTION_TYPE_FAILED_NETWORK_IN_ONE_USE"
                if len(carried_by_hosts) == 1
                else "ACTION_TYPE_FAILED_NETWORK_IN_MANY_USES",
                "edit",
                TYPE,
                used_by("host", "hosts", sorted(carried_by_hosts)),
            )
        check_name_free(new, siblings, "edit")
    if new.label != old.label and old.label is not None and new.label is not None and carried_by_hosts:
        raise violation(
            "ACTION_TYPE_FAILED_NETWORK_LABEL_RENAMING_NOT_SUPPORTED",
            "edit",
            TYPE,
            "Renaming a network label while configured on hosts interfaces is not supported. "
            "Please unlabel the network first and later specify the new one.",
        )


def _external_details_changed(old: Network, new: Network) -> bool:
    editable = {"name", "description", "comment", "mtu", "revision"}
    return any(getattr(old, name) != getattr(new, name) for name in vars(old) if name not in editable)


def check_remove(network: Network, management_in_clusters: list[str]) -> None:
    if management_in_clusters:
        raise violation(
            "NETWORK_CANNOT_REMOVE_MANAGEMENT_NETWORK",
            "remove",
            TYPE,
            f"The Management Network ('{network.name}') is mandatory and cannot be removed.",
        )

"""Rules for adding, editing, installing, activating and removing hosts."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from dcnet.domain.entities import Host, HostStatus
from dcnet.domain.errors import BadInput
from dcnet.domain.messages import violation
from dcnet.domain.naming import check_description, check_name

TYPE = "Host"
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def check_address(address: str, field: str = "address") -> str:
    """An IP literal or an RFC 1123 host name."""
    if not address:
        raise BadInput(field, "must not be empty")
    try:
        ipaddress.ip_address(address)
        return address
    except ValueError:
        pass
    name = address[:-1] if address.endswith(".") else address
    labels = name.split(".")
    if len(name) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise BadInput(field, f"{address!r} is neither an IP address nor a valid host name (RFC 1123)")
    if labels[-1].isdigit():
        raise BadInput(
            field,
            f"{address!r} is neither an IP address nor a valid host name (RFC 1123: the last label is not numeric)",
        )
    return address


def check_fields(host: Host) -> None:
    check_name(host.name)
    check_description(host.description)
    check_description(host.comment, "comment")
    check_address(host.address)
    if not 1 <= host.port <= 65535:
        raise BadInput("port", f"{host.port} is out of range 1-65535")


def _check_unique(host: Host, siblings: Iterable[Host], action: str) -> None:
    for other in siblings:
        if other.id == host.id:
            continue
        if other.name == host.name:
            raise violation(
                "ACTION_TYPE_FAILED_NAME_ALREADY_USED",
                action,
                TYPE,
                f"The Host name '{host.name}' is already in use, please choose a unique name and try again.",
            )
        if other.address.lower() == host.address.lower():
            raise violation(
                "ACTION_TYPE_FAILED_VDS_WITH_SAME_HOST_EXIST",
                action,
                TYPE,
                f"Host '{other.name}' already has the address {host.address}.",
            )


def check_new(host: Host, siblings: Iterable[Host]) -> None:
    check_fields(host)
    _check_unique(host, siblings, "add")


def check_update(old: Host, new: Host, siblings: Iterable[Host]) -> None:
    check_fields(new)
    _check_unique(new, siblings, "edit")
    if (new.cluster_id != old.cluster_id or new.address != old.address) and old.status != HostStatus.MAINTENANCE:
        raise violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            "edit",
            TYPE,
            "The cluster or address of a Host can be changed only when its status is Maintenance.",
        )


INSTALLABLE = (
    HostStatus.MAINTENANCE,
    HostStatus.INSTALL_FAILED,
    HostStatus.NON_OPERATIONAL,
    HostStatus.NON_RESPONSIVE,
)


def _illegal_status(action: str, allowed: tuple[HostStatus, ...], host: Host) -> None:
    if host.status not in allowed:
        names = ", ".join(status.value for status in allowed)
        raise violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            action,
            TYPE,
            f"Operation can be performed only when Host status is one of: {names} (it is {host.status.value}).",
        )


def check_install(host: Host, *, token_given: bool) -> None:
    _illegal_status("install", INSTALLABLE, host)
    if not token_given and not host.enrolled:
        raise BadInput("root_password", "the agent's enrollment token is required: this host's agent is not enrolled")


def check_activate(host: Host) -> None:
    _illegal_status("activate", (HostStatus.MAINTENANCE, HostStatus.NON_OPERATIONAL, HostStatus.NON_RESPONSIVE), host)
    if not host.enrolled:
        raise violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            "activate",
            TYPE,
            "The host has never been installed; install it first.",
        )


def check_deactivate(host: Host) -> None:
    if host.status in (HostStatus.INSTALLING, HostStatus.MAINTENANCE):
        raise violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            "maintenance",
            TYPE,
            f"Cannot switch the Host to Maintenance mode while it is {host.status.value}.",
        )


def check_refresh(host: Host) -> None:
    if not host.enrolled:
        raise violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            "refresh",
            TYPE,
            "The host's agent is not enrolled; install the host first.",
        )


def check_remove(host: Host) -> None:
    if host.status not in (HostStatus.MAINTENANCE, HostStatus.INSTALL_FAILED):
        raise violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            "remove",
            TYPE,
            f"Operation can be performed only when Host status is Maintenance (it is {host.status.value}).",
        )

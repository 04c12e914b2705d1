"""Rules for vNIC profiles."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dcnet.domain.entities import Network, VnicProfile
from dcnet.domain.errors import BadInput
from dcnet.domain.messages import violation
from dcnet.domain.naming import check_description, check_name

TYPE = "VM network interface profile"
_PROPERTY_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")


def check_fields(profile: VnicProfile) -> None:
    check_name(profile.name)
    check_description(profile.description)
    check_description(profile.comment, "comment")
    seen: set[str] = set()
    for position, prop in enumerate(profile.custom_properties):
        field = f"custom_properties[{position}]"
        if not _PROPERTY_NAME.fullmatch(prop.name):
            raise BadInput(f"{field}.name", f"{prop.name!r} must be 1-64 letters, digits or underscores")
        if prop.name in seen:
            raise BadInput(f"{field}.name", f"{prop.name!r} is given twice")
        if any(ch in prop.value for ch in "\n\r;"):
            raise BadInput(f"{field}.value", "must not contain line breaks or ';'")
        seen.add(prop.name)


def _check_rules(profile: VnicProfile, network: Network, siblings: Iterable[VnicProfile], action: str) -> None:
    if not network.vm:
        raise violation(
            "ACTION_TYPE_FAILED_CANNOT_ADD_VNIC_PROFILE_TO_NON_VM_NETWORK",
            action,
            TYPE,
            f"Network '{network.name}' is not a VM network.",
        )
    if any(other.id != profile.id and other.name == profile.name for other in siblings):
        raise violation(
            "ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE",
            action,
            TYPE,
            f"The VM Network Interface Profile's name '{profile.name}' is already used by an existing "
            "profile for the same network.\n-Please choose a different name.",
        )
    if profile.pass_through and profile.port_mirroring:
        raise violation(
            "ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES",
            action,
            TYPE,
            "Port mirroring is not supported on a passthrough profile.",
        )


def check_new(profile: VnicProfile, network: Network, siblings: Iterable[VnicProfile]) -> None:
    check_fields(profile)
    _check_rules(profile, network, siblings, "add")


def check_update(old: VnicProfile, new: VnicProfile, network: Network, siblings: Iterable[VnicProfile]) -> None:
    check_fields(new)
    if new.network_id != old.network_id:
        raise violation(
            "ACTION_TYPE_FAILED_CANNOT_CHANGE_VNIC_PROFILE_NETWORK",
            "edit",
            TYPE,
            "The network of a VM network interface profile cannot be changed.",
        )
    _check_rules(new, network, siblings, "edit")

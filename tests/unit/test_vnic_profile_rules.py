"""vnic_profile_rules.py: vNIC profiles."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcnet.domain.entities import CustomProperty, Network, VnicProfile
from dcnet.domain.vnic_profile_rules import check_new, check_update
from tests.unit._expect import bad_input, rule_violation

TYPE = "VM network interface profile"


def network(vm: bool = True, name: str = "red") -> Network:
    return Network(id="net-1", name=name, data_center_id="dc-1", vm=vm)


def profile(name: str = "red", **fields: Any) -> VnicProfile:
    fields.setdefault("id", f"profile-{name}")
    fields.setdefault("network_id", "net-1")
    return VnicProfile(name=name, **fields)


def props(*pairs: tuple[str, str]) -> list[CustomProperty]:
    return [CustomProperty(name, value) for name, value in pairs]


# --- VM networks only -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("vm", "refused"), [(False, True), (True, False)], ids=["non-vm-network", "vm-network"])
@pytest.mark.parametrize("action", ["add", "edit"])
def test_vnic_profile_only_on_vm_networks(vm: bool, refused: bool, action: str) -> None:
    def run() -> None:
        if action == "add":
            check_new(profile(), network(vm, name="storage"), [])
        else:
            old = profile()
            check_update(old, replace(old, description="d"), network(vm, name="storage"), [old])

    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_CANNOT_ADD_VNIC_PROFILE_TO_NON_VM_NETWORK",
            f"Cannot {action} {TYPE}.",
            "Network 'storage' is not a VM network.",
        ):
            run()
    else:
        run()


# --- unique per network ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "name", "refused"),
    [
        pytest.param("red", "red", True, id="same-name"),
        pytest.param("פרופיל", "פרופיל", True, id="same-unicode-name"),
        pytest.param("red", "Red", False, id="case-differs"),
        pytest.param("red", "red-2", False, id="different"),
    ],
)
def test_vnic_profile_name_unique_per_network(existing: str, name: str, refused: bool) -> None:
    candidate = profile(name, id="new")
    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE",
            f"Cannot add {TYPE}.",
            f"The VM Network Interface Profile's name '{name}' is already used by an existing profile for the "
            "same network.",
        ):
            check_new(candidate, network(), [profile(existing)])
    else:
        check_new(candidate, network(), [profile(existing)])


def test_vnic_profile_rename_to_a_name_in_use_is_refused() -> None:
    old, other = profile("a"), profile("b")
    with rule_violation("ACTION_TYPE_FAILED_VNIC_PROFILE_NAME_IN_USE", f"Cannot edit {TYPE}.", "'b'"):
        check_update(old, replace(old, name="b"), network(), [old, other])


def test_vnic_profile_is_not_compared_with_itself() -> None:
    old = profile()
    check_update(old, replace(old, description="d"), network(), [old])


# --- network immutable ----------------------------------------------------------------------------------


def test_vnic_profile_network_is_immutable() -> None:
    old = profile()
    with rule_violation(
        "ACTION_TYPE_FAILED_CANNOT_CHANGE_VNIC_PROFILE_NETWORK",
        f"Cannot edit {TYPE}.",
        "The network of a VM network interface profile cannot be changed.",
    ):
        check_update(old, replace(old, network_id="net-2"), network(), [old])


# --- pass-through vs port mirroring ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pass_through", "port_mirroring", "refused"),
    [
        pytest.param(True, True, True, id="pass-through-with-mirroring"),
        pytest.param(True, False, False, id="pass-through-only"),
        pytest.param(False, True, False, id="mirroring-only"),
        pytest.param(False, False, False, id="neither"),
    ],
)
@pytest.mark.parametrize("action", ["add", "edit"])
def test_pass_through_profile_cannot_have_port_mirroring(
    pass_through: bool, port_mirroring: bool, refused: bool, action: str
) -> None:
    def run() -> None:
        if action == "add":
            check_new(profile(pass_through=pass_through, port_mirroring=port_mirroring), network(), [])
        else:
            old = profile()
            check_update(old, replace(old, pass_through=pass_through, port_mirroring=port_mirroring), network(), [old])

    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_PASSTHROUGH_PROFILE_CONTAINS_NOT_SUPPORTED_PROPERTIES",
            f"Cannot {action} {TYPE}.",
            "Port mirroring is not supported on a passthrough profile.",
        ):
            run()
    else:
        run()


# --- fields and custom properties -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        pytest.param({"name": ""}, "name", "must not be empty", id="empty-name"),
        pytest.param({"name": "p\x00"}, "name", "control characters", id="nul-in-name"),
        pytest.param({"name": "p" * 257}, "name", "257 characters long", id="257-char-name"),
        pytest.param({"description": "d" * 4001}, "description", "at most 4000", id="long-description"),
        pytest.param({"comment": "c" * 4001}, "comment", "at most 4000", id="long-comment"),
    ],
)
def test_vnic_profile_fields_are_validated(fields: dict[str, Any], field: str, rule: str) -> None:
    with bad_input(field, rule):
        check_new(replace(profile(), **fields), network(), [])


@pytest.mark.parametrize(
    "properties",
    [
        pytest.param([], id="none"),
        pytest.param(props(("a", "")), id="one-char-name-empty-value"),
        pytest.param(props(("x" * 64, "v")), id="64-char-name"),
        pytest.param(props(("queues", "4"), ("SecurityGroups", "a,b")), id="two"),
        pytest.param(props(("A_1", "value with spaces = and , and ✓")), id="free-text-value"),
        pytest.param(props(("a", "1"), ("A", "2")), id="names-are-case-sensitive"),
    ],
)
def test_custom_property_formats_accepted(properties: list[CustomProperty]) -> None:
    check_new(profile(custom_properties=properties), network(), [])


@pytest.mark.parametrize(
    ("properties", "field", "rule"),
    [
        pytest.param(props(("", "v")), "custom_properties[0].name", "'' must be 1-64 letters", id="empty-name"),
        pytest.param(props(("x" * 65, "v")), "custom_properties[0].name", "must be 1-64", id="65-char-name"),
        pytest.param(props(("ok", "v"), ("a-b", "v")), "custom_properties[1].name", "'a-b'", id="hyphen"),
        pytest.param(props(("a b", "v")), "custom_properties[0].name", "'a b'", id="space"),
        pytest.param(props(("é", "v")), "custom_properties[0].name", "letters, digits or underscores", id="non-ascii"),
        pytest.param(props(("a.b", "v")), "custom_properties[0].name", "must be 1-64", id="dot"),
        pytest.param(props(("q", "1"), ("q", "2")), "custom_properties[1].name", "'q' is given twice", id="duplicate"),
        pytest.param(props(("q", "a\nb")), "custom_properties[0].value", "line breaks or ';'", id="newline-value"),
        pytest.param(props(("q", "a\rb")), "custom_properties[0].value", "line breaks or ';'", id="cr-value"),
        pytest.param(props(("p", "1"), ("q", "a;b")), "custom_properties[1].value", "';'", id="semicolon-value"),
    ],
)
def test_custom_property_name_and_value_formats(properties: list[CustomProperty], field: str, rule: str) -> None:
    with bad_input(field, rule):
        check_new(profile(custom_properties=properties), network(), [])
    old = profile()
    with bad_input(field, rule):
        check_update(old, replace(old, custom_properties=properties), network(), [old])

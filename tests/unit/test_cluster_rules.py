"""cluster_rules.py: clusters."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcnet.domain.cluster_rules import check_new, check_remove, check_update
from dcnet.domain.entities import Cluster, DataCenter, SwitchType, Version
from tests.unit._expect import bad_input, rule_violation

V = Version.parse


def data_center(version: str = "4.0") -> DataCenter:
    return DataCenter(id="dc-1", name="Default", version=V(version))


def cluster(name: str = "Default", version: str = "4.7", **fields: Any) -> Cluster:
    fields.setdefault("id", f"cluster-{name}")
    fields.setdefault("data_center_id", "dc-1")
    return Cluster(name=name, version=V(version), **fields)


# --- fields ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        pytest.param({"name": ""}, "name", "must not be empty", id="empty-name"),
        pytest.param({"name": " c"}, "name", "white space", id="leading-space"),
        pytest.param({"name": "c\x07"}, "name", "control characters", id="bell"),
        pytest.param({"name": "c" * 257}, "name", "257 characters long", id="257-char-name"),
        pytest.param({"description": "d" * 4001}, "description", "at most 4000", id="long-description"),
        pytest.param({"comment": "c" * 4001}, "comment", "at most 4000", id="long-comment"),
        pytest.param({"version": V("4.8")}, "version", "compatibility version 4.8 is not supported", id="4.8"),
        pytest.param({"version": V("2.2")}, "version", "compatibility version 2.2 is not supported", id="2.2"),
    ],
)
def test_cluster_fields_are_validated(fields: dict[str, Any], field: str, rule: str) -> None:
    with bad_input(field, rule):
        check_new(replace(cluster(), **fields), data_center("3.0"), [])
    old = cluster()
    with bad_input(field, rule):
        check_update(old, replace(old, **fields), data_center("3.0"), [], [])


@pytest.mark.parametrize("version", ["3.0", "3.1", "4.7"], ids=["3.0-legacy", "3.1-legacy", "4.7"])
def test_cluster_supported_versions_incl_3_0_and_3_1_are_accepted(version: str) -> None:
    check_new(cluster(version=version), data_center("3.0"), [])


# --- name unique ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "name", "refused"),
    [
        pytest.param("Default", "Default", True, id="same-name"),
        pytest.param("אשכול", "אשכול", True, id="same-unicode-name"),
        pytest.param("Default", "default", False, id="case-differs"),
        pytest.param("Default", "Default-2", False, id="different"),
    ],
)
def test_cluster_name_must_be_unique(existing: str, name: str, refused: bool) -> None:
    candidate = cluster(name, id="new-cluster")
    if refused:
        with rule_violation(
            "CLUSTER_CANNOT_DO_ACTION_NAME_IN_USE",
            "Cannot add Cluster.",
            f"The name '{name}' is already in use by another cluster.",
        ):
            check_new(candidate, data_center(), [cluster(existing)])
    else:
        check_new(candidate, data_center(), [cluster(existing)])


def test_cluster_rename_to_a_name_in_use_is_refused() -> None:
    old, other = cluster("a"), cluster("b")
    with rule_violation("CLUSTER_CANNOT_DO_ACTION_NAME_IN_USE", "Cannot edit Cluster.", "'b'"):
        check_update(old, replace(old, name="b"), data_center(), [old, other], [])


def test_cluster_is_not_compared_with_itself() -> None:
    old = cluster("a")
    check_update(old, replace(old, description="x"), data_center(), [old], ["host1"])


# --- version vs data center -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cluster_version", "dc_version", "refused"),
    [
        pytest.param("4.6", "4.7", True, id="one-minor-below"),
        pytest.param("3.6", "4.0", True, id="major-below"),
        pytest.param("3.0", "3.1", True, id="legacy-below"),
        pytest.param("4.7", "4.7", False, id="equal"),
        pytest.param("4.7", "4.0", False, id="above"),
        pytest.param("3.1", "3.0", False, id="legacy-above"),
    ],
)
@pytest.mark.parametrize("action", ["add", "edit"])
def test_cluster_version_not_below_its_data_center(
    cluster_version: str, dc_version: str, refused: bool, action: str
) -> None:
    dc = data_center(dc_version)

    def run() -> None:
        if action == "add":
            check_new(cluster(version=cluster_version), dc, [])
        else:
            old = cluster(version="4.7")
            check_update(old, replace(old, version=V(cluster_version)), dc, [old], [])

    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_CLUSTER_VERSION_LOWER_THAN_DATA_CENTER",
            f"Cannot {action} Cluster.",
            f"The compatibility version {cluster_version} is lower than the version of Data Center "
            f"'Default' ({dc_version}).",
        ):
            run()
    else:
        run()


# --- update rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("hosts", [[], ["host1"]], ids=["no-hosts", "with-hosts"])
def test_cluster_data_center_is_immutable(hosts: list[str]) -> None:
    old = cluster()
    with rule_violation(
        "ACTION_TYPE_FAILED_CLUSTER_CANNOT_CHANGE_DATA_CENTER",
        "Cannot edit Cluster.",
        "The Data Center of a Cluster cannot be changed.",
    ):
        check_update(old, replace(old, data_center_id="dc-2"), data_center(), [old], hosts)


@pytest.mark.parametrize(
    ("before", "after", "hosts", "refused"),
    [
        pytest.param("4.7", "4.6", ["host1"], True, id="decrease-with-host"),
        pytest.param("4.7", "4.0", ["h2", "h1"], True, id="decrease-with-hosts"),
        pytest.param("4.7", "4.6", [], False, id="decrease-without-hosts"),
        pytest.param("4.6", "4.7", ["host1"], False, id="increase-with-hosts"),
        pytest.param("4.7", "4.7", ["host1"], False, id="same-with-hosts"),
    ],
)
def test_cluster_version_cannot_decrease_while_it_has_hosts(
    before: str, after: str, hosts: list[str], refused: bool
) -> None:
    old = cluster(version=before)
    new = replace(old, version=V(after))
    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_CANNOT_DECREASE_CLUSTER_COMPATIBILITY_VERSION",
            "Cannot edit Cluster.",
            f"The compatibility version cannot be decreased while the Cluster has hosts: {', '.join(sorted(hosts))}.",
        ):
            check_update(old, new, data_center(), [old], hosts)
    else:
        check_update(old, new, data_center(), [old], hosts)


@pytest.mark.parametrize(
    ("before", "after", "hosts", "refused"),
    [
        pytest.param(SwitchType.LEGACY, SwitchType.OVS, ["host1"], True, id="legacy-to-ovs-with-host"),
        pytest.param(SwitchType.OVS, SwitchType.LEGACY, ["b", "a"], True, id="ovs-to-legacy-with-hosts"),
        pytest.param(SwitchType.LEGACY, SwitchType.OVS, [], False, id="legacy-to-ovs-without-hosts"),
        pytest.param(SwitchType.OVS, SwitchType.OVS, ["host1"], False, id="unchanged-with-hosts"),
    ],
)
def test_switch_type_change_blocked_while_cluster_has_hosts(
    before: SwitchType, after: SwitchType, hosts: list[str], refused: bool
) -> None:
    old = cluster(switch_type=before)
    new = replace(old, switch_type=after)
    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_CLUSTER_SWITCH_TYPE_CANNOT_BE_CHANGED",
            "Cannot edit Cluster.",
            f"The switch type cannot be changed while the Cluster has hosts: {', '.join(sorted(hosts))}.",
        ):
            check_update(old, new, data_center(), [old], hosts)
    else:
        check_update(old, new, data_center(), [old], hosts)


# --- removal --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hosts", "refused"),
    [
        pytest.param(["host1"], True, id="one-host"),
        pytest.param(["h2", "h1"], True, id="two-hosts"),
        pytest.param([], False, id="empty"),
    ],
)
def test_cluster_with_hosts_cannot_be_removed(hosts: list[str], refused: bool) -> None:
    if refused:
        with rule_violation(
            "CLUSTER_CANNOT_REMOVE_CLUSTER_NOT_EMPTY",
            "Cannot remove Cluster.",
            f"The Cluster contains host(s): {', '.join(sorted(hosts))}. Remove them first.",
        ):
            check_remove(cluster(), hosts)
    else:
        check_remove(cluster(), hosts)

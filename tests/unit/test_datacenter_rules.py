"""datacenter_rules.py: data centers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcnet.domain.datacenter_rules import check_new, check_remove, check_update
from dcnet.domain.entities import DataCenter, Version
from tests.unit._expect import bad_input, rule_violation

V = Version.parse


def dc(name: str = "Default", version: str = "4.7", **fields: Any) -> DataCenter:
    fields.setdefault("id", f"dc-{name}")
    return DataCenter(name=name, version=V(version), **fields)


# --- fields ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version",
    ["3.0", "3.1", "3.6", "4.0", "4.7"],
    ids=["3.0-legacy", "3.1-legacy", "3.6", "4.0", "4.7"],
)
def test_data_center_supported_versions_incl_3_0_and_3_1_are_accepted(version: str) -> None:
    check_new(dc(version=version), [])


@pytest.mark.parametrize("version", ["2.2", "3.7", "4.8", "5.0"])
def test_data_center_version_must_be_supported(version: str) -> None:
    with bad_input("version", f"compatibility version {version} is not supported"):
        check_new(dc(version=version), [])
    old = dc()
    with bad_input("version", "is not supported"):
        check_update(old, replace(old, version=V(version)), [], {})


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        pytest.param({"name": ""}, "name", "must not be empty", id="empty-name"),
        pytest.param({"name": "  "}, "name", "must not be empty", id="blank-name"),
        pytest.param({"name": "dc\x00"}, "name", "control characters", id="control-character"),
        pytest.param({"name": "d" * 257}, "name", "257 characters long", id="257-char-name"),
        pytest.param({"description": "d" * 4001}, "description", "4001 characters long", id="long-description"),
        pytest.param({"comment": "c" * 4001}, "comment", "4001 characters long", id="long-comment"),
    ],
)
def test_data_center_fields_are_validated(fields: dict[str, Any], field: str, rule: str) -> None:
    with bad_input(field, rule):
        check_new(replace(dc(), **fields), [])
    old = dc()
    with bad_input(field, rule):
        check_update(old, replace(old, **fields), [], {})


@pytest.mark.parametrize(
    "name",
    ["D", "d" * 256, "מרכז נתונים", "Default DC (east)"],
    ids=["one-char", "256-chars", "hebrew", "punctuation"],
)
def test_data_center_name_may_be_any_unicode(name: str) -> None:
    check_new(dc(name), [dc("Other")])


# --- name unique ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "name", "refused"),
    [
        pytest.param("Default", "Default", True, id="same-name"),
        pytest.param("מרכז", "מרכז", True, id="same-unicode-name"),
        pytest.param("Default", "default", False, id="case-differs"),
        pytest.param("Default", "Default2", False, id="different"),
    ],
)
def test_data_center_name_must_be_unique(existing: str, name: str, refused: bool) -> None:
    candidate = dc(name, id="new-dc")
    if refused:
        with rule_violation(
            "ACTION_TYPE_FAILED_STORAGE_POOL_NAME_ALREADY_EXIST",
            "Cannot add Data Center.",
            f"The Data Center name '{name}' is already in use.",
        ):
            check_new(candidate, [dc(existing)])
    else:
        check_new(candidate, [dc(existing)])


def test_data_center_rename_to_a_name_in_use_is_refused() -> None:
    old, other = dc("Default"), dc("Other")
    with rule_violation("ACTION_TYPE_FAILED_STORAGE_POOL_NAME_ALREADY_EXIST", "Cannot edit Data Center.", "'Other'"):
        check_update(old, replace(old, name="Other"), [old, other], {})


def test_data_center_is_not_compared_with_itself() -> None:
    old = dc("Default")
    check_update(old, replace(old, description="edited"), [old], {})


# --- versions on update ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("4.7", "4.6", id="minor-down"),
        pytest.param("4.0", "3.6", id="major-down"),
        pytest.param("3.1", "3.0", id="legacy-down"),
    ],
)
def test_data_center_version_cannot_decrease(before: str, after: str) -> None:
    old = dc(version=before)
    with rule_violation(
        "ACTION_TYPE_FAILED_CANNOT_DECREASE_DATA_CENTER_COMPATIBILITY_VERSION",
        "Cannot edit Data Center.",
        f"The compatibility version cannot be decreased (from {before} to {after}).",
    ):
        check_update(old, replace(old, version=V(after)), [old], {})


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("4.6", "4.6", id="same"),
        pytest.param("4.6", "4.7", id="minor-up"),
        pytest.param("3.0", "4.7", id="legacy-to-newest"),
    ],
)
def test_data_center_version_may_stay_or_increase_without_clusters(before: str, after: str) -> None:
    old = dc(version=before)
    check_update(old, replace(old, version=V(after)), [old], {})


@pytest.mark.parametrize(
    ("new_version", "clusters", "lower"),
    [
        pytest.param("4.7", {"c1": "4.6"}, "c1", id="one-cluster-below"),
        pytest.param("4.7", {"b": "4.5", "a": "4.6", "ok": "4.7"}, "a, b", id="lower-clusters-sorted"),
        pytest.param("4.0", {"old": "3.6"}, "old", id="major-below"),
    ],
)
def test_data_center_version_cannot_exceed_its_clusters(new_version: str, clusters: dict[str, str], lower: str) -> None:
    old = dc(version="3.6")
    with rule_violation(
        "ACTION_TYPE_FAILED_DATA_CENTER_VERSION_ABOVE_CLUSTERS",
        "Cannot edit Data Center.",
        f"The compatibility version {new_version} is higher than the version of cluster(s) {lower}; "
        "upgrade the clusters first.",
    ):
        check_update(old, replace(old, version=V(new_version)), [old], {k: V(v) for k, v in clusters.items()})


@pytest.mark.parametrize(
    ("new_version", "clusters"),
    [
        pytest.param("4.6", {"c1": "4.6"}, id="equal-to-cluster"),
        pytest.param("4.6", {"c1": "4.7", "c2": "4.6"}, id="clusters-at-or-above"),
        pytest.param("4.7", {}, id="no-clusters"),
    ],
)
def test_data_center_version_up_to_its_lowest_cluster_is_allowed(new_version: str, clusters: dict[str, str]) -> None:
    old = dc(version="3.6")
    check_update(old, replace(old, version=V(new_version)), [old], {k: V(v) for k, v in clusters.items()})


# --- removal --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clusters", "named"),
    [
        pytest.param(["Default"], "cluster(s): Default.", id="one-cluster"),
        pytest.param(["z", "a"], "cluster(s): a, z.", id="clusters-sorted"),
    ],
)
def test_data_center_with_clusters_cannot_be_removed(clusters: list[str], named: str) -> None:
    with rule_violation(
        "ACTION_TYPE_FAILED_DATA_CENTER_HAS_CLUSTERS", "Cannot remove Data Center.", named, "Remove them first."
    ):
        check_remove(dc(), clusters)


def test_empty_data_center_can_be_removed() -> None:
    check_remove(dc(), [])

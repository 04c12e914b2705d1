"""Rules for data centers."""

from __future__ import annotations

from collections.abc import Iterable

from dcnet.domain.entities import DataCenter, Version
from dcnet.domain.messages import violation
from dcnet.domain.naming import check_description, check_name
from dcnet.domain.versions import check_supported

TYPE = "Data Center"


def check_fields(dc: DataCenter) -> None:
    check_name(dc.name)
    check_description(dc.description)
    check_description(dc.comment, "comment")
    check_supported(dc.version)


def _check_name_free(dc: DataCenter, siblings: Iterable[DataCenter], action: str) -> None:
    if any(other.id != dc.id and other.name == dc.name for other in siblings):
        raise violation(
            "ACTION_TYPE_FAILED_STORAGE_POOL_NAME_ALREADY_EXIST",
            action,
            TYPE,
            f"The Data Center name '{dc.name}' is already in use.",
        )


def check_new(dc: DataCenter, siblings: Iterable[DataCenter]) -> None:
    check_fields(dc)
    _check_name_free(dc, siblings, "add")


def check_update(
    old: DataCenter, new: DataCenter, siblings: Iterable[DataCenter], cluster_versions: dict[str, Version]
) -> None:
    check_fields(new)
    _check_name_free(new, siblings, "edit")
    if new.version < old.version:
        raise violation(
            "ACTION_TYPE_FAILED_CANNOT_DECREASE_DATA_CENTER_COMPATIBILITY_VERSION",
            "edit",
            TYPE,
            f"The compatibility version cannot be decreased (from {old.version} to {new.version}).",
        )
    lower = sorted(name for name, version in cluster_versions.items() if version < new.version)
    if lower:
        raise violation(
            "ACTION_TYPE_FAILED_DATA_CENTER_VERSION_ABOVE_CLUSTERS",
            "edit",
            TYPE,
            f"The compatibility version {new.version} is higher than the version of cluster(s) "
            f"{', '.join(lower)}; upgrade the clusters first.",
        )


def check_remove(dc: DataCenter, cluster_names: list[str]) -> None:
    if cluster_names:
        raise violation(
            "ACTION_TYPE_FAILED_DATA_CENTER_HAS_CLUSTERS",
            "remove",
            TYPE,
            f"The Data Center contains cluster(s): {', '.join(sorted(cluster_names))}. Remove them first.",
        )

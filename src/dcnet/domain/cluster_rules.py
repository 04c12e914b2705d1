"""Rules for clusters."""

from __future__ import annotations

from collections.abc import Iterable

from dcnet.domain.entities import Cluster, DataCenter
from dcnet.domain.messages import violation
from dcnet.domain.naming import check_description, check_name
from dcnet.domain.versions import check_supported

TYPE = "Cluster"


def check_fields(cluster: Cluster) -> None:
    check_name(cluster.name)
    check_description(cluster.description)
    check_description(cluster.comment, "comment")
    check_supported(cluster.version)


def _check_name_free(cluster: Cluster, siblings: Iterable[Cluster], action: str) -> None:
    if any(other.id != cluster.id and other.name == cluster.name for other in siblings):
        raise violation(
            "CLUSTER_CANNOT_DO_ACTION_NAME_IN_USE",
            action,
            TYPE,
            f"The name '{cluster.name}' is already in use by another cluster.",
        )


def _check_version(cluster: Cluster, dc: DataCenter, action: str) -> None:
    if cluster.version < dc.version:
        raise violation(
            "ACTION_TYPE_FAILED_CLUSTER_VERSION_LOWER_THAN_DATA_CENTER",
            action,
            TYPE,
            f"The compatibility version {cluster.version} is lower than the version of Data Center "
            f"'{dc.name}' ({dc.version}).",
        )


def check_new(cluster: Cluster, dc: DataCenter, siblings: Iterable[Cluster]) -> None:
    check_fields(cluster)
    _check_name_free(cluster, siblings, "add")
    _check_version(cluster, dc, "add")


def check_update(
    old: Cluster, new: Cluster, dc: DataCenter, siblings: Iterable[Cluster], host_names: list[str]
) -> None:
    check_fields(new)
    if new.data_center_id != old.data_center_id:
        raise violation(
            "ACTION_TYPE_FAILED_CLUSTER_CANNOT_CHANGE_DATA_CENTER",
            "edit",
            TYPE,
            "The Data Center of a Cluster cannot be changed.",
        )
    _check_name_free(new, siblings, "edit")
    _check_version(new, dc, "edit")
    if new.version < old.version and host_names:
        raise violation(
            "ACTION_TYPE_FAILED_CANNOT_DECREASE_CLUSTER_COMPATIBILITY_VERSION",
            "edit",
            TYPE,
            f"The compatibility version cannot be decreased while the Cluster has hosts: "
            f"{', '.join(sorted(host_names))}.",
        )
    if new.switch_type != old.switch_type and host_names:
        raise violation(
            "ACTION_TYPE_FAILED_CLUSTER_SWITCH_TYPE_CANNOT_BE_CHANGED",
            "edit",
            TYPE,
            f"The switch type cannot be changed while the Cluster has hosts: {', '.join(sorted(host_names))}.",
        )


def check_remove(cluster: Cluster, host_names: list[str]) -> None:
    if host_names:
        raise violation(
            "CLUSTER_CANNOT_REMOVE_CLUSTER_NOT_EMPTY",
            "remove",
            TYPE,
            f"The Cluster contains host(s): {', '.join(sorted(host_names))}. Remove them first.",
        )

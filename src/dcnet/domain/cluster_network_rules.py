"""Networks attached to a cluster: required flag and roles (management, display, migration,
default_route, gluster).

Invariants: exactly one management network per cluster, and it is required; at most one network per
role; the default_route role always has a holder and falls back to the management network. Assigning
a role to a network moves it from its previous holder, as oVirt does.
"""

from __future__ import annotations

from dataclasses import replace

from dcnet.domain.entities import CLUSTER_ROLES, ClusterNetwork, NetworkUsage
from dcnet.domain.messages import violation

TYPE = "Network"
EXCLUSIVE_ROLES = CLUSTER_ROLES


def _management(rows: list[ClusterNetwork]) -> ClusterNetwork | None:
    return next((row for row in rows if row.management), None)


def _with_roles(row: ClusterNetwork, roles: set[NetworkUsage]) -> ClusterNetwork:
    return replace(
        row,
        management=NetworkUsage.MANAGEMENT in roles,
        display=NetworkUsage.DISPLAY in roles,
        migration=NetworkUsage.MIGRATION in roles,
        default_route=NetworkUsage.DEFAULT_ROUTE in roles,
        gluster=NetworkUsage.GLUSTER in roles,
    )


def _move_roles(rows: list[ClusterNetwork], holder: str, roles: set[NetworkUsage]) -> list[ClusterNetwork]:
    """Take each of `roles` away from any other network of the cluster."""
    result = []
    for row in rows:
        if row.network_id != holder and any(row.has_role(role) for role in roles):
            row = _with_roles(row, set(row.roles()) - roles)
        result.append(row)
    return result


def _fill_default_route(rows: list[ClusterNetwork]) -> list[ClusterNetwork]:
    if any(row.default_route for row in rows):
        return rows
    return [replace(row, default_route=True) if row.management else row for row in rows]


def _check_management_change(rows: list[ClusterNetwork], new_holder: str, cluster_has_hosts: bool, action: str) -> None:
    current = _management(rows)
    if current is not None and current.network_id != new_holder and cluster_has_hosts:
        raise violation(
            "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_CANNOT_BE_CHANGED",
            action,
            TYPE,
            "The management network of a Cluster that has hosts cannot be changed.",
        )


def _refuse_external(action: str) -> None:
    raise violation(
        "ACTION_TYPE_FAILED_EXTERNAL_NETWORK_CANNOT_BE_REQUIRED_OR_HAVE_ROLES",
        action,
        TYPE,
        "An external network cannot be required and cannot have a role in the Cluster.",
    )


def _check_required(row: ClusterNetwork, action: str) -> None:
    if row.management and not row.required:
        raise violation(
            "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_REQUIRED",
            action,
            TYPE,
            "The management network of a Cluster must be required.",
        )


def attach(
    rows: list[ClusterNetwork],
    new: ClusterNetwork,
    *,
    cluster_has_hosts: bool,
    network_is_external: bool = False,
) -> list[ClusterNetwork]:
    """Attach a network to the cluster; returns the cluster's new set of attachments."""
    action = "attach"
    if any(row.network_id == new.network_id for row in rows):
        raise violation(
            "NETWORK_ALREADY_ATTACHED_TO_CLUSTER", action, TYPE, "The Network is already attached to the Cluster."
        )
    if network_is_external and (new.required or new.roles()):
        _refuse_external(action)
    if new.management:
        _check_management_change(rows, new.network_id, cluster_has_hosts, action)
    _check_required(new, action)
    result = _move_roles([*rows, new], new.network_id, set(new.roles()))
    return _fill_default_route(result)


def update(
    rows: list[ClusterNetwork],
    network_id: str,
    *,
    required: bool | None,
    roles: set[NetworkUsage] | None,
    cluster_has_hosts: bool,
    network_is_external: bool = False,
) -> list[ClusterNetwork]:
    """Change the required flag and/or the roles (`None` = leave as is)."""
    action = "update"
    current = next(row for row in rows if row.network_id == network_id)
    if network_is_external and (required or roles):
        _refuse_external(action)
    changed = current
    if required is not None:
        changed = replace(changed, required=required)
    if roles is not None:
        if current.management and NetworkUsage.MANAGEMENT not in roles:
            raise violation(
                "ACTION_TYPE_FAILED_CLUSTER_MUST_HAVE_MANAGEMENT_NETWORK",
                action,
                TYPE,
                "A Cluster must have exactly one management network; assign the management role to "
                "another network instead of removing it.",
            )
        if NetworkUsage.MANAGEMENT in roles:
            _check_management_change(rows, network_id, cluster_has_hosts, action)
        changed = _with_roles(changed, roles)
    _check_required(changed, action)
    result = [changed if row.network_id == network_id else row for row in rows]
    if roles is not None:
        result = _move_roles(result, network_id, roles)
    return _fill_default_route(result)


def detach(rows: list[ClusterNetwork], network_id: str) -> list[ClusterNetwork]:
    """Detach a network; its default_route role falls back to the management network."""
    current = next(row for row in rows if row.network_id == network_id)
    if current.management:
        raise violation(
            "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_CANNOT_BE_DETACHED",
            "detach",
            TYPE,
            "The management network cannot be detached from its Cluster.",
        )
    return _fill_default_route([row for row in rows if row.network_id != network_id])


def check_invariants(rows: list[ClusterNetwork]) -> list[str]:
    """Broken invariants, as text (empty when the cluster is consistent); used by tests and repairs."""
    problems = []
    managements = [row for row in rows if row.management]
    if len(managements) != 1:
        problems.append(f"{len(managements)} management networks (exactly one expected)")
    for role in EXCLUSIVE_ROLES:
        holders = [row.network_id for row in rows if row.has_role(role)]
        if len(holders) > 1:
            problems.append(f"role {role.value} held by {len(holders)} networks")
    if rows and not any(row.default_route for row in rows):
        problems.append("no default_route network")
    problems.extend(f"management network {row.network_id} is not required" for row in managements if not row.required)
    return problems

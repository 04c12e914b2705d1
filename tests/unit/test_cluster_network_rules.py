"""cluster_network_rules.py: networks attached to a cluster, their required flag and roles."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dcnet.domain.cluster_network_rules import attach, check_invariants, detach, update
from dcnet.domain.entities import CLUSTER_ROLES, ClusterNetwork, NetworkUsage
from dcnet.domain.errors import RuleViolation
from tests.unit._expect import rule_violation

CLUSTER = "cluster-1"
M, D, MI, DR, G = (
    NetworkUsage.MANAGEMENT,
    NetworkUsage.DISPLAY,
    NetworkUsage.MIGRATION,
    NetworkUsage.DEFAULT_ROUTE,
    NetworkUsage.GLUSTER,
)
NON_MANAGEMENT_ROLES = [D, MI, DR, G]


def row(network_id: str, *roles: NetworkUsage, required: bool = True) -> ClusterNetwork:
    return ClusterNetwork(CLUSTER, network_id, required=required, **{role.value: True for role in roles})


def fresh_cluster() -> list[ClusterNetwork]:
    """A new cluster: its management network attached first (as cluster creation does)."""
    return attach([], row("mgmt", M), cluster_has_hosts=False)


def cluster_with(*network_ids: str) -> list[ClusterNetwork]:
    rows = fresh_cluster()
    for network_id in network_ids:
        rows = attach(rows, row(network_id), cluster_has_hosts=False)
    return rows


def by_id(rows: list[ClusterNetwork]) -> dict[str, ClusterNetwork]:
    return {r.network_id: r for r in rows}


def holders(rows: list[ClusterNetwork], role: NetworkUsage) -> list[str]:
    return [r.network_id for r in rows if r.has_role(role)]


def roles_of(rows: list[ClusterNetwork], network_id: str) -> set[NetworkUsage]:
    return set(by_id(rows)[network_id].roles())


def assert_refused_unchanged(rows: list[ClusterNetwork], key: str, operation: Callable[[], object], *text: str) -> None:
    before = copy.deepcopy(rows)
    with rule_violation(key, *text):
        operation()
    assert rows == before


# --- the management network -----------------------------------------------------------------------------


def test_first_management_network_also_gets_the_default_route() -> None:
    rows = fresh_cluster()
    assert rows == [row("mgmt", M, DR)]
    assert check_invariants(rows) == []


@pytest.mark.parametrize(
    "roles",
    [
        pytest.param(set(), id="no-roles"),
        pytest.param({D}, id="display-only"),
        pytest.param({DR}, id="default-route-only"),
        pytest.param({D, MI, DR, G}, id="every-other-role"),
    ],
)
def test_management_role_cannot_be_removed_without_giving_it_to_another_network(roles: set[NetworkUsage]) -> None:
    rows = cluster_with("red")
    assert_refused_unchanged(
        rows,
        "ACTION_TYPE_FAILED_CLUSTER_MUST_HAVE_MANAGEMENT_NETWORK",
        lambda: update(rows, "mgmt", required=None, roles=roles, cluster_has_hosts=False),
        "Cannot update Network.",
        "A Cluster must have exactly one management network",
    )


@pytest.mark.parametrize("how", ["update", "attach"])
def test_management_role_moves_to_the_new_management_network(how: str) -> None:
    rows = cluster_with("red") if how == "update" else fresh_cluster()
    if how == "update":
        result = update(rows, "red", required=None, roles={M}, cluster_has_hosts=False)
    else:
        result = attach(rows, row("red", M), cluster_has_hosts=False)
    assert holders(result, M) == ["red"]
    assert roles_of(result, "mgmt") == {DR}  # keeps the default route it held
    assert check_invariants(result) == []


@pytest.mark.parametrize(
    "has_hosts",
    [pytest.param(False, id="empty-cluster"), pytest.param(True, id="cluster-with-hosts")],
)
def test_management_network_cannot_be_detached(has_hosts: bool) -> None:
    rows = cluster_with("red")
    assert_refused_unchanged(
        rows,
        "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_CANNOT_BE_DETACHED",
        lambda: detach(rows, "mgmt"),
        "Cannot detach Network.",
        "The management network cannot be detached from its Cluster.",
    )


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda rows: attach(rows, row("blue", M, required=False), cluster_has_hosts=False), id="attach"),
        pytest.param(
            lambda rows: update(rows, "mgmt", required=False, roles=None, cluster_has_hosts=False),
            id="update-required-false",
        ),
        pytest.param(
            lambda rows: update(rows, "opt", required=None, roles={M}, cluster_has_hosts=False),
            id="update-optional-network-to-management",
        ),
        pytest.param(
            lambda rows: update(rows, "opt", required=False, roles={M, D}, cluster_has_hosts=False),
            id="update-roles-and-required-false",
        ),
    ],
)
def test_management_network_must_be_required(operation: Callable[[list[ClusterNetwork]], object]) -> None:
    rows = attach(fresh_cluster(), row("opt", required=False), cluster_has_hosts=False)
    assert_refused_unchanged(
        rows,
        "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_REQUIRED",
        lambda: operation(rows),
        "The management network of a Cluster must be required.",
    )


@pytest.mark.parametrize(
    ("operation", "action"),
    [
        pytest.param(lambda rows: attach(rows, row("blue", M), cluster_has_hosts=True), "attach", id="attach"),
        pytest.param(
            lambda rows: update(rows, "red", required=None, roles={M}, cluster_has_hosts=True), "update", id="update"
        ),
        pytest.param(
            lambda rows: update(rows, "red", required=True, roles={M, D, MI, DR, G}, cluster_has_hosts=True),
            "update",
            id="update-all-roles",
        ),
    ],
)
def test_management_network_cannot_change_when_cluster_has_hosts(
    operation: Callable[[list[ClusterNetwork]], object], action: str
) -> None:
    rows = cluster_with("red")
    assert_refused_unchanged(
        rows,
        "ACTION_TYPE_FAILED_MANAGEMENT_NETWORK_CANNOT_BE_CHANGED",
        lambda: operation(rows),
        f"Cannot {action} Network.",
        "The management network of a Cluster that has hosts cannot be changed.",
    )


@pytest.mark.parametrize(
    ("network_id", "roles"),
    [
        pytest.param("mgmt", {M}, id="management-keeps-its-role"),
        pytest.param("mgmt", {M, D, MI}, id="management-gains-roles"),
        pytest.param("red", {D, MI, G}, id="other-network-gains-roles"),
        pytest.param("red", {DR}, id="other-network-takes-default-route"),
    ],
)
def test_roles_other_than_management_may_change_when_cluster_has_hosts(
    network_id: str, roles: set[NetworkUsage]
) -> None:
    result = update(cluster_with("red"), network_id, required=None, roles=roles, cluster_has_hosts=True)
    assert holders(result, M) == ["mgmt"]
    assert check_invariants(result) == []


def test_management_network_may_be_attached_to_an_empty_cluster_with_hosts() -> None:
    assert attach([], row("mgmt", M), cluster_has_hosts=True) == [row("mgmt", M, DR)]


# --- exclusive roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_MANAGEMENT_ROLES, ids=lambda r: r.value)
def test_role_moves_from_previous_holder_when_attaching(role: NetworkUsage) -> None:
    rows = attach(cluster_with(), row("red", role), cluster_has_hosts=False)
    result = attach(rows, row("blue", role), cluster_has_hosts=False)
    assert holders(result, role) == ["blue"]
    assert role not in roles_of(result, "red")
    assert check_invariants(result) == []


@pytest.mark.parametrize("role", NON_MANAGEMENT_ROLES, ids=lambda r: r.value)
def test_role_moves_from_previous_holder_when_updating(role: NetworkUsage) -> None:
    rows = attach(cluster_with("blue"), row("red", role, D if role != D else MI), cluster_has_hosts=False)
    result = update(rows, "blue", required=None, roles={role}, cluster_has_hosts=False)
    assert holders(result, role) == ["blue"]
    assert roles_of(result, "red") == ({D} if role != D else {MI})  # other roles of the old holder are kept
    assert check_invariants(result) == []


@pytest.mark.parametrize(
    "roles",
    [
        pytest.param({D, MI}, id="display-migration"),
        pytest.param({D, MI, DR, G}, id="all-non-management"),
        pytest.param({M, D, MI, DR, G}, id="all-roles"),
    ],
)
def test_one_network_may_hold_several_roles(roles: set[NetworkUsage]) -> None:
    result = update(cluster_with("red"), "red", required=True, roles=roles, cluster_has_hosts=False)
    assert roles_of(result, "red") == roles
    for role in CLUSTER_ROLES:
        assert len(holders(result, role)) <= 1
    assert check_invariants(result) == []


# --- default route fallback -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lose_it",
    [
        pytest.param(lambda rows: detach(rows, "red"), id="holder-detached"),
        pytest.param(
            lambda rows: update(rows, "red", required=None, roles=set(), cluster_has_hosts=False),
            id="holder-loses-all-roles",
        ),
        pytest.param(
            lambda rows: update(rows, "red", required=None, roles={D}, cluster_has_hosts=True),
            id="holder-keeps-other-role-with-hosts",
        ),
    ],
)
def test_default_route_falls_back_to_the_management_network(
    lose_it: Callable[[list[ClusterNetwork]], list[ClusterNetwork]],
) -> None:
    rows = attach(cluster_with(), row("red", DR), cluster_has_hosts=False)
    assert holders(rows, DR) == ["red"]
    result = lose_it(rows)
    assert holders(result, DR) == ["mgmt"]
    assert check_invariants(result) == []


def test_management_network_keeps_default_route_when_no_other_network_holds_it() -> None:
    result = update(cluster_with("red"), "mgmt", required=None, roles={M}, cluster_has_hosts=True)
    assert roles_of(result, "mgmt") == {M, DR}


def test_detaching_a_network_without_default_route_leaves_roles_alone() -> None:
    rows = attach(cluster_with(), row("red", D), cluster_has_hosts=False)
    assert detach(rows, "red") == [row("mgmt", M, DR)]


# --- attach / update details ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "again",
    [
        pytest.param(row("red"), id="same-flags"),
        pytest.param(row("red", D, required=False), id="different-flags"),
        pytest.param(row("mgmt", M), id="management-again"),
    ],
)
def test_network_cannot_be_attached_twice(again: ClusterNetwork) -> None:
    rows = cluster_with("red")
    assert_refused_unchanged(
        rows,
        "NETWORK_ALREADY_ATTACHED_TO_CLUSTER",
        lambda: attach(rows, again, cluster_has_hosts=False),
        "Cannot attach Network.",
        "The Network is already attached to the Cluster.",
    )


@pytest.mark.parametrize(
    ("required", "roles", "refused"),
    [
        pytest.param(False, (), False, id="optional-no-roles"),
        pytest.param(True, (), True, id="required"),
        pytest.param(False, (D,), True, id="display"),
        pytest.param(False, (MI,), True, id="migration"),
        pytest.param(False, (DR,), True, id="default-route"),
        pytest.param(False, (G,), True, id="gluster"),
        pytest.param(False, (M,), True, id="management"),
        pytest.param(True, (M, DR), True, id="required-management"),
    ],
)
def test_external_network_cannot_be_required_or_have_roles(
    required: bool, roles: tuple[NetworkUsage, ...], refused: bool
) -> None:
    rows = fresh_cluster()
    new = row("ext", *roles, required=required)
    if refused:
        assert_refused_unchanged(
            rows,
            "ACTION_TYPE_FAILED_EXTERNAL_NETWORK_CANNOT_BE_REQUIRED_OR_HAVE_ROLES",
            lambda: attach(rows, new, cluster_has_hosts=False, network_is_external=True),
            "Cannot attach Network.",
            "An external network cannot be required and cannot have a role in the Cluster.",
        )
    else:
        assert by_id(attach(rows, new, cluster_has_hosts=True, network_is_external=True))["ext"] == new


@pytest.mark.parametrize(
    ("required", "roles"),
    [pytest.param(True, None, id="made-required"), pytest.param(None, {D}, id="given-display-role")],
)
def test_external_network_cannot_be_made_required_or_given_roles_on_update(
    required: bool | None, roles: set[NetworkUsage] | None
) -> None:
    rows = attach(fresh_cluster(), row("ext", required=False), cluster_has_hosts=False, network_is_external=True)
    # The fix needs update() to know the network is external; the expected keyword mirrors attach()'s.
    kwargs: dict[str, Any] = {"required": required, "roles": roles, "cluster_has_hosts": False}
    kwargs["network_is_external"] = True
    with rule_violation("ACTION_TYPE_FAILED_EXTERNAL_NETWORK_CANNOT_BE_REQUIRED_OR_HAVE_ROLES"):
        update(rows, "ext", **kwargs)


@pytest.mark.parametrize(
    ("required", "roles", "expected_required", "expected_roles"),
    [
        pytest.param(None, None, False, {D}, id="nothing-changes"),
        pytest.param(True, None, True, {D}, id="required-only"),
        pytest.param(None, {MI}, False, {MI}, id="roles-only-replace"),
        pytest.param(True, set(), True, set(), id="both"),
    ],
)
def test_update_changes_only_what_is_given(
    required: bool | None,
    roles: set[NetworkUsage] | None,
    expected_required: bool,
    expected_roles: set[NetworkUsage],
) -> None:
    rows = attach(fresh_cluster(), row("red", D, required=False), cluster_has_hosts=False)
    result = update(rows, "red", required=required, roles=roles, cluster_has_hosts=True)
    assert by_id(result)["red"].required is expected_required
    assert roles_of(result, "red") == expected_roles
    assert by_id(result)["mgmt"] == row("mgmt", M, DR)


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda rows: attach(rows, row("blue", M, D, DR), cluster_has_hosts=False), id="attach"),
        pytest.param(
            lambda rows: update(rows, "red", required=True, roles={M, MI}, cluster_has_hosts=False), id="update"
        ),
        pytest.param(lambda rows: detach(rows, "red"), id="detach"),
    ],
)
def test_allowed_operations_do_not_mutate_their_input(
    operation: Callable[[list[ClusterNetwork]], list[ClusterNetwork]],
) -> None:
    rows = attach(cluster_with("green"), row("red", D, DR, G), cluster_has_hosts=False)
    before = copy.deepcopy(rows)
    result = operation(rows)
    assert rows == before
    assert check_invariants(result) == []


# --- check_invariants -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        pytest.param([], ["0 management networks (exactly one expected)"], id="empty"),
        pytest.param(
            [row("a", DR)],
            ["0 management networks (exactly one expected)"],
            id="no-management",
        ),
        pytest.param(
            [row("a", M, DR), row("b", M)],
            ["2 management networks (exactly one expected)", "role management held by 2 networks"],
            id="two-managements",
        ),
        pytest.param(
            [row("a", M, DR), row("b", D), row("c", D)], ["role display held by 2 networks"], id="two-display"
        ),
        pytest.param(
            [row("a", M, DR, MI), row("b", MI), row("c", MI)],
            ["role migration held by 3 networks"],
            id="three-migration",
        ),
        pytest.param(
            [row("a", M, DR), row("b", DR)], ["role default_route held by 2 networks"], id="two-default-route"
        ),
        pytest.param([row("a", M, DR, G), row("b", G)], ["role gluster held by 2 networks"], id="two-gluster"),
        pytest.param([row("a", M)], ["no default_route network"], id="no-default-route"),
        pytest.param(
            [row("a", M, DR, required=False)], ["management network a is not required"], id="optional-management"
        ),
    ],
)
def test_check_invariants_names_each_broken_invariant(rows: list[ClusterNetwork], problems: list[str]) -> None:
    assert check_invariants(rows) == problems


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([row("a", M, DR)], id="management-only"),
        pytest.param([row("a", M), row("b", DR, D, MI, G, required=False)], id="roles-spread"),
        pytest.param([row("a", M, DR), row("b", required=False), row("c")], id="plain-networks"),
    ],
)
def test_check_invariants_is_empty_for_a_consistent_cluster(rows: list[ClusterNetwork]) -> None:
    assert check_invariants(rows) == []


# --- every allowed sequence keeps the invariants --------------------------------------------------------

NETWORK_IDS = st.sampled_from(["mgmt", "n1", "n2", "n3", "n4"])
ROLE_SETS = st.sets(st.sampled_from(list(CLUSTER_ROLES)))


class ClusterNetworkMachine(RuleBasedStateMachine):
    """Random attach/update/detach sequences: each either succeeds keeping the invariants, or raises
    RuleViolation and changes nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = fresh_cluster()
        self.has_hosts = False

    def _apply(self, operation: Callable[[], list[ClusterNetwork]]) -> bool:
        before = copy.deepcopy(self.rows)
        try:
            result = operation()
        except RuleViolation:
            assert self.rows == before
            return False
        assert self.rows == before, "the rules must return a new list, not edit the given one"
        self.rows = result
        return True

    def _attached(self, network_id: str) -> bool:
        return any(r.network_id == network_id for r in self.rows)

    @rule(has_hosts=st.booleans())
    def hosts_come_and_go(self, has_hosts: bool) -> None:
        self.has_hosts = has_hosts

    @rule(network_id=NETWORK_IDS, required=st.booleans(), roles=ROLE_SETS, external=st.booleans())
    def attach_network(self, network_id: str, required: bool, roles: set[NetworkUsage], external: bool) -> None:
        new = row(network_id, *roles, required=required)
        if self._apply(lambda: attach(self.rows, new, cluster_has_hosts=self.has_hosts, network_is_external=external)):
            attached = by_id(self.rows)[network_id]
            assert attached.required is required
            assert set(roles) <= set(attached.roles())

    @rule(network_id=NETWORK_IDS, required=st.none() | st.booleans(), roles=st.none() | ROLE_SETS)
    def update_network(self, network_id: str, required: bool | None, roles: set[NetworkUsage] | None) -> None:
        if not self._attached(network_id):
            return
        if self._apply(
            lambda: update(self.rows, network_id, required=required, roles=roles, cluster_has_hosts=self.has_hosts)
        ):
            updated = by_id(self.rows)[network_id]
            if required is not None:
                assert updated.required is required
            if roles is not None:
                assert set(roles) <= set(updated.roles()) <= set(roles) | {DR}

    @rule(network_id=NETWORK_IDS)
    def detach_network(self, network_id: str) -> None:
        if not self._attached(network_id):
            return
        self._apply(lambda: detach(self.rows, network_id))

    @invariant()
    def invariants_hold(self) -> None:
        assert check_invariants(self.rows) == []

    @invariant()
    def each_network_attached_once_to_this_cluster(self) -> None:
        ids = [r.network_id for r in self.rows]
        assert len(ids) == len(set(ids))
        assert all(r.cluster_id == CLUSTER for r in self.rows)


ClusterNetworkMachine.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_every_allowed_sequence_keeps_the_cluster_invariants = ClusterNetworkMachine.TestCase

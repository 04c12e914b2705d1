"""First start: the conventions existing oVirt tooling expects."""

from __future__ import annotations

from dcnet.domain.entities import Role
from dcnet.domain.events import AuditLog
from dcnet.domain.network_rules import MANAGEMENT_NETWORK_NAME
from dcnet.engine import refs
from dcnet.engine.audit import Refs, record
from dcnet.engine.clusters import add_cluster
from dcnet.engine.context import SYSTEM, CommandContext
from dcnet.engine.datacenters import add_data_center
from dcnet.engine.users import ADMIN_USER, add_user
from dcnet.store.repositories import Store

DEFAULT_NAME = "Default"


class AdminPasswordMissing(Exception):
    """A fresh database needs DCNET_ADMIN_PASSWORD for its admin user."""


def is_fresh(store: Store) -> bool:
    return store.users.count() == 0


def initialize(store: Store, admin_password: str | None) -> bool:
    """On a fresh database: admin@internal, data center and cluster `Default`, management network
    `ovirtmgmt` with the management and default_route roles. Returns whether anything was done."""
    if not is_fresh(store):
        return False
    if not admin_password:
        raise AdminPasswordMissing(
            "this is a new database: set DCNET_ADMIN_PASSWORD to the password of the admin@internal user"
        )
    ctx = CommandContext.new(SYSTEM)
    add_user(store, ADMIN_USER, admin_password, Role.ADMIN)
    dc = add_data_center(store, ctx, {"name": DEFAULT_NAME, "description": "The default Data Center"})
    cluster = add_cluster(
        store, ctx, refs.Ref(id=dc.id), {"name": DEFAULT_NAME, "description": "The default server cluster"}
    )
    network = refs.network(store, refs.Ref(name=MANAGEMENT_NETWORK_NAME), data_center_id=dc.id)
    record(
        store,
        ctx,
        AuditLog.ENGINE_DATABASE_INITIALIZED,
        {"StoragePoolName": dc.name, "VdsGroupName": cluster.name, "NetworkName": network.name},
        Refs(data_center_id=dc.id, cluster_id=cluster.id, network_id=network.id),
    )
    return True

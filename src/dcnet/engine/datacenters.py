"""Data centers. A new data center gets its management network `ovirtmgmt`, as in oVirt."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dcnet.domain import datacenter_rules
from dcnet.domain.entities import DataCenter
from dcnet.domain.events import AuditLog
from dcnet.domain.network_rules import MANAGEMENT_NETWORK_NAME
from dcnet.domain.versions import DEFAULT_VERSION
from dcnet.engine import refs
from dcnet.engine.audit import Refs, record, record_job
from dcnet.engine.context import CommandContext, new_id
from dcnet.engine.networks import add_network, remove_network
from dcnet.engine.runner import check_if_match
from dcnet.store.repositories import Store


def add_data_center(store: Store, ctx: CommandContext, fields: dict[str, Any]) -> DataCenter:
    refs.require("DataCenter", name=fields.get("name"))
    dc = DataCenter(id=new_id(), **{"version": DEFAULT_VERSION, **fields})
    datacenter_rules.check_new(dc, store.data_centers.list())
    store.data_centers.add(dc)
    record_job(store, ctx, f"Adding Data Center {dc.name}")
    record(
        store,
        ctx,
        AuditLog.USER_ADD_STORAGE_POOL,
        {"StoragePoolName": dc.name, "CompatibilityVersion": str(dc.version)},
        Refs(data_center_id=dc.id),
    )
    add_network(
        store,
        ctx,
        refs.Ref(id=dc.id),
        {"name": MANAGEMENT_NETWORK_NAME, "description": "Management Network", "vm": True},
    )
    return dc


def update_data_center(
    store: Store, ctx: CommandContext, dc_id: str, changes: dict[str, Any], if_match: int | None
) -> DataCenter:
    old = refs.get_or_404(store.data_centers, dc_id, "Data Center")
    store.data_centers.get(dc_id, for_update=True)
    expected = check_if_match("DataCenter", old.revision, if_match)
    new = replace(old, **changes)
    clusters = store.clusters.list(data_center_id=dc_id)
    datacenter_rules.check_update(
        old, new, store.data_centers.list(), {cluster.name: cluster.version for cluster in clusters}
    )
    saved = store.data_centers.save(new, expected_revision=expected)
    record_job(store, ctx, f"Updating Data Center {saved.name}")
    record(store, ctx, AuditLog.USER_UPDATE_STORAGE_POOL, {"StoragePoolName": saved.name}, Refs(data_center_id=dc_id))
    return saved


def remove_data_center(store: Store, ctx: CommandContext, dc_id: str, if_match: int | None) -> None:
    dc = refs.get_or_404(store.data_centers, dc_id, "Data Center")
    store.data_centers.get(dc_id, for_update=True)
    check_if_match("DataCenter", dc.revision, if_match)
    datacenter_rules.check_remove(dc, [cluster.name for cluster in store.clusters.list(data_center_id=dc_id)])
    for network in store.networks.list(data_center_id=dc_id):
        remove_network(store, ctx, network.id, None)
    store.data_centers.remove(dc_id)
    record_job(store, ctx, f"Removing Data Center {dc.name}")
    record(store, ctx, AuditLog.USER_REMOVE_STORAGE_POOL, {"StoragePoolName": dc.name}, Refs(data_center_id=dc_id))

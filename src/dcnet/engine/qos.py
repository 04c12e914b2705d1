"""Host network QoS of a data center: add, update, remove (networks refer to it by `qos_id`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dcnet.domain import qos_rules
from dcnet.domain.entities import HostNetworkQos
from dcnet.domain.errors import BadInput, NotFound
from dcnet.engine import refs
from dcnet.engine.audit import record_job
from dcnet.engine.context import CommandContext, new_id
from dcnet.engine.runner import check_if_match
from dcnet.store.repositories import Store

EDITABLE = {"name", "description", "type", *qos_rules.FIELDS}


def get_qos(store: Store, dc_id: str, qos_id: str) -> HostNetworkQos:
    qos = store.qos.get(qos_id)
    if qos is None or qos.data_center_id != dc_id:
        raise NotFound("QoS", qos_id)
    return qos


def add_qos(store: Store, ctx: CommandContext, dc_id: str, fields: dict[str, Any]) -> HostNetworkQos:
    dc = refs.get_or_404(store.data_centers, dc_id, "Data Center")
    store.data_centers.get(dc.id, for_update=True)
    refs.require("QoS", name=fields.get("name"), type=fields.get("type"))
    qos = HostNetworkQos(id=new_id(), data_center_id=dc.id, **_only_editable(fields))
    qos_rules.check(qos, store.qos.list(data_center_id=dc.id), "add")
    store.qos.add(qos)
    record_job(store, ctx, f"Adding QoS {qos.name} to Data Center {dc.name}")
    return qos


def update_qos(
    store: Store, ctx: CommandContext, dc_id: str, qos_id: str, changes: dict[str, Any], if_match: int | None
) -> HostNetworkQos:
    store.data_centers.get(dc_id, for_update=True)
    old = get_qos(store, dc_id, qos_id)
    expected = check_if_match("QoS", old.revision, if_match)
    new = replace(old, **_only_editable(changes))
    qos_rules.check(new, store.qos.list(data_center_id=dc_id), "update")
    saved = store.qos.save(new, expected_revision=expected)
    record_job(store, ctx, f"Updating QoS {saved.name}")
    return saved


def remove_qos(store: Store, ctx: CommandContext, dc_id: str, qos_id: str, if_match: int | None) -> None:
    """Networks that used it are left without QoS (as oVirt does); their hosts then show them out of sync."""
    store.data_centers.get(dc_id, for_update=True)
    qos = get_qos(store, dc_id, qos_id)
    check_if_match("QoS", qos.revision, if_match)
    for network in store.networks.list(data_center_id=dc_id):
        if network.qos_id == qos.id:
            store.networks.save(replace(network, qos_id=None), expected_revision=network.revision)
    store.qos.remove(qos.id)
    record_job(store, ctx, f"Removing QoS {qos.name}")


def check_network_qos(store: Store, qos_id: str | None, data_center_id: str) -> None:
    """A network's QoS must be a host network QoS of the network's own data center."""
    if qos_id is None:
        return
    qos = store.qos.get(qos_id)
    if qos is None or qos.data_center_id != data_center_id:
        raise BadInput("qos.id", f"no host network QoS with id '{qos_id}' in the network's data center")


def _only_editable(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not QoS fields: {sorted(unknown)}")
    return dict(fields)

"""/clusters and /clusters/{id}/networks (keyed by network id)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, command_context, current_actor, etag, get_engine, if_match
from dcnet.api.routers.common import CaseQuery, MaxQuery, SearchQuery, filtered
from dcnet.api.routers.hosts import get_runtime
from dcnet.api.schemas import ClusterIn, NetworkIn, to_ref
from dcnet.domain.entities import Cluster, NetworkUsage
from dcnet.domain.errors import BadInput, NotFound
from dcnet.engine import clusters, host_labels, refs
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.runner import Engine
from dcnet.store.repositories import Store

router = APIRouter(prefix="/clusters", tags=["clusters"], dependencies=[Depends(current_actor)])


def _fields(body: ClusterIn) -> dict[str, Any]:
    fields = body.sent("name", "description", "comment", "switch_type")
    if body.version is not None:
        fields["version"] = body.version.to_version()
    return fields


def _management_id(store: Store, cluster_id: str) -> str | None:
    return next((row.network_id for row in store.cluster_networks.of_cluster(cluster_id) if row.management), None)


def _show(store: Store, cluster: Cluster) -> dict[str, Any]:
    return rep.cluster(cluster, _management_id(store, cluster.id))


@router.get("")
def list_clusters(
    search: SearchQuery = None,
    max: MaxQuery = None,
    case_sensitive: CaseQuery = True,
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    def read(store: Store) -> list[dict[str, Any]]:
        dc_names = {dc.id: dc.name for dc in store.data_centers.list()}
        fields = {
            "name": lambda c: c.name,
            "description": lambda c: c.description,
            "datacenter": lambda c: dc_names.get(c.data_center_id),
        }
        items = filtered(store.clusters.list(), search, fields, case_sensitive=case_sensitive, maximum=max)
        return [_show(store, cluster) for cluster in items]

    return rep.collection("cluster", engine.query(read))


@router.post("", status_code=201)
def add_cluster(
    body: ClusterIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    def add(store: Store) -> tuple[Cluster, dict[str, Any]]:
        cluster = clusters.add_cluster(
            store, ctx, to_ref(body.data_center), _fields(body), to_ref(body.management_network)
        )
        return cluster, _show(store, cluster)

    cluster, shown = engine.execute(add)
    response.headers["Location"] = rep.href("clusters", cluster.id)
    etag(response, cluster.revision)
    return shown


@router.get("/{cluster_id}")
def get_cluster(cluster_id: str, response: Response, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(cluster_id, "Cluster")

    def read(store: Store) -> tuple[Cluster, dict[str, Any]]:
        cluster = refs.get_or_404(store.clusters, cluster_id, "Cluster")
        return cluster, _show(store, cluster)

    cluster, shown = engine.query(read)
    etag(response, cluster.revision)
    return shown


@router.put("/{cluster_id}")
def update_cluster(
    cluster_id: str,
    body: ClusterIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(cluster_id, "Cluster")

    def update(store: Store) -> tuple[Cluster, dict[str, Any]]:
        changes = _fields(body)
        if body.data_center is not None:
            changes["data_center_id"] = refs.data_center(store, body.data_center.to_ref()).id
        cluster = clusters.update_cluster(store, ctx, cluster_id, changes, expected)
        if body.management_network is not None:
            clusters.set_management_network(store, ctx, cluster_id, body.management_network.to_ref())
        return cluster, _show(store, cluster)

    cluster, shown = engine.execute(update)
    etag(response, cluster.revision)
    return shown


@router.delete("/{cluster_id}")
def remove_cluster(
    cluster_id: str,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(cluster_id, "Cluster")
    engine.execute(lambda store: clusters.remove_cluster(store, ctx, cluster_id, expected))
    return {}


def _usages(body: NetworkIn, current: list[NetworkUsage] | None = None) -> list[NetworkUsage] | None:
    """Cluster roles come in `usages` (the full new set); oVirt clients may also send `display` alone,
    which adds or removes only that role."""
    if body.usages is not None:
        usages = list(body.usages)
    elif body.display is not None:
        usages = list(current or [])
    else:
        return None
    if body.display is True and NetworkUsage.DISPLAY not in usages:
        usages.append(NetworkUsage.DISPLAY)
    if body.display is False and body.usages is None and NetworkUsage.DISPLAY in usages:
        usages.remove(NetworkUsage.DISPLAY)
    return usages


def _cluster_network_view(store: Store, cluster_id: str, network_id: str) -> dict[str, Any]:
    row = next((r for r in store.cluster_networks.of_cluster(cluster_id) if r.network_id == network_id), None)
    if row is None:
        raise NotFound("Network of the cluster", network_id)
    network = refs.get_or_404(store.networks, network_id, "Network")
    return rep.network(network, row) | {"_revision": row.revision}


def _pop_revision(response: Response, shown: dict[str, Any]) -> dict[str, Any]:
    etag(response, shown.pop("_revision"))
    return shown


@router.get("/{cluster_id}/networks")
def list_cluster_networks(
    cluster_id: str, max: MaxQuery = None, engine: Engine = Depends(get_engine)
) -> dict[str, Any]:
    check_id(cluster_id, "Cluster")

    def read(store: Store) -> list[dict[str, Any]]:
        refs.get_or_404(store.clusters, cluster_id, "Cluster")
        rows = store.cluster_networks.of_cluster(cluster_id)
        networks = {n.id: n for n in store.networks.list()}
        items = [(networks[row.network_id], row) for row in rows]
        items.sort(key=lambda pair: pair[0].name)
        return [rep.network(network, row) for network, row in filtered(items, None, {}, maximum=max)]

    return rep.collection("network", engine.query(read))


@router.post("/{cluster_id}/networks", status_code=201)
def attach_network(
    cluster_id: str,
    body: NetworkIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """A labelled network goes on the cluster's hosts whose nic carries the label (in the background)."""
    check_id(cluster_id, "Cluster")
    if not body.id and not body.name:
        raise BadInput("id", "the network to attach is required (id or name)")

    def attach(store: Store) -> dict[str, Any]:
        row = clusters.attach_network(
            store,
            ctx,
            cluster_id,
            refs.Ref(id=body.id, name=body.name),
            required=body.required,
            usages=_usages(body),
        )
        return _cluster_network_view(store, cluster_id, row.network_id)

    shown = engine.execute(attach)
    host_labels.fan_out_cluster_attach(runtime, ctx, engine, cluster_id, shown["id"])
    response.headers["Location"] = shown["href"]
    return _pop_revision(response, shown)


@router.get("/{cluster_id}/networks/{network_id}")
def get_cluster_network(
    cluster_id: str, network_id: str, response: Response, engine: Engine = Depends(get_engine)
) -> dict[str, Any]:
    check_id(cluster_id, "Cluster")
    check_id(network_id, "Network of the cluster")

    def read(store: Store) -> dict[str, Any]:
        refs.get_or_404(store.clusters, cluster_id, "Cluster")
        return _cluster_network_view(store, cluster_id, network_id)

    return _pop_revision(response, engine.query(read))


@router.put("/{cluster_id}/networks/{network_id}")
def update_cluster_network(
    cluster_id: str,
    network_id: str,
    body: NetworkIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(cluster_id, "Cluster")
    check_id(network_id, "Network of the cluster")

    def update(store: Store) -> dict[str, Any]:
        current = next((r for r in store.cluster_networks.of_cluster(cluster_id) if r.network_id == network_id), None)
        usages = _usages(body, current.roles() if current else None)
        clusters.update_cluster_network(
            store, ctx, cluster_id, network_id, required=body.required, usages=usages, if_match=expected
        )
        return _cluster_network_view(store, cluster_id, network_id)

    return _pop_revision(response, engine.execute(update))


@router.delete("/{cluster_id}/networks/{network_id}")
def detach_network(
    cluster_id: str,
    network_id: str,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(cluster_id, "Cluster")
    check_id(network_id, "Network of the cluster")
    engine.execute(lambda store: clusters.detach_network(store, ctx, cluster_id, network_id, expected))
    return {}

"""/datacenters and /datacenters/{id}/networks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, command_context, current_actor, etag, get_engine, if_match
from dcnet.api.routers.common import CaseQuery, MaxQuery, SearchQuery, filtered
from dcnet.api.routers.networks import network_changes, network_fields
from dcnet.api.schemas import DataCenterIn, NetworkIn
from dcnet.domain.entities import DataCenter
from dcnet.domain.errors import NotFound
from dcnet.engine import datacenters, networks, refs
from dcnet.engine.context import CommandContext
from dcnet.engine.runner import Engine

router = APIRouter(prefix="/datacenters", tags=["datacenters"], dependencies=[Depends(current_actor)])


def _fields(body: DataCenterIn) -> dict[str, Any]:
    fields = body.sent("name", "description", "comment", "local")
    if body.version is not None:
        fields["version"] = body.version.to_version()
    return fields


@router.get("")
def list_data_centers(
    search: SearchQuery = None,
    max: MaxQuery = None,
    case_sensitive: CaseQuery = True,
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    def read(store):  # type: ignore[no-untyped-def]
        clusters = store.clusters.list()
        names: dict[str, list[str]] = {}
        for cluster in clusters:
            names.setdefault(cluster.data_center_id, []).append(cluster.name)
        fields = {
            "name": lambda dc: dc.name,
            "description": lambda dc: dc.description,
            "clusters.name": lambda dc: names.get(dc.id, []),
        }
        return filtered(store.data_centers.list(), search, fields, case_sensitive=case_sensitive, maximum=max)

    return rep.collection("data_center", [rep.data_center(dc) for dc in engine.query(read)])


@router.post("", status_code=201)
def add_data_center(
    body: DataCenterIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    dc: DataCenter = engine.execute(lambda store: datacenters.add_data_center(store, ctx, _fields(body)))
    response.headers["Location"] = rep.href("datacenters", dc.id)
    etag(response, dc.revision)
    return rep.data_center(dc)


@router.get("/{dc_id}")
def get_data_center(dc_id: str, response: Response, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    dc = engine.query(lambda store: refs.get_or_404(store.data_centers, dc_id, "Data Center"))
    etag(response, dc.revision)
    return rep.data_center(dc)


@router.put("/{dc_id}")
def update_data_center(
    dc_id: str,
    body: DataCenterIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    dc = engine.execute(lambda store: datacenters.update_data_center(store, ctx, dc_id, _fields(body), expected))
    etag(response, dc.revision)
    return rep.data_center(dc)


@router.delete("/{dc_id}")
def remove_data_center(
    dc_id: str,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    engine.execute(lambda store: datacenters.remove_data_center(store, ctx, dc_id, expected))
    return {}


@router.get("/{dc_id}/networks")
def list_dc_networks(dc_id: str, max: MaxQuery = None, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(dc_id, "Data Center")

    def read(store):  # type: ignore[no-untyped-def]
        refs.get_or_404(store.data_centers, dc_id, "Data Center")
        return store.networks.list(data_center_id=dc_id)

    items = filtered(engine.query(read), None, {}, maximum=max)
    return rep.collection("network", [rep.network(n) for n in items])


@router.post("/{dc_id}/networks", status_code=201)
def add_dc_network(
    dc_id: str,
    body: NetworkIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    engine.query(lambda store: refs.get_or_404(store.data_centers, dc_id, "Data Center"))
    network = engine.execute(lambda store: networks.add_network(store, ctx, refs.Ref(id=dc_id), network_fields(body)))
    response.headers["Location"] = rep.href("networks", network.id)
    etag(response, network.revision)
    return rep.network(network)


def _dc_network(store, dc_id: str, network_id: str):  # type: ignore[no-untyped-def]
    network = refs.get_or_404(store.networks, network_id, "Network")
    if network.data_center_id != dc_id:
        raise NotFound("Network", network_id)
    return network


@router.get("/{dc_id}/networks/{network_id}")
def get_dc_network(
    dc_id: str, network_id: str, response: Response, engine: Engine = Depends(get_engine)
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    check_id(network_id, "Network")
    network = engine.query(lambda store: _dc_network(store, dc_id, network_id))
    etag(response, network.revision)
    return rep.network(network)


@router.put("/{dc_id}/networks/{network_id}")
def update_dc_network(
    dc_id: str,
    network_id: str,
    body: NetworkIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    check_id(network_id, "Network")

    def update(store):  # type: ignore[no-untyped-def]
        _dc_network(store, dc_id, network_id)
        return networks.update_network(store, ctx, network_id, network_changes(store, body), expected)

    network = engine.execute(update)
    etag(response, network.revision)
    return rep.network(network)


@router.delete("/{dc_id}/networks/{network_id}")
def remove_dc_network(
    dc_id: str,
    network_id: str,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    check_id(network_id, "Network")

    def remove(store):  # type: ignore[no-untyped-def]
        _dc_network(store, dc_id, network_id)
        networks.remove_network(store, ctx, network_id, expected)

    engine.execute(remove)
    return {}

"""/hosts: registration, listing, update and removal (the deploy flow comes later)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, command_context, current_actor, etag, get_engine, if_match
from dcnet.api.routers.common import CaseQuery, MaxQuery, SearchQuery, filtered
from dcnet.api.schemas import HostIn, to_ref
from dcnet.engine import hosts, refs
from dcnet.engine.context import CommandContext
from dcnet.engine.runner import Engine
from dcnet.store.repositories import Store

router = APIRouter(prefix="/hosts", tags=["hosts"], dependencies=[Depends(current_actor)])


def _fields(body: HostIn) -> dict[str, Any]:
    """`root_password` is accepted (oVirt clients send it) but never stored."""
    return body.sent("name", "description", "comment", "address", "port", "type", keep_null=("name", "address"))


@router.get("")
def list_hosts(
    search: SearchQuery = None,
    max: MaxQuery = None,
    case_sensitive: CaseQuery = True,
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    def read(store: Store):  # type: ignore[no-untyped-def]
        cluster_names = {c.id: c.name for c in store.clusters.list()}
        fields = {
            "name": lambda h: h.name,
            "address": lambda h: h.address,
            "status": lambda h: h.status.value,
            "cluster": lambda h: cluster_names.get(h.cluster_id),
            "type": lambda h: h.type.value,
        }
        return filtered(store.hosts.list(), search, fields, case_sensitive=case_sensitive, maximum=max)

    return rep.collection("host", [rep.host(h) for h in engine.query(read)])


@router.post("", status_code=201)
def register_host(
    body: HostIn,
    response: Response,
    activate: bool = Query(True),
    reboot: bool = Query(False),
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    host = engine.execute(lambda store: hosts.register_host(store, ctx, to_ref(body.cluster), _fields(body)))
    response.headers["Location"] = rep.href("hosts", host.id)
    etag(response, host.revision)
    return rep.host(host)


@router.get("/{host_id}")
def get_host(host_id: str, response: Response, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(host_id, "Host")
    host = engine.query(lambda store: refs.get_or_404(store.hosts, host_id, "Host"))
    etag(response, host.revision)
    return rep.host(host)


@router.put("/{host_id}")
def update_host(
    host_id: str,
    body: HostIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(host_id, "Host")

    def update(store: Store):  # type: ignore[no-untyped-def]
        changes = _fields(body)
        if body.cluster is not None:
            changes["cluster_id"] = refs.cluster(store, body.cluster.to_ref()).id
        return hosts.update_host(store, ctx, host_id, changes, expected)

    host = engine.execute(update)
    etag(response, host.revision)
    return rep.host(host)


@router.delete("/{host_id}")
def remove_host(
    host_id: str,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(host_id, "Host")
    engine.execute(lambda store: hosts.remove_host(store, ctx, host_id, expected))
    return {}

"""/hosts: add (deploy), list, update, remove; install, activate, deactivate, refresh; nics and network
attachments as the host reports them."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, command_context, current_actor, etag, get_engine, if_match
from dcnet.api.routers.common import CaseQuery, MaxQuery, SearchQuery, filtered
from dcnet.api.schemas import HostActionIn, HostIn, to_ref
from dcnet.domain import host_report
from dcnet.domain.errors import BadInput, NotFound
from dcnet.engine import deploy, host_network, hosts, monitoring, refs
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
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


def get_runtime(request: Request) -> HostRuntime:
    runtime: HostRuntime = request.app.state.runtime
    return runtime


def _token(value: str | None) -> str:
    token = (value or "").strip()
    if not token:
        raise BadInput(
            "root_password",
            "the agent's enrollment token is required (dcnet-agent prints it and writes STATE_DIR/enrollment-token)",
        )
    return token


@router.post("", status_code=201)
def add_host(
    body: HostIn,
    response: Response,
    activate: bool = Query(True),
    reboot: bool = Query(False),
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """Stored as `installing`, then deployed in the background: poll the host's status and events."""
    fields = _fields(body)
    token = _token(body.root_password) if fields.get("name") and fields.get("address") and body.cluster else ""
    host = engine.execute(lambda store: hosts.add_host(store, ctx, to_ref(body.cluster), fields, activate=activate))
    runtime.submit(host.id, lambda: deploy.deploy(runtime, host.id, token, ctx))
    response.headers["Location"] = rep.href("hosts", host.id)
    etag(response, host.revision)
    return rep.host(host)


def _action(host: Any) -> dict[str, Any]:
    return {"status": "complete", "host": rep.host(host)}


@router.post("/{host_id}/install")
def install_host(
    host_id: str,
    body: HostActionIn | None = None,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """Re-install: a new enrollment token enrolls again; without one an enrolled agent is deployed again."""
    check_id(host_id, "Host")
    action = body or HostActionIn()
    token = (action.root_password or "").strip() or None
    activate = action.activate if action.activate is not None else True
    host = engine.execute(
        lambda store: hosts.install_host(store, ctx, host_id, activate=activate, token_given=token is not None)
    )
    runtime.submit(host.id, lambda: deploy.deploy(runtime, host.id, token, ctx))
    return _action(host)


@router.post("/{host_id}/activate")
def activate_host(
    host_id: str,
    body: HostActionIn | None = None,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    check_id(host_id, "Host")
    host = engine.execute(lambda store: hosts.activate_host(store, ctx, host_id))
    runtime.request_refresh(host.id)
    return _action(host)


@router.post("/{host_id}/deactivate")
def deactivate_host(
    host_id: str,
    body: HostActionIn | None = None,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(host_id, "Host")
    return _action(engine.execute(lambda store: hosts.deactivate_host(store, ctx, host_id)))


@router.post("/{host_id}/refresh")
async def refresh_host(
    host_id: str,
    body: HostActionIn | None = None,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """Answers once the host's fresh capabilities are recorded (its nics, attachments and sync state)."""
    check_id(host_id, "Host")
    await asyncio.to_thread(engine.execute, lambda store: hosts.refresh_host(store, ctx, host_id))
    await monitoring.refresh_now(runtime, host_id)
    host = await asyncio.to_thread(engine.query, lambda store: refs.get_or_404(store.hosts, host_id, "Host"))
    return _action(host)


@router.get("/{host_id}/nics")
def list_nics(host_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(host_id, "Host")

    def read(store: Store):  # type: ignore[no-untyped-def]
        host = refs.get_or_404(store.hosts, host_id, "Host")
        report = store.host_reports.get(host.id)
        networks = {n.name: n for n in host_network.cluster_networks(store, host).values()}
        return host, report, networks

    host, report, networks = engine.query(read)
    caps = report.capabilities if report else {}
    return rep.collection("host_nic", [rep.host_nic(host.id, view, networks) for view in host_report.nic_views(caps)])


@router.get("/{host_id}/nics/{nic_id}")
def get_nic(host_id: str, nic_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    for nic in list_nics(host_id, engine)["host_nic"]:
        if nic["id"] == nic_id or nic["name"] == nic_id:
            return nic
    raise NotFound("HostNic", nic_id)


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

"""A host's networks: setup networks, network attachments, commit, sync, unmanaged networks."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Response

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, command_context, current_actor, get_engine
from dcnet.api.routers.hosts import get_runtime
from dcnet.api.schemas import Body, NetworkLabelIn, RefIn
from dcnet.api.setup_schemas import NetworkAttachmentIn, SetupNetworksIn
from dcnet.domain.errors import BadInput, MissingField, NotFound
from dcnet.engine import host_copy, host_labels, host_network, host_setup, host_sync, refs
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.runner import Engine
from dcnet.store.repositories import Store

router = APIRouter(tags=["host networks"], dependencies=[Depends(current_actor)])


class EmptyActionIn(Body):
    """oVirt action bodies; the fields these actions read are none."""


def _attachments(store: Store, host_id: str) -> list[dict[str, Any]]:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    compared = host_network.differences(store, host)
    out = []
    for attachment in store.network_attachments.of_host(host.id):
        network = store.networks.get(attachment.network_id)
        if network is not None:
            out.append(rep.network_attachment(host.id, attachment, network, compared.get(attachment.id, [])))
    return out


async def _read(engine: Engine, reader: Any) -> Any:
    return await asyncio.to_thread(engine.query, reader)


@router.get("/hosts/{host_id}/networkattachments")
async def list_network_attachments(host_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(host_id, "Host")
    return rep.collection("network_attachment", await _read(engine, lambda store: _attachments(store, host_id)))


@router.get("/hosts/{host_id}/networkattachments/{attachment_id}")
async def get_network_attachment(
    host_id: str, attachment_id: str, engine: Engine = Depends(get_engine)
) -> dict[str, Any]:
    check_id(host_id, "Host")
    for attachment in await _read(engine, lambda store: _attachments(store, host_id)):
        if attachment["id"] == attachment_id:
            return attachment
    raise NotFound("NetworkAttachment", attachment_id)


@router.post("/hosts/{host_id}/setupnetworks")
async def setup_networks(
    host_id: str,
    body: SetupNetworksIn,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """All or nothing: refused requests (409/400) send nothing; a failed or rolled-back change is a 409 whose
    detail has the agent's code and text, with the host back on its previous configuration."""
    check_id(host_id, "Host")
    await host_setup.run(runtime, ctx, host_id, body.to_setup())
    attachments = await _read(engine, lambda store: _attachments(store, host_id))
    return {"status": "complete", "network_attachments": {"network_attachment": attachments}}


@router.post("/hosts/{host_id}/networkattachments", status_code=201)
async def add_network_attachment(
    host_id: str,
    body: NetworkAttachmentIn,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    check_id(host_id, "Host")
    wanted = body.to_attachment()
    await host_setup.run(
        runtime, ctx, host_id, host_setup.SetupIn(modified_attachments=[wanted], commit_on_success=True)
    )
    ref = wanted.network
    for attachment in await _read(engine, lambda store: _attachments(store, host_id)):
        network = attachment["network"]
        if ref is not None and (network["id"] == ref.id or (ref.id is None and network["name"] == ref.name)):
            return attachment  # type: ignore[no-any-return]
    raise NotFound("NetworkAttachment", "just created")


@router.put("/hosts/{host_id}/networkattachments/{attachment_id}")
async def update_network_attachment(
    host_id: str,
    attachment_id: str,
    body: NetworkAttachmentIn,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    check_id(host_id, "Host")
    wanted = body.to_attachment(attachment_id)
    await host_setup.run(
        runtime, ctx, host_id, host_setup.SetupIn(modified_attachments=[wanted], commit_on_success=True)
    )
    return await get_network_attachment(host_id, attachment_id, engine)


@router.delete("/hosts/{host_id}/networkattachments/{attachment_id}")
async def remove_network_attachment(
    host_id: str,
    attachment_id: str,
    ctx: CommandContext = Depends(command_context),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    check_id(host_id, "Host")
    request = host_setup.SetupIn(removed_attachments=[attachment_id], commit_on_success=True)
    await host_setup.run(runtime, ctx, host_id, request)
    return {}


@router.post("/hosts/{host_id}/commitnetconfig")
async def commit_net_config(
    host_id: str,
    body: EmptyActionIn | None = None,
    ctx: CommandContext = Depends(command_context),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    check_id(host_id, "Host")
    await host_sync.commit(runtime, ctx, host_id)
    return {"status": "complete"}


@router.post("/hosts/{host_id}/syncallnetworks")
async def sync_host_networks(
    host_id: str,
    body: EmptyActionIn | None = None,
    ctx: CommandContext = Depends(command_context),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    check_id(host_id, "Host")
    await host_sync.sync_host(runtime, ctx, host_id)
    return {"status": "complete"}


@router.post("/clusters/{cluster_id}/syncallnetworks")
async def sync_cluster_networks(
    cluster_id: str,
    body: EmptyActionIn | None = None,
    ctx: CommandContext = Depends(command_context),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    check_id(cluster_id, "Cluster")
    results = await host_sync.sync_cluster(runtime, ctx, cluster_id)
    return {"status": "complete" if all(r.ok for r in results) else "failed", "hosts": [r.as_dict() for r in results]}


class CopyHostNetworksIn(Body):
    source_host: RefIn | None = None


@router.post("/hosts/{host_id}/copyhostnetworks")
async def copy_host_networks(
    host_id: str,
    body: CopyHostNetworksIn,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """The source host's bonds and networks onto this host, in one setup networks request (static IP → none)."""
    check_id(host_id, "Host")
    source_id = body.source_host.id if body.source_host else None
    if not source_id:
        raise MissingField("Action", ["source_host.id"], "copyhostnetworks")
    check_id(source_id, "Host")
    await host_copy.copy_networks(runtime, ctx, source_id, host_id)
    attachments = await _read(engine, lambda store: _attachments(store, host_id))
    return {"status": "complete", "network_attachments": {"network_attachment": attachments}}


@router.get("/hosts/{host_id}/unmanagednetworks")
async def list_unmanaged_networks(host_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(host_id, "Host")

    def read(store: Store) -> list[dict[str, Any]]:
        host = refs.get_or_404(store.hosts, host_id, "Host")
        return [
            {"id": item["name"], "name": item["name"], "host": rep.ref("hosts", host.id), **item}
            for item in host_setup.unmanaged_networks(store, host)
        ]

    return rep.collection("unmanaged_network", await _read(engine, read))


# --- nic labels (host-network-setup.md §9) -----------------------------------------------------------------


def _nic_label(host_id: str, nic: str, label: str) -> dict[str, Any]:
    nic_id = str(uuid.uuid5(uuid.UUID(host_id), nic))
    nic_href = f"{rep.href('hosts', host_id)}/nics/{nic_id}"
    return {"id": label, "href": f"{nic_href}/networklabels/{label}", "host_nic": {"id": nic_id, "href": nic_href}}


@router.get("/hosts/{host_id}/nics/{nic}/networklabels")
async def list_nic_labels(host_id: str, nic: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(host_id, "Host")
    host, name, labels = await _read(engine, lambda store: host_labels.labels_of_nic(store, host_id, nic))
    return rep.collection("network_label", [_nic_label(host.id, name, label) for label in labels])


@router.get("/hosts/{host_id}/nics/{nic}/networklabels/{label}")
async def get_nic_label(host_id: str, nic: str, label: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(host_id, "Host")
    host, name, labels = await _read(engine, lambda store: host_labels.labels_of_nic(store, host_id, nic))
    if label not in labels:
        raise NotFound("Network label", label)
    return _nic_label(host.id, name, label)


@router.post("/hosts/{host_id}/nics/{nic}/networklabels", status_code=201)
async def add_nic_label(
    host_id: str,
    nic: str,
    body: NetworkLabelIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """A setup networks with the label: the cluster's networks carrying it are attached to the nic."""
    check_id(host_id, "Host")
    if not body.id:
        raise BadInput("id", "the label text is required")
    label = body.id
    host, name, _labels = await _read(engine, lambda store: host_labels.labels_of_nic(store, host_id, nic))
    request = host_setup.SetupIn(modified_labels=[(name, label)], commit_on_success=True)
    await host_setup.run(runtime, ctx, host_id, request)
    shown = _nic_label(host.id, name, label)
    response.headers["Location"] = shown["href"]
    return shown


@router.delete("/hosts/{host_id}/nics/{nic}/networklabels/{label}")
async def remove_nic_label(
    host_id: str,
    nic: str,
    label: str,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """A setup networks without the label: the networks it attached to the nic are removed."""
    check_id(host_id, "Host")
    _host, name, labels = await _read(engine, lambda store: host_labels.labels_of_nic(store, host_id, nic))
    if label not in labels:
        raise NotFound("Network label", label)
    await host_setup.run(
        runtime, ctx, host_id, host_setup.SetupIn(removed_labels=[(name, label)], commit_on_success=True)
    )
    return {}

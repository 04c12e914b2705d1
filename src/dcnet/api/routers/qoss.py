"""/datacenters/{id}/qoss: the data center's host network QoS (type `hostnetwork`; others are refused)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, command_context, current_actor, etag, get_engine, if_match
from dcnet.api.schemas import Body
from dcnet.domain import qos_rules
from dcnet.domain.entities import HostNetworkQos
from dcnet.engine import qos as qos_commands
from dcnet.engine import refs
from dcnet.engine.context import CommandContext
from dcnet.engine.runner import Engine

router = APIRouter(prefix="/datacenters", tags=["qoss"], dependencies=[Depends(current_actor)])


class QosIn(Body):
    id: str | None = None
    name: str | None = None
    description: str | None = None
    type: str | None = None
    outbound_average_linkshare: int | None = None
    outbound_average_upperlimit: int | None = None
    outbound_average_realtime: int | None = None


def _fields(body: QosIn) -> dict[str, Any]:
    """What the client sent; an explicit null clears a rate (PUT merges)."""
    fields = body.sent("name", "description", "type")
    for name in qos_rules.FIELDS:
        if name in body.model_fields_set:
            fields[name] = getattr(body, name)
    qos_rules.check_type(fields.get("type"))
    return fields


def qos(item: HostNetworkQos) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": item.id,
        "href": rep.href("datacenters", item.data_center_id, "qoss", item.id),
        "name": item.name,
        "description": item.description,
        "type": item.type,
        "data_center": rep.ref("datacenters", item.data_center_id),
    }
    for name in qos_rules.FIELDS:
        if getattr(item, name) is not None:
            body[name] = getattr(item, name)
    return body


@router.get("/{dc_id}/qoss")
def list_qoss(dc_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(dc_id, "Data Center")

    def read(store):  # type: ignore[no-untyped-def]
        refs.get_or_404(store.data_centers, dc_id, "Data Center")
        return store.qos.list(data_center_id=dc_id)

    return rep.collection("qos", [qos(item) for item in engine.query(read)])


@router.post("/{dc_id}/qoss", status_code=201)
def add_qos(
    dc_id: str,
    body: QosIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    fields = _fields(body)
    item = engine.execute(lambda store: qos_commands.add_qos(store, ctx, dc_id, fields))
    response.headers["Location"] = rep.href("datacenters", dc_id, "qoss", item.id)
    etag(response, item.revision)
    return qos(item)


@router.get("/{dc_id}/qoss/{qos_id}")
def get_qos(dc_id: str, qos_id: str, response: Response, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    check_id(qos_id, "QoS")
    item = engine.query(lambda store: qos_commands.get_qos(store, dc_id, qos_id))
    etag(response, item.revision)
    return qos(item)


@router.put("/{dc_id}/qoss/{qos_id}")
def update_qos(
    dc_id: str,
    qos_id: str,
    body: QosIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    check_id(qos_id, "QoS")
    fields = _fields(body)
    item = engine.execute(lambda store: qos_commands.update_qos(store, ctx, dc_id, qos_id, fields, expected))
    etag(response, item.revision)
    return qos(item)


@router.delete("/{dc_id}/qoss/{qos_id}")
def remove_qos(
    dc_id: str,
    qos_id: str,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(dc_id, "Data Center")
    check_id(qos_id, "QoS")
    engine.execute(lambda store: qos_commands.remove_qos(store, ctx, dc_id, qos_id, expected))
    return {}

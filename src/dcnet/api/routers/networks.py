"""/networks, /networks/{id}/vnicprofiles and /networks/{id}/networklabels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, command_context, current_actor, etag, get_engine, if_match
from dcnet.api.routers.common import CaseQuery, MaxQuery, SearchQuery, filtered
from dcnet.api.routers.hosts import get_runtime
from dcnet.api.routers.vnicprofiles import profile_fields
from dcnet.api.schemas import NetworkIn, NetworkLabelIn, VnicProfileIn, to_ref
from dcnet.domain.entities import NetworkUsage
from dcnet.domain.errors import BadInput, NotFound
from dcnet.engine import host_labels, networks, refs, vnic_profiles
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.runner import Engine
from dcnet.store.repositories import Store

router = APIRouter(prefix="/networks", tags=["networks"], dependencies=[Depends(current_actor)])


def _vm_flag(usages: list[NetworkUsage] | None) -> bool:
    roles = [usage.value for usage in usages or [] if usage != NetworkUsage.VM]
    if roles:
        raise BadInput(
            "usages",
            f"{', '.join(roles)} are roles a network plays in a cluster; set them with "
            "/clusters/{id}/networks (only 'vm' belongs to the network itself)",
        )
    return NetworkUsage.VM in (usages or [])


def network_fields(body: NetworkIn) -> dict[str, Any]:
    """The domain fields of a new network (absent ones keep their defaults; a VM network by default)."""
    fields = network_changes(None, body)
    fields.setdefault("vm", True)
    return fields


def network_changes(store: Store | None, body: NetworkIn) -> dict[str, Any]:
    """Only what the client sent (PUT merges); `"vlan": null` or `{}` clears the VLAN."""
    changes = body.sent("name", "description", "comment", "mtu", "stp", "port_isolation")
    if "vlan" in body.model_fields_set:
        changes["vlan_id"] = body.vlan.id if body.vlan is not None else None
    if "usages" in body.model_fields_set and body.usages is not None:
        changes["vm"] = _vm_flag(body.usages)
    if "dns_resolver_configuration" in body.model_fields_set:
        dns = body.dns_resolver_configuration
        changes["dns_name_servers"] = list(dns.name_servers) if dns is not None else []
    if "qos" in body.model_fields_set:
        changes["qos_id"] = body.qos.id if body.qos is not None and body.qos.id else None
    if store is not None and body.data_center is not None:
        changes["data_center_id"] = refs.data_center(store, body.data_center.to_ref()).id
    return changes


@router.get("")
def list_networks(
    search: SearchQuery = None,
    max: MaxQuery = None,
    case_sensitive: CaseQuery = True,
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    def read(store: Store):  # type: ignore[no-untyped-def]
        dc_names = {dc.id: dc.name for dc in store.data_centers.list()}
        fields = {
            "name": lambda n: n.name,
            "description": lambda n: n.description,
            "datacenter": lambda n: dc_names.get(n.data_center_id),
            "vlan": lambda n: n.vlan_id,
            "mtu": lambda n: n.mtu,
            "label": lambda n: n.label,
            "id": lambda n: n.id,
        }
        return filtered(store.networks.list(), search, fields, case_sensitive=case_sensitive, maximum=max)

    return rep.collection("network", [rep.network(n) for n in engine.query(read)])


@router.post("", status_code=201)
def add_network(
    body: NetworkIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    network = engine.execute(
        lambda store: networks.add_network(store, ctx, to_ref(body.data_center), network_fields(body))
    )
    response.headers["Location"] = rep.href("networks", network.id)
    etag(response, network.revision)
    return rep.network(network)


@router.get("/{network_id}")
def get_network(network_id: str, response: Response, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(network_id, "Network")
    network = engine.query(lambda store: refs.get_or_404(store.networks, network_id, "Network"))
    etag(response, network.revision)
    return rep.network(network)


@router.put("/{network_id}")
def update_network(
    network_id: str,
    body: NetworkIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(network_id, "Network")
    network = engine.execute(
        lambda store: networks.update_network(store, ctx, network_id, network_changes(store, body), expected)
    )
    etag(response, network.revision)
    return rep.network(network)


@router.delete("/{network_id}")
def remove_network(
    network_id: str,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(network_id, "Network")
    engine.execute(lambda store: networks.remove_network(store, ctx, network_id, expected))
    return {}


@router.get("/{network_id}/vnicprofiles")
def list_network_profiles(network_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(network_id, "Network")

    def read(store: Store):  # type: ignore[no-untyped-def]
        refs.get_or_404(store.networks, network_id, "Network")
        return store.vnic_profiles.list(network_id=network_id)

    return rep.collection("vnic_profile", [rep.vnic_profile(p) for p in engine.query(read)])


@router.post("/{network_id}/vnicprofiles", status_code=201)
def add_network_profile(
    network_id: str,
    body: VnicProfileIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(network_id, "Network")
    engine.query(lambda store: refs.get_or_404(store.networks, network_id, "Network"))
    profile = engine.execute(
        lambda store: vnic_profiles.add_vnic_profile(store, ctx, refs.Ref(id=network_id), profile_fields(body))
    )
    response.headers["Location"] = rep.href("vnicprofiles", profile.id)
    return rep.vnic_profile(profile)


@router.get("/{network_id}/networklabels")
def list_labels(network_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(network_id, "Network")
    network = engine.query(lambda store: refs.get_or_404(store.networks, network_id, "Network"))
    labels = [rep.network_label(network.label, network.id)] if network.label else []
    return rep.collection("network_label", labels)


@router.post("/{network_id}/networklabels", status_code=201)
def add_label(
    network_id: str,
    body: NetworkLabelIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """Hosts of the network's clusters whose nic carries the label get the network there (in the background)."""
    check_id(network_id, "Network")
    if not body.id:
        raise BadInput("id", "the label text is required")
    label = body.id
    network = engine.execute(lambda store: networks.set_label(store, ctx, network_id, label))
    found = engine.query(lambda store: host_labels.targets(store, network_id, label))
    host_labels.attach_everywhere(runtime, ctx, network_id, label, found)
    response.headers["Location"] = rep.href("networks", network.id, "networklabels", label)
    return rep.network_label(label, network.id)


@router.get("/{network_id}/networklabels/{label}")
def get_label(network_id: str, label: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(network_id, "Network")
    network = engine.query(lambda store: refs.get_or_404(store.networks, network_id, "Network"))
    if network.label != label:
        raise NotFound("Network label", label)
    return rep.network_label(label, network.id)


@router.delete("/{network_id}/networklabels/{label}")
def remove_label(
    network_id: str,
    label: str,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
    runtime: HostRuntime = Depends(get_runtime),
) -> dict[str, Any]:
    """The network leaves the nics carrying the label (in the background)."""
    check_id(network_id, "Network")
    engine.execute(lambda store: networks.remove_label(store, ctx, network_id, label))
    found = engine.query(lambda store: host_labels.targets(store, network_id, label))
    host_labels.detach_everywhere(runtime, ctx, label, found)
    return {}

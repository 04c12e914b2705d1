"""/vnicprofiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, command_context, current_actor, etag, get_engine, if_match
from dcnet.api.routers.common import CaseQuery, MaxQuery, SearchQuery, filtered
from dcnet.api.schemas import VnicProfileIn, to_ref
from dcnet.domain.entities import CustomProperty
from dcnet.engine import refs, vnic_profiles
from dcnet.engine.context import CommandContext
from dcnet.engine.runner import Engine

router = APIRouter(prefix="/vnicprofiles", tags=["vnicprofiles"], dependencies=[Depends(current_actor)])


def profile_fields(body: VnicProfileIn) -> dict[str, Any]:
    fields = body.sent("name", "description", "comment", "port_mirroring", "migratable")
    if "pass_through" in body.model_fields_set:
        fields["pass_through"] = body.pass_through is not None and body.pass_through.mode == "enabled"
    if "custom_properties" in body.model_fields_set:
        fields["custom_properties"] = [CustomProperty(p.name, p.value) for p in body.custom_properties or []]
    return fields


@router.get("")
def list_profiles(
    search: SearchQuery = None,
    max: MaxQuery = None,
    case_sensitive: CaseQuery = True,
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    def read(store):  # type: ignore[no-untyped-def]
        names = {n.id: n.name for n in store.networks.list()}
        fields = {"name": lambda p: p.name, "network": lambda p: names.get(p.network_id)}
        return filtered(store.vnic_profiles.list(), search, fields, case_sensitive=case_sensitive, maximum=max)

    return rep.collection("vnic_profile", [rep.vnic_profile(p) for p in engine.query(read)])


@router.post("", status_code=201)
def add_profile(
    body: VnicProfileIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    profile = engine.execute(
        lambda store: vnic_profiles.add_vnic_profile(store, ctx, to_ref(body.network), profile_fields(body))
    )
    response.headers["Location"] = rep.href("vnicprofiles", profile.id)
    etag(response, profile.revision)
    return rep.vnic_profile(profile)


@router.get("/{profile_id}")
def get_profile(profile_id: str, response: Response, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    check_id(profile_id, "vNIC profile")
    profile = engine.query(lambda store: refs.get_or_404(store.vnic_profiles, profile_id, "vNIC profile"))
    etag(response, profile.revision)
    return rep.vnic_profile(profile)


@router.put("/{profile_id}")
def update_profile(
    profile_id: str,
    body: VnicProfileIn,
    response: Response,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(profile_id, "vNIC profile")

    def update(store):  # type: ignore[no-untyped-def]
        changes = profile_fields(body)
        if body.network is not None:
            changes["network_id"] = refs.network(store, body.network.to_ref()).id
        return vnic_profiles.update_vnic_profile(store, ctx, profile_id, changes, expected)

    profile = engine.execute(update)
    etag(response, profile.revision)
    return rep.vnic_profile(profile)


@router.delete("/{profile_id}")
def remove_profile(
    profile_id: str,
    ctx: CommandContext = Depends(command_context),
    expected: int | None = Depends(if_match),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    check_id(profile_id, "vNIC profile")
    engine.execute(lambda store: vnic_profiles.remove_vnic_profile(store, ctx, profile_id, expected))
    return {}

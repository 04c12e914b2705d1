"""vNIC profiles: how a VM NIC plugs into a VM network."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dcnet.domain import vnic_profile_rules
from dcnet.domain.entities import VnicProfile
from dcnet.domain.events import AuditLog
from dcnet.engine import refs
from dcnet.engine.audit import Refs, record, record_job
from dcnet.engine.context import CommandContext, new_id
from dcnet.engine.runner import check_if_match
from dcnet.store.repositories import Store


def _event(store: Store, ctx: CommandContext, kind: AuditLog, profile: VnicProfile) -> None:
    network = refs.get_or_404(store.networks, profile.network_id, "Network")
    dc = refs.get_or_404(store.data_centers, network.data_center_id, "Data Center")
    record(
        store,
        ctx,
        kind,
        {"VnicProfileName": profile.name, "NetworkName": network.name, "DataCenterName": dc.name},
        Refs(data_center_id=dc.id, network_id=network.id, vnic_profile_id=profile.id),
    )


def add_vnic_profile(
    store: Store, ctx: CommandContext, network_ref: refs.Ref | None, fields: dict[str, Any]
) -> VnicProfile:
    refs.require("VnicProfile", name=fields.get("name"), network=network_ref)
    network = refs.network(store, network_ref)
    store.data_centers.get(network.data_center_id, for_update=True)
    profile = VnicProfile(id=new_id(), network_id=network.id, **fields)
    vnic_profile_rules.check_new(profile, network, store.vnic_profiles.list(network_id=network.id))
    store.vnic_profiles.add(profile)
    record_job(store, ctx, f"Adding vNIC profile {profile.name} to Network {network.name}")
    _event(store, ctx, AuditLog.ADD_VNIC_PROFILE, profile)
    return profile


def update_vnic_profile(
    store: Store, ctx: CommandContext, profile_id: str, changes: dict[str, Any], if_match: int | None
) -> VnicProfile:
    old = refs.get_or_404(store.vnic_profiles, profile_id, "vNIC profile")
    expected = check_if_match("VnicProfile", old.revision, if_match)
    new = replace(old, **changes)
    network = refs.get_or_404(store.networks, old.network_id, "Network")
    store.data_centers.get(network.data_center_id, for_update=True)
    vnic_profile_rules.check_update(old, new, network, store.vnic_profiles.list(network_id=old.network_id))
    saved = store.vnic_profiles.save(new, expected_revision=expected)
    record_job(store, ctx, f"Updating vNIC profile {saved.name}")
    _event(store, ctx, AuditLog.UPDATE_VNIC_PROFILE, saved)
    return saved


def remove_vnic_profile(store: Store, ctx: CommandContext, profile_id: str, if_match: int | None) -> None:
    profile = refs.get_or_404(store.vnic_profiles, profile_id, "vNIC profile")
    check_if_match("VnicProfile", profile.revision, if_match)
    _event(store, ctx, AuditLog.REMOVE_VNIC_PROFILE, profile)
    store.vnic_profiles.remove(profile_id)
    record_job(store, ctx, f"Removing vNIC profile {profile.name}")

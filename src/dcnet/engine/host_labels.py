"""Network labels on hosts (host-network-setup.md §9): a host's nic labels, and the fan-out when a network gets
a label, loses it, or a labelled network is attached to a cluster — every eligible host whose nic carries the
label gets (or loses) the network on that nic through setup networks, all hosts in parallel in the background.
A host that fails gets event 100011 with the reason; the others go on."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from dcnet.domain.entities import Host
from dcnet.domain.errors import DomainError, NotFound, RuleViolation
from dcnet.domain.events import AuditLog
from dcnet.engine import host_network, host_setup, refs
from dcnet.engine.audit import record
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.runner import Engine
from dcnet.store.repositories import Store

log = logging.getLogger("dcnet.engine.labels")


# --- a host's nic labels ----------------------------------------------------------------------------------


def nic_name(store: Store, host: Host, nic: str) -> str:
    """A reported nic or bond by name or API id (404 otherwise)."""
    report = store.host_reports.get(host.id)
    caps = report.capabilities if report else {}
    for section in ("nics", "bondings", "vlans", "bridges"):
        for name in caps.get(section) or {}:
            if nic in (name, str(uuid.uuid5(uuid.UUID(host.id), name))):
                return str(name)
    raise NotFound("Host NIC", nic)


def labels_of_nic(store: Store, host_id: str, nic: str) -> tuple[Host, str, list[str]]:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    name = nic_name(store, host, nic)
    return host, name, sorted(store.nic_labels.of_host(host.id).get(name, set()))


# --- fan-out ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    host_id: str
    host_name: str
    nic: str
    attachment_id: str | None  # the host's attachment of the network, if any
    attachment_nic: str | None


def targets(store: Store, network_id: str, label: str, cluster_ids: Iterable[str] | None = None) -> list[Target]:
    """Eligible hosts (up, maintenance, non-operational; enrolled) of the network's clusters — or of
    `cluster_ids` — whose nic carries `label`."""
    clusters = (
        set(cluster_ids)
        if cluster_ids is not None
        else {row.cluster_id for row in store.cluster_networks.of_network(network_id)}
    )
    out = []
    for host_id, nic in store.nic_labels.with_label(label):
        host = store.hosts.get(host_id)
        if host is None or host.cluster_id not in clusters:
            continue
        if not host.enrolled or host.status not in host_setup.ELIGIBLE_FOR_SYNC:
            continue
        current = next((a for a in store.network_attachments.of_host(host_id) if a.network_id == network_id), None)
        out.append(
            Target(host.id, host.name, nic, current.id if current else None, current.nic_name if current else None)
        )
    return sorted(out, key=lambda t: t.host_name)


def fan_out_cluster_attach(
    runtime: HostRuntime | None, ctx: CommandContext, engine: Engine, cluster_id: str, network_id: str
) -> list[str]:
    """After a network was attached to a cluster: if it is labelled, onto the cluster's labelled nics."""

    def read(store: Store) -> tuple[str | None, list[Target]]:
        network = store.networks.get(network_id)
        if network is None or not network.label or network.is_external:
            return None, []
        return network.label, targets(store, network_id, network.label, [cluster_id])

    label, found = engine.query(read)
    return attach_everywhere(runtime, ctx, network_id, label, found) if label else []


def attach_everywhere(
    runtime: HostRuntime | None, ctx: CommandContext, network_id: str, label: str, found: list[Target]
) -> list[str]:
    """From a REST worker thread: attach the network to each target's labelled nic (hosts that already have it
    there are left alone). Returns the ids of the hosts it runs on."""
    started = []
    for target in found:
        if target.attachment_nic == target.nic:
            continue
        wanted = host_setup.AttachmentIn(network=refs.Ref(id=network_id), nic=target.nic)
        request = host_setup.SetupIn(modified_attachments=[wanted], commit_on_success=True)
        _submit(runtime, ctx, target, label, request)
        started.append(target.host_id)
    return started


def detach_everywhere(runtime: HostRuntime | None, ctx: CommandContext, label: str, found: list[Target]) -> list[str]:
    """From a REST worker thread: remove the network from each target's labelled nic."""
    started = []
    for target in found:
        if target.attachment_id is None or target.attachment_nic != target.nic:
            continue
        request = host_setup.SetupIn(removed_attachments=[target.attachment_id], commit_on_success=True)
        _submit(runtime, ctx, target, label, request)
        started.append(target.host_id)
    return started


def _submit(
    runtime: HostRuntime | None, ctx: CommandContext, target: Target, label: str, request: host_setup.SetupIn
) -> None:
    if runtime is None:  # an engine without host runtime (no agents to talk to)
        return
    runtime.submit(target.host_id, lambda: _one_host(runtime, ctx, target, label, request))


async def _one_host(
    runtime: HostRuntime, ctx: CommandContext, target: Target, label: str, request: host_setup.SetupIn
) -> None:
    try:
        await host_setup.run(runtime, ctx, target.host_id, request)
    except RuleViolation as error:
        if error.key == "SETUP_NETWORKS_FAILED":
            return  # the agent's failure already has its event
        await _failed(runtime, ctx, target, f"label {label} on {target.nic}: {error.message}")
    except DomainError as error:
        await _failed(runtime, ctx, target, f"label {label} on {target.nic}: {error}")


async def _failed(runtime: HostRuntime, ctx: CommandContext, target: Target, reason: str) -> None:
    log.warning("label fan-out on host %s failed: %s", target.host_name, reason)

    def write(store: Store) -> None:
        host = store.hosts.get(target.host_id)
        if host is not None:
            record(
                store,
                ctx,
                AuditLog.SETUP_NETWORKS_FAILURE_DETAIL,
                {"VdsName": host.name, "Reason": reason},
                host_network.where(store, host),
            )

    await runtime.write(write)

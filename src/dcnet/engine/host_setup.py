"""Setup networks on one host (host-network-setup.md §7): resolve the request against the store → plan it
(pure, `domain.setup.plan`) → under the host's network lock send it, confirming connectivity → record the
attachments it leaves, the fresh capabilities, the host's compliance and events. Callers run it for one
host or for many (sync all, and later multi-host rollouts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from dcnet.domain.entities import Host, HostStatus, NetworkAttachment
from dcnet.domain.errors import MissingField, RuleViolation
from dcnet.domain.events import AuditLog
from dcnet.domain.messages import violation
from dcnet.domain.naming import vdsm_name
from dcnet.domain.setup import assignments
from dcnet.domain.setup.model import (
    Attachment,
    AttachmentSpec,
    BondSpec,
    HostContext,
    SetupPlan,
    SetupRequest,
)
from dcnet.domain.setup.plan import plan_setup
from dcnet.engine import host_network, refs
from dcnet.engine.audit import record
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.resolver import ResolveError
from dcnet.engine.setup_networks import AgentUnreachable, HostBusy, SetupNetworksError, setup_networks
from dcnet.rpc.errors import AgentError
from dcnet.store.repositories import Store

ACTION, TYPE = "setup", "Networks"


@dataclass(frozen=True)
class AttachmentIn:
    """One attachment as the API received it: references not yet resolved."""

    network: refs.Ref | None
    nic: str | None  # a name, or a host nic id
    ip_assignments: list[dict[str, Any]] = field(default_factory=list)
    dns_servers: tuple[str, ...] = ()
    id: str | None = None


@dataclass(frozen=True)
class SetupIn:
    modified_attachments: list[AttachmentIn] = field(default_factory=list)
    removed_attachments: list[str] = field(default_factory=list)
    synchronized_attachments: list[str] = field(default_factory=list)
    modified_bonds: list[BondSpec] = field(default_factory=list)
    removed_bonds: list[str] = field(default_factory=list)
    removed_unmanaged_networks: list[str] = field(default_factory=list)
    check_connectivity: bool = True
    connectivity_timeout: int | None = None
    commit_on_success: bool = False
    modified_labels: list[tuple[str, str]] = field(default_factory=list)  # (nic name or id, label)
    removed_labels: list[tuple[str | None, str]] = field(default_factory=list)  # nic None: wherever it is


@dataclass(frozen=True)
class Prepared:
    host: Host
    context: HostContext
    request: SetupRequest


def attachment_of(row: NetworkAttachment) -> Attachment:
    ipv4, ipv6 = assignments.to_configs(row.ip_assignments)
    return Attachment(row.id, row.network_id, row.nic_name, ipv4, ipv6, tuple(row.dns_servers))


def host_context(store: Store, host: Host) -> HostContext:
    report = store.host_reports.get(host.id)
    cluster = refs.get_or_404(store.clusters, host.cluster_id, "Cluster")
    rows = store.cluster_networks.of_cluster(cluster.id)
    networks = {row.network_id: store.networks.get(row.network_id) for row in rows}
    return HostContext(
        host_name=host.name,
        host_status=host.status.value,
        caps=report.capabilities if report else {},
        attachments=tuple(attachment_of(a) for a in store.network_attachments.of_host(host.id)),
        networks={k: v for k, v in networks.items() if v is not None},
        cluster_networks={row.network_id: row for row in rows},
        switch_type=cluster.switch_type.value,
        nic_labels={nic: frozenset(labels) for nic, labels in store.nic_labels.of_host(host.id).items()},
        qos=host_network.host_qos(store, host.id, {k: v for k, v in networks.items() if v is not None}),
    )


def prepare(store: Store, host_id: str, raw: SetupIn, default_timeout: float) -> Prepared:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    context = host_context(store, host)
    nic_names = _nic_names(host, context)
    request = SetupRequest(
        modified_attachments=tuple(
            _attachment(context, nic_names, item, position) for position, item in enumerate(raw.modified_attachments)
        ),
        removed_attachments=tuple(raw.removed_attachments),
        synchronized_attachments=tuple(raw.synchronized_attachments),
        modified_bonds=tuple(raw.modified_bonds),
        removed_bonds=tuple(raw.removed_bonds),
        removed_unmanaged_networks=tuple(raw.removed_unmanaged_networks),
        check_connectivity=raw.check_connectivity,
        connectivity_timeout=int(raw.connectivity_timeout or default_timeout),
        commit_on_success=raw.commit_on_success,
        modified_labels=tuple((nic_names.get(nic, nic), label) for nic, label in raw.modified_labels),
        removed_labels=tuple(_removed_label(context, nic_names, nic, label) for nic, label in raw.removed_labels),
    )
    return Prepared(host, context, request)


def _removed_label(context: HostContext, nic_names: dict[str, str], nic: str | None, label: str) -> tuple[str, str]:
    """A removed label names its nic, or is looked up on the host (oVirt sends the label alone)."""
    if nic:
        return nic_names.get(nic, nic), label
    for name, labels in sorted(context.nic_labels.items()):
        if label in labels:
            return name, label
    raise violation("LABEL_NOT_EXIST_IN_HOST", ACTION, TYPE, f"The label '{label}' is not defined on the host.")


def _nic_names(host: Host, context: HostContext) -> dict[str, str]:
    """Name or API id (stable per host and name) → name, for every reported device."""
    out: dict[str, str] = {}
    for section in ("nics", "bondings", "vlans", "bridges"):
        for name in context.caps.get(section) or {}:
            out[name] = name
            out[str(uuid.uuid5(uuid.UUID(host.id), name))] = name
    return out


def _attachment(context: HostContext, nic_names: dict[str, str], item: AttachmentIn, position: int) -> AttachmentSpec:
    where = f"modified_network_attachments[{position}]"
    existing = {a.id: a for a in context.attachments}
    current = existing.get(item.id) if item.id else None
    if item.id and current is None:
        raise violation(
            "NETWORK_ATTACHMENT_NOT_EXISTS",
            ACTION,
            TYPE,
            f"The network attachment {item.id} does not exist on the host.",
        )
    network_id = (
        _network_id(context, item.network) if item.network is not None else (current.network_id if current else None)
    )
    if network_id is None:
        raise MissingField("NetworkAttachment", [f"{where}.network"], "setupnetworks")
    nic = nic_names.get(item.nic, item.nic) if item.nic else (current.nic if current else None)
    if nic is None:
        raise MissingField("NetworkAttachment", [f"{where}.host_nic"], "setupnetworks")
    if item.ip_assignments or current is None:
        ipv4, ipv6 = assignments.to_configs(item.ip_assignments, f"{where}.ip_address_assignments")
    else:
        ipv4, ipv6 = current.ipv4, current.ipv6
    return AttachmentSpec(network_id, nic, ipv4, ipv6, item.dns_servers, item.id)


def _network_id(context: HostContext, ref: refs.Ref) -> str:
    for network in context.networks.values():
        if (ref.id is not None and network.id == ref.id) or (ref.id is None and network.name == ref.name):
            return network.id
    raise RuleViolation(
        "NETWORK_OF_GIVEN_NAME_NOT_EXISTS_IN_CLUSTER",
        f"Logical Network '{ref.id or ref.name}' does not exist in Cluster.",
    )


async def run(runtime: HostRuntime, ctx: CommandContext, host_id: str, raw: SetupIn) -> list[NetworkAttachment]:
    """The whole command; RuleViolation / BadInput for a refused request (nothing sent, nothing written)."""
    prepared = await runtime.read(lambda store: prepare(store, host_id, raw, runtime.settings.connectivity_timeout))
    plan = plan_setup(prepared.context, prepared.request)
    if not plan.changed:
        await runtime.write(lambda store: _record_unchanged(store, prepared.host, plan))
        return await runtime.read(lambda store: store.network_attachments.of_host(host_id))
    await apply(runtime, ctx, prepared.host, plan)
    return await runtime.read(lambda store: store.network_attachments.of_host(host_id))


async def run_request(
    runtime: HostRuntime, ctx: CommandContext, host_id: str, request: SetupRequest
) -> list[NetworkAttachment]:
    """Like `run`, for a request already resolved (ids and names) against the host, e.g. copy host networks."""
    host, context = await runtime.read(lambda store: _host_and_context(store, host_id))
    plan = plan_setup(context, request)
    if not plan.changed:
        await runtime.write(lambda store: _record_unchanged(store, host, plan))
    else:
        await apply(runtime, ctx, host, plan)
    return await runtime.read(lambda store: store.network_attachments.of_host(host_id))


def _host_and_context(store: Store, host_id: str) -> tuple[Host, HostContext]:
    host = refs.get_or_404(store.hosts, host_id, "Host")
    return host, host_context(store, host)


async def apply(runtime: HostRuntime, ctx: CommandContext, host: Host, plan: SetupPlan) -> None:
    """Send a planned change under the host's lock, with monitoring paused for the host."""
    try:
        async with runtime.locks.hold(host.id, runtime.settings.lock_wait):
            runtime.busy.add(host.id)
            try:
                client = await runtime.connections.client(host)
                await setup_networks(
                    client, plan.networks, plan.bondings, plan.options,
                    correlation_id=ctx.correlation_id, confirm_every=runtime.settings.poll_pause,
                )  # fmt: skip
                caps = (await client.get_capabilities()).model_dump()
            finally:
                runtime.busy.discard(host.id)
    except HostBusy:
        raise violation(
            "ACTION_TYPE_FAILED_OBJECT_LOCKED",
            ACTION,
            TYPE,
            "Related operation is currently in progress. Please try again later.",
        ) from None
    except SetupNetworksError as error:
        await _failed(runtime, ctx, host, f"the agent answered code {error.code}: {error.message}")
    except (AgentUnreachable, AgentError, ResolveError) as error:
        await _failed(runtime, ctx, host, f"the host could not be reached: {error}")
    await runtime.write(lambda store: _succeeded(store, ctx, host, plan, caps))


async def _failed(runtime: HostRuntime, ctx: CommandContext, host: Host, reason: str) -> None:
    await runtime.write(
        lambda store: record(
            store,
            ctx,
            AuditLog.SETUP_NETWORKS_FAILURE_DETAIL,
            {"VdsName": host.name, "Reason": reason},
            host_network.where(store, host),
        )
    )
    raise violation("SETUP_NETWORKS_FAILED", ACTION, TYPE, f"Setup networks on host {host.name} failed: {reason}.")


def _succeeded(store: Store, ctx: CommandContext, host: Host, plan: SetupPlan, caps: dict[str, Any]) -> None:
    _record_attachments(store, host, plan)
    record_labels(store, host, plan)
    current = store.hosts.get(host.id) or host
    host_network.save_report(store, current, caps)
    names = _changed_names(store, plan)
    record(
        store, ctx, AuditLog.HOST_SETUP_NETWORKS_FINISHED, {"VdsName": host.name, "Changes": names},
        host_network.where(store, host),
    )  # fmt: skip
    current = store.hosts.get(host.id) or host
    host_network.settle_status(store, ctx, current, caps, set())


def _changed_names(store: Store, plan: SetupPlan) -> str:
    changed = [*plan.networks, *(f"bond {name}" for name in plan.bondings)]
    return ", ".join(changed) or "no changes"


def _record_attachments(store: Store, host: Host, plan: SetupPlan) -> None:
    """The host's attachments become the plan's (their desired IP and DNS configuration included)."""
    existing = {a.id: a for a in store.network_attachments.of_host(host.id)}
    keep: set[str] = set()
    for attachment in plan.attachments:
        ip = assignments.to_assignments(attachment.ipv4, attachment.ipv6)
        dns = list(attachment.dns_servers)
        current = existing.get(attachment.id)
        if current is None:
            new_id = attachment.id or str(uuid.uuid4())
            store.network_attachments.add(
                NetworkAttachment(new_id, host.id, attachment.network_id, attachment.nic, ip, dns)
            )
            keep.add(new_id)
            continue
        keep.add(current.id)
        wanted = (attachment.nic, ip, attachment.network_id, dns)
        if (current.nic_name, current.ip_assignments, current.network_id, current.dns_servers) != wanted:
            current.nic_name, current.ip_assignments, current.network_id, current.dns_servers = wanted
            store.network_attachments.save(current, expected_revision=current.revision)
    for attachment_id in existing.keys() - keep:
        store.network_attachments.remove(attachment_id)


def _record_unchanged(store: Store, host: Host, plan: SetupPlan) -> None:
    """Nothing to send: the attachments and labels are recorded as planned."""
    _record_attachments(store, host, plan)
    record_labels(store, host, plan)


def record_labels(store: Store, host: Host, plan: SetupPlan) -> None:
    """The host's nic labels become the plan's (when it changes them)."""
    if plan.nic_labels is None:
        return
    before = {(nic, label) for nic, labels in store.nic_labels.of_host(host.id).items() for label in labels}
    after = {(nic, label) for nic, labels in plan.nic_labels.items() for label in labels}
    for nic, label in sorted(before - after):
        store.nic_labels.remove(host.id, nic, label)
    for nic, label in sorted(after - before):
        store.nic_labels.add(host.id, nic, label)


def unmanaged_networks(store: Store, host: Host) -> list[dict[str, Any]]:
    """Networks the host reports that no logical network of its cluster explains (by host-side name)."""
    context = host_context(store, host)
    known = {vdsm_name(n.name, n.id) for n in context.networks.values()}
    out = []
    for name, entry in sorted((context.caps.get("networks") or {}).items()):
        if name not in known:
            out.append({"name": name, "host_nic": {"name": str(entry.get("southbound") or entry.get("iface") or "")}})
    return out


ELIGIBLE_FOR_SYNC = (HostStatus.UP, HostStatus.MAINTENANCE, HostStatus.NON_OPERATIONAL)

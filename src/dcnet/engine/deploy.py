"""Adding a host, as the reference's deploy flow: enroll the agent → wait until it answers over mutual
TLS → first capabilities → the management network step (a pure plan from `domain.mgmt`) → persisted →
installed, and monitoring takes the host to up. Every failure ends in the status and events the
reference gives it; nothing here raises to the caller."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from time import monotonic as clock
from typing import Any

from dcnet.domain.entities import Cluster, Host, HostStatus
from dcnet.domain.events import AuditLog
from dcnet.domain.mgmt import plan as mgmt
from dcnet.engine import host_network
from dcnet.engine.agents import EnrollmentError
from dcnet.engine.audit import record
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.resolver import ResolveError
from dcnet.engine.setup_networks import AgentUnreachable, HostBusy, SetupNetworksError, pauses, setup_networks
from dcnet.rpc import verbs
from dcnet.rpc.client import AgentClient
from dcnet.rpc.errors import AgentError
from dcnet.store.repositories import Store

log = logging.getLogger("dcnet.engine.deploy")

NETWORK_ERROR = "Network error during communication with the host"
MANAGEMENT_FAILED = "Failed to configure management network on the host"


class DeployFailed(Exception):
    """Ends the deploy: the host gets `status`, with `events` (kind, params) recorded before 505."""

    def __init__(self, status: HostStatus, message: str, events: list[tuple[AuditLog, dict[str, str]]] | None = None):
        self.status = status
        self.message = message
        self.events = events or []
        super().__init__(message)


@dataclass(frozen=True)
class DeployInputs:
    host: Host
    cluster: Cluster
    spec: mgmt.ManagementNetworkSpec

    @property
    def legacy(self) -> bool:
        return not mgmt.engine_builds_management_network(self.cluster.version.major, self.cluster.version.minor)


def load_inputs(store: Store, host_id: str) -> DeployInputs | None:
    host = store.hosts.get(host_id)
    if host is None:
        return None
    cluster = store.clusters.get(host.cluster_id)
    assert cluster is not None
    return DeployInputs(host, cluster, management_spec(store, cluster))


def management_spec(store: Store, cluster: Cluster) -> mgmt.ManagementNetworkSpec:
    """The data center's definition of the cluster's management network."""
    rows = store.cluster_networks.of_cluster(cluster.id)
    management = next(row for row in rows if row.management)
    network = store.networks.get(management.network_id)
    assert network is not None
    default_route = next((row for row in rows if row.default_route), management)
    return mgmt.ManagementNetworkSpec(
        name=network.name,
        vlan=network.vlan_id,
        bridged=network.vm,
        mtu=network.mtu,
        stp=network.stp,
        switch=cluster.switch_type.value,
        default_route=default_route.network_id == network.id,
    )


def interrupted_installs(store: Store) -> list[str]:
    return [host.id for host in store.hosts.list() if host.status == HostStatus.INSTALLING]


async def resume(runtime: HostRuntime, host_id: str) -> None:
    """An engine restart in the middle of an install: an enrolled agent is simply deployed again (every step
    is idempotent); one that was never enrolled needs its token, which the engine never stores."""
    inputs = await runtime.read(lambda store: load_inputs(store, host_id))
    if inputs is None:
        return
    ctx = runtime.system_context()
    if not inputs.host.enrolled:
        await _finish_failed(
            runtime,
            ctx,
            inputs.host,
            DeployFailed(
                HostStatus.INSTALL_FAILED,
                "the engine restarted during the enrollment; re-install the host with a new enrollment token",
            ),
        )
        return
    await deploy(runtime, host_id, None, ctx)


async def deploy(runtime: HostRuntime, host_id: str, token: str | None, ctx: CommandContext) -> None:
    inputs = await runtime.read(lambda store: load_inputs(store, host_id))
    if inputs is None:
        return
    host = inputs.host
    started = clock()
    await _event(runtime, ctx, host, AuditLog.VDS_ANSIBLE_INSTALL_STARTED, {})
    try:
        resolved = await _resolve(runtime, host)
        await runtime.write(lambda store: _resolved(store, ctx, host, resolved))
        if token is not None and not await _still_trusted(runtime, host, resolved):
            await _enroll(runtime, inputs, resolved[0], token)
            log.info("host %s: enrolled after %.2f s", host.name, clock() - started)
        elif not host.enrolled:
            raise DeployFailed(HostStatus.INSTALL_FAILED, "no enrollment token was given (send it as root_password)")
        await _event(runtime, ctx, host, AuditLog.VDS_ANSIBLE_INSTALL_FINISHED, {})
        client = await runtime.connections.client(host, resolved)
        caps = await _first_capabilities(runtime, client, host)
        log.info("host %s: agent answers over mutual TLS after %.2f s", host.name, clock() - started)
        if inputs.legacy:
            caps = await _restart_agent(runtime, ctx, client, host)
        caps, device = await _management_network(runtime, ctx, inputs, client, caps, resolved)
        log.info("host %s: management network ready after %.2f s", host.name, clock() - started)
    except DeployFailed as failure:
        await _finish_failed(runtime, ctx, host, failure)
        return
    except Exception:
        log.exception("deploying host %s failed unexpectedly", host.name)
        failure = DeployFailed(HostStatus.INSTALL_FAILED, "An internal error stopped the deploy (see the engine log)")
        await _finish_failed(runtime, ctx, host, failure)
        return
    await _finish_installed(runtime, ctx, inputs, caps, device)


def _resolved(store: Store, ctx: CommandContext, host: Host, resolved: list[str]) -> None:
    store.hosts.update_runtime(host.id, resolved_addresses=resolved)
    params = {"VdsName": host.name, "HostAddress": host.address, "Addresses": ", ".join(resolved)}
    record(store, ctx, AuditLog.HOST_ADDRESS_RESOLVED, params, host_network.where(store, host))


async def _resolve(runtime: HostRuntime, host: Host) -> list[str]:
    try:
        return await runtime.connections.resolver.resolve(host.address)
    except ResolveError as error:
        raise DeployFailed(
            HostStatus.NON_OPERATIONAL,
            MANAGEMENT_FAILED,
            [(AuditLog.HOST_ADDRESS_UNRESOLVED, {"HostAddress": host.address, "Error": str(error)})],
        ) from None


async def _still_trusted(runtime: HostRuntime, host: Host, resolved: list[str]) -> bool:
    """Re-install of an enrolled host whose agent still holds our certificate: no new enrollment needed."""
    if not host.enrolled:
        return False
    try:
        client = await runtime.connections.client(host, resolved)
        await client.call(verbs.PING2, timeout=runtime.settings.ping_timeout)
    except (AgentError, ResolveError):
        await runtime.connections.forget(host.id)
        return False
    return True


async def _enroll(runtime: HostRuntime, inputs: DeployInputs, address: str, token: str) -> None:
    host = inputs.host
    try:
        await runtime.connections.enroll(
            host, address, token, management_network=inputs.spec.name, legacy_bootstrap=inputs.legacy
        )
    except EnrollmentError as error:
        raise DeployFailed(HostStatus.INSTALL_FAILED, f"The agent refused the enrollment: {error}") from None
    except AgentError as error:
        raise DeployFailed(
            HostStatus.INSTALL_FAILED, f"Cannot reach the agent at {address}:{host.port} to enroll it: {error.message}"
        ) from None
    await runtime.connections.forget(host.id)
    await runtime.write(lambda store: store.hosts.update_runtime(host.id, enrolled=True))


async def _wait_responsive(runtime: HostRuntime, client: AgentClient) -> None:
    """Poll `Host.ping2` (a short timeout each, a pause between) for the configured wait."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + runtime.settings.agent_wait
    for pause in pauses(runtime.settings.poll_pause):
        try:
            await client.call(verbs.PING2, timeout=runtime.settings.ping_timeout)
            return
        except AgentError:
            if loop.time() >= deadline:
                raise DeployFailed(HostStatus.NON_RESPONSIVE, NETWORK_ERROR) from None
            await asyncio.sleep(pause)


async def _first_capabilities(runtime: HostRuntime, client: AgentClient, host: Host) -> dict[str, Any]:
    await _wait_responsive(runtime, client)
    return await _capabilities(runtime, client, host)


async def _capabilities(runtime: HostRuntime, client: AgentClient, host: Host) -> dict[str, Any]:
    """Stored at once (the missing management network does not count against the host yet)."""
    try:
        caps = (await client.get_capabilities()).model_dump()
    except AgentError:
        raise DeployFailed(HostStatus.NON_RESPONSIVE, NETWORK_ERROR) from None
    await runtime.write(lambda store: host_network.save_report(store, _fresh(store, host), caps))
    return caps


async def _restart_agent(runtime: HostRuntime, ctx: CommandContext, client: AgentClient, host: Host) -> dict[str, Any]:
    """Legacy clusters: the agent built the bridge at enrollment; restarting it from the safe config is the
    seed's reboot that proves the configuration comes back."""
    await _event(
        runtime,
        ctx,
        host,
        AuditLog.VDS_INSTALL_IN_PROGRESS,
        {"Message": "Restarting the agent from its persisted network configuration"},
    )
    try:
        await client.call(verbs.RESTART, timeout=30)
    except AgentError as error:
        raise DeployFailed(HostStatus.INSTALL_FAILED, f"Restarting the agent failed: {error.message}") from None
    await asyncio.sleep(runtime.settings.poll_pause)  # let the old process go before asking the new one
    return await _first_capabilities(runtime, client, host)


async def _management_network(
    runtime: HostRuntime,
    ctx: CommandContext,
    inputs: DeployInputs,
    client: AgentClient,
    caps: dict[str, Any],
    resolved: list[str],
) -> tuple[dict[str, Any], str]:
    """The host's capabilities once the management network is there, and the device it is on."""
    host, spec = inputs.host, inputs.spec
    step = mgmt.plan(spec, caps, host.address, resolved, connectivity_timeout=runtime.settings.connectivity_timeout)
    if isinstance(step, mgmt.Failure):
        raise DeployFailed(HostStatus.NON_OPERATIONAL, MANAGEMENT_FAILED, [(step.event, step.params)])
    if isinstance(step, mgmt.AlreadyCompliant):
        log.info("The management network '%s' is already configured on host '%s'", spec.name, host.name)
        return caps, step.device
    try:
        async with runtime.locks.hold(host.id, runtime.settings.lock_wait):
            await setup_networks(
                client,
                step.networks,
                step.bondings,
                step.options,
                correlation_id=ctx.correlation_id,
                confirm_every=runtime.settings.poll_pause,
            )
    except (SetupNetworksError, HostBusy) as error:
        raise DeployFailed(
            HostStatus.NON_OPERATIONAL,
            MANAGEMENT_FAILED,
            [
                (AuditLog.SETUP_NETWORK_FAILED_FOR_MANAGEMENT_NETWORK_CONFIGURATION, {}),
                (AuditLog.SETUP_NETWORKS_FAILURE_DETAIL, {"Reason": str(error)}),
            ],
        ) from None
    except AgentUnreachable:
        raise DeployFailed(HostStatus.NON_RESPONSIVE, NETWORK_ERROR) from None
    caps = await _capabilities(runtime, client, host)
    if caps.get("netConfigDirty"):
        await _persist(client)
        caps = await _capabilities(runtime, client, host)
    return caps, step.device


async def _persist(client: AgentClient) -> None:
    try:
        await client.set_safe_network_config()
    except AgentError:
        raise DeployFailed(
            HostStatus.NON_OPERATIONAL,
            MANAGEMENT_FAILED,
            [(AuditLog.PERSIST_NETWORK_FAILED_FOR_MANAGEMENT_NETWORK, {})],
        ) from None


async def _finish_installed(
    runtime: HostRuntime, ctx: CommandContext, inputs: DeployInputs, caps: dict[str, Any], device: str
) -> None:
    """Installed: 504, then straight to the status monitoring would give the host with these capabilities
    (up, or non-operational when a required network is missing), under the add's correlation id."""
    host = inputs.host

    def installed(store: Store) -> None:
        refs = host_network.where(store, host)
        ready = {"VdsName": host.name, "NetworkName": inputs.spec.name, "InterfaceName": device}
        record(store, ctx, AuditLog.HOST_MANAGEMENT_NETWORK_READY, ready, refs)
        record(store, ctx, AuditLog.VDS_INSTALL, {"VdsName": host.name}, refs)
        current = _fresh(store, host)
        status = HostStatus.INITIALIZING if current.activate_after_install else HostStatus.MAINTENANCE
        settled = store.hosts.update_runtime(host.id, status=status, status_detail="")
        if settled is not None:
            host_network.settle_status(store, ctx, settled, caps, set())

    await runtime.write(installed)


async def _finish_failed(runtime: HostRuntime, ctx: CommandContext, host: Host, failure: DeployFailed) -> None:
    def failed(store: Store) -> None:
        refs = host_network.where(store, host)
        for kind, params in failure.events:
            record(store, ctx, kind, {"VdsName": host.name, **params}, refs)
        record(
            store,
            ctx,
            AuditLog.VDS_INSTALL_FAILED,
            {"VdsName": host.name, "FailedInstallMessage": failure.message},
            refs,
        )
        store.hosts.update_runtime(host.id, status=failure.status, status_detail=failure.message)

    log.warning("install of host %s failed: %s", host.name, failure.message)
    await runtime.write(failed)


async def _event(runtime: HostRuntime, ctx: CommandContext, host: Host, kind: AuditLog, params: dict[str, str]) -> None:
    await runtime.write(
        lambda store: record(store, ctx, kind, {"VdsName": host.name, **params}, host_network.where(store, host))
    )


def _fresh(store: Store, host: Host) -> Host:
    return store.hosts.get(host.id) or host

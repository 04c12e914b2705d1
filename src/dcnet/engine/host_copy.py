"""Copy host networks (host-network-setup.md §11): read both hosts, compute the destination's request (pure,
`domain.setup.copy`) and run it as one setup-networks command on the destination."""

from __future__ import annotations

from dataclasses import replace

from dcnet.domain.entities import NetworkAttachment
from dcnet.domain.errors import BadInput
from dcnet.domain.setup.copy import copy_request
from dcnet.domain.setup.model import SetupRequest
from dcnet.engine import host_setup, refs
from dcnet.engine.context import CommandContext
from dcnet.engine.host_runtime import HostRuntime
from dcnet.store.repositories import Store


def prepare(store: Store, source_id: str, destination_id: str, timeout: float) -> SetupRequest:
    if source_id == destination_id:
        raise BadInput("source_host.id", "the source host is the destination host")
    source = refs.get_or_404(store.hosts, source_id, "Host")
    destination = refs.get_or_404(store.hosts, destination_id, "Host")
    request = copy_request(host_setup.host_context(store, source), host_setup.host_context(store, destination))
    return replace(request, connectivity_timeout=int(timeout))


async def copy_networks(
    runtime: HostRuntime, ctx: CommandContext, source_id: str, destination_id: str
) -> list[NetworkAttachment]:
    """RuleViolation / BadInput when refused (nothing sent); the destination's attachments afterwards."""
    timeout = runtime.settings.connectivity_timeout
    request = await runtime.read(lambda store: prepare(store, source_id, destination_id, timeout))
    return await host_setup.run_request(runtime, ctx, destination_id, request)

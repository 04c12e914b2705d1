"""Sending one `Host.setupNetworks` safely: one network change per host at a time, the engine confirming
connectivity while the agent waits, and the outcome learnt from the agent even when the transport broke
in the middle (`Host.getNetworkTransaction` by request id). Callers run it for one host or for many."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dcnet.rpc.client import AgentClient
from dcnet.rpc.errors import AgentError

log = logging.getLogger("dcnet.engine.setup_networks")


class SetupNetworksError(Exception):
    """The agent refused or rolled back the change (it runs its previous config)."""

    def __init__(self, code: int | None, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"code {code}: {message}" if code is not None else message)


class AgentUnreachable(Exception):
    """The agent could not be reached, and the change's outcome is unknown."""


class HostBusy(Exception):
    """Another network change on this host did not finish within the wait."""


@dataclass(frozen=True)
class Outcome:
    request_id: str
    state: str  # committed


class HostLocks:
    """One network change per host; others wait up to `wait` seconds (oVirt: 20 s)."""

    def __init__(self) -> None:
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @contextlib.asynccontextmanager
    async def hold(self, host_id: str, wait: float = 20.0):  # type: ignore[no-untyped-def]
        lock = self._locks[host_id]
        try:
            await asyncio.wait_for(lock.acquire(), wait)
        except TimeoutError:
            raise HostBusy(f"another network change is in progress on the host (waited {wait:g} s)") from None
        try:
            yield
        finally:
            lock.release()


async def setup_networks(
    client: AgentClient,
    networks: dict[str, Any],
    bondings: dict[str, Any],
    options: dict[str, Any],
    *,
    correlation_id: str,
    confirm_every: float = 0.5,
) -> Outcome:
    request_id = str(uuid.uuid4())
    options = {**options, "requestId": request_id, "correlationId": correlation_id}
    timeout = float(options.get("connectivityTimeout", 120)) + 60
    call = asyncio.ensure_future(client.setup_networks(networks, bondings, options, timeout=timeout))
    confirming = (
        asyncio.ensure_future(_confirm_while(call, client, confirm_every)) if options.get("connectivityCheck") else None
    )
    try:
        await call
    except AgentError as error:
        if error.code is None:
            return await _outcome_after_transport_error(client, request_id, error, timeout)
        raise SetupNetworksError(error.code, error.message) from None
    finally:
        if confirming is not None:
            confirming.cancel()
    return Outcome(request_id, "committed")


def pauses(longest: float) -> Iterator[float]:
    """Short pauses first (a simulated host answers in milliseconds), then every `longest` seconds."""
    pause = min(0.05, longest)
    while True:
        yield pause
        pause = min(pause * 2, longest)


async def _confirm_while(call: asyncio.Future[Any], client: AgentClient, every: float) -> None:
    """The agent keeps the change only if the engine can still reach it through the new configuration."""
    for pause in pauses(every):
        if call.done():
            return
        await asyncio.sleep(pause)
        with contextlib.suppress(AgentError):
            await client.confirm_connectivity()


async def _outcome_after_transport_error(
    client: AgentClient, request_id: str, error: AgentError, timeout: float
) -> Outcome:
    """Ask the agent what became of the request; the agent rolls back on its own if we cannot confirm."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(1)
        try:
            result = await client.get_network_transaction(request_id)
        except AgentError:
            continue
        if result.state == "committed":
            return Outcome(request_id, "committed")
        if result.state == "rolled_back":
            raise SetupNetworksError(10, result.message or "the change was rolled back")
        if result.state == "open":
            with contextlib.suppress(AgentError):
                await client.confirm_connectivity()
    raise AgentUnreachable(f"lost the agent during setup networks: {error.message}")

"""The engine's asynchronous side for hosts: deploy tasks, monitoring, and the per-host network lock.

The REST API runs commands in worker threads; whatever has to talk to agents is handed to this runtime,
which runs in the server's event loop. It holds nothing a restart would lose: a host caught mid-install
is picked up again on start (see `resume`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from dcnet.engine.agents import AgentConnections
from dcnet.engine.context import CommandContext
from dcnet.engine.runner import Engine
from dcnet.engine.setup_networks import HostLocks
from dcnet.store.repositories import Store

log = logging.getLogger("dcnet.engine.hosts")
T = TypeVar("T")


@dataclass(frozen=True)
class HostSettings:
    agent_wait: float = 120.0  # after enrollment, until the agent answers over mutual TLS
    connectivity_timeout: float = 120.0  # sent with the management network's setupNetworks
    monitor_interval: float = 3.0
    ping_timeout: float = 3.0
    poll_pause: float = 0.5
    lock_wait: float = 20.0
    monitor_concurrency: int = 200


class HostRuntime:
    def __init__(self, engine: Engine, connections: AgentConnections, settings: HostSettings) -> None:
        self.engine = engine
        self.connections = connections
        self.settings = settings
        self.locks = HostLocks()
        self.busy: set[str] = set()  # hosts with a deploy (or other exclusive) task running
        self.out_of_sync: dict[str, set[str]] = {}
        self.refresh_wanted: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()

    # ---- database from async code ---------------------------------------------------------------
    async def write(self, command: Callable[[Store], T]) -> T:
        return await asyncio.to_thread(self.engine.execute, command)

    async def read(self, reader: Callable[[Store], T]) -> T:
        return await asyncio.to_thread(self.engine.query, reader)

    # ---- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        from dcnet.engine import deploy, monitoring

        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        for host_id in await self.read(deploy.interrupted_installs):
            self.spawn(host_id, deploy.resume(self, host_id))
        self._keep(asyncio.ensure_future(monitoring.run(self)))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.connections.close()

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def spawn(self, host_id: str, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` as the host's exclusive task (monitoring leaves the host alone meanwhile)."""
        self.busy.add(host_id)

        async def guarded() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("host task for %s failed", host_id)
            finally:
                self.busy.discard(host_id)

        self._keep(asyncio.ensure_future(guarded()))

    def submit(self, host_id: str, make: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """From a worker thread (a REST command): start a host task in the event loop."""
        if self._loop is None:
            raise RuntimeError("the host runtime is not running")
        self._loop.call_soon_threadsafe(lambda: self.spawn(host_id, make()))

    def request_refresh(self, host_id: str) -> None:
        """Fetch the host's capabilities at the next moment rather than on the next cycle."""
        if self._loop is None:
            return

        def wake() -> None:
            self.refresh_wanted.add(host_id)
            self._wake.set()

        self._loop.call_soon_threadsafe(wake)

    async def wait_wake(self, timeout: float) -> bool:
        """True when woken for a refresh before `timeout`, False when the time is up."""
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            return False
        self._wake.clear()
        return True

    def system_context(self, correlation_id: str | None = None) -> CommandContext:
        from dcnet.engine.context import SYSTEM

        return CommandContext.new(SYSTEM, correlation_id)

"""One sim host of a fleet: a whole agent (backend, transactions, state directory, enrollment) that shares
the process, the event loop and the worker threads with thousands of others."""

from __future__ import annotations

import asyncio
import logging
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from uvicorn.server import ServerState

from dcnet.agent.backends.sim import SimBackend
from dcnet.agent.enrollment import Identity
from dcnet.agent.fleet.faults import Faults
from dcnet.agent.fleet.tls import require_client_certificates, server_context
from dcnet.agent.fleet.topology import HostSpec, host_state
from dcnet.agent.persistence import StateDir
from dcnet.agent.transactions import NetworkService

if TYPE_CHECKING:
    from dcnet.agent.fleet.app import FleetAgentApp

DOMAIN = "lab.test"
STATE_FILES = ("running.json", "safe.json", "transaction.json")
log = logging.getLogger("dcnet.agent.fleet")


class SimHost:
    """Host `index` (name sim<index>, fqdn sim<index>.lab.test) on its own loopback address. Its files are
    written without fsync (atomic still): the sim's "disk" only has to survive the sim's crashes."""

    def __init__(self, index: int, address: str, root: Path, spec: HostSpec, *, secure: bool) -> None:
        self.index = index
        self.name = f"sim{index}"
        self.fqdn = f"{self.name}.{DOMAIN}"
        self.address = address
        self.node = spec.node
        self.dir = root / "hosts" / self.name
        booting = self.dir.exists() and any((self.dir / name).exists() for name in STATE_FILES)
        self.state_dir = StateDir(self.dir, durable=False)
        self.backend = SimBackend(host_state(spec, self.name, address, index), features=spec.features())
        self.faults: Faults | None = None  # made by the first Test.hook that needs it
        self.service = self._start_service(boot=booting)
        self.identity = Identity(self.dir, self.fqdn, durable=False) if secure else None
        self.token_path = self.identity.token_path if self.identity is not None else None
        self.enrolled_at_start = self.identity is None or self.identity.enrolled
        self.tls = self._tls_context() if self.identity is not None else None
        self.server_state = ServerState()  # uvicorn's per-server record of connections, here per host
        self.listener: asyncio.AbstractServer | None = None
        self.up_timer: asyncio.TimerHandle | None = None
        self.agent: FleetAgentApp  # set by the fleet, which the app needs to reach other hosts

    # ---- the agent's life ----------------------------------------------------------------------
    def _start_service(self, *, boot: bool) -> NetworkService:
        """At process start the sim "kernel" is new: like a host at boot, apply the safe config (after
        rolling back an open journal). After a simulated crash the kernel stayed: only roll back."""
        service = NetworkService(self.backend, self.state_dir)
        service.crash_hook = self._crash_point
        if boot:
            service.restore_safe_config()
        return service

    def restart(self, *, restore: bool = False) -> None:
        """What a real agent does when it starts again after dying mid-change, or (restore) after Host.restart:
        the safe config replaces the running one, as at boot (blocking: run in a thread)."""
        service = self._start_service(boot=restore)
        outcome = None if restore else service.recover()
        if outcome is not None:
            log.warning("%s: rolled back an unfinished change at restart: %s", self.name, outcome)
        if restore:
            log.info("%s: restarted by Host.restart; safe network config restored", self.name)
        if self.faults is not None:
            self.faults.release()
        self.service = service
        self.agent.service = service

    def _crash_point(self, name: str) -> None:
        if self.faults is not None:
            self.faults.crash_point(name)

    def ensure_faults(self) -> Faults:
        if self.faults is None:
            self.faults = Faults()
        return self.faults

    # ---- TLS -----------------------------------------------------------------------------------
    def _tls_context(self) -> ssl.SSLContext:
        identity = self.identity
        assert identity is not None
        if self.enrolled_at_start:
            paths = identity.enrolled_paths()
            return server_context(paths.cert, paths.key, paths.ca)
        identity.ensure_selfsigned()
        identity.new_token()
        return server_context(identity.selfsigned_path, identity.key_path, before_enrollment=True)

    def on_enrolled(self) -> None:
        """Mutual TLS from now on, without restarting anything: the listener's context (the one new
        connections get) now presents the engine-signed certificate and demands a client certificate from the
        engine's CA; the connections made before (none has one) close once their current answer is out."""
        assert self.identity is not None and self.tls is not None
        paths = self.identity.enrolled_paths()
        require_client_certificates(self.tls, paths.cert, paths.key, paths.ca)
        self.agent.enrolled = True
        log.info("%s: enrolled; only clients signed by the engine CA from now on", self.name)
        for connection in list(self.server_state.connections):
            connection.shutdown()

    def drop_connections(self) -> None:
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()

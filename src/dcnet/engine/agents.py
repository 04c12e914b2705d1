"""Reaching host agents: the address from the host's name, mutual TLS with the engine CA, and the
enrollment that gives an agent its certificate."""

from __future__ import annotations

import asyncio
import logging
import time

from dcnet.domain.entities import Host
from dcnet.engine.pki import EngineCA, enrollment_context
from dcnet.engine.resolver import Resolver
from dcnet.rpc import verbs
from dcnet.rpc.client import AgentClient
from dcnet.rpc.errors import AgentError
from dcnet.rpc.models import BeginEnrollmentResult

log = logging.getLogger("dcnet.engine.agents")


class EnrollmentError(Exception):
    """The agent refused the enrollment (wrong token, already enrolled elsewhere, ...)."""


def agent_url(address: str, port: int) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"https://{host}:{port}"


class AgentConnections:
    """One pooled mutual-TLS client per host, to the first address the host's name resolves to. The name is
    resolved again after `reresolve_after` seconds or once the host stopped answering (`forget`), not on
    every monitoring cycle."""

    def __init__(
        self, ca: EngineCA, resolver: Resolver, *, rpc_timeout: float = 180, reresolve_after: float = 60
    ) -> None:
        self.ca = ca
        self.resolver = resolver
        self.rpc_timeout = rpc_timeout
        self.reresolve_after = reresolve_after
        self._context = ca.client_context()
        self._clients: dict[str, tuple[str, AgentClient, float]] = {}

    async def client(self, host: Host, addresses: list[str] | None = None) -> AgentClient:
        """`addresses`: the name's addresses when the caller has just resolved it. Raises ResolveError when
        the name does not resolve."""
        cached = self._clients.get(host.id)
        if addresses is None and cached is not None and time.monotonic() - cached[2] < self.reresolve_after:
            return cached[1]
        addresses = addresses or await self.resolver.resolve(host.address)
        url = agent_url(addresses[0], host.port)
        if cached is not None and cached[0] == url:
            self._clients[host.id] = (url, cached[1], time.monotonic())
            return cached[1]
        if cached is not None:
            await cached[1].aclose()
        client = AgentClient(url, tls=self._context, timeout=self.rpc_timeout, max_connections=4)
        self._clients[host.id] = (url, client, time.monotonic())
        return client

    async def forget(self, host_id: str) -> None:
        cached = self._clients.pop(host_id, None)
        if cached is not None:
            await cached[1].aclose()

    async def close(self) -> None:
        for _, client, _ in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def enroll(
        self, host: Host, address: str, token: str, *, management_network: str, legacy_bootstrap: bool
    ) -> None:
        """Token + our CA in, CSR out, signed certificate back: from then on mutual TLS only."""
        async with AgentClient(agent_url(address, host.port), tls=enrollment_context(), timeout=60) as client:
            try:
                begin = BeginEnrollmentResult.model_validate(
                    await client.call(
                        verbs.BEGIN_ENROLLMENT,
                        {
                            "token": token,
                            "caCertificate": self.ca.pem,
                            "managementNetwork": management_network,
                            "legacyBootstrap": legacy_bootstrap,
                        },
                    )
                )
                certificate = await asyncio.to_thread(self.ca.sign_agent_csr, begin.csr, host.name)
                await client.call(verbs.COMPLETE_ENROLLMENT, {"token": token, "certificate": certificate}, timeout=300)
            except AgentError as error:
                if error.code is None:
                    raise
                raise EnrollmentError(error.message) from None
            except ValueError as error:
                raise EnrollmentError(f"bad certificate request from the agent: {error}") from None
        log.info("host %s enrolled", host.name)

"""The engine's async client for one agent: JSON-RPC over HTTPS with mutual TLS, pooled connections
and timeouts per call."""

from __future__ import annotations

import itertools
import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from dcnet.rpc import verbs
from dcnet.rpc.errors import AgentError
from dcnet.rpc.models import CapabilitiesResult, Ping2Result, TransactionResult


@dataclass(frozen=True)
class TlsFiles:
    ca: str
    cert: str
    key: str

    def context(self) -> ssl.SSLContext:
        """Trust only the engine's CA; present the engine's client certificate."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca)
        context.check_hostname = False  # agents are identified by their certificate, signed by our CA
        context.load_cert_chain(self.cert, self.key)
        return context


class AgentClient:
    def __init__(
        self,
        base_url: str,
        *,
        tls: TlsFiles | ssl.SSLContext | None = None,
        timeout: float = 10.0,
        max_connections: int = 10,
    ) -> None:
        verify: ssl.SSLContext | bool
        if isinstance(tls, TlsFiles):
            verify = tls.context()
        elif isinstance(tls, ssl.SSLContext):
            verify = tls
        else:
            verify = True
        self._http = httpx.AsyncClient(
            base_url=base_url,
            verify=verify,
            timeout=timeout,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )
        self._ids = itertools.count(1)

    async def call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params or {}}
        try:
            answer = await self._http.post(
                verbs.PATH, json=request, timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
            )
        except httpx.HTTPError as exc:
            raise AgentError(None, f"{method}: cannot reach the agent: {exc!r}") from exc
        if answer.status_code != 200:
            raise AgentError(None, f"{method}: HTTP {answer.status_code}: {answer.text[:200]}")
        body = answer.json()
        if "error" in body:
            error = body["error"]
            raise AgentError(error.get("code"), error.get("message", ""), error.get("data"))
        return body.get("result")

    async def ping2(self) -> Ping2Result:
        return Ping2Result.model_validate(await self.call(verbs.PING2, timeout=5))

    async def get_capabilities(self) -> CapabilitiesResult:
        return CapabilitiesResult.model_validate(await self.call(verbs.GET_CAPABILITIES))

    async def setup_networks(
        self,
        networks: dict[str, Any],
        bondings: dict[str, Any],
        options: dict[str, Any],
        *,
        timeout: float,
    ) -> Any:
        params = {"networks": networks, "bondings": bondings, "options": options}
        return await self.call(verbs.SETUP_NETWORKS, params, timeout=timeout)

    async def confirm_connectivity(self) -> None:
        await self.call(verbs.CONFIRM_CONNECTIVITY, timeout=2)

    async def set_safe_network_config(self) -> None:
        await self.call(verbs.SET_SAFE_NETWORK_CONFIG)

    async def get_network_transaction(self, request_id: str) -> TransactionResult:
        result = await self.call(verbs.GET_NETWORK_TRANSACTION, {"requestId": request_id})
        return TransactionResult.model_validate(result)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AgentClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

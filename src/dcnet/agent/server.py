"""The agent's JSON-RPC 2.0 endpoint (POST /jsonrpc, named parameters, batches)."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dcnet.agent import bootstrap, hooks
from dcnet.agent.enrollment import FailureThrottle, Identity
from dcnet.agent.transactions import NetworkService
from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.rpc import errors, models, verbs

log = logging.getLogger("dcnet.agent.server")
Handler = Callable[[dict[str, Any]], Awaitable[Any]]
# The agent's own address of the connection a call came on (what the engine dialled): set per HTTP body by
# answer_body, read by the enrollment bootstrap, which builds the management network over that address.
LOCAL_ADDRESS: contextvars.ContextVar[str | None] = contextvars.ContextVar("agent_local_address", default=None)
ANSWER_FIRST_SECONDS = 0.3  # an answer leaves before the agent restarts (enrollment, Host.restart)


class AgentApp:
    """Dispatches verbs to the network service; before enrollment only ping and enrollment are served."""

    def __init__(
        self,
        service: NetworkService,
        identity: Identity | None,
        *,
        enrolled: bool,
        on_enrolled: Callable[[], None] | None = None,
        on_restart: Callable[[], None] | None = None,
        node: bool = False,
    ) -> None:
        self.service = service
        self.identity = identity
        self.enrolled = enrolled
        self.on_enrolled = on_enrolled
        self.on_restart = on_restart  # Host.restart: start again, restoring the safe config first
        self.node = node  # an appliance-style node host: it always builds its management network at enrollment
        self.throttle = FailureThrottle()
        self.limiter = anyio.CapacityLimiter(8)
        self.handlers: dict[str, Handler] = {
            verbs.PING2: self.ping2,
            verbs.GET_CAPABILITIES: self.get_capabilities,
            verbs.SETUP_NETWORKS: self.setup_networks,
            verbs.CONFIRM_CONNECTIVITY: self.confirm_connectivity,
            verbs.SET_SAFE_NETWORK_CONFIG: self.set_safe_network_config,
            verbs.GET_NETWORK_TRANSACTION: self.get_network_transaction,
            verbs.BEGIN_ENROLLMENT: self.begin_enrollment,
            verbs.COMPLETE_ENROLLMENT: self.complete_enrollment,
            verbs.RESTART: self.restart,
        }
        if hooks.enabled():
            self.handlers[verbs.TEST_HOOK] = self.test_hook

    def starlette(self) -> Starlette:
        return Starlette(routes=[Route(verbs.PATH, self.endpoint, methods=["POST"])])

    async def endpoint(self, request: Request) -> Response:
        local = bootstrap.local_address(request.scope.get("server"))
        answer = await self.answer_body(await request.body(), local_address=local)
        return JSONResponse(answer) if answer is not None else Response(status_code=204)

    async def answer_body(self, raw: bytes, *, local_address: str | None = None) -> Any:
        """The JSON answer to one HTTP body (None: only notifications, HTTP 204); free of the transport,
        so a simulated fleet serves it from its own listeners. `local_address`: the agent's address the
        body came to (the batch's calls, run as tasks, inherit it)."""
        token = LOCAL_ADDRESS.set(local_address)
        try:
            return await self._answer_body(raw)
        finally:
            LOCAL_ADDRESS.reset(token)

    async def _answer_body(self, raw: bytes) -> Any:
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(None, errors.error_object(errors.PARSE_ERROR, "Parse error"))
        if isinstance(body, list):
            if not body:
                return _error(None, errors.error_object(errors.INVALID_REQUEST, "empty batch"))
            answers = [
                answer for answer in await asyncio.gather(*(self.one(item) for item in body)) if answer is not None
            ]
            return answers or None
        return await self.one(body)

    async def one(self, call: Any) -> dict[str, Any] | None:
        if not isinstance(call, dict) or call.get("jsonrpc") != "2.0" or not isinstance(call.get("method"), str):
            return _error(None, errors.error_object(errors.INVALID_REQUEST, "Invalid Request"))
        call_id, method, params = call.get("id"), call["method"], call.get("params", {})
        notification = "id" not in call  # `"id": null` is a request (JSON-RPC 2.0 §4)
        answer = await self._answer(call_id, method, params)
        return None if notification else answer

    async def _answer(self, call_id: Any, method: str, params: Any) -> dict[str, Any]:
        if not isinstance(params, dict):
            return _error(call_id, errors.error_object(errors.INVALID_PARAMS, "params must be an object (named)"))
        handler = self.handlers.get(method)
        if handler is None:
            return _error(call_id, errors.error_object(errors.METHOD_NOT_FOUND, f"unknown method {method}"))
        if not self.enrolled and method not in verbs.BEFORE_ENROLLMENT:
            return _error(call_id, errors.error_object(int(Code.NOT_ENROLLED), "the agent is not enrolled yet"))
        try:
            result = await handler(params)
        except SetupError as error:
            return _error(call_id, _setup_error_object(error))
        except ValidationError as error:
            detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            return _error(call_id, errors.error_object(errors.INVALID_PARAMS, f"{method}: {detail}"))
        except Exception:
            log.exception("%s failed", method)
            return _error(
                call_id, errors.error_object(int(Code.GENERAL), f"{method}: internal error; see the agent log")
            )
        return {"jsonrpc": "2.0", "id": call_id, "result": result}

    async def _blocking(self, function: Callable[[], Any]) -> Any:
        return await anyio.to_thread.run_sync(function, limiter=self.limiter)

    async def _waiting(self, function: Callable[[], Any]) -> Any:
        """Work that sleeps for seconds (a change awaiting its confirmation): a worker thread in any agent."""
        return await anyio.to_thread.run_sync(function, limiter=self.limiter)

    # ---- verbs ---------------------------------------------------------------------------------
    async def ping2(self, _params: dict[str, Any]) -> Any:
        return models.Ping2Result(changeCounter=self.service.ping2()["changeCounter"]).model_dump()

    async def get_capabilities(self, _params: dict[str, Any]) -> Any:
        return {"status": models.Status().model_dump()} | await self._blocking(self.service.capabilities)

    async def setup_networks(self, params: dict[str, Any]) -> Any:
        request = models.SetupNetworksParams.model_validate(params)
        result = await self._waiting(
            lambda: self.service.setup_networks(request.networks, request.bondings, request.options)
        )
        return models.SetupNetworksResult(**result).model_dump()

    async def confirm_connectivity(self, _params: dict[str, Any]) -> Any:
        self.service.confirm_connectivity()
        return models.StatusResult().model_dump()

    async def set_safe_network_config(self, _params: dict[str, Any]) -> Any:
        await self._blocking(self.service.set_safe_config)
        return models.StatusResult().model_dump()

    async def get_network_transaction(self, params: dict[str, Any]) -> Any:
        request = models.TransactionParams.model_validate(params)
        return models.TransactionResult(**self.service.transaction(request.requestId)).model_dump()

    async def begin_enrollment(self, params: dict[str, Any]) -> Any:
        request = models.BeginEnrollmentParams.model_validate(params)
        identity = self._identity_for_enrollment()
        csr = await self._guarded(lambda: identity.begin(request.token, request.caCertificate))
        network = bootstrap.wanted_network(request, node=self.node)
        await self._blocking(lambda: identity.remember_bootstrap(network))
        return models.BeginEnrollmentResult(csr=csr).model_dump()

    async def complete_enrollment(self, params: dict[str, Any]) -> Any:
        """Certificate checked → management network built (when asked at begin) → identity committed: a
        failure before the commit leaves the agent un-enrolled and the token good for another try."""
        request = models.CompleteEnrollmentParams.model_validate(params)
        identity = self._identity_for_enrollment()
        await self._guarded(lambda: identity.check_certificate(request.token, request.certificate))
        network = identity.pending_bootstrap()
        if network is not None:
            local = LOCAL_ADDRESS.get()
            await self._waiting(
                lambda: bootstrap.build_management_network(self.service, network, local, identity.hostname)
            )
        await self._blocking(lambda: identity.commit(request.certificate))
        if self.on_enrolled is not None:
            asyncio.get_running_loop().call_later(ANSWER_FIRST_SECONDS, self.on_enrolled)
        return models.StatusResult().model_dump()

    async def restart(self, _params: dict[str, Any]) -> Any:
        """Answer, then start again restoring the safe config first: the legacy install's "reboot", which
        proves that what was persisted comes back. Refused (40) while a network change is in progress."""
        if self.on_restart is None:
            raise SetupError(Code.GENERAL, "this agent cannot restart itself")
        if _change_in_progress(self.service):
            raise SetupError(Code.UNAVAILABLE, "another network change is in progress on this host")
        log.info("Host.restart: restarting and restoring the safe network config")
        asyncio.get_running_loop().call_later(ANSWER_FIRST_SECONDS, self.on_restart)
        return models.StatusResult().model_dump()

    def _identity_for_enrollment(self) -> Identity:
        if self.enrolled or self.identity is None:
            raise SetupError(Code.ENROLLMENT_REFUSED, "this agent is already enrolled (or runs without enrollment)")
        return self.identity

    async def _guarded(self, step: Callable[[], Any]) -> Any:
        """Wrong tokens are answered more and more slowly."""
        await asyncio.sleep(self.throttle.delay())
        try:
            result = await self._blocking(step)
        except SetupError as error:
            if error.code == Code.ENROLLMENT_REFUSED:
                self.throttle.failed()
                log.warning("enrollment refused: %s", error.message)
            raise
        self.throttle.succeeded()
        return result

    async def test_hook(self, params: dict[str, Any]) -> Any:
        """Only with DCNET_TEST_HOOKS=1 (fault injection grows here in the fleet issue)."""
        action = params.get("action")
        if action == "touch" and hasattr(self.service.backend, "touch"):
            self.service.backend.touch()
            return models.StatusResult().model_dump()
        raise SetupError(Code.BAD_PARAMS, f"unknown test hook action {action!r}")


def _error(call_id: Any, error: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": call_id, "error": error}


def _setup_error_object(error: SetupError) -> dict[str, Any]:
    body = errors.from_setup_error(error)
    body["data"] |= bootstrap.error_data(error)
    return body


def _change_in_progress(service: NetworkService) -> bool:
    """NetworkService has no public flag yet: its lock is held for exactly as long as a change (or a save)."""
    lock = getattr(service, "_lock", None)
    return bool(lock is not None and lock.locked())

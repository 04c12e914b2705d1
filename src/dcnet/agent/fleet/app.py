"""A sim host's JSON-RPC app: the agent's own dispatch, plus the faults Test.hook injected into it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from dcnet.agent.fleet.faults import ALL
from dcnet.agent.server import AgentApp
from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.rpc import errors, models, verbs

if TYPE_CHECKING:
    from dcnet.agent.fleet.host import SimHost

ACTIONS = (
    "latency", "fail", "hang", "lose_connectivity", "ignore_commit", "crash_at", "down", "up", "clear", "touch",
)  # fmt: skip


class FleetControl(Protocol):
    """What a host's Test.hook may ask of the fleet."""

    def find(self, target: str) -> SimHost | None: ...

    def down(self, host: SimHost, seconds: float | None, *, answer_first: bool) -> None: ...

    def up(self, host: SimHost) -> Awaitable[None]: ...

    def reboot(self, host: SimHost) -> None: ...


class FleetAgentApp(AgentApp):
    """The agent's JSON-RPC app for one sim host; enrollment completes without a restart (host.on_enrolled);
    Host.restart takes the host down briefly and brings it back with its safe config (control.reboot)."""

    def __init__(self, host: SimHost, control: FleetControl, *, enrolled: bool) -> None:
        super().__init__(
            host.service,
            host.identity,
            enrolled=enrolled,
            on_enrolled=host.on_enrolled,
            on_restart=lambda: control.reboot(host),
            node=host.node,
        )
        self.host = host
        self.control = control

    async def _blocking(self, function: Callable[[], Any]) -> Any:
        """On the event loop: a sim host's reports and enrollment steps take about a millisecond, and handing
        them to worker threads costs the loop as much again (GIL hand-offs between thousands of hosts' calls).
        Changes, which sleep while they wait for their confirmation, still get a thread (_waiting)."""
        return function()

    async def _answer(self, call_id: Any, method: str, params: Any) -> dict[str, Any]:
        faults = self.host.faults
        if faults is not None and method != verbs.TEST_HOOK:
            delay = faults.delay(method)
            if delay:
                await asyncio.sleep(delay)
            if faults.hangs_on(method):
                await faults.hang()
                return _error(call_id, errors.INTERNAL_ERROR, f"{method}: the hung call was released")
            failure = faults.failure(method)
            if failure is not None:
                return _error(call_id, *failure)
            if method == verbs.CONFIRM_CONNECTIVITY and faults.lost_connectivity and self.enrolled:
                return {"jsonrpc": "2.0", "id": call_id, "result": models.StatusResult().model_dump()}
            if method == verbs.SETUP_NETWORKS and faults.ignore_commit and isinstance(params, dict):
                options = params.get("options")
                params = (
                    {**params, "options": {**options, "commitOnSuccess": False}}
                    if isinstance(options, dict)
                    else params
                )
        return await super()._answer(call_id, method, params)

    async def test_hook(self, params: dict[str, Any]) -> Any:
        """Fault injection on sim hosts (only with DCNET_TEST_HOOKS=1); parameters are
        dcnet.rpc.models.HookParams. Faults stay until `clear` (a restart keeps them, except the crash):

        action="latency", seconds=S [, verb=V]  wait S seconds before answering V (default: every verb)
        action="fail", code=C [, message=M] [, verb=V]
                                                answer V with the JSON-RPC error C (not executing it)
        action="hang" [, verb=V]                never answer V (the calls wait until `clear` or a restart)
        action="lose_connectivity"              Host.confirmConnectivity is answered but ignored, so a change
                                                with connectivityCheck rolls back with code 10
        action="ignore_commit"                  Host.setupNetworks ignores commitOnSuccess (an older agent):
                                                the change runs but is not persisted (netConfigDirty)
        action="crash_at", point=P [, seconds=S]
                                                the next Host.setupNetworks dies at P (after_journal |
                                                mid_apply | after_verify): the host's connections drop, its
                                                journal stays open; S seconds later (default 0.5) it
                                                "restarts": rolls the change back like a real agent, listens
        action="down" [, seconds=S]             stop answering: the listener closes (connections refused),
                                                open connections drop; back after S seconds or at `up`
        action="up"                             listen again (a down host hears nothing: send this to another
                                                host with target=)
        action="clear" [, verb=V]               forget V's faults, or every fault of the host
        action="touch"                          a network change behind the agent's back (changeCounter)
        target=T                                act on host T of the same fleet (sim7 or its address)
        """
        request = models.HookParams.model_validate(params)
        host = self.host
        if request.target is not None:
            found = self.control.find(request.target)
            if found is None:
                raise SetupError(Code.BAD_PARAMS, f"no sim host {request.target!r} in this fleet")
            host = found
        verb = request.verb or ALL
        action = request.action
        if action not in ACTIONS:
            raise SetupError(Code.BAD_PARAMS, f"unknown test hook action {action!r} (one of {', '.join(ACTIONS)})")
        if action == "latency":
            host.ensure_faults().latency[verb] = _required(request.seconds, "seconds", action)
        elif action == "fail":
            code = _required(request.code, "code", action)
            host.ensure_faults().failures[verb] = (code, request.message or f"simulated failure (code {code})")
        elif action == "hang":
            host.ensure_faults().hangs.add(verb)
        elif action == "lose_connectivity":
            host.ensure_faults().lost_connectivity = True
        elif action == "ignore_commit":
            host.ensure_faults().ignore_commit = True
        elif action == "crash_at":
            faults = host.ensure_faults()
            faults.crash_at = _required(request.point, "point", action)
            faults.restart_seconds = request.seconds if request.seconds is not None else 0.5
        elif action == "down":
            self.control.down(host, request.seconds, answer_first=host is self.host)
        elif action == "up":
            await self.control.up(host)
        elif action == "clear":
            if host.faults is not None:
                host.faults.clear(request.verb)
        else:  # touch
            host.backend.touch()
        return models.StatusResult().model_dump()


def _required(value: Any, name: str, action: str) -> Any:
    if value is None:
        raise SetupError(Code.BAD_PARAMS, f"test hook {action} needs {name}")
    return value


def _error(call_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": call_id, "error": errors.error_object(code, message)}

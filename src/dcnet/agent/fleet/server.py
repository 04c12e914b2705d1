"""The fleet's transport: one asyncio server per sim host socket (each host has its own TLS context, and a
context belongs to a listener), uvicorn's HTTP protocol on every connection, and one ASGI app that finds
the host by the local address of the connection (scope["server"]).

uvicorn.Server is not used: it serves one app on sockets that share one TLS context. Its protocol classes
are, built the way uvicorn.Server.startup builds them, with a ServerState per host so a host's
connections can be dropped (down, crash) or closed (enrollment) without touching the others'."""

from __future__ import annotations

import asyncio
import contextvars
import errno
import functools
import json
import logging
import socket
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import anyio
import uvicorn

from dcnet.agent.fleet.app import FleetAgentApp
from dcnet.agent.fleet.faults import SimulatedCrash
from dcnet.agent.fleet.host import SimHost
from dcnet.rpc import verbs

HANDSHAKE_TIMEOUT = 10.0
REBOOT_SECONDS = 0.5  # how long a sim host stays down for Host.restart
BACKLOG = 128
WORKER_THREADS = 64  # shared by all hosts, for changes (each holds one while it waits); more at once queue
CURRENT_HOST: contextvars.ContextVar[str] = contextvars.ContextVar("sim_host", default="-")
log = logging.getLogger("dcnet.agent.fleet")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class FleetServer:
    def __init__(self, hosts: list[SimHost], port: int, *, secure: bool) -> None:
        self.hosts = hosts
        self.port = port
        self.secure = secure
        self.by_address = {host.address: host for host in hosts}
        self.by_name = {host.name: host for host in hosts}
        limiter = anyio.CapacityLimiter(WORKER_THREADS)
        for host in hosts:
            host.agent = FleetAgentApp(host, self, enrolled=host.enrolled_at_start)
            host.agent.limiter = limiter
        self.config = uvicorn.Config(
            self.asgi,
            interface="asgi3",
            ws="none",
            lifespan="off",
            proxy_headers=False,
            access_log=False,
            log_config=None,
            server_header=False,
            date_header=False,
            timeout_keep_alive=120,
        )
        self.config.load()
        logging.getLogger("uvicorn.access").propagate = False
        self.app_state: dict[str, Any] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self._binding: set[str] = set()

    # ---- listeners -----------------------------------------------------------------------------
    async def start(self) -> None:
        for host in self.hosts:
            await self.listen(host)

    async def listen(self, host: SimHost) -> None:
        if host.listener is not None or host.name in self._binding:
            return
        self._binding.add(host.name)
        try:
            loop = asyncio.get_running_loop()
            protocol_class: Any = self.config.http_protocol_class  # uvicorn's; takes what Server.startup gives
            factory = functools.partial(
                protocol_class,
                config=self.config,
                server_state=host.server_state,
                app_state=self.app_state,
                _loop=loop,
            )
            host.listener = await loop.create_server(
                factory,
                sock=await self._bound(host.address),
                ssl=host.tls,
                backlog=BACKLOG,
                ssl_handshake_timeout=HANDSHAKE_TIMEOUT if host.tls is not None else None,
            )
        finally:
            self._binding.discard(host.name)

    async def _bound(self, address: str) -> socket.socket:
        """A listener closed a moment ago may not have let go of the address yet (uvloop closes on the next
        loop turn): retry for a while."""
        for attempt in range(100):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((address, self.port))
                return sock
            except OSError as exc:
                sock.close()
                if exc.errno != errno.EADDRINUSE or attempt == 99:
                    raise
            await asyncio.sleep(0.02)
        raise AssertionError("unreachable")

    def take_down(self, host: SimHost) -> None:
        """Connections refused from now on; open ones dropped."""
        if host.listener is not None:
            host.listener.close()
            host.listener = None
        host.drop_connections()

    # ---- FleetControl (for Test.hook) -------------------------------------------------------------
    def find(self, target: str) -> SimHost | None:
        return self.by_name.get(target) or self.by_address.get(target)

    def down(self, host: SimHost, seconds: float | None, *, answer_first: bool) -> None:
        loop = asyncio.get_running_loop()
        self._cancel_timer(host)
        if answer_first:  # the host takes itself down: let the hook's answer leave first
            loop.call_later(0.1, self.take_down, host)
        else:
            self.take_down(host)
        if seconds is not None:
            host.up_timer = loop.call_later((0.1 if answer_first else 0) + seconds, self._up_soon, host)

    async def up(self, host: SimHost) -> None:
        self._cancel_timer(host)
        await self.listen(host)

    def _up_soon(self, host: SimHost) -> None:
        host.up_timer = None
        self.spawn(self.listen(host))

    @staticmethod
    def _cancel_timer(host: SimHost) -> None:
        if host.up_timer is not None:
            host.up_timer.cancel()
            host.up_timer = None

    def crash(self, host: SimHost, point: str) -> None:
        """The host's "process" died at `point`: nothing answers, then it restarts and rolls back."""
        log.warning("%s: simulated crash at %s; restarting", host.name, point)
        self._cancel_timer(host)
        self.take_down(host)
        delay = host.faults.restart_seconds if host.faults is not None else 0.5
        self.spawn(self._restart(host, delay))

    def reboot(self, host: SimHost) -> None:
        """Host.restart (its answer is out): down for a moment, then back with the safe config running."""
        log.info("%s: Host.restart; down for %.1f s", host.name, REBOOT_SECONDS)
        self._cancel_timer(host)
        self.take_down(host)
        self.spawn(self._restart(host, REBOOT_SECONDS, restore=True))

    async def _restart(self, host: SimHost, delay: float, *, restore: bool = False) -> None:
        await asyncio.sleep(delay)
        token = CURRENT_HOST.set(host.name)
        try:
            await anyio.to_thread.run_sync(lambda: host.restart(restore=restore))
        finally:
            CURRENT_HOST.reset(token)
        await self.listen(host)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("fleet task failed", exc_info=task.exception())

    async def stop(self) -> None:
        """Listeners closed, connections dropped, calls in progress cancelled (quietly: uvicorn would log each
        cancelled call as an error)."""
        tasks = list(self.tasks)
        for host in self.hosts:
            self._cancel_timer(host)
            self.take_down(host)
            if host.faults is not None:
                host.faults.release()
            tasks += host.server_state.tasks
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ---- the ASGI app --------------------------------------------------------------------------
    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        server = scope.get("server")
        host = self.by_address.get(server[0]) if server else None
        if host is None:
            await _respond(send, 404, b"")
            return
        if host.listener is None:  # down or crashed: a connection that was still in its TLS handshake
            host.drop_connections()
            await _disconnected(receive)
            return
        if scope["path"] != verbs.PATH:
            await _respond(send, 404, b"")
            return
        if scope["method"] != "POST":
            await _respond(send, 405, b"", [(b"allow", b"POST")])
            return
        body = await _body(receive)
        if body is None:
            return
        token = CURRENT_HOST.set(host.name)
        try:
            answer = await host.agent.answer_body(body, local_address=host.address)
        except SimulatedCrash as crash:
            self.crash(host, crash.point)
            await _disconnected(receive)
            return
        finally:
            CURRENT_HOST.reset(token)
        if answer is None:
            await _respond(send, 204, b"")
            return
        payload = json.dumps(answer, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
        await _respond(send, 200, payload, [(b"content-type", b"application/json")])


async def _body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    all_headers = [(b"content-length", str(len(body)).encode()), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})

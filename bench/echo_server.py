"""The baseline of bench.sim_fleet: the barest HTTPS JSON echo server that answers the engine's client.

Same addresses, port and TLS settings as the fleet (dcnet.agent.fleet.tls.server_context, mutual TLS with
the engine CA, uvloop), but one shared context, one asyncio.Protocol per connection and the httptools
parser straight on the bytes: the JSON-RPC id echoed back with a ping2-shaped result. Everything the fleet
does on top (uvicorn's protocol, ASGI, per-host dispatch, JSON-RPC checks, the agent's verb) is what the
benchmark's ratio measures.

    python -m bench.echo_server --base 127.2.0.1 --count 10000 --port 54321 --cert C --key K --ca CA
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import signal
import socket
from pathlib import Path
from typing import Any

import httptools
import uvloop

from dcnet.agent.fleet.serve import raise_open_files
from dcnet.agent.fleet.tls import server_context


class Echo(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport instances
        self.parser = httptools.HttpRequestParser(self)
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.close()

    def on_message_begin(self) -> None:
        self.body = []

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        call = json.loads(b"".join(self.body))
        answer = {"jsonrpc": "2.0", "id": call.get("id"), "result": {"status": {"code": 0, "message": "Done"},
                  "changeCounter": 0}}  # fmt: skip
        payload = json.dumps(answer, separators=(",", ":")).encode()
        head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(payload)
        self.transport.write(head + payload)
        if not self.parser.should_keep_alive():
            self.transport.close()


async def serve(base: str, count: int, port: int, cert: Path, key: Path, ca: Path) -> None:
    context = server_context(cert, key, ca)
    loop = asyncio.get_running_loop()
    first = ipaddress.IPv4Address(base)
    for index in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((str(first + index), port))
        await loop.create_server(Echo, sock=sock, ssl=context, backlog=128)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", type=Path, required=True)
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--ca", type=Path, required=True)
    args = parser.parse_args()
    raise_open_files(3 * args.count + 512)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(args.base, args.count, args.port, args.cert, args.key, args.ca))


if __name__ == "__main__":
    main()

"""`dcnet-agent`: serve the host's networking over JSON-RPC, or restore the safe config (at boot)."""

from __future__ import annotations

import logging
import os
import socket
import ssl
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from dcnet.agent.backend import Backend
from dcnet.agent.enrollment import Identity
from dcnet.agent.persistence import StateDir
from dcnet.agent.server import AgentApp
from dcnet.agent.transactions import NetworkService
from dcnet.rpc.verbs import DEFAULT_PORT

app = typer.Typer(help="The dcnet host agent.", no_args_is_help=True)
log = logging.getLogger("dcnet.agent")
RESTORE_AT_START = "DCNET_AGENT_RESTORE_AT_START"  # set by Host.restart for the process it execs into

StateOption = Annotated[Path, typer.Option("--state-dir", help="where the agent keeps configs, journal and keys")]
BackendOption = Annotated[str, typer.Option("--backend", help="real (Linux netlink) or sim (in memory)")]
ResolvOption = Annotated[
    Path,
    typer.Option(
        "--resolv-conf",
        help="the resolver configuration the default-route network's name servers are written to",
    ),
]
OvsdbOption = Annotated[
    str | None, typer.Option("--ovsdb", help="Open vSwitch database socket (unix:PATH) for `switch: ovs` networks")
]


def make_backend(
    kind: str, state_dir: Path, ovsdb: str | None = None, resolv_conf: Path = Path("/etc/resolv.conf")
) -> Backend:
    if kind == "sim":
        from dcnet.agent.backends.sim import SimBackend

        return SimBackend()
    if kind == "real":
        from dcnet.agent.backends.linux import LinuxBackend
        from dcnet.agent.backends.ovs import OvsSwitch

        return LinuxBackend(state_dir / "run", ovs=OvsSwitch(ovsdb) if ovsdb else None, resolv_conf=resolv_conf)
    raise typer.BadParameter(f"unknown backend {kind!r} (real or sim)", param_hint="--backend")


def _listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise typer.BadParameter(f"expected ADDRESS:PORT, got {listen!r}", param_hint="--listen")
    return (host or "::").strip("[]"), int(port)


def _setup_logging(state_dir: Path) -> None:
    logging.basicConfig(
        level=os.environ.get("DCNET_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[logging.StreamHandler(sys.stderr), logging.FileHandler(state_dir / "agent.log")],
    )


@app.command()
def serve(
    state_dir: StateOption,
    listen: Annotated[str, typer.Option(help="ADDRESS:PORT")] = f"[::]:{DEFAULT_PORT}",
    backend: BackendOption = "real",
    tls_ca: Annotated[Path | None, typer.Option(help="engine CA certificate (clients must be signed by it)")] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="the agent's certificate")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="the agent's key")] = None,
    insecure_dev: Annotated[bool, typer.Option(help="plain HTTP, no client authentication (development)")] = False,
    ovsdb: OvsdbOption = None,
    resolv_conf: ResolvOption = Path("/etc/resolv.conf"),
    fleet: Annotated[int, typer.Option(help="serve N simulated hosts from this process (with --backend sim)")] = 0,
    fleet_base: Annotated[str, typer.Option(help="address of host sim0; sim<i> listens on BASE+i")] = "127.1.0.1",
    fleet_topology: Annotated[Path | None, typer.Option(help="YAML/JSON file: the sim hosts' devices")] = None,
    node: Annotated[
        bool, typer.Option(help="an appliance-style node host: build the management network bridge at enrollment")
    ] = False,
) -> None:
    """Serve the agent. Without certificates (and without --insecure-dev) it waits for enrollment."""
    if fleet:
        if node:
            raise typer.BadParameter("a fleet's node hosts are marked in --fleet-topology (node: true)")
        tls = (tls_ca, tls_cert, tls_key)
        _serve_fleet(state_dir, fleet, fleet_base, fleet_topology, listen, backend, insecure_dev, tls)
        return
    state = StateDir(state_dir)
    _setup_logging(state_dir)
    host, port = _listen(listen)
    service = NetworkService(make_backend(backend, state_dir, ovsdb, resolv_conf), state)
    outcome = service.recover()
    if outcome is not None:
        log.warning("rolled back an unfinished change at start: %s", outcome)
    _restore_if_restarted(service)
    identity = Identity(state_dir)
    ssl_options: dict[str, object] = {}
    enrolled = True
    if insecure_dev:
        log.warning("--insecure-dev: plain HTTP without client authentication")
    elif tls_ca and tls_cert and tls_key:
        ssl_options = _mutual_tls(tls_ca, tls_cert, tls_key)
    elif any((tls_ca, tls_cert, tls_key)):
        raise typer.BadParameter("give all of --tls-ca, --tls-cert and --tls-key", param_hint="--tls-ca")
    elif identity.enrolled:
        paths = identity.enrolled_paths()
        ssl_options = _mutual_tls(paths.ca, paths.cert, paths.key)
    else:
        enrolled = False
        token = identity.prepare()
        ssl_options = {"ssl_keyfile": str(identity.key_path), "ssl_certfile": str(identity.selfsigned_path)}
        print(f"dcnet-agent: not enrolled; enrollment token: {token} (also in {identity.token_path})", flush=True)
    agent = AgentApp(
        service, identity, enrolled=enrolled, on_enrolled=_reexec, on_restart=_restart_restoring_safe_config, node=node
    )
    log.info(
        "dcnet-agent serving %s:%d (%s, backend %s%s)",
        host, port, "enrolled" if enrolled else "enrollment", backend, ", node host" if node else "",
    )  # fmt: skip
    config = uvicorn.Config(
        agent.starlette(),
        log_level="warning",
        timeout_keep_alive=120,
        **ssl_options,  # type: ignore[arg-type]
    )
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port)])


def _serve_fleet(
    state_dir: Path,
    count: int,
    base: str,
    topology: Path | None,
    listen: str,
    backend: str,
    insecure: bool,
    tls: tuple[Path | None, ...],
) -> None:
    """`--fleet N`: N sim hosts in one process, each enrolled on its own (see dcnet.agent.fleet); of --listen
    only the port counts, every host has its own address."""
    if backend != "sim":
        raise typer.BadParameter("a fleet is simulated: add --backend sim", param_hint="--fleet")
    if any(tls):
        raise typer.BadParameter("a fleet's hosts enroll one by one; --tls-* do not apply", param_hint="--fleet")
    from dcnet.agent.fleet.serve import FleetError, serve_fleet

    try:
        serve_fleet(state_dir, count, base, _listen(listen)[1], topology, insecure=insecure)
    except FleetError as exc:
        raise typer.BadParameter(str(exc), param_hint="--fleet") from None


def _listening_socket(host: str, port: int) -> socket.socket:
    """`::` listens on IPv6 and IPv4 alike (asyncio would make it IPv6-only)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((host, port))
    return sock


def _mutual_tls(ca: Path, cert: Path, key: Path) -> dict[str, object]:
    return {
        "ssl_ca_certs": str(ca),
        "ssl_certfile": str(cert),
        "ssl_keyfile": str(key),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
    }


def _reexec() -> None:
    """After enrollment, start again so the listener requires client certificates from the engine CA."""
    log.info("enrollment complete; restarting with mutual TLS")
    _exec_self()


def _restart_restoring_safe_config() -> None:
    """Host.restart: the same process image again, told (by the environment) to restore the safe config
    before it listens, as a host does at boot."""
    log.info("Host.restart: restarting; the safe network config is restored before serving")
    os.environ[RESTORE_AT_START] = "1"
    _exec_self()


def _exec_self() -> None:
    logging.shutdown()  # flush the log files: exec does not
    os.execv(sys.executable, [sys.executable, "-m", "dcnet.agent.main", *sys.argv[1:]])


def _restore_if_restarted(service: NetworkService) -> None:
    """Honour Host.restart once: the variable is removed so a later exec (enrollment) does not restore again."""
    if os.environ.pop(RESTORE_AT_START, None) != "1":
        return
    service.restore_safe_config()
    log.info("restarted by Host.restart: safe network config restored")


@app.command()
def restore(
    state_dir: StateOption,
    backend: BackendOption = "real",
    ovsdb: OvsdbOption = None,
    resolv_conf: ResolvOption = Path("/etc/resolv.conf"),
) -> None:
    """Apply the safe config (what the host runs at boot), rolling back any unfinished change first."""
    _setup_logging(state_dir)
    service = NetworkService(make_backend(backend, state_dir, ovsdb, resolv_conf), StateDir(state_dir))
    service.restore_safe_config()
    print("dcnet-agent: safe network config restored")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

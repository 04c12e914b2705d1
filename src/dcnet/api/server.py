"""`dcnet-engine`: serve the API, and manage local users on the engine's machine."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from dcnet.api.app import Settings, create_app
from dcnet.domain.entities import Role
from dcnet.domain.errors import DomainError
from dcnet.engine import bootstrap, users
from dcnet.engine.agents import AgentConnections
from dcnet.engine.host_runtime import HostRuntime, HostSettings
from dcnet.engine.pki import EngineCA
from dcnet.engine.resolver import make_resolver
from dcnet.engine.runner import Engine, open_engine

DEFAULT_DB = "sqlite:///dcnet-engine.db"
app = typer.Typer(help="The dcnet engine: REST API server and local user management.", no_args_is_help=True)
user_app = typer.Typer(help="Local users (admin: everything; viewer: read only).", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console()
err = Console(stderr=True)

DbOption = Annotated[str, typer.Option("--db", help="database URL: sqlite:///path or postgresql+psycopg://...")]


def _split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise typer.BadParameter(f"expected ADDRESS:PORT, got {listen!r}", param_hint="--listen")
    return host.strip("[]"), int(port)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    listen: Annotated[str, typer.Option(help="address:port to listen on")] = "127.0.0.1:8080",
    token_ttl: Annotated[int, typer.Option(help="access token lifetime in seconds")] = 8 * 3600,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
    state_dir: Annotated[
        Path | None,
        typer.Option(help="the engine's secrets (its CA); default: beside the SQLite file; keep it across restarts"),
    ] = None,
    dns_server: Annotated[
        str | None, typer.Option(help="resolve host names at this DNS server (ADDRESS:PORT) instead of getaddrinfo")
    ] = None,
    agent_wait: Annotated[float, typer.Option(help="seconds to wait for a new host's agent to answer")] = 120,
    connectivity_timeout: Annotated[
        float, typer.Option(help="seconds an agent waits for the engine to confirm a network change")
    ] = 120,
    monitor_interval: Annotated[float, typer.Option(help="seconds between host monitoring cycles")] = 3,
) -> None:
    """Migrate the database, initialize it on first start, and serve the REST API, deploys and monitoring."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host, port = _split_listen(listen)
    secrets_dir = state_dir or _default_state_dir(db)
    try:
        resolver = make_resolver(dns_server)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--dns-server") from None
    engine = open_engine(db)
    try:
        created = engine.execute(lambda store: bootstrap.initialize(store, os.environ.get("DCNET_ADMIN_PASSWORD")))
    except bootstrap.AdminPasswordMissing as exc:
        _fail(str(exc), 2)
    except DomainError as exc:
        _fail(f"cannot initialize the database: {exc}", 2)
    if created:
        err.print(
            "Initialized a new database: data center Default, cluster Default, network ovirtmgmt, user admin@internal"
        )
    err.print(f"dcnet engine API on http://{listen}/ovirt-engine/api (token: POST /ovirt-engine/sso/oauth/token)")
    ca = EngineCA.load_or_create(secrets_dir)
    settings = HostSettings(
        agent_wait=agent_wait, connectivity_timeout=connectivity_timeout, monitor_interval=monitor_interval
    )
    runtime = HostRuntime(engine, AgentConnections(ca, resolver), settings)
    uvicorn.run(
        create_app(engine, Settings(token_ttl_seconds=token_ttl), runtime),
        host=host,
        port=port,
        log_level=log_level.lower(),
        access_log=log_level.lower() == "debug",
    )


def _default_state_dir(db: str) -> Path:
    """Beside the SQLite file (`x.db` → `x.db.state/`); a server database needs --state-dir."""
    if db.startswith("sqlite:///"):
        return Path(db.removeprefix("sqlite:///") + ".state")
    _fail("--state-dir is required with a database server (the engine's CA must survive restarts)", 2)
    raise AssertionError


def _engine(db: str) -> Engine:
    return open_engine(db)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    name: str,
    db: DbOption = DEFAULT_DB,
    role: Annotated[Role, typer.Option(help="admin or viewer")] = Role.VIEWER,
    password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False,
) -> None:
    """Add a local user (the name gets @internal unless it has a domain)."""
    engine = _engine(db)
    try:
        user = engine.execute(lambda store: users.add_user(store, name, _password(password_stdin), role))
    except DomainError as exc:
        _fail(str(exc))
    console.print(f"added {user.name} ({user.role.value})")


@user_app.command("passwd")
def user_passwd(
    name: str,
    db: DbOption = DEFAULT_DB,
    password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False,
) -> None:
    """Set a user's password; the user's tokens are revoked."""
    engine = _engine(db)
    try:
        user = engine.execute(lambda store: users.set_password(store, name, _password(password_stdin)))
    except DomainError as exc:
        _fail(str(exc))
    console.print(f"password of {user.name} changed; existing tokens revoked")


@user_app.command("remove")
def user_remove(name: str, db: DbOption = DEFAULT_DB) -> None:
    """Remove a user (never the last admin)."""
    engine = _engine(db)
    try:
        engine.execute(lambda store: users.remove_user(store, name))
    except DomainError as exc:
        _fail(str(exc))
    console.print(f"removed {users.qualified(name)}")


@user_app.command("list")
def user_list(db: DbOption = DEFAULT_DB) -> None:
    """List local users and their roles."""
    engine = _engine(db)
    table = Table("name", "role")
    for user in engine.query(lambda store: store.users.list()):
        table.add_row(user.name, user.role.value)
    console.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

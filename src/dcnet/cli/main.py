"""The `dcnet` command: global options, the command tree, and the one place errors are reported.

Expected failures (CliError: faults, refused connections, no session) print `error: ...` on stderr
and exit with status 1, without a traceback.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from dcnet.cli import auth, clusters, datacenters, events, host_networks, hosts, networks, vnicprofiles
from dcnet.cli.errors import CliError
from dcnet.cli.state import GlobalOptions

_CORRELATION_ID = re.compile(r"[\x21-\x7e]{1,128}")


class _ReportingGroup(TyperGroup):
    """Wraps the whole command tree: a CliError anywhere ends as a message and exit status 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CliError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            if exc.hint:
                typer.echo(f"hint: {exc.hint}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_ReportingGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _check_correlation_id(value: str | None) -> str | None:
    if value is not None and not _CORRELATION_ID.fullmatch(value):
        raise typer.BadParameter("must be 1-128 printable ASCII characters without spaces")
    return value


@app.callback()
def root(
    ctx: typer.Context,
    correlation_id: Annotated[
        str | None,
        typer.Option(
            "--correlation-id",
            help="tag the changes this command makes (see `dcnet events --correlation-id`)",
            callback=_check_correlation_id,
        ),
    ] = None,
) -> None:
    """Manage dcnet data centers, clusters, networks, vNIC profiles and hosts through the engine's REST API."""
    ctx.obj = GlobalOptions(correlation_id=correlation_id)


app.command()(auth.login)
app.command()(auth.logout)
app.command()(auth.whoami)
app.add_typer(datacenters.app, name="dc")
app.add_typer(clusters.app, name="cluster")
app.add_typer(networks.app, name="network")
app.add_typer(vnicprofiles.app, name="vnicprofile")
app.add_typer(hosts.app, name="host")
HOST_NETWORK_COMMANDS = host_networks  # importing it added its commands (networks, attach, ...) to `host`
app.command()(events.events)
app.command()(events.jobs)


if __name__ == "__main__":
    app()

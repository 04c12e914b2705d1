"""What the root command passes down to every subcommand (global options), and how a command gets an
authenticated API client from it."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from dcnet.cli import session
from dcnet.cli.http import Api


@dataclass(frozen=True)
class GlobalOptions:
    correlation_id: str | None = None


def options(ctx: typer.Context) -> GlobalOptions:
    found = ctx.find_object(GlobalOptions)
    return found if found is not None else GlobalOptions()


def connect(ctx: typer.Context) -> Api:
    """An API client for the current session, tagging writes with the global --correlation-id."""
    return Api(session.current(), correlation_id=options(ctx).correlation_id)

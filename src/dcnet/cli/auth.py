"""`dcnet login`, `logout` and `whoami`: getting, dropping and checking the session's token."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from dcnet.cli import http, render, session
from dcnet.cli.errors import CliError, NotLoggedIn
from dcnet.cli.state import connect

DEFAULT_URL = "http://127.0.0.1:8080"


def _default_url() -> str:
    """--url default: $DCNET_URL, else the saved session's engine, else the local engine."""
    if os.environ.get("DCNET_URL"):
        return os.environ["DCNET_URL"]
    try:
        saved = session.load_file()
    except CliError:
        saved = None
    return saved.url if saved else DEFAULT_URL


def _password(password_stdin: bool) -> str:
    """From stdin (scripts), $DCNET_PASSWORD, or a hidden prompt, in that order."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif "DCNET_PASSWORD" in os.environ:
        password = os.environ["DCNET_PASSWORD"]
    else:
        password = typer.prompt("Password", hide_input=True)
    if not password:
        raise CliError("the password is empty")
    return password


def login(
    url: Annotated[
        str | None, typer.Option(help=f"the engine, e.g. {DEFAULT_URL} (default: $DCNET_URL or the last one)")
    ] = None,
    user: Annotated[str, typer.Option("--user", "-u", help="user name, e.g. admin@internal")] = "admin@internal",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Sign in and save the session for the other commands (password: prompt, stdin or $DCNET_PASSWORD)."""
    base = session.normalize_url(url or _default_url())
    token = http.sso_token(base, user, _password(password_stdin))
    path = session.save(session.Session(url=base, token=token))
    render.done(f"Logged in to {base} as {user}; session saved in {path}")
    if os.environ.get("DCNET_URL") and os.environ.get("DCNET_TOKEN"):
        render.notice("note: DCNET_URL and DCNET_TOKEN are set; commands use them instead of this session")


def logout() -> None:
    """Revoke the session's token on the engine and delete the saved session."""
    saved = session.load_file()
    if saved is None:
        if session.from_environment() is not None:
            raise CliError("no saved session; the token comes from $DCNET_TOKEN", "unset DCNET_URL and DCNET_TOKEN")
        render.done("Not logged in")
        return
    try:
        http.sso_logout(saved.url, saved.token)
    except CliError as exc:
        session.delete()  # the local session goes even when the engine cannot be told
        raise CliError(f"{exc.message}; the saved session was removed, but the token was not revoked") from None
    session.delete()
    render.done(f"Logged out from {saved.url}")


def whoami(ctx: typer.Context) -> None:
    """Show the engine and user of the current session (and check that its token still works)."""
    with connect(ctx) as api:
        root = api.get("")
    user = root.get("authenticated_user") or {}
    if not user:
        raise NotLoggedIn(f"{api.url} did not say who is logged in")
    render.done(f"{user.get('name')} ({user.get('role')}) at {api.url}")

"""`dcnet events` and `dcnet jobs`: what the engine did, and `--follow` to watch it happen.

Events are shown oldest first (newest at the bottom), so a followed stream simply continues the list.
"""

from __future__ import annotations

import json as jsonlib
import time
from enum import StrEnum
from typing import Annotated, Any

import typer

from dcnet.cli import options, render
from dcnet.cli.http import Api
from dcnet.cli.render import Field, Item
from dcnet.cli.state import connect


class Severity(StrEnum):
    NORMAL = "normal"
    WARNING = "warning"
    ERROR = "error"
    ALERT = "alert"


EVENT_COLUMNS: list[Field] = [
    ("Index", lambda e: render.key(e, "index")),
    ("Time", lambda e: render.key(e, "time")),
    ("Severity", lambda e: render.key(e, "severity")),
    ("Code", lambda e: render.key(e, "code")),
    ("Description", lambda e: render.key(e, "description")),
]

JOB_COLUMNS: list[Field] = [
    ("Started", lambda j: render.key(j, "start_time")),
    ("Status", lambda j: render.key(j, "status")),
    ("Description", lambda j: render.key(j, "description")),
    ("Correlation id", lambda j: render.key(j, "correlation_id")),
    ("Owner", lambda j: render.text((j.get("owner") or {}).get("name"))),
]

CorrelationFilter = Annotated[
    str | None, typer.Option("--correlation-id", help="only what the request with this Correlation-Id caused")
]


def _quoted(value: str, option: str) -> str:
    if '"' in value:
        raise typer.BadParameter('must not contain "', param_hint=option)
    return f'"{value}"'


def _search(severity: Severity | None, correlation_id: str | None) -> str | None:
    terms = []
    if severity is not None:
        terms.append(f"severity>={severity.value}")
    if correlation_id is not None:
        terms.append(f"correlation_id={_quoted(correlation_id, '--correlation-id')}")
    return " and ".join(terms) or None


def _line(event: Item) -> str:
    """One event as a stream line (tables cannot grow while they are shown)."""
    return (
        f"{render.key(event, 'index'):>6}  {render.key(event, 'time')}  {render.key(event, 'severity'):<8} "
        f"{render.key(event, 'code'):>5}  {render.key(event, 'description')}"
    )


def _newest_index(api: Api) -> int:
    newest = api.items("/events", "event", {"max": 1})
    return int(newest[0]["index"]) if newest else 0


def _follow(api: Api, search: str | None, after: int, interval: float, as_json: bool) -> None:
    """Polls for events after index `after` until Ctrl-C."""
    while True:
        time.sleep(interval)
        fresh = api.items("/events", "event", {"from": after, "search": search})
        for event in sorted(fresh, key=lambda e: int(e["index"])):
            typer.echo(jsonlib.dumps(event, ensure_ascii=False) if as_json else _line(event))
            after = max(after, int(event["index"]))


def events(
    ctx: typer.Context,
    max_: Annotated[int, typer.Option("--max", min=0, help="show at most this many (the newest)")] = 20,
    severity: Annotated[Severity | None, typer.Option(help="only this severity or worse")] = None,
    correlation_id: CorrelationFilter = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep printing new events until Ctrl-C")] = False,
    interval: Annotated[float, typer.Option(min=0.1, help="seconds between polls with --follow")] = 2.0,
    json: options.Json = False,
) -> None:
    """Show the engine's audit events (oldest first). With --follow, keep watching for new ones."""
    search = _search(severity, correlation_id)
    with connect(ctx) as api:
        after = _newest_index(api) if follow else 0
        items = sorted(api.items("/events", "event", {"max": max_, "search": search}), key=lambda e: int(e["index"]))
        if not follow:
            if json:
                render.raw_json({"event": items})
            else:
                render.table(items, EVENT_COLUMNS)
            return
        for event in items:
            typer.echo(jsonlib.dumps(event, ensure_ascii=False) if json else _line(event))
            after = max(after, int(event["index"]))
        try:
            _follow(api, search, after, interval, json)
        except KeyboardInterrupt:
            return


def jobs(
    ctx: typer.Context,
    max_: Annotated[int, typer.Option("--max", min=0, help="show at most this many (the newest)")] = 20,
    correlation_id: CorrelationFilter = None,
    json: options.Json = False,
) -> None:
    """Show the engine's jobs (newest first): one per change, tagged with its Correlation-Id."""
    search = None if correlation_id is None else f"correlation_id={_quoted(correlation_id, '--correlation-id')}"
    with connect(ctx) as api:
        items: list[dict[str, Any]] = api.items("/jobs", "job", {"max": max_, "search": search})
    if json:
        render.raw_json({"job": items})
    else:
        render.table(items, JOB_COLUMNS)

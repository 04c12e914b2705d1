"""Output: rich tables for people, raw JSON for scripts, plain lines for streams.

Values from the engine are user text, so they are never read as rich markup; and when stdout is not
a terminal, tables are not squeezed to 80 columns (so `| grep` sees whole lines).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

Item = dict[str, Any]
Field = tuple[str, Callable[[Item], str]]
PIPE_WIDTH = 4000


def console() -> Console:
    """A console for stdout, made per call so it follows redirections (tests, pipes)."""
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, markup=False, emoji=False, width=PIPE_WIDTH if wide else None)


def table(items: Iterable[Item], fields: Sequence[Field], title: str | None = None) -> None:
    """One row per item, one column per field."""
    grid = Table(title=title, title_justify="left")
    for header, _ in fields:
        grid.add_column(header, overflow="fold")
    count = 0
    for item in items:
        grid.add_row(*(Text(getter(item)) for _, getter in fields))
        count += 1
    if count == 0:
        typer.echo("(none)")
        return
    console().print(grid)


def details(item: Item, fields: Sequence[Field]) -> None:
    """One object as `label  value` lines."""
    grid = Table(show_header=False, box=None, pad_edge=False)
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, getter in fields:
        grid.add_row(Text(label), Text(getter(item)))
    console().print(grid)


def raw_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def done(text: str) -> None:
    """Confirmation of a change, on stdout."""
    typer.echo(text)


def notice(text: str) -> None:
    """A remark that is not the command's output, on stderr."""
    typer.echo(text, err=True)


# Formatting of common value shapes.


def text(value: Any) -> str:
    return "" if value is None else str(value)


def flag(value: Any) -> str:
    return "yes" if value else "no"


def version(value: Any) -> str:
    if isinstance(value, dict) and "major" in value:
        return f"{value['major']}.{value.get('minor', 0)}"
    return ""


def ref_name(names: dict[str, str], ref: Any) -> str:
    """The name behind a {"id": ...} reference, or its id when the name is unknown."""
    ident = ref.get("id") if isinstance(ref, dict) else None
    if not isinstance(ident, str) or not ident:
        return ""
    return names.get(ident, ident)


def key(item: Item, name: str) -> str:
    return text(item.get(name))

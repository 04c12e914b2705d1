"""Options several commands share, and parsers turning option text into API JSON shapes."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

Json = Annotated[bool, typer.Option("--json", help="print the API's raw JSON instead of a table")]
Description = Annotated[str | None, typer.Option(help="free-text description")]
Comment = Annotated[str | None, typer.Option(help="free-text comment")]
NewName = Annotated[str | None, typer.Option("--name", help="rename it to this")]
Max = Annotated[int | None, typer.Option("--max", min=0, help="show at most this many")]
Search = Annotated[str | None, typer.Option(help='an oVirt search query, e.g. name="prod*"')]

_VERSION = re.compile(r"(\d+)\.(\d+)")


def version(text: str | None) -> dict[str, int] | None:
    """Parses MAJOR.MINOR ("4.7") into the API's {"major": 4, "minor": 7}."""
    if text is None:
        return None
    match = _VERSION.fullmatch(text.strip())
    if not match:
        raise typer.BadParameter(f"expected MAJOR.MINOR such as 4.7, got {text!r}", param_hint="--version")
    return {"major": int(match.group(1)), "minor": int(match.group(2))}


def key_values(pairs: list[str] | None, option: str) -> list[dict[str, str]] | None:
    """["key=value", ...] -> [{"name": key, "value": value}, ...]."""
    if pairs is None:
        return None
    result = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint=option)
        result.append({"name": name.strip(), "value": value})
    return result


def body(**fields: Any) -> dict[str, Any]:
    """The JSON body of the options the user gave (None = not given, so PUT leaves it alone)."""
    return {name: value for name, value in fields.items() if value is not None}

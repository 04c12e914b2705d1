"""`dcnet dc ...`: data centers, the top of the tree that networks belong to."""

from __future__ import annotations

from typing import Annotated

import typer

from dcnet.cli import options, render, resolve
from dcnet.cli.errors import CliError
from dcnet.cli.render import Field, Item
from dcnet.cli.state import connect

app = typer.Typer(help="Data centers.", no_args_is_help=True)

DataCenterArg = Annotated[str, typer.Argument(help="data center name or id", show_default=False)]
Version = Annotated[str | None, typer.Option("--version", help="compatibility version, e.g. 4.7")]

COLUMNS: list[Field] = [
    ("Name", lambda dc: render.key(dc, "name")),
    ("ID", lambda dc: render.key(dc, "id")),
    ("Version", lambda dc: render.version(dc.get("version"))),
    ("Description", lambda dc: render.key(dc, "description")),
]


def _details() -> list[Field]:
    return [
        *COLUMNS,
        ("Comment", lambda dc: render.key(dc, "comment")),
        ("Local", lambda dc: render.flag(dc.get("local"))),
        ("Status", lambda dc: render.key(dc, "status")),
        (
            "Supported versions",
            lambda dc: ", ".join(render.version(v) for v in dc.get("supported_versions", {}).get("version", [])),
        ),
    ]


@app.command("list")
def list_(ctx: typer.Context, search: options.Search = None, json: options.Json = False) -> None:
    """List data centers."""
    with connect(ctx) as api:
        items = api.items("/datacenters", "data_center", {"search": search})
    if json:
        render.raw_json({"data_center": items})
    else:
        render.table(items, COLUMNS)


@app.command()
def show(ctx: typer.Context, dc: DataCenterArg, json: options.Json = False) -> None:
    """Show one data center."""
    with connect(ctx) as api:
        item = resolve.data_center(api, dc)
    if json:
        render.raw_json(item)
    else:
        render.details(item, _details())


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="name of the new data center", show_default=False)],
    description: options.Description = None,
    comment: options.Comment = None,
    version: Version = None,
) -> None:
    """Add a data center."""
    body = options.body(name=name, description=description, comment=comment, version=options.version(version))
    with connect(ctx) as api:
        item: Item = api.post("/datacenters", body)
    render.done(f"Added data center {item['name']} (id {item['id']})")


@app.command()
def update(
    ctx: typer.Context,
    dc: DataCenterArg,
    new_name: options.NewName = None,
    description: options.Description = None,
    comment: options.Comment = None,
    version: Version = None,
) -> None:
    """Change a data center (only the options given)."""
    body = options.body(name=new_name, description=description, comment=comment, version=options.version(version))
    if not body:
        raise CliError("nothing to change", "give at least one option, e.g. --description")
    with connect(ctx) as api:
        current = resolve.data_center(api, dc)
        item: Item = api.put(f"/datacenters/{current['id']}", body)
    render.done(f"Updated data center {item['name']}")


@app.command()
def remove(ctx: typer.Context, dc: DataCenterArg) -> None:
    """Remove a data center."""
    with connect(ctx) as api:
        current = resolve.data_center(api, dc)
        api.delete(f"/datacenters/{current['id']}")
    render.done(f"Removed data center {current['name']}")

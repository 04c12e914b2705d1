"""`dcnet host ...`: hypervisor hosts registered in clusters."""

from __future__ import annotations

from typing import Annotated

import typer

from dcnet.cli import options, render, resolve
from dcnet.cli.errors import CliError
from dcnet.cli.render import Field, Item
from dcnet.cli.state import connect

app = typer.Typer(help="Hosts.", no_args_is_help=True)

HostArg = Annotated[str, typer.Argument(help="host name or id", show_default=False)]
Port = Annotated[int | None, typer.Option("--port", help="the host agent's port (default 54321)", show_default=False)]


def _columns(cluster_names: dict[str, str]) -> list[Field]:
    return [
        ("Name", lambda h: render.key(h, "name")),
        ("ID", lambda h: render.key(h, "id")),
        ("Address", lambda h: render.key(h, "address")),
        ("Cluster", lambda h: render.ref_name(cluster_names, h.get("cluster"))),
        ("Status", lambda h: render.key(h, "status")),
    ]


def _details(cluster_names: dict[str, str]) -> list[Field]:
    return [
        *_columns(cluster_names),
        ("Status detail", lambda h: render.key(h, "status_detail")),
        ("Port", lambda h: render.key(h, "port")),
        ("Type", lambda h: render.key(h, "type")),
        ("Description", lambda h: render.key(h, "description")),
        ("Comment", lambda h: render.key(h, "comment")),
    ]


@app.command("list")
def list_(
    ctx: typer.Context,
    cluster: Annotated[str | None, typer.Option("--cluster", help="only this cluster's hosts")] = None,
    search: options.Search = None,
    json: options.Json = False,
) -> None:
    """List hosts."""
    with connect(ctx) as api:
        items = api.items("/hosts", "host", {"search": search})
        if cluster is not None:
            cluster_id = resolve.cluster(api, cluster)["id"]
            items = [item for item in items if resolve.ref_id(item, "cluster") == cluster_id]
        names = None if json else resolve.names(api, "clusters", "cluster")
    if names is None:
        render.raw_json({"host": items})
    else:
        render.table(items, _columns(names))


@app.command()
def show(ctx: typer.Context, host: HostArg, json: options.Json = False) -> None:
    """Show one host."""
    with connect(ctx) as api:
        item = resolve.host(api, host)
        names = None if json else resolve.names(api, "clusters", "cluster")
    if names is None:
        render.raw_json(item)
    else:
        render.details(item, _details(names))


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="name of the new host", show_default=False)],
    address: Annotated[str, typer.Option("--address", help="host name or IP address", show_default=False)],
    cluster: Annotated[str, typer.Option("--cluster", help="its cluster (name or id)", show_default=False)],
    port: Port = None,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Register a host in a cluster."""
    with connect(ctx) as api:
        target = resolve.cluster(api, cluster)
        body = options.body(
            name=name,
            address=address,
            cluster={"id": target["id"]},
            port=port,
            description=description,
            comment=comment,
        )
        item: Item = api.post("/hosts", body)
    render.done(f"Added host {item['name']} (id {item['id']}) to cluster {target['name']}: {item.get('status')}")


@app.command()
def update(
    ctx: typer.Context,
    host: HostArg,
    new_name: options.NewName = None,
    address: Annotated[str | None, typer.Option("--address", help="new host name or IP address")] = None,
    port: Port = None,
    cluster: Annotated[str | None, typer.Option("--cluster", help="move it to this cluster")] = None,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Change a host (only the options given)."""
    body = options.body(name=new_name, address=address, port=port, description=description, comment=comment)
    if not body and cluster is None:
        raise CliError("nothing to change", "give at least one option, e.g. --address")
    with connect(ctx) as api:
        current = resolve.host(api, host)
        if cluster is not None:
            body["cluster"] = {"id": resolve.cluster(api, cluster)["id"]}
        item: Item = api.put(f"/hosts/{current['id']}", body)
    render.done(f"Updated host {item['name']}")


@app.command()
def remove(ctx: typer.Context, host: HostArg) -> None:
    """Remove a host."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        api.delete(f"/hosts/{current['id']}")
    render.done(f"Removed host {current['name']}")

"""`dcnet cluster ...`: clusters, and which data-center networks each one uses in which roles."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from dcnet.cli import options, render, resolve
from dcnet.cli.errors import CliError
from dcnet.cli.http import Api
from dcnet.cli.render import Field, Item
from dcnet.cli.state import connect

app = typer.Typer(help="Clusters and their networks.", no_args_is_help=True)


class SwitchType(StrEnum):
    LEGACY = "legacy"
    OVS = "ovs"


class Role(StrEnum):
    """The roles a network can play in a cluster ('vm' belongs to the network: see `network --vm`)."""

    MANAGEMENT = "management"
    DISPLAY = "display"
    MIGRATION = "migration"
    DEFAULT_ROUTE = "default_route"
    GLUSTER = "gluster"


ClusterArg = Annotated[str, typer.Argument(help="cluster name or id", show_default=False)]
NetworkArg = Annotated[
    str, typer.Argument(help="network name or id (of the cluster's data center)", show_default=False)
]
Version = Annotated[str | None, typer.Option("--version", help="compatibility version, e.g. 4.7")]
Switch = Annotated[SwitchType | None, typer.Option("--switch-type", help="the hosts' switch type")]
Required = Annotated[
    bool | None,
    typer.Option("--required/--no-required", help="hosts are non-operational without it", show_default=False),
]
Usages = Annotated[
    list[Role] | None,
    typer.Option("--usage", help="a role of the network in the cluster (repeat for several)", show_default=False),
]


def _columns(dc_names: dict[str, str], net_names: dict[str, str]) -> list[Field]:
    return [
        ("Name", lambda c: render.key(c, "name")),
        ("ID", lambda c: render.key(c, "id")),
        ("Data center", lambda c: render.ref_name(dc_names, c.get("data_center"))),
        ("Version", lambda c: render.version(c.get("version"))),
        ("Switch type", lambda c: render.key(c, "switch_type")),
        ("Management network", lambda c: render.ref_name(net_names, c.get("management_network"))),
    ]


def _roles(network: Item) -> str:
    return ", ".join(usage for usage in network.get("usages", []) if usage != "vm")


NETWORK_COLUMNS: list[Field] = [
    ("Network", lambda n: render.key(n, "name")),
    ("ID", lambda n: render.key(n, "id")),
    ("Required", lambda n: render.flag(n.get("required"))),
    ("Roles", _roles),
    ("VM network", lambda n: render.flag("vm" in n.get("usages", []))),
    ("VLAN", lambda n: render.text((n.get("vlan") or {}).get("id"))),
]


def _names(api: Api) -> tuple[dict[str, str], dict[str, str]]:
    return resolve.names(api, "datacenters", "data_center"), resolve.names(api, "networks", "network")


@app.command("list")
def list_(
    ctx: typer.Context,
    dc: Annotated[str | None, typer.Option("--dc", help="only this data center's clusters")] = None,
    search: options.Search = None,
    json: options.Json = False,
) -> None:
    """List clusters."""
    with connect(ctx) as api:
        items = api.items("/clusters", "cluster", {"search": search})
        if dc is not None:
            dc_id = resolve.data_center(api, dc)["id"]
            items = [item for item in items if resolve.ref_id(item, "data_center") == dc_id]
        names = None if json else _names(api)
    if names is None:
        render.raw_json({"cluster": items})
    else:
        render.table(items, _columns(*names))


@app.command()
def show(ctx: typer.Context, cluster: ClusterArg, json: options.Json = False) -> None:
    """Show one cluster."""
    with connect(ctx) as api:
        item = resolve.cluster(api, cluster)
        names = None if json else _names(api)
    if names is None:
        render.raw_json(item)
    else:
        fields = [*_columns(*names), ("Description", lambda c: render.key(c, "description"))]
        render.details(item, [*fields, ("Comment", lambda c: render.key(c, "comment"))])


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="name of the new cluster", show_default=False)],
    dc: Annotated[str, typer.Option("--dc", help="its data center (name or id)", show_default=False)],
    version: Version = None,
    switch_type: Switch = None,
    management_network: Annotated[
        str | None, typer.Option(help="management network (default: ovirtmgmt of the data center)")
    ] = None,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Add a cluster to a data center."""
    with connect(ctx) as api:
        data_center = resolve.data_center(api, dc)
        management = None
        if management_network is not None:
            management = {"id": resolve.network(api, management_network, dc_id=data_center["id"])["id"]}
        body = options.body(
            name=name,
            data_center={"id": data_center["id"]},
            version=options.version(version),
            switch_type=switch_type.value if switch_type else None,
            management_network=management,
            description=description,
            comment=comment,
        )
        item: Item = api.post("/clusters", body)
    render.done(f"Added cluster {item['name']} (id {item['id']}) to data center {data_center['name']}")


@app.command()
def update(
    ctx: typer.Context,
    cluster: ClusterArg,
    new_name: options.NewName = None,
    version: Version = None,
    switch_type: Switch = None,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Change a cluster (only the options given)."""
    body = options.body(
        name=new_name,
        version=options.version(version),
        switch_type=switch_type.value if switch_type else None,
        description=description,
        comment=comment,
    )
    if not body:
        raise CliError("nothing to change", "give at least one option, e.g. --description")
    with connect(ctx) as api:
        current = resolve.cluster(api, cluster)
        item: Item = api.put(f"/clusters/{current['id']}", body)
    render.done(f"Updated cluster {item['name']}")


@app.command()
def remove(ctx: typer.Context, cluster: ClusterArg) -> None:
    """Remove a cluster."""
    with connect(ctx) as api:
        current = resolve.cluster(api, cluster)
        api.delete(f"/clusters/{current['id']}")
    render.done(f"Removed cluster {current['name']}")


@app.command()
def networks(ctx: typer.Context, cluster: ClusterArg, json: options.Json = False) -> None:
    """List the networks attached to a cluster, with their roles there."""
    with connect(ctx) as api:
        current = resolve.cluster(api, cluster)
        items = api.items(f"/clusters/{current['id']}/networks", "network")
    if json:
        render.raw_json({"network": items})
    else:
        render.table(items, NETWORK_COLUMNS, title=f"Networks of cluster {current['name']}")


def _attachment(api: Api, cluster: str, network: str) -> tuple[Item, Item]:
    """The cluster and the network, looked up in the cluster's own data center."""
    current = resolve.cluster(api, cluster)
    net = resolve.network(api, network, dc_id=resolve.ref_id(current, "data_center"))
    return current, net


def _usages(usage: list[Role] | None, clear: bool) -> list[str] | None:
    if clear and usage:
        raise typer.BadParameter("give either --usage or --no-usages", param_hint="--no-usages")
    if clear:
        return []
    return None if usage is None else [role.value for role in usage]


@app.command("network-attach")
def network_attach(
    ctx: typer.Context,
    cluster: ClusterArg,
    network: NetworkArg,
    required: Required = None,
    usage: Usages = None,
) -> None:
    """Attach a data-center network to a cluster."""
    with connect(ctx) as api:
        current, net = _attachment(api, cluster, network)
        body = options.body(id=net["id"], required=required, usages=_usages(usage, False))
        item: Item = api.post(f"/clusters/{current['id']}/networks", body)
    roles = _roles(item)
    render.done(
        f"Attached network {net['name']} to cluster {current['name']}"
        f" ({'required' if item.get('required') else 'not required'}; roles: {roles or 'none'})"
    )


@app.command("network-update")
def network_update(
    ctx: typer.Context,
    cluster: ClusterArg,
    network: NetworkArg,
    required: Required = None,
    usage: Usages = None,
    no_usages: Annotated[bool, typer.Option("--no-usages", help="remove every role")] = False,
) -> None:
    """Change a network's roles (the given --usage set replaces the old one) or whether it is required."""
    body = options.body(required=required, usages=_usages(usage, no_usages))
    if not body:
        raise CliError("nothing to change", "give --required/--no-required, --usage or --no-usages")
    with connect(ctx) as api:
        current, net = _attachment(api, cluster, network)
        item: Item = api.put(f"/clusters/{current['id']}/networks/{net['id']}", body)
    roles = _roles(item)
    render.done(
        f"Updated network {net['name']} on cluster {current['name']}"
        f" ({'required' if item.get('required') else 'not required'}; roles: {roles or 'none'})"
    )


@app.command("network-detach")
def network_detach(ctx: typer.Context, cluster: ClusterArg, network: NetworkArg) -> None:
    """Detach a network from a cluster (the network stays in its data center)."""
    with connect(ctx) as api:
        current, net = _attachment(api, cluster, network)
        api.delete(f"/clusters/{current['id']}/networks/{net['id']}")
    render.done(f"Detached network {net['name']} from cluster {current['name']}")


@app.command("sync-networks")
def sync_networks(ctx: typer.Context, cluster: ClusterArg) -> None:
    """Sync every out-of-sync network on every host of the cluster; exit 1 when a host failed."""
    with connect(ctx) as api:
        current = resolve.cluster(api, cluster)
        answer: Item = api.post(f"/clusters/{current['id']}/syncallnetworks", {})
    results = answer.get("hosts") or []
    render.table(
        results,
        [
            ("Host", lambda r: render.text((r.get("host") or {}).get("name"))),
            ("Synced", lambda r: render.flag(r.get("ok"))),
            ("Detail", lambda r: render.key(r, "detail")),
        ],
    )
    failed = [str((r.get("host") or {}).get("name")) for r in results if not r.get("ok")]
    if failed:
        raise CliError(f"sync of cluster {current['name']} failed on: {', '.join(failed)}")
    render.done(f"Synchronized the networks of cluster {current['name']}")

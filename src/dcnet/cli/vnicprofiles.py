"""`dcnet vnicprofile ...`: vNIC profiles, the per-network settings a VM's network card uses."""

from __future__ import annotations

from typing import Annotated

import typer

from dcnet.cli import options, render, resolve
from dcnet.cli.errors import CliError
from dcnet.cli.render import Field, Item
from dcnet.cli.state import connect

app = typer.Typer(help="vNIC profiles of networks.", no_args_is_help=True)

ProfileArg = Annotated[str, typer.Argument(help="vNIC profile name or id", show_default=False)]
NetworkFilter = Annotated[
    str | None, typer.Option("--network", help="the profile's network (needed when several have that name)")
]
DcFilter = Annotated[str | None, typer.Option("--dc", help="the network's data center (with --network)")]
Mirroring = Annotated[
    bool | None, typer.Option("--port-mirroring/--no-port-mirroring", help="mirror traffic", show_default=False)
]
PassThrough = Annotated[
    bool | None, typer.Option("--pass-through/--no-pass-through", help="SR-IOV pass-through", show_default=False)
]
Properties = Annotated[
    list[str] | None,
    typer.Option("--custom-property", help="KEY=VALUE (repeat for several; replaces all)", show_default=False),
]


def _properties(profile: Item) -> str:
    return ", ".join(f"{p.get('name')}={p.get('value', '')}" for p in profile.get("custom_properties", []))


def _columns(net_names: dict[str, str]) -> list[Field]:
    return [
        ("Name", lambda p: render.key(p, "name")),
        ("ID", lambda p: render.key(p, "id")),
        ("Network", lambda p: render.ref_name(net_names, p.get("network"))),
        ("Port mirroring", lambda p: render.flag(p.get("port_mirroring"))),
        ("Custom properties", _properties),
    ]


def _details(net_names: dict[str, str]) -> list[Field]:
    return [
        *_columns(net_names),
        ("Pass-through", lambda p: render.text((p.get("pass_through") or {}).get("mode"))),
        ("Migratable", lambda p: render.flag(p.get("migratable"))),
        ("Description", lambda p: render.key(p, "description")),
        ("Comment", lambda p: render.key(p, "comment")),
    ]


@app.command("list")
def list_(
    ctx: typer.Context,
    network: Annotated[str | None, typer.Option("--network", help="only this network's profiles")] = None,
    dc: DcFilter = None,
    json: options.Json = False,
) -> None:
    """List vNIC profiles (of every network, or of --network)."""
    with connect(ctx) as api:
        if network is not None:
            net = resolve.network(api, network, dc)
            items = api.items(f"/networks/{net['id']}/vnicprofiles", "vnic_profile")
        else:
            items = api.items("/vnicprofiles", "vnic_profile")
        names = None if json else resolve.names(api, "networks", "network")
    if names is None:
        render.raw_json({"vnic_profile": items})
    else:
        render.table(items, _columns(names))


@app.command()
def show(
    ctx: typer.Context,
    profile: ProfileArg,
    network: NetworkFilter = None,
    dc: DcFilter = None,
    json: options.Json = False,
) -> None:
    """Show one vNIC profile."""
    with connect(ctx) as api:
        item = resolve.vnic_profile(api, profile, network, dc)
        names = None if json else resolve.names(api, "networks", "network")
    if names is None:
        render.raw_json(item)
    else:
        render.details(item, _details(names))


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="name of the new profile", show_default=False)],
    network: Annotated[str, typer.Option("--network", help="its network (name or id)", show_default=False)],
    dc: DcFilter = None,
    port_mirroring: Mirroring = None,
    pass_through: PassThrough = None,
    custom_property: Properties = None,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Add a vNIC profile to a network."""
    body = options.body(
        name=name,
        port_mirroring=port_mirroring,
        pass_through=None if pass_through is None else {"mode": "enabled" if pass_through else "disabled"},
        custom_properties=options.key_values(custom_property, "--custom-property"),
        description=description,
        comment=comment,
    )
    with connect(ctx) as api:
        net = resolve.network(api, network, dc)
        item: Item = api.post("/vnicprofiles", {**body, "network": {"id": net["id"]}})
    render.done(f"Added vNIC profile {item['name']} (id {item['id']}) to network {net['name']}")


@app.command()
def update(
    ctx: typer.Context,
    profile: ProfileArg,
    network: NetworkFilter = None,
    dc: DcFilter = None,
    new_name: options.NewName = None,
    port_mirroring: Mirroring = None,
    pass_through: PassThrough = None,
    custom_property: Properties = None,
    no_custom_properties: Annotated[
        bool, typer.Option("--no-custom-properties", help="remove every custom property")
    ] = False,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Change a vNIC profile (only the options given)."""
    if custom_property and no_custom_properties:
        raise typer.BadParameter("give either --custom-property or --no-custom-properties")
    properties = [] if no_custom_properties else options.key_values(custom_property, "--custom-property")
    body = options.body(
        name=new_name,
        port_mirroring=port_mirroring,
        pass_through=None if pass_through is None else {"mode": "enabled" if pass_through else "disabled"},
        custom_properties=properties,
        description=description,
        comment=comment,
    )
    if not body:
        raise CliError("nothing to change", "give at least one option, e.g. --port-mirroring")
    with connect(ctx) as api:
        current = resolve.vnic_profile(api, profile, network, dc)
        item: Item = api.put(f"/vnicprofiles/{current['id']}", body)
    render.done(f"Updated vNIC profile {item['name']}")


@app.command()
def remove(ctx: typer.Context, profile: ProfileArg, network: NetworkFilter = None, dc: DcFilter = None) -> None:
    """Remove a vNIC profile."""
    with connect(ctx) as api:
        current = resolve.vnic_profile(api, profile, network, dc)
        api.delete(f"/vnicprofiles/{current['id']}")
    render.done(f"Removed vNIC profile {current['name']}")

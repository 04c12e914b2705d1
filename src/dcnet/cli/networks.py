"""`dcnet network ...`: logical networks of a data center (VLAN, MTU, VM network, DNS)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dcnet.cli import options, render, resolve
from dcnet.cli.errors import CliError
from dcnet.cli.http import Api
from dcnet.cli.render import Field, Item
from dcnet.cli.state import connect

app = typer.Typer(help="Logical networks of data centers.", no_args_is_help=True)

NetworkArg = Annotated[str, typer.Argument(help="network name or id", show_default=False)]
DcFilter = Annotated[
    str | None, typer.Option("--dc", help="the network's data center (needed when several have that name)")
]
Vlan = Annotated[int | None, typer.Option("--vlan", help="VLAN tag (0-4094)", show_default=False)]
Mtu = Annotated[int | None, typer.Option("--mtu", help="MTU in bytes (0: the default)", show_default=False)]
Vm = Annotated[bool | None, typer.Option("--vm/--no-vm", help="carries VM traffic (default: yes)", show_default=False)]
Stp = Annotated[bool | None, typer.Option("--stp/--no-stp", help="spanning tree protocol", show_default=False)]
Isolation = Annotated[
    bool | None,
    typer.Option("--port-isolation/--no-port-isolation", help="isolate VM ports from each other", show_default=False),
]
Dns = Annotated[
    list[str] | None, typer.Option("--dns", help="DNS name server (repeat for several)", show_default=False)
]


def _vlan(network: Item) -> str:
    return render.text((network.get("vlan") or {}).get("id"))


def _mtu(network: Item) -> str:
    return "default" if not network.get("mtu") else str(network["mtu"])


def _columns(dc_names: dict[str, str]) -> list[Field]:
    return [
        ("Name", lambda n: render.key(n, "name")),
        ("ID", lambda n: render.key(n, "id")),
        ("Data center", lambda n: render.ref_name(dc_names, n.get("data_center"))),
        ("VLAN", _vlan),
        ("MTU", _mtu),
        ("VM", lambda n: render.flag("vm" in n.get("usages", []))),
        ("Description", lambda n: render.key(n, "description")),
    ]


def _dns(network: Item) -> str:
    return ", ".join((network.get("dns_resolver_configuration") or {}).get("name_servers", []))


def _details(dc_names: dict[str, str]) -> list[Field]:
    return [
        *_columns(dc_names),
        ("Comment", lambda n: render.key(n, "comment")),
        ("STP", lambda n: render.flag(n.get("stp"))),
        ("Port isolation", lambda n: render.flag(n.get("port_isolation"))),
        ("DNS servers", _dns),
        ("Host bridge name", lambda n: render.key(n, "vdsm_name")),
        ("Status", lambda n: render.key(n, "status")),
    ]


def _dc_names(api: Api) -> dict[str, str]:
    return resolve.names(api, "datacenters", "data_center")


def _settings(
    vlan: int | None, mtu: int | None, vm: bool | None, stp: bool | None, isolation: bool | None, dns: list[str] | None
) -> dict[str, Any]:
    return options.body(
        vlan=None if vlan is None else {"id": vlan},
        mtu=mtu,
        usages=None if vm is None else (["vm"] if vm else []),
        stp=stp,
        port_isolation=isolation,
        dns_resolver_configuration=None if dns is None else {"name_servers": dns},
    )


@app.command("list")
def list_(ctx: typer.Context, dc: DcFilter = None, search: options.Search = None, json: options.Json = False) -> None:
    """List networks (of every data center, or of --dc)."""
    with connect(ctx) as api:
        items = api.items("/networks", "network", {"search": search})
        if dc is not None:
            dc_id = resolve.data_center(api, dc)["id"]
            items = [item for item in items if resolve.ref_id(item, "data_center") == dc_id]
        names = None if json else _dc_names(api)
    if names is None:
        render.raw_json({"network": items})
    else:
        render.table(items, _columns(names))


@app.command()
def show(ctx: typer.Context, network: NetworkArg, dc: DcFilter = None, json: options.Json = False) -> None:
    """Show one network."""
    with connect(ctx) as api:
        item = resolve.network(api, network, dc)
        names = None if json else _dc_names(api)
    if names is None:
        render.raw_json(item)
    else:
        render.details(item, _details(names))


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="name of the new network", show_default=False)],
    dc: Annotated[str, typer.Option("--dc", help="its data center (name or id)", show_default=False)],
    vlan: Vlan = None,
    mtu: Mtu = None,
    vm: Vm = None,
    stp: Stp = None,
    port_isolation: Isolation = None,
    dns: Dns = None,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Add a network to a data center."""
    with connect(ctx) as api:
        data_center = resolve.data_center(api, dc)
        body = {
            "name": name,
            "data_center": {"id": data_center["id"]},
            **_settings(vlan, mtu, vm, stp, port_isolation, dns),
            **options.body(description=description, comment=comment),
        }
        item: Item = api.post("/networks", body)
    render.done(f"Added network {item['name']} (id {item['id']}) to data center {data_center['name']}")


@app.command()
def update(
    ctx: typer.Context,
    network: NetworkArg,
    dc: DcFilter = None,
    new_name: options.NewName = None,
    vlan: Vlan = None,
    no_vlan: Annotated[bool, typer.Option("--no-vlan", help="remove the VLAN tag")] = False,
    mtu: Mtu = None,
    vm: Vm = None,
    stp: Stp = None,
    port_isolation: Isolation = None,
    dns: Dns = None,
    no_dns: Annotated[bool, typer.Option("--no-dns", help="remove every DNS name server")] = False,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Change a network (only the options given)."""
    if vlan is not None and no_vlan:
        raise typer.BadParameter("give either --vlan or --no-vlan", param_hint="--no-vlan")
    if dns and no_dns:
        raise typer.BadParameter("give either --dns or --no-dns", param_hint="--no-dns")
    body = {
        **_settings(vlan, mtu, vm, stp, port_isolation, [] if no_dns else dns),
        **options.body(name=new_name, description=description, comment=comment),
    }
    if no_vlan:
        body["vlan"] = None
    if not body:
        raise CliError("nothing to change", "give at least one option, e.g. --vlan or --description")
    with connect(ctx) as api:
        current = resolve.network(api, network, dc)
        item: Item = api.put(f"/networks/{current['id']}", body)
    render.done(f"Updated network {item['name']}")


@app.command()
def remove(ctx: typer.Context, network: NetworkArg, dc: DcFilter = None) -> None:
    """Remove a network from its data center."""
    with connect(ctx) as api:
        current = resolve.network(api, network, dc)
        api.delete(f"/networks/{current['id']}")
    render.done(f"Removed network {current['name']}")

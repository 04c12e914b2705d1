"""`dcnet host ...`: hypervisor hosts: add (deploy) and install them, activate, deactivate, refresh; their nics
and network attachments as they report them."""

from __future__ import annotations

import contextlib
import ipaddress
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer

from dcnet.cli import options, render, resolve, session
from dcnet.cli.errors import CliError
from dcnet.cli.http import Api
from dcnet.cli.render import Field, Item
from dcnet.cli.state import connect
from dcnet.cli.state import options as options_of

app = typer.Typer(
    help="Hosts: add (deploy), install, activate, deactivate; their nics and networks.", no_args_is_help=True
)

HostArg = Annotated[str, typer.Argument(help="host name or id", show_default=False)]
Port = Annotated[int | None, typer.Option("--port", help="the host agent's port (default 54321)", show_default=False)]
Token = Annotated[
    str | None,
    typer.Option("--token", help="the agent's enrollment token (visible to other local users: prefer --token-file)"),
]
TokenFile = Annotated[
    Path | None,
    typer.Option("--token-file", help="read the enrollment token from this file (STATE_DIR/enrollment-token)"),
]
Wait = Annotated[
    bool,
    typer.Option(
        "--wait",
        help="follow the host's status and the events of the deploy until it settles; exit 1 unless it ends up "
        "(maintenance with --no-activate)",
    ),
]
Interval = Annotated[float, typer.Option("--interval", min=0.05, help="seconds between polls with --wait")]
Timeout = Annotated[float, typer.Option("--timeout", min=0, help="give up waiting after this many seconds")]
# the statuses a deploy or monitoring ends in
SETTLED = ("up", "maintenance", "non_operational", "non_responsive", "install_failed")


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


def _token(token: str | None, token_file: Path | None, *, required: bool) -> str | None:
    """The agent's enrollment token from --token or --token-file (one of them, not both)."""
    if token is not None and token_file is not None:
        raise CliError("give either --token or --token-file, not both")
    if token_file is not None:
        try:
            token = token_file.read_text()
        except OSError as exc:
            raise CliError(f"cannot read the enrollment token from {token_file}: {exc.strerror or exc}") from None
    if token is not None:
        token = token.strip()
        if not token:
            raise CliError("the enrollment token is empty", "dcnet-agent writes it to STATE_DIR/enrollment-token")
        return token
    if required:
        raise CliError(
            "the host agent's enrollment token is required",
            "give --token-file STATE_DIR/enrollment-token (dcnet-agent writes it there) or --token TOKEN",
        )
    return None


def _api(ctx: typer.Context, wait: bool) -> tuple[Api, str | None]:
    """An API client; with --wait every request carries a correlation id (the global one, or a new one), so
    the events the deploy writes can be followed."""
    correlation = options_of(ctx).correlation_id
    if wait and correlation is None:
        correlation = f"dcnet-host-{uuid.uuid4().hex[:12]}"
    return Api(session.current(), correlation_id=correlation), correlation


def _event_line(event: Item) -> str:
    return f"  [{render.key(event, 'severity')}] {render.key(event, 'code')}: {render.key(event, 'description')}"


def _follow(api: Api, host: Item, correlation: str, *, interval: float, timeout: float) -> Item:
    """Prints each status change of the host and the events of `correlation` until the status settles."""
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    status = host.get("status")  # what the command's answer said: the first status, however fast it moves on
    if status is not None:
        typer.echo(f"{host['name']}: {status}")
    while True:
        current: Item = api.get(f"/hosts/{host['id']}")
        events = api.items("/events", "event", {"search": f'correlation_id="{correlation}"'})
        for event in sorted(events, key=lambda e: int(e["index"])):
            if str(event["index"]) not in seen:
                seen.add(str(event["index"]))
                typer.echo(_event_line(event))
        if current.get("status") != status:
            status = current.get("status")
            detail = current.get("status_detail")
            typer.echo(f"{current['name']}: {status}" + (f" ({detail})" if detail else ""))
        if status in SETTLED:
            return current
        if time.monotonic() > deadline:
            raise CliError(
                f"host {current['name']} is still {status} after {timeout:g} s",
                f"see `dcnet events --correlation-id {correlation}`",
            )
        time.sleep(interval)


def _settled(host: Item, expected: str) -> None:
    """The end of a --wait: exit status 1 unless the host ended where the command meant it to."""
    status = host.get("status")
    if status != expected:
        detail = host.get("status_detail")
        raise CliError(f"host {host['name']} is {status}" + (f": {detail}" if detail else ""))
    render.done(f"Host {host['name']}: {status}")


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="name of the new host", show_default=False)],
    address: Annotated[str, typer.Option("--address", help="host name or IP address", show_default=False)],
    cluster: Annotated[str, typer.Option("--cluster", help="its cluster (name or id)", show_default=False)],
    token: Token = None,
    token_file: TokenFile = None,
    port: Port = None,
    activate: Annotated[
        bool, typer.Option("--activate/--no-activate", help="bring it up after the install (else: maintenance)")
    ] = True,
    wait: Wait = False,
    interval: Interval = 1.0,
    timeout: Timeout = 600.0,
    description: options.Description = None,
    comment: options.Comment = None,
) -> None:
    """Add a host to a cluster and deploy it.

    The engine enrolls the host's agent with its enrollment token (dcnet-agent writes it to
    STATE_DIR/enrollment-token) and configures the management network on the device holding the address."""
    secret = _token(token, token_file, required=True)
    api, correlation = _api(ctx, wait)
    with api:
        target = resolve.cluster(api, cluster)
        body = options.body(
            name=name,
            address=address,
            cluster={"id": target["id"]},
            port=port,
            description=description,
            comment=comment,
            root_password=secret,
        )
        path = "/hosts" if activate else "/hosts?activate=false"
        item: Item = api.post(path, body)
        render.done(f"Added host {item['name']} (id {item['id']}) to cluster {target['name']}: {item.get('status')}")
        if wait and correlation is not None:
            final = _follow(api, item, correlation, interval=interval, timeout=timeout)
            _settled(final, "up" if activate else "maintenance")


@app.command()
def install(
    ctx: typer.Context,
    host: HostArg,
    token: Token = None,
    token_file: TokenFile = None,
    activate: Annotated[
        bool, typer.Option("--activate/--no-activate", help="bring it up after the install (else: maintenance)")
    ] = True,
    wait: Wait = False,
    interval: Interval = 1.0,
    timeout: Timeout = 600.0,
) -> None:
    """Install a host again.

    The host must be in maintenance, non operational or non responsive, or its install failed. An enrolled
    agent needs no token; a new agent needs its enrollment token."""
    secret = _token(token, token_file, required=False)
    api, correlation = _api(ctx, wait)
    with api:
        current = resolve.host(api, host)
        body = options.body(root_password=secret, activate=activate)
        answer: Item = api.post(f"/hosts/{current['id']}/install", body)
        item = answer.get("host", current)
        render.done(f"Installing host {current['name']}: {item.get('status')}")
        if wait and correlation is not None:
            final = _follow(api, item, correlation, interval=interval, timeout=timeout)
            _settled(final, "up" if activate else "maintenance")


def _action(ctx: typer.Context, host: str, action: str, message: str) -> None:
    """POST /hosts/{id}/ACTION; `message` is formatted with the host's name and its status afterwards."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        answer: Item = api.post(f"/hosts/{current['id']}/{action}", {})
    status = (answer.get("host") or {}).get("status", "")
    render.done(message.format(name=current["name"], status=status))


@app.command()
def activate(ctx: typer.Context, host: HostArg) -> None:
    """Activate a host (from maintenance, non operational or non responsive).

    Monitoring then brings it up when it carries every required network."""
    _action(ctx, host, "activate", "Activating host {name}: {status}")


@app.command()
def deactivate(ctx: typer.Context, host: HostArg) -> None:
    """Move a host to maintenance."""
    _action(ctx, host, "deactivate", "Host {name} is in {status}")


@app.command()
def refresh(ctx: typer.Context, host: HostArg) -> None:
    """Read the host's network configuration again (capabilities) now."""
    _action(ctx, host, "refresh", "Refreshing host {name}: {status}")


def _addresses(nic: Item) -> str:
    out = []
    for assignment in nic.get("ip_address_assignments") or []:
        ip = assignment.get("ip") or {}
        if not ip.get("address"):
            continue
        mask = str(ip.get("netmask") or "")
        if ip.get("version") == "v4" and mask:
            with contextlib.suppress(ValueError):
                mask = str(ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen)
        out.append(f"{ip['address']}/{mask}" if mask else str(ip["address"]))
    return ", ".join(out)


def _boot(item: Item) -> str:
    """IPv4 boot protocol, and the IPv6 one when the device has IPv6 configuration (the API lists the IPv4
    assignment first, then the IPv6 one)."""
    methods = [str(a.get("assignment_method", "")) for a in item.get("ip_address_assignments") or []]
    if not methods:
        return render.key(item, "boot_protocol") or "none"
    return f"{methods[0]}, v6 {methods[1]}" if len(methods) > 1 else methods[0]


def _nic_details(nic: Item) -> str:
    kind = nic.get("type")
    if kind == "bond":
        bonding = nic.get("bonding") or {}
        slaves = [s.get("name", "") for s in (bonding.get("slaves") or {}).get("host_nic", [])]
        opts = [f"{o.get('name')}={o.get('value')}" for o in (bonding.get("options") or {}).get("option", [])]
        return "slaves " + ", ".join(slaves) + (f"; {' '.join(opts)}" if opts else "")
    if kind == "vlan":
        return f"VLAN {(nic.get('vlan') or {}).get('id', '')} on {nic.get('base_interface', '')}"
    return ""


NIC_COLUMNS: list[Field] = [
    ("Name", lambda n: render.key(n, "name")),
    ("Type", lambda n: render.key(n, "type")),
    ("MTU", lambda n: render.key(n, "mtu")),
    ("Addresses", _addresses),
    ("Boot protocol", _boot),
    ("Network", lambda n: render.text((n.get("network") or {}).get("name"))),
    ("Status", lambda n: render.key(n, "status")),
    ("Details", _nic_details),
]


@app.command()
def nics(ctx: typer.Context, host: HostArg, json: options.Json = False) -> None:
    """The host's nics, bonds, VLANs and bridges as it last reported them."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        items = api.items(f"/hosts/{current['id']}/nics", "host_nic")
    if json:
        render.raw_json({"host_nic": items})
    else:
        render.table(items, NIC_COLUMNS)


def _out_of_sync(attachment: Item) -> str:
    wrong = [c for c in attachment.get("reported_configurations") or [] if not c.get("in_sync", True)]
    return "; ".join(f"{c['name']}: host {c['actual_value']}, data center {c['expected_value']}" for c in wrong)


ATTACHMENT_COLUMNS: list[Field] = [
    ("Network", lambda a: render.text((a.get("network") or {}).get("name"))),
    ("NIC", lambda a: render.text((a.get("host_nic") or {}).get("name"))),
    ("In sync", lambda a: render.flag(a.get("in_sync"))),
    ("Boot protocol", _boot),
    ("Addresses", _addresses),
    ("Out of sync", _out_of_sync),
]


@app.command()
def attachments(ctx: typer.Context, host: HostArg, json: options.Json = False) -> None:
    """The logical networks on the host (network attachments), whether each is in sync and what differs."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        items = api.items(f"/hosts/{current['id']}/networkattachments", "network_attachment")
    if json:
        render.raw_json({"network_attachment": items})
    else:
        render.table(items, ATTACHMENT_COLUMNS)


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

"""`dcnet host networks|attach|detach|bond-add|bond-remove|sync|commit|copy-networks|unmanaged`: a host's
networks as a tree, and setup networks through the REST API (host-network-setup.md §7, §8, §11).

The commands are added to the `host` group (`dcnet.cli.hosts.app`); `dcnet cluster sync-networks` lives with
the cluster commands. Every change is one `POST /hosts/{id}/setupnetworks` (or the matching action), so the
engine's rules apply and its fault is what an error prints."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text
from rich.tree import Tree

from dcnet.cli import options, render, resolve
from dcnet.cli.errors import CliError
from dcnet.cli.hosts import ATTACHMENT_COLUMNS, HostArg, _addresses, _boot, _out_of_sync
from dcnet.cli.hosts import app as host_app
from dcnet.cli.http import Api
from dcnet.cli.render import Item
from dcnet.cli.state import connect

NetworkArg = Annotated[str, typer.Argument(help="network name or id (of the host's cluster)", show_default=False)]
Commit = Annotated[
    bool,
    typer.Option("--commit/--no-commit", help="persist the change on the host (else it is lost at the next boot)"),
]
Check = Annotated[
    bool,
    typer.Option(
        "--check/--no-check", help="the host rolls the change back unless the engine still reaches it afterwards"
    ),
]


# --- the tree ------------------------------------------------------------------------------------------


def _network_line(attachment: Item, device: Item | None) -> Text:
    name = render.text((attachment.get("network") or {}).get("name"))
    line = Text(name, style="bold")
    if attachment.get("in_sync", True):
        line.append("  ✓ in sync", style="green")
    else:
        line.append(f"  ✗ out of sync ({_out_of_sync(attachment)})", style="red")
    line.append(f"  {_boot(attachment)}")
    addresses = _addresses(device) if device is not None else ""
    addresses = addresses or _addresses(attachment)
    if addresses:
        line.append(f"  {addresses}")
    return line


def _device_line(nic: Item) -> Text:
    line = Text(render.key(nic, "name"), style="bold cyan")
    kind = nic.get("type")
    details = [str(kind)] if kind else []
    if kind == "bond":
        bonding = nic.get("bonding") or {}
        opts = [f"{o.get('name')}={o.get('value')}" for o in (bonding.get("options") or {}).get("option", [])]
        if opts:
            details.append(" ".join(opts))
    if kind == "vlan":
        details.insert(0, f"VLAN {(nic.get('vlan') or {}).get('id', '')}")
        details.remove("vlan")
    details.append(f"mtu {render.key(nic, 'mtu')}")
    if nic.get("status") and nic.get("status") != "up":
        details.append(str(nic["status"]))
    line.append("  " + ", ".join(details))
    return line


def host_tree(host: Item, nics: list[Item], attachments: list[Item]) -> Tree:
    """nics and bonds (top level) → a bond's slaves → VLAN devices → networks; a network sits on the VLAN
    device that carries it, else on its nic or bond. Bridges are not shown: they are the networks."""
    tree = Tree(Text(f"{host.get('name')}  ({host.get('status')})", style="bold"))
    by_name = {str(n.get("name")): n for n in nics}
    slaves = {
        str(s.get("name"))
        for n in nics
        if n.get("type") == "bond"
        for s in ((n.get("bonding") or {}).get("slaves") or {}).get("host_nic", [])
    }
    carrier = {
        str((n.get("network") or {}).get("name")): n for n in nics if n.get("network") and n.get("type") != "bridge"
    }
    attached = {str((a.get("network") or {}).get("name")) for a in attachments}
    bases = [n for n in nics if n.get("type") in ("nic", "bond") and str(n.get("name")) not in slaves]
    for base in sorted(bases, key=lambda n: (n.get("type") != "nic", str(n.get("name")))):
        name = str(base.get("name"))
        branch = tree.add(_device_line(base))
        if base.get("type") == "bond":
            for slave in ((base.get("bonding") or {}).get("slaves") or {}).get("host_nic", []):
                slave_nic = by_name.get(str(slave.get("name")), slave)
                branch.add(Text("slave ", style="dim") + _device_line(slave_nic))
        vlans = sorted(
            (n for n in nics if n.get("type") == "vlan" and n.get("base_interface") == name),
            key=lambda n: int((n.get("vlan") or {}).get("id") or 0),
        )
        vlan_branches = {str(v.get("name")): branch.add(_device_line(v)) for v in vlans}
        for attachment in sorted(attachments, key=lambda a: str((a.get("network") or {}).get("name"))):
            if (attachment.get("host_nic") or {}).get("name") != name:
                continue
            network = str((attachment.get("network") or {}).get("name"))
            device = carrier.get(network)
            parent = vlan_branches.get(str(device.get("name"))) if device is not None else None
            (parent or branch).add(_network_line(attachment, device))
        for device_name, vlan_branch in vlan_branches.items():
            network = str((by_name[device_name].get("network") or {}).get("name") or "")
            if network and network not in attached:
                vlan_branch.add(Text(f"{network}  (unmanaged)", style="yellow"))
        own = str((base.get("network") or {}).get("name") or "")
        if own and own not in attached:
            branch.add(Text(f"{own}  (unmanaged)", style="yellow"))
    return tree


@host_app.command()
def networks(ctx: typer.Context, host: HostArg, json: options.Json = False) -> None:
    """The host's networks as a tree: nics and bonds → VLANs → networks.

    Bonds list their slaves; each network shows whether it is in sync (else what differs), its boot
    protocol and its addresses."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        nics = api.items(f"/hosts/{current['id']}/nics", "host_nic")
        attachments = api.items(f"/hosts/{current['id']}/networkattachments", "network_attachment")
    if json:
        render.raw_json({"host_nic": nics, "network_attachment": attachments})
        return
    render.console().print(host_tree(current, nics, attachments))


# --- changes -------------------------------------------------------------------------------------------


def _setup(api: Api, host: Item, body: dict[str, Any], *, check: bool, commit: bool) -> Item:
    answer: Item = api.post(
        f"/hosts/{host['id']}/setupnetworks", body | {"check_connectivity": check, "commit_on_success": commit}
    )
    return answer


def _attachments(api: Api, host: Item) -> list[Item]:
    return api.items(f"/hosts/{host['id']}/networkattachments", "network_attachment")


def _attachment_of(api: Api, host: Item, network: str) -> Item | None:
    for attachment in _attachments(api, host):
        ref = attachment.get("network") or {}
        if network in (ref.get("name"), ref.get("id")):
            return attachment
    return None


def _attached(api: Api, host: Item, network: str) -> Item:
    found = _attachment_of(api, host, network)
    if found is None:
        raise CliError(
            f"network '{network}' is not attached to host {host['name']}", f"see `dcnet host networks {host['name']}`"
        )
    return found


def _ip(value: str, version: str, option: str) -> dict[str, Any]:
    """ADDR/PREFIX[,GATEWAY] → an oVirt static ip_address_assignment (the engine checks the addresses)."""
    address, _, gateway = value.partition(",")
    address, slash, prefix = address.strip().partition("/")
    if not slash or not address or not prefix.strip():
        raise typer.BadParameter(f"expected ADDRESS/PREFIX[,GATEWAY], got {value!r}", param_hint=option)
    ip: dict[str, Any] = {"address": address, "netmask": prefix.strip(), "version": version}
    if gateway.strip():
        ip["gateway"] = gateway.strip()
    return {"assignment_method": "static", "ip": ip}


def _one(option_values: dict[str, bool | str | None]) -> str | None:
    given = [name for name, value in option_values.items() if value]
    if len(given) > 1:
        raise typer.BadParameter(f"give at most one of {', '.join(option_values)}", param_hint=" / ".join(given))
    return given[0] if given else None


def ip_assignments(
    static: str | None,
    dhcp: bool,
    ipv6_static: str | None,
    ipv6_dhcp: bool,
    ipv6_autoconf: bool,
    current: list[Item] | None = None,
) -> list[dict[str, Any]]:
    """The attachment's ip_address_assignments from the IP options; a family without an option keeps its
    `current` assignment (an existing attachment's). No option at all: [] (the engine keeps or defaults)."""
    v4 = _one({"--static": static, "--dhcp": dhcp})
    v6 = _one({"--ipv6-static": ipv6_static, "--ipv6-dhcp": ipv6_dhcp, "--ipv6-autoconf": ipv6_autoconf})
    if v4 is None and v6 is None:
        return []
    kept = {str((a.get("ip") or {}).get("version") or "v4"): a for a in current or []}
    out: list[dict[str, Any]] = []
    if static is not None:
        out.append(_ip(static, "v4", "--static"))
    elif dhcp:
        out.append({"assignment_method": "dhcp", "ip": {"version": "v4"}})
    else:
        out.append(kept.get("v4") or {"assignment_method": "none", "ip": {"version": "v4"}})
    if ipv6_static is not None:
        out.append(_ip(ipv6_static, "v6", "--ipv6-static"))
    elif v6 is not None:
        out.append({"assignment_method": "dhcp" if ipv6_dhcp else "autoconf", "ip": {"version": "v6"}})
    elif "v6" in kept:
        out.append(kept["v6"])
    return out


def _summary(api: Api, host: Item, network: str) -> str:
    found = _attachment_of(api, host, network)
    if found is None:
        return ""
    state = "in sync" if found.get("in_sync", True) else f"out of sync: {_out_of_sync(found)}"
    return f" ({_boot(found)}; {state})"


@host_app.command()
def attach(
    ctx: typer.Context,
    host: HostArg,
    network: NetworkArg,
    nic: Annotated[str, typer.Option("--nic", help="the nic or bond to put it on", show_default=False)],
    static: Annotated[
        str | None, typer.Option("--static", help="static IPv4: ADDRESS/PREFIX[,GATEWAY]", show_default=False)
    ] = None,
    dhcp: Annotated[bool, typer.Option("--dhcp", help="IPv4 by DHCP")] = False,
    ipv6_static: Annotated[
        str | None, typer.Option("--ipv6-static", help="static IPv6: ADDRESS/PREFIX[,GATEWAY]", show_default=False)
    ] = None,
    ipv6_dhcp: Annotated[bool, typer.Option("--ipv6-dhcp", help="IPv6 by DHCPv6")] = False,
    ipv6_autoconf: Annotated[bool, typer.Option("--ipv6-autoconf", help="IPv6 by router advertisements")] = False,
    commit: Commit = True,
    check: Check = True,
) -> None:
    """Attach a network to a nic or bond of the host, or move / reconfigure its attachment.

    Without an IP option a new attachment has no address and an existing one keeps its configuration."""
    ip_assignments(static, dhcp, ipv6_static, ipv6_dhcp, ipv6_autoconf)  # usage errors before any request
    with connect(ctx) as api:
        current = resolve.host(api, host)
        existing = _attachment_of(api, current, network)
        kept = existing.get("ip_address_assignments") if existing is not None else None
        assignments = ip_assignments(static, dhcp, ipv6_static, ipv6_dhcp, ipv6_autoconf, kept)
        wanted: dict[str, Any] = {"host_nic": {"name": nic}}
        if existing is not None:
            wanted["id"] = existing["id"]
            wanted["network"] = {"id": existing["network"]["id"]}
        else:
            wanted["network"] = {"id": network} if resolve.is_uuid(network) else {"name": network}
        if assignments:
            wanted["ip_address_assignments"] = assignments
        _setup(api, current, {"modified_network_attachments": [wanted]}, check=check, commit=commit)
        summary = _summary(api, current, network)
    verb = "Updated" if existing is not None else "Attached"
    render.done(f"{verb} network {network} on {nic} of host {current['name']}{summary}")


@host_app.command()
def detach(ctx: typer.Context, host: HostArg, network: NetworkArg, commit: Commit = True, check: Check = True) -> None:
    """Remove a network from the host."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        attachment = _attached(api, current, network)
        _setup(api, current, {"removed_network_attachments": [{"id": attachment["id"]}]}, check=check, commit=commit)
    nic = (attachment.get("host_nic") or {}).get("name", "")
    render.done(f"Detached network {network} from {nic} of host {current['name']}")


@host_app.command("bond-add")
def bond_add(
    ctx: typer.Context,
    host: HostArg,
    bond: Annotated[str, typer.Argument(help="bond name (bond followed by letters, digits or _)", show_default=False)],
    slave: Annotated[
        list[str], typer.Option("--slave", help="a nic of the bond (repeat: at least two)", show_default=False)
    ],
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="a bonding option KEY=VALUE, e.g. mode=1 (default mode=4 miimon=100)"),
    ] = None,
    commit: Commit = True,
    check: Check = True,
) -> None:
    """Create a bond, or change an existing bond's slaves and options."""
    bonding: dict[str, Any] = {"slaves": {"host_nic": [{"name": s} for s in slave]}}
    opts = options.key_values(option, "--option")
    if opts:
        bonding["options"] = {"option": opts}
    with connect(ctx) as api:
        current = resolve.host(api, host)
        body = {"modified_bonds": [{"name": bond, "bonding": bonding}]}
        _setup(api, current, body, check=check, commit=commit)
    render.done(f"Bond {bond} of host {current['name']}: slaves {', '.join(slave)}")


@host_app.command("bond-remove")
def bond_remove(ctx: typer.Context, host: HostArg, bond: str, commit: Commit = True, check: Check = True) -> None:
    """Remove a bond (its networks must be detached or moved first)."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        _setup(api, current, {"removed_bonds": [{"name": bond}]}, check=check, commit=commit)
    render.done(f"Removed bond {bond} of host {current['name']}")


@host_app.command()
def sync(
    ctx: typer.Context,
    host: HostArg,
    network: Annotated[str | None, typer.Argument(help="only this network (default: every one out of sync)")] = None,
) -> None:
    """Push the data center's definition of out-of-sync networks to the host (one network, or all)."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        if network is None:
            api.post(f"/hosts/{current['id']}/syncallnetworks", {})
            left = [a for a in _attachments(api, current) if not a.get("in_sync", True)]
        else:
            attachment = _attached(api, current, network)
            body = {"synchronized_network_attachments": [{"id": attachment["id"]}], "commit_on_success": True}
            api.post(f"/hosts/{current['id']}/setupnetworks", body)
            left = [a for a in _attachments(api, current) if a["id"] == attachment["id"] and not a.get("in_sync")]
    what = f"network {network}" if network is not None else "networks"
    if left:
        names = ", ".join(str((a.get("network") or {}).get("name")) for a in left)
        raise CliError(f"host {current['name']}: still out of sync after the sync: {names}")
    render.done(f"Synchronized {what} of host {current['name']}")


@host_app.command()
def commit(ctx: typer.Context, host: HostArg) -> None:
    """Persist the host's running network configuration (what it restores at boot)."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        api.post(f"/hosts/{current['id']}/commitnetconfig", {})
    render.done(f"Committed the network configuration of host {current['name']}")


@host_app.command("copy-networks")
def copy_networks(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="host to copy from (name or id)", show_default=False)],
    destination: Annotated[str, typer.Argument(help="host to copy to (name or id)", show_default=False)],
) -> None:
    """Give DESTINATION the bonds and networks of SOURCE (same cluster, as many nics; nics paired by sorted
    name, the management nic left out). Static addresses become none; labels are not copied."""
    with connect(ctx) as api:
        src = resolve.host(api, source)
        dst = resolve.host(api, destination)
        api.post(f"/hosts/{dst['id']}/copyhostnetworks", {"source_host": {"id": src["id"]}})
        items = _attachments(api, dst)
    render.done(f"Copied the networks of host {src['name']} to host {dst['name']}")
    render.table(items, ATTACHMENT_COLUMNS)


@host_app.command()
def unmanaged(ctx: typer.Context, host: HostArg, json: options.Json = False) -> None:
    """Networks on the host that no logical network of its cluster explains."""
    with connect(ctx) as api:
        current = resolve.host(api, host)
        items = api.items(f"/hosts/{current['id']}/unmanagednetworks", "unmanaged_network")
    if json:
        render.raw_json({"unmanaged_network": items})
        return
    render.table(
        items,
        [
            ("Name", lambda u: render.key(u, "name")),
            ("NIC", lambda u: render.text((u.get("host_nic") or {}).get("name"))),
        ],
    )

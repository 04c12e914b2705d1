"""`dcnet-lab sim up|down`: a simulated fleet from a shell (see dcnet.lab.sim)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dcnet.lab.sim import AGENT_PORT, SimFleet, SimOptions
from dcnet.lab.sim_dns import DEFAULT_ADDRESS
from dcnet.lab.topology import LabError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="A simulated fleet: N sim hosts in one agent process, with DNS."
)
console = Console()
StateDir = Annotated[Path | None, typer.Option("--state-dir", help="state directory (default <tmp>/dcnet-sim)")]


@app.command()
def up(
    n: Annotated[int, typer.Argument(help="number of sim hosts")],
    base: Annotated[str, typer.Option("--base", help="address of sim0; sim<i> gets BASE+i (in 127/8)")] = "127.1.0.1",
    port: Annotated[int, typer.Option("--port", help="the agents' port")] = AGENT_PORT,
    state_dir: StateDir = None,
    insecure: Annotated[bool, typer.Option("--insecure", help="plain HTTP, no enrollment (development)")] = False,
    topology: Annotated[Path | None, typer.Option("--topology", help="YAML/JSON: the hosts' devices")] = None,
    dns: Annotated[str, typer.Option("--dns", help="the DNS server's loopback address")] = DEFAULT_ADDRESS,
    dns_port: Annotated[int, typer.Option("--dns-port", help="its port (0: a free one)")] = 0,
    test_hooks: Annotated[bool, typer.Option("--test-hooks", help="serve Test.hook (fault injection)")] = False,
    fresh: Annotated[bool, typer.Option("--fresh", help="new hosts: forget the fleet's earlier state")] = False,
) -> None:
    """Start (or restart) a fleet of N sim hosts and its DNS; prints the DNS server and the inventory."""
    fleet = SimFleet(state_dir)
    options = SimOptions(n, base, port, insecure, topology, dns, dns_port, test_hooks, fresh)
    try:
        inventory = fleet.up(options)
    except LabError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    hosts = inventory["hosts"]
    console.print(
        f"{len(hosts)} sim hosts {hosts[0]['name']}..{hosts[-1]['name']} on "
        f"{hosts[0]['address']}..{hosts[-1]['address']} port {inventory['port']} ({inventory['scheme']})",
        highlight=False,
    )
    if inventory["scheme"] == "https":
        console.print(f"enrollment tokens: {fleet.fleet_dir}/hosts/sim<i>/enrollment-token", highlight=False)
    console.print(f"dns: {inventory['dns']['server']}:{inventory['dns']['port']} ({inventory['domain']})")
    console.print(f"inventory: {fleet.inventory_path}", highlight=False)


@app.command("add-hosts")
def add_hosts(
    url: Annotated[str, typer.Option("--url", help="the engine, e.g. http://127.0.0.1:8080")],
    password: Annotated[str, typer.Option("--password", envvar="DCNET_ADMIN_PASSWORD", help="admin@internal's")],
    state_dir: StateDir = None,
    cluster: Annotated[str, typer.Option("--cluster", help="the cluster to add them to")] = "Default",
    timeout: Annotated[float, typer.Option("--timeout", help="seconds to follow their statuses")] = 120,
) -> None:
    """Add every (not yet enrolled) host of the running fleet to an engine and follow them to up."""
    from dcnet.lab import demo_hosts

    fleet = SimFleet(state_dir)
    inventory = demo_hosts.load_inventory(fleet.inventory_path)
    token = demo_hosts.login(url, "admin@internal", password)
    final = demo_hosts.add_hosts(url, token, inventory, cluster, timeout)
    console.print(f"{sum(1 for s in final.values() if s == 'up')} of {len(final)} hosts up")


@app.command()
def down(state_dir: StateDir = None) -> None:
    """Stop the fleet and its DNS (idempotent; the hosts' state stays for the next `up`)."""
    stopped = SimFleet(state_dir).down()
    console.print(f"stopped {len(stopped)} processes")

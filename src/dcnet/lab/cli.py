"""`dcnet-lab up|down|status`: the Lab class from a shell (demos, manual agent/engine testing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dcnet.lab import agents as agent_mod
from dcnet.lab import procs, sim_cli
from dcnet.lab.lab import Lab
from dcnet.lab.ovs import pid_files as ovs_pid_files
from dcnet.lab.run import netns_names
from dcnet.lab.topology import LabError, switch_ns
from dcnet.lab.vlans import DEFAULT_VLANS

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
console = Console()
app.add_typer(sim_cli.app, name="sim")  # simulated fleet: no root, no namespaces

Prefix = Annotated[str, typer.Option("--prefix", help="name prefix of namespaces/devices (1-5 chars [a-z0-9])")]
StateDir = Annotated[
    Path | None, typer.Option("--state-dir", help="state directory (default <tmp>/dcnet-lab-<prefix>)")
]


def _fail(exc: LabError) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(1)


def _show(lab: Lab, *, running: bool) -> None:
    present = set(netns_names()) if running else set()
    table = Table("host", "netns", "ipv4", "ipv6", "fqdn", "nics", "agent pid")
    for h in lab.hosts:
        ns = h.netns if not running or h.netns in present else f"{h.netns} [red](missing)[/red]"
        pid = lab.agent_pid(h) if running else None
        table.add_row(h.name, ns, h.ipv4, h.ipv6, h.fqdn, ",".join(h.nics), str(pid or "-"))
    console.print(table)
    console.print(f"engine: {lab.engine_ipv4}/16, {lab.engine_ipv6}/64 on {lab.engine_dev}", highlight=False)
    console.print(f"dns: {lab.dns_server} (lab.test)", highlight=False)
    console.print(f"inventory: {lab.inventory_path}", highlight=False)
    console.print(f"env: {lab.state_dir / 'lab.env'}", highlight=False)
    if lab.ovs:
        console.print(f"ovs: one instance per host, e.g. {lab.ovsdb(lab.hosts[0])}", highlight=False)
        for v in lab.vlan_nets:
            console.print(f"vlan {v.vid}: {v.ipv4} {v.ipv6} gateway {v.gateway4} on {v.port}", highlight=False)


@app.command()
def up(
    n: Annotated[int, typer.Argument(help="number of hosts")],
    prefix: Prefix = "nl",
    net: Annotated[int, typer.Option("--net", help="10.NET.0.0/16 and fdNET::/64 (10..99)")] = 77,
    nics: Annotated[int, typer.Option("--nics", help="nics per host (eth0 has the static address)")] = 1,
    agents: Annotated[bool, typer.Option("--agents/--no-agents", help="start dcnet-agent in every host")] = True,
    insecure_agents: Annotated[
        bool, typer.Option("--insecure-agents", help="agents in plain-HTTP dev mode instead of waiting for enrollment")
    ] = False,
    agent_arg: Annotated[
        list[str] | None, typer.Option("--agent-arg", help="replace the agents' arguments (repeatable)")
    ] = None,
    state_dir: StateDir = None,
    ovs: Annotated[bool, typer.Option("--ovs", help="an Open vSwitch instance per host, lab VLANs routed")] = False,
    vlan: Annotated[
        list[int] | None, typer.Option("--vlan", help="lab VLAN id (repeatable; default 100, 3000)")
    ] = None,
) -> None:
    """Build (or rebuild) a lab of N hosts."""
    try:
        vlans = tuple(vlan) if vlan else DEFAULT_VLANS
        lab = Lab(prefix=prefix, net=net, n=n, nics=nics, state_dir=state_dir, ovs=ovs, vlans=vlans).up()
        if agents:
            for h in lab.hosts:
                agent_dir = lab.state_dir / "agents" / h.name
                lab.start_agent(h, agent_arg or agent_mod.serve_args(agent_dir, insecure=insecure_agents))
                if not agent_arg and not insecure_agents:
                    console.print(f"{h.name}: enrollment token in {agent_dir / 'enrollment-token'}", highlight=False)
    except LabError as exc:
        raise _fail(exc) from None
    _show(lab, running=True)
    ovs_took = f", ovs {lab.timings['ovs']:.2f} s" if lab.ovs else ""
    console.print(
        f"up in {lab.timings['up']:.2f} s (network {lab.timings['network']:.2f} s{ovs_took})", highlight=False
    )


@app.command()
def down(prefix: Prefix = "nl", state_dir: StateDir = None) -> None:
    """Remove the lab of this prefix (idempotent)."""
    try:
        removed = Lab(prefix=prefix, state_dir=state_dir).down()
    except LabError as exc:
        raise _fail(exc) from None
    console.print(
        f"removed {len(removed.namespaces)} namespaces, {len(removed.devices)} root devices, "
        f"{len(removed.pids)} processes in {removed.seconds:.2f} s",
        highlight=False,
    )


@app.command()
def status(prefix: Prefix = "nl", state_dir: StateDir = None) -> None:
    """Show the inventory of a running lab and whether its parts are there."""
    try:
        lab = Lab.attach(prefix=prefix, state_dir=state_dir)
    except LabError as exc:
        raise _fail(exc) from None
    _show(lab, running=True)
    dns_pid = procs.read_pid(lab.state_dir / "pids" / "dnsmasq.pid")
    alive = dns_pid is not None and procs.is_running(dns_pid)
    sw = "present" if switch_ns(lab.prefix) in netns_names() else "missing"
    console.print(f"switch ns {switch_ns(lab.prefix)}: {sw}; dnsmasq: {'running' if alive else 'not running'}")
    if lab.ovs:
        pids = [procs.read_pid(f) for f in ovs_pid_files(lab.state_dir)]
        console.print(f"ovs daemons running: {sum(1 for p in pids if p is not None and procs.is_running(p))}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""`Lab`: build, use and remove a fleet of test hosts made of network namespaces (lab.md §7, switchns).

With ``ovs=True`` every host also runs its own Open vSwitch instance and the switch routes the lab VLANs
(dcnet.lab.ovslab, README-ovs.md)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dns.resolver

from dcnet.lab import agents, dhcp, inventory, ovs, procs, topology
from dcnet.lab import dns as labdns
from dcnet.lab import vlans as labvlans
from dcnet.lab.ovslab import OvsMixin
from dcnet.lab.run import ip_batch, ip_json, netns_exec, root_addresses, run
from dcnet.lab.teardown import MARKER, Removed, teardown
from dcnet.lab.topology import LabError, LabHost

REQUIRED_TOOLS = ("ip", "dnsmasq", "ethtool", "sysctl")


class Lab(OvsMixin):
    """A lab of `n` hosts with `nics` veth nics each, all on one bridge in a switch namespace.

    Everything it creates is named `<prefix>-*` or lives in `state_dir`, so `down()` can remove exactly
    that, also after a failed `up()` or from another process that only knows the prefix.
    """

    def __init__(
        self,
        prefix: str = "nl",
        net: int = 77,
        n: int = 2,
        nics: int = 1,
        state_dir: Path | str | None = None,
        python: str = sys.executable,
        ovs: bool = False,
        vlans: Sequence[int] = labvlans.DEFAULT_VLANS,
    ) -> None:
        self.prefix = topology.check_prefix(prefix)
        self.net = topology.check_net(net)
        if not 1 <= n <= topology.MAX_HOSTS:
            raise LabError(f"n must be 1..{topology.MAX_HOSTS}, got {n}")
        if not 1 <= nics <= 16:
            raise LabError(f"nics must be 1..16, got {nics}")
        self.n = n
        self.nics = nics
        self.state_dir = Path(state_dir) if state_dir else topology.default_state_dir(prefix)
        self.python = python
        self.ovs = ovs
        self.vlans = labvlans.check_vlans(vlans) if ovs else ()
        self.hosts: list[LabHost] = topology.make_hosts(prefix, net, n, nics)
        self.timings: dict[str, float] = {}
        self._agents: dict[str, subprocess.Popen[bytes]] = {}

    @classmethod
    def attach(cls, prefix: str = "nl", state_dir: Path | str | None = None) -> Lab:
        """Re-open a lab that is up (built by another process) from its hosts.json."""
        state = Path(state_dir) if state_dir else topology.default_state_dir(prefix)
        inv = inventory.load(state)
        return cls(
            prefix=inv.prefix,
            net=inv.net,
            n=len(inv.hosts),
            nics=inv.nics,
            state_dir=state,
            ovs=inv.ovs,
            vlans=inv.vlans,
        )

    # --- addresses --------------------------------------------------------------------------------------

    @property
    def engine_ipv4(self) -> str:
        return topology.engine_ipv4(self.net)

    @property
    def engine_ipv6(self) -> str:
        return topology.engine_ipv6(self.net)

    @property
    def switch_netns(self) -> str:
        return topology.switch_ns(self.prefix)

    @property
    def engine_dev(self) -> str:
        return topology.uplink_dev(self.prefix)

    @property
    def dns_server(self) -> str:
        """The lab DNS as "addr:port", reachable from the root namespace over udp and tcp."""
        return f"{topology.dns_ipv4(self.net)}:{labdns.DNS_PORT}"

    @property
    def inventory_path(self) -> Path:
        return self.state_dir / "hosts.json"

    def host(self, host: str | LabHost) -> LabHost:
        name = host.name if isinstance(host, LabHost) else host
        for h in self.hosts:
            if name in (h.name, h.netns, h.fqdn):
                return h
        raise LabError(f"no host {name!r} in lab {self.prefix!r}")

    # --- life cycle -------------------------------------------------------------------------------------

    def up(self) -> Lab:
        """Idempotent: removes any previous lab of the same prefix first. A failure leaves the partial lab
        (for inspection) and raises LabError; `down()` or another `up()` removes it."""
        _require_root()
        tools = REQUIRED_TOOLS + (ovs.TOOLS if self.ovs else ())
        missing = [t for t in tools if shutil.which(t) is None]
        if missing:
            raise LabError(
                f"missing tools: {', '.join(missing)} (apt-get install iproute2 dnsmasq-base ethtool"
                f"{' openvswitch-switch' if self.ovs else ''})"
            )
        t0 = time.monotonic()
        self.down()
        self._check_net_is_free()
        self._prepare_state()
        t = time.monotonic()
        self._build_network()
        self.timings["network"] = time.monotonic() - t
        if self.ovs:
            t = time.monotonic()
            self._start_ovs()
            self.timings["ovs"] = time.monotonic() - t
        t = time.monotonic()
        self._start_dnsmasq()
        self.timings["dnsmasq"] = time.monotonic() - t
        self.timings["up"] = time.monotonic() - t0
        return self

    def down(self) -> Removed:
        """Remove everything of this prefix (PIDs, in-namespace processes, namespaces, root devices, state)."""
        _require_root()
        for popen in self._agents.values():
            popen.poll()
        removed = teardown(self.prefix, self.state_dir)
        for popen in self._agents.values():
            _collect(popen)
        self._agents.clear()
        self.timings["down"] = removed.seconds
        return removed

    def _check_net_is_free(self) -> None:
        """Two labs (or a lab and a real network) on one subnet would silently route to the wrong one."""
        nets = (ipaddress.ip_network(f"10.{self.net}.0.0/16"), ipaddress.ip_network(f"fd{self.net}::/64"))
        for dev, addr in root_addresses():
            ip = ipaddress.ip_address(addr)
            if any(ip.version == n.version and ip in n for n in nets):
                raise LabError(f"net {self.net} is already used in the root namespace ({addr} on {dev}); pick another")
        if self.ovs:
            self._check_vlan_prefixes_free()

    def _prepare_state(self) -> None:
        state = self.state_dir
        if state.exists() and any(state.iterdir()) and not (state / MARKER).exists():
            raise LabError(f"state dir {state} exists and is not a dcnet lab's; refusing to use it")
        for sub in ("pids", "logs", "hosts.d", "leases"):
            (state / sub).mkdir(parents=True, exist_ok=True)
        (state / MARKER).write_text(f"{self.prefix}\n")
        # record names before creating them, so a partial up is still removed by name
        names = [topology.switch_ns(self.prefix)] + [h.netns for h in self.hosts]
        (state / "netns").write_text("".join(f"{x}\n" for x in names))
        (state / "rootdevs").write_text(f"{self.engine_dev}\n")
        (state / "resolv.conf").write_text(f"nameserver {topology.dns_ipv4(self.net)}\nsearch {topology.DOMAIN}\n")
        dhcp.install(state)
        for name, addrs in topology.initial_records(self.net, self.hosts).items():
            labdns.write_records(state / "hosts.d", name, addrs)
        inventory.write(self._inventory())

    def _build_network(self) -> None:
        p, net = self.prefix, self.net
        # 1. root ns: switch netns, engine uplink, every host netns and its veths (peers land in the switch)
        ip_batch(
            [
                f"netns add {topology.switch_ns(p)}",
                topology.uplink_create(p),
                *topology.netns_batch(p, self.n, self.nics),
            ]
        )
        for path, value in topology.uplink_sysctls(p).items():
            Path(path).write_text(value)
        ip_batch(topology.uplink_config(p, net))
        # 2. switch ns: bridge, DNS/DHCP addresses, all ports attached and up
        ip_batch(topology.switch_batch(p, net, self.n, self.nics), netns=topology.switch_ns(p))
        run(["ethtool", "-K", self.engine_dev, "tx", "off"])
        # 3. hosts, in parallel: sysctls (no RA/SLAAC) before links go up, then addresses, then tx off
        script = topology.host_setup_script(self.nics)

        def setup(i: int) -> None:
            batch = "\n".join(topology.host_batch(net, i, self.nics)) + "\n"
            run(netns_exec(topology.host_ns(p, i), "sh", "-c", script), input=batch)

        with ThreadPoolExecutor(max_workers=min(16, self.n)) as pool:
            list(pool.map(setup, range(1, self.n + 1)))

    def _start_dnsmasq(self) -> None:
        """dnsmasq daemonizes only after its sockets are bound, so a zero exit means it is serving."""
        argv = labdns.dnsmasq_argv(self.net, self.state_dir, self.vlan_nets)
        run(netns_exec(topology.switch_ns(self.prefix), *argv))
        got = labdns.wait_answers(topology.dns_ipv4(self.net), f"engine.{topology.DOMAIN}", "A", {self.engine_ipv4})
        if got != {self.engine_ipv4}:
            raise LabError(f"lab DNS at {self.dns_server} does not answer engine.{topology.DOMAIN}: {got}")

    def _inventory(self) -> inventory.Inventory:
        return inventory.Inventory(self.prefix, self.net, self.nics, self.state_dir, self.hosts, self.ovs, self.vlans)

    # --- using hosts ------------------------------------------------------------------------------------

    def exec(
        self, host: str | LabHost, *argv: str, check: bool = True, input: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """`ip netns exec NS argv` (text output captured); raises LabError on failure when check."""
        return run(netns_exec(self.host(host).netns, *argv), check=check, input=input, timeout=timeout)

    def ip_json(self, host: str | LabHost, kind: str, family: int | None = None) -> list[dict[str, Any]]:
        """Parsed `ip -j -d addr|link|route` of a host."""
        return ip_json(kind, netns=self.host(host).netns, family=family)

    def set_sysctls(self, host: str | LabHost, values: Mapping[str, str | int]) -> None:
        """Set sysctls inside a host namespace (net.* sysctls are per namespace)."""
        self.exec(host, "sysctl", "-q", "-w", *(f"{k}={v}" for k, v in values.items()))

    def enable_slaac(self, host: str | LabHost, nic: str) -> None:
        """Opt one nic into RA + autoconf (hosts have both off), then bounce it so it solicits an RA now."""
        self.set_sysctls(host, {f"net.ipv6.conf.{nic}.accept_ra": 1, f"net.ipv6.conf.{nic}.autoconf": 1})
        self.exec(host, "ip", "link", "set", nic, "down")
        self.exec(host, "ip", "link", "set", nic, "up")

    def disable_slaac(self, host: str | LabHost, nic: str) -> None:
        """Undo enable_slaac: sysctls off, autoconf addresses and RA routes of that nic gone."""
        self.set_sysctls(host, {f"net.ipv6.conf.{nic}.accept_ra": 0, f"net.ipv6.conf.{nic}.autoconf": 0})
        self.exec(host, "ip", "-6", "addr", "flush", "dev", nic, "scope", "global", "dynamic")
        self.exec(host, "ip", "-6", "route", "flush", "dev", nic, "proto", "ra")

    def wait_link_local(self, host: str | LabHost, nic: str, timeout: float = 10) -> str:
        """DHCPv6 needs a usable (non-tentative) link-local source address; DAD takes ~1 s after link up."""
        deadline = time.monotonic() + timeout
        while True:
            for link in self.ip_json(host, "addr"):
                if link["ifname"] != nic:
                    continue
                for a in link.get("addr_info", []):
                    if a.get("scope") == "link" and a["family"] == "inet6" and not a.get("tentative"):
                        return str(a["local"])
            if time.monotonic() > deadline:
                raise LabError(f"{self.host(host).name}: {nic} has no usable IPv6 link-local address after {timeout} s")
            time.sleep(0.05)

    def dhcp_lease(self, host: str | LabHost, nic: str, *, v6: bool = False, timeout: float = 60) -> None:
        """Get a lease with dhclient (see dcnet.lab.dhcp: own -sf script, nothing under /etc is written).

        dhclient stays in the background (renewals); its PID file is in the state dir, so `down()` stops it.
        """
        h = self.host(host)
        if v6:
            self.wait_link_local(h, nic)
        log = self.state_dir / "logs" / f"{dhcp.tag(h.name, nic, v6)}.log"
        what = f"{h.name}: dhclient{' -6' if v6 else ''} on {nic}"
        try:
            res = self.exec(h, *dhcp.argv(self.state_dir, h.name, nic, v6=v6), check=False, timeout=timeout)
        except LabError as exc:
            raise LabError(f"{what} got no lease: {exc}") from None
        with log.open("a") as fh:
            fh.write(res.stdout + res.stderr)
        if res.returncode != 0:
            raise LabError(f"{what} got no lease (see {log})")
        # dhclient's parent exits when the worker reports the lease; the worker writes its PID file just after
        pid_file = self.state_dir / "pids" / f"{dhcp.tag(h.name, nic, v6)}.pid"
        deadline = time.monotonic() + 5
        while procs.read_pid(pid_file) is None and time.monotonic() < deadline:
            time.sleep(0.02)

    def dhcp_release(self, host: str | LabHost, nic: str, *, v6: bool = False) -> None:
        """dhclient -r: releases the lease, removes the address and stops the background client."""
        h = self.host(host)
        self.exec(h, *dhcp.argv(self.state_dir, h.name, nic, v6=v6, release=True), check=False)

    # --- DNS --------------------------------------------------------------------------------------------

    def resolver(self, timeout: float = 2.0) -> dns.resolver.Resolver:
        """dnspython resolver pointed at the lab DNS (what the engine does with an injected nameserver)."""
        return labdns.resolver(topology.dns_ipv4(self.net), labdns.DNS_PORT, timeout)

    def dns_records(self, name: str) -> list[str]:
        return labdns.read_records(self.state_dir / "hosts.d", name)

    def add_dns_record(self, name: str, address: str, *, wait: bool = True) -> None:
        """Add one A/AAAA record (a name may have several); dnsmasq sees it via inotify within ~0.5 s."""
        current = self.dns_records(name)
        if address not in current:
            labdns.write_records(self.state_dir / "hosts.d", name, [*current, address])
        if wait:
            self._wait_dns(name)

    def remove_dns_record(self, name: str, address: str | None = None, *, wait: bool = True) -> None:
        """Remove one address of a name, or every record of it when address is None."""
        current = self.dns_records(name)
        keep = [a for a in current if address is not None and a != address]
        labdns.write_records(self.state_dir / "hosts.d", name, keep)
        if wait:
            self._wait_dns(name)

    def _wait_dns(self, name: str, timeout: float = 3.0) -> None:
        records = self.dns_records(name)
        for rdtype, version in (("A", "."), ("AAAA", ":")):
            want = {a for a in records if version in a}
            got = labdns.wait_answers(topology.dns_ipv4(self.net), name, rdtype, want, timeout)
            if got != want:
                raise LabError(f"lab DNS serves {name} {rdtype} {sorted(got)}, expected {sorted(want)}")

    # --- agents -----------------------------------------------------------------------------------------

    def start_agent(
        self,
        host: str | LabHost,
        argv_tail: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        *,
        private_resolv_conf: bool = True,
    ) -> int:
        """Start `python -m dcnet.agent.main ARGV_TAIL` in the host's namespace; returns its PID.

        With private_resolv_conf (default) the agent sees STATE/resolv/<host>.conf (the lab DNS) as
        /etc/resolv.conf, so DHCP clients it runs cannot change the machine's file. In an OVS lab it also
        gets OVS_RUNDIR (etc.) of its host's OVS instance.
        """
        h = self.host(host)
        if self.agent_pid(h) is not None:
            raise LabError(f"{h.name}: agent already running (pid {self.agent_pid(h)})")
        resolv = None
        if private_resolv_conf:
            resolv = self.state_dir / "resolv" / f"{h.name}.conf"
            resolv.parent.mkdir(exist_ok=True)
            resolv.write_text((self.state_dir / "resolv.conf").read_text())
        if self.ovs:  # plain ovs-vsctl/ovs-appctl in the agent reach this host's own OVS instance
            env = {**self.ovs_instance(h).environ(), **(env or {})}
        popen = agents.spawn(self.python, h.netns, argv_tail, env, self.agent_log(h), resolv)
        self._agents[h.name] = popen
        procs.write_pid(self.state_dir / "pids", f"agent-{h.name}", popen.pid)
        return popen.pid

    def agent_pid(self, host: str | LabHost) -> int | None:
        """The recorded agent PID if that process is still running, else None."""
        h = self.host(host)
        popen = self._agents.get(h.name)
        if popen is not None:
            popen.poll()
        pid = procs.read_pid(self.state_dir / "pids" / f"agent-{h.name}.pid")
        return pid if pid is not None and procs.is_running(pid) else None

    def agent_log(self, host: str | LabHost) -> Path:
        return self.state_dir / "logs" / f"agent-{self.host(host).name}.log"

    def stop_agent(self, host: str | LabHost, grace: float = 5.0) -> bool:
        """TERM (then KILL after `grace`) the recorded agent; True if one was running."""
        h = self.host(host)
        pid = self.agent_pid(h)
        if pid is not None:
            procs.stop_pids([pid], grace=grace)
        popen = self._agents.pop(h.name, None)
        if popen is not None:
            _collect(popen)
        (self.state_dir / "pids" / f"agent-{h.name}.pid").unlink(missing_ok=True)
        return pid is not None


def _collect(popen: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        popen.wait(timeout=1)


def _require_root() -> None:
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, veths, dnsmasq)")

"""`dcnet-lab sim up|down`: a simulated fleet (one `dcnet-agent serve --fleet N` process, sim host i on
BASE+i) plus a DNS server that knows every sim host's name. No root, no namespaces: all of 127/8 is local.

    STATE/fleet/           the fleet's state dir (hosts/sim<i>/: configs, journal, key, enrollment token)
    STATE/dns/             fleet.hosts (one line per host) and hosts.d/ (more records, live)
    STATE/pids/, logs/     fleet.pid, dnsmasq.pid; fleet.log, dnsmasq.log
    STATE/inventory.json   what a test or an engine needs: hosts (name, fqdn, address, port, url, token
                           file), the DNS server, the fleet's pid

The fleet's state survives `down`: the next `up` is the same hosts booting again (enrolled ones stay
enrolled); `--fresh` starts from new hosts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dcnet.lab import procs, sim_dns
from dcnet.lab.run import run
from dcnet.lab.topology import DOMAIN, LabError

AGENT_PORT = 54321
PROCESS_MARKS = {"fleet": "dcnet.agent.main", "dnsmasq": "dnsmasq"}  # a pid file is trusted only for these


def default_state_dir() -> Path:
    return Path(tempfile.gettempdir()) / "dcnet-sim"


@dataclass(frozen=True)
class SimOptions:
    count: int
    base: str = "127.1.0.1"
    port: int = AGENT_PORT
    insecure: bool = False
    topology: Path | None = None
    dns_address: str = sim_dns.DEFAULT_ADDRESS
    dns_port: int = 0  # 0: a free one
    test_hooks: bool = False
    fresh: bool = False


class SimFleet:
    def __init__(self, state_dir: Path | None = None) -> None:
        self.state_dir = (state_dir or default_state_dir()).resolve()
        self.fleet_dir = self.state_dir / "fleet"
        self.dns_dir = self.state_dir / "dns"
        self.pid_dir = self.state_dir / "pids"
        self.log_dir = self.state_dir / "logs"
        self.inventory_path = self.state_dir / "inventory.json"

    def up(self, options: SimOptions, env: Mapping[str, str] | None = None) -> dict[str, Any]:
        """(Re)start the fleet and its DNS; returns the inventory (also written to inventory.json)."""
        self.down()
        if options.fresh:
            shutil.rmtree(self.fleet_dir, ignore_errors=True)
            shutil.rmtree(self.dns_dir, ignore_errors=True)
        for directory in (self.fleet_dir, self.dns_dir / "hosts.d", self.pid_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self.inventory_path.unlink(missing_ok=True)
        fleet = self._start_fleet(options, env)
        dns_port = options.dns_port or sim_dns.free_port(options.dns_address)
        self._start_dns(fleet["hosts"], options.dns_address, dns_port)
        inventory = {
            "kind": "sim-fleet",
            "state_dir": str(self.state_dir),
            "fleet_state_dir": str(self.fleet_dir),
            "fleet_pid": fleet["pid"],
            "domain": DOMAIN,
            "scheme": fleet["scheme"],
            "port": fleet["port"],
            "dns": {"server": options.dns_address, "port": dns_port},
            "hosts": [
                {**host, "url": f"{fleet['scheme']}://{host['address']}:{host['port']}/jsonrpc"}
                for host in fleet["hosts"]
            ],
        }
        tmp = self.inventory_path.with_name(".inventory.json.tmp")
        tmp.write_text(json.dumps(inventory, indent=1) + "\n")
        os.replace(tmp, self.inventory_path)
        return inventory

    def down(self) -> list[int]:
        """Stop the fleet and the DNS server (by their pid files, checked against /proc); idempotent."""
        pids = []
        for name, pid in procs.recorded_pids(self.pid_dir).items():
            if PROCESS_MARKS.get(name, "\0") in _cmdline(pid):
                pids.append(pid)
        stopped = procs.stop_pids(pids, grace=15.0)
        for name in PROCESS_MARKS:
            (self.pid_dir / f"{name}.pid").unlink(missing_ok=True)
        return stopped

    def inventory(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.inventory_path.read_text())
        except FileNotFoundError:
            raise LabError(f"no simulated fleet at {self.state_dir} (no {self.inventory_path.name})") from None
        return data

    # ---- parts -------------------------------------------------------------------------------------
    def _start_fleet(self, options: SimOptions, env: Mapping[str, str] | None) -> dict[str, Any]:
        ready = self.fleet_dir / "fleet.json"
        ready.unlink(missing_ok=True)
        argv = [
            sys.executable, "-m", "dcnet.agent.main", "serve", "--backend", "sim", "--state-dir", str(self.fleet_dir),
            "--fleet", str(options.count), "--fleet-base", options.base, "--listen", f"[::]:{options.port}",
        ]  # fmt: skip
        if options.insecure:
            argv.append("--insecure-dev")
        if options.topology is not None:
            argv += ["--fleet-topology", str(options.topology.resolve())]
        full_env = {**os.environ, **(env or {})}
        if options.test_hooks:
            full_env["DCNET_TEST_HOOKS"] = "1"
        log_path = self.log_dir / "fleet.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=full_env,
                start_new_session=True, cwd=self.state_dir,
            )  # fmt: skip
        procs.write_pid(self.pid_dir, "fleet", process.pid)
        deadline = time.monotonic() + 60 + options.count / 100
        while not ready.exists():
            if process.poll() is not None:
                raise LabError(f"the fleet exited with status {process.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                self.down()
                raise LabError(f"the fleet was not ready in time:\n{_tail(log_path)}")
            time.sleep(0.1)
        data: dict[str, Any] = json.loads(ready.read_text())
        return data

    def _start_dns(self, hosts: list[dict[str, Any]], address: str, port: int) -> None:
        """dnsmasq daemonizes only once its sockets are bound, so a zero exit means it is serving."""
        sim_dns.write_hosts(self.dns_dir / "fleet.hosts", [(h["address"], h["fqdn"], h["name"]) for h in hosts])
        pid_file = self.pid_dir / "dnsmasq.pid"
        run(sim_dns.dnsmasq_argv(address, port, self.dns_dir, pid_file, self.log_dir / "dnsmasq.log"))
        first = hosts[0]
        got = sim_dns.wait_answer(address, port, first["fqdn"], first["address"])
        if got != {first["address"]}:
            raise LabError(f"the fleet's DNS at {address}:{port} does not answer {first['fqdn']}: {got}")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""

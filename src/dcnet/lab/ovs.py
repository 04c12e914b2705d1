"""Private Open vSwitch instances (ovsdb-server + ovs-vswitchd, userspace datapath) inside lab namespaces.

The kernel has no openvswitch module, so every bridge must be ``datapath_type=netdev``. One instance runs
per lab host (and one in the switch namespace for the lab VLANs), started by hand (no systemd) with
``ip netns exec``: its database, sockets, pidfiles and logs live in ``STATE/ovs/<name>/`` and
``OVS_RUNDIR`` points there too, so bridge management sockets of different instances never collide in
/var/run/openvswitch. The sockets keep OVS's default names (``db.sock``, ``ovs-vswitchd.<pid>.ctl``), so
plain ``ovs-vsctl`` / ``ovs-appctl -t ovs-vswitchd`` with ``OVS_RUNDIR`` set (as lab agents get it) reach
the instance like a system-wide one. `teardown` stops the PIDs in the pidfiles (and anything left in the
namespaces).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dcnet.lab.run import netns_exec, run
from dcnet.lab.topology import LabError

OVS_DIR = "ovs"
SCHEMA = Path("/usr/share/openvswitch/vswitch.ovsschema")
DAEMONS = ("ovsdb-server", "ovs-vswitchd")
TOOLS = ("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")
MAX_RUNDIR = 76  # AF_UNIX paths are ≤ 107 bytes; "<rundir>/ovs-vswitchd.<pid≤7 digits>.ctl" must fit
VSCTL_TIMEOUT = 10


@dataclass(frozen=True)
class OvsInstance:
    """One ovsdb-server + ovs-vswitchd pair, named after the lab host ("h1") or "sw" for the switch."""

    name: str
    netns: str
    rundir: Path

    @property
    def db_sock(self) -> Path:
        return self.rundir / "db.sock"

    @property
    def db(self) -> str:
        return f"unix:{self.db_sock}"

    def pidfile(self, daemon: str) -> Path:
        return self.rundir / f"{daemon}.pid"

    def environ(self) -> dict[str, str]:
        """Environment binding the OVS tools (and their defaults) to this instance's directory."""
        r = str(self.rundir)
        return {"OVS_RUNDIR": r, "OVS_LOGDIR": r, "OVS_DBDIR": r, "OVS_SYSCONFDIR": r}

    def env(self) -> list[str]:
        return ["env", *(f"{k}={v}" for k, v in self.environ().items())]

    def vsctl_argv(self, *args: str) -> list[str]:
        return ["ovs-vsctl", f"--db={self.db}", f"--timeout={VSCTL_TIMEOUT}", *args]

    def appctl_argv(self, *args: str) -> list[str]:
        """`-t ovs-vswitchd` resolves to OVS_RUNDIR/ovs-vswitchd.<pid from its pidfile>.ctl."""
        return [*self.env(), "ovs-appctl", "-t", "ovs-vswitchd", *args]

    def ofctl_argv(self, *args: str) -> list[str]:
        """ovs-ofctl finds `<bridge>.mgmt` through OVS_RUNDIR."""
        return [*self.env(), "ovs-ofctl", *args]

    def server_argv(self) -> list[str]:
        r = self.rundir
        return netns_exec(
            self.netns,
            *self.env(),
            "ovsdb-server",
            "-vconsole:off",
            str(r / "conf.db"),
            f"--remote=punix:{self.db_sock}",
            f"--pidfile={self.pidfile('ovsdb-server')}",
            f"--log-file={r / 'ovsdb-server.log'}",
            "--detach",
            "--no-chdir",
        )

    def vswitchd_argv(self) -> list[str]:
        r = self.rundir
        return netns_exec(
            self.netns,
            *self.env(),
            "ovs-vswitchd",
            "-vconsole:off",
            self.db,
            f"--pidfile={self.pidfile('ovs-vswitchd')}",
            f"--log-file={r / 'ovs-vswitchd.log'}",
            "--detach",
            "--no-chdir",
        )


def instance(state: Path, name: str, netns: str) -> OvsInstance:
    rundir = state / OVS_DIR / name
    if len(str(rundir)) > MAX_RUNDIR:
        raise LabError(
            f"OVS run dir {rundir} is too long for unix sockets (max {MAX_RUNDIR} chars); use a shorter state dir"
        )
    return OvsInstance(name, netns, rundir)


def start(inst: OvsInstance, external_ids: Mapping[str, str], timeout: float = 10.0) -> float:
    """Create the database, start both daemons in the namespace; returns the seconds it took.

    `--detach` returns once the daemon serves (vswitchd: after applying the database once), so no polling
    is needed beyond a check that the control socket answers.
    """
    t0 = time.monotonic()
    inst.rundir.mkdir(parents=True, exist_ok=True)
    run(["ovsdb-tool", "create", str(inst.rundir / "conf.db"), str(SCHEMA)])
    run(inst.server_argv(), timeout=timeout)
    ids = [f"external_ids:{k}={v}" for k, v in external_ids.items()]
    run(inst.vsctl_argv("--no-wait", "init", "--", "set", "Open_vSwitch", ".", *ids), timeout=timeout)
    run(inst.vswitchd_argv(), timeout=timeout)
    run(inst.appctl_argv("version"), timeout=timeout)
    return time.monotonic() - t0


def pid_files(state: Path) -> list[Path]:
    """Every OVS pidfile of a lab, also of instances whose start failed half-way."""
    base = state / OVS_DIR
    return sorted(base.glob("*/*.pid")) if base.is_dir() else []

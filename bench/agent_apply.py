"""bench.agent_apply: one Host.setupNetworks adding 100 VLAN networks on Open vSwitch (each an internal port
with its VLAN tag and an address), as a ratio to the same changes made by one `ovs-vsctl` batch plus one
`ip -batch` in the same run (`ratio_vs_ovs_vsctl=`, goal <= 3).

Runs as root: a scratch namespace with one nic (a veth) and a private OVS instance (userspace datapath)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import report

NETWORKS = int(os.environ.get("BENCH_NETWORKS", "100"))


def start_ovs(namespace: str, rundir: Path) -> str:
    env = {**os.environ, "OVS_RUNDIR": str(rundir), "OVS_LOGDIR": str(rundir), "OVS_DBDIR": str(rundir)}
    db = rundir / "conf.db"
    subprocess.run(["ovsdb-tool", "create", str(db), "/usr/share/openvswitch/vswitch.ovsschema"], check=True, env=env)
    netns = ["ip", "netns", "exec", namespace]
    subprocess.run([*netns, "ovsdb-server", "-vconsole:off", str(db), f"--remote=punix:{rundir}/db.sock",
                    f"--pidfile={rundir}/ovsdb-server.pid", f"--unixctl={rundir}/ovsdb-server.ctl",
                    f"--log-file={rundir}/ovsdb-server.log", "--detach", "--no-chdir"], check=True, env=env)  # fmt: skip
    subprocess.run(["ovs-vsctl", f"--db=unix:{rundir}/db.sock", "--no-wait", "init"], check=True, env=env)
    subprocess.run([*netns, "ovs-vswitchd", "-vconsole:off", f"unix:{rundir}/db.sock",
                    f"--pidfile={rundir}/ovs-vswitchd.pid", f"--unixctl={rundir}/ovs-vswitchd.ctl",
                    f"--log-file={rundir}/ovs-vswitchd.log", "--detach", "--no-chdir"], check=True, env=env)  # fmt: skip
    time.sleep(0.5)
    return f"unix:{rundir}/db.sock"


def stop_ovs(rundir: Path) -> None:
    for name in ("ovs-vswitchd", "ovsdb-server"):
        pid_file = rundir / f"{name}.pid"
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)


def address(index: int) -> str:
    return f"10.{100 + index // 250}.{index % 250}.1"


def baseline(db: str, namespace: str) -> float:
    """The same bridge, ports, tags, addresses: one ovs-vsctl transaction and one `ip -batch`."""
    args = ["ovs-vsctl", f"--db={db}", "--timeout=60", "add-br", "br-eth1", "--", "set", "bridge", "br-eth1",
            "datapath_type=netdev", "--", "add-port", "br-eth1", "eth1"]  # fmt: skip
    for i in range(NETWORKS):
        args += [
            "--",
            "add-port",
            "br-eth1",
            f"n{i}",
            f"tag={i + 1}",
            "--",
            "set",
            "interface",
            f"n{i}",
            "type=internal",
        ]
    batch = "\n".join(f"addr add {address(i)}/24 dev n{i}\nlink set n{i} up" for i in range(NETWORKS))
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    subprocess.run(["ip", "-n", namespace, "-batch", "-"], input=batch, text=True, check=True)
    elapsed = time.perf_counter() - start
    subprocess.run(["ovs-vsctl", f"--db={db}", "del-br", "br-eth1"], check=True)
    return elapsed


def agent_apply(db: str, namespace: str) -> float:
    code = f"""
import json, sys, tempfile, time
from pathlib import Path
from dcnet.agent.backends.linux import LinuxBackend
from dcnet.agent.backends.ovs import OvsSwitch
from dcnet.agent.persistence import StateDir
from dcnet.agent.transactions import NetworkService
state = Path(tempfile.mkdtemp())
service = NetworkService(LinuxBackend(state / "run", ovs=OvsSwitch({db!r}), monitor=False), StateDir(state))
networks = {{f"n{{i}}": {{"nic": "eth1", "vlan": i + 1, "switch": "ovs", "ipaddr": a, "prefix": 24}}
            for i, a in enumerate(json.loads(sys.argv[1]))}}
start = time.perf_counter()
service.setup_networks(networks, {{}}, {{"connectivityCheck": False}})
print(time.perf_counter() - start)
"""
    addresses = [address(i) for i in range(NETWORKS)]
    import json

    result = subprocess.run(
        ["ip", "netns", "exec", namespace, sys.executable, "-c", code, json.dumps(addresses)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    if os.geteuid() != 0 or shutil.which("ovs-vswitchd") is None:
        sys.exit("bench.agent_apply needs root and Open vSwitch (openvswitch-switch)")
    namespace = f"bapply-{uuid.uuid4().hex[:6]}"
    rundir = Path(tempfile.mkdtemp(prefix="bench-ovs-"))
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    try:
        subprocess.run(
            ["ip", "-n", namespace, "link", "add", "eth1", "type", "veth", "peer", "name", "peer1"], check=True
        )
        for dev in ("lo", "eth1", "peer1"):
            subprocess.run(["ip", "-n", namespace, "link", "set", dev, "up"], check=True)
        db = start_ovs(namespace, rundir)
        base = min(baseline(db, namespace) for _ in range(3))
        agent = agent_apply(db, namespace)
        report(
            "agent_apply",
            {"ratio_vs_ovs_vsctl": agent / base, "agent_s": agent, "baseline_s": base, "networks": NETWORKS},
        )
    finally:
        stop_ovs(rundir)
        subprocess.run(["ip", "netns", "del", namespace], check=False)
        shutil.rmtree(rundir, ignore_errors=True)


if __name__ == "__main__":
    main()

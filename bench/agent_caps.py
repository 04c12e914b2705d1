"""bench.agent_caps: one Host.getCapabilities on a host namespace with 500 devices, as a ratio to
`ip -j -d link show` + `ip -j addr show` + `ip -j route show` run in the same process.

Runs as root: builds a scratch namespace with 250 veth pairs (500 devices, up, one IPv4 each), then
re-executes itself inside it so the agent's Linux backend and the `ip` baseline see the same kernel."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from bench.common import best_of, report

DEVICES = 500


def build(namespace: str) -> None:
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    lines = ["link set lo up"]
    for pair in range(DEVICES // 2):
        lines.append(f"link add v{pair}a type veth peer name v{pair}b")
    for pair in range(DEVICES // 2):
        for side in "ab":
            lines.append(f"link set v{pair}{side} up")
    for pair in range(DEVICES // 2):
        lines.append(f"addr add 10.{pair // 200}.{pair % 200}.1/24 dev v{pair}a")
    subprocess.run(["ip", "-n", namespace, "-batch", "-"], input="\n".join(lines), text=True, check=True)


def inside() -> None:
    from dcnet.agent.backends.linux import LinuxBackend
    from dcnet.agent.persistence import StateDir
    from dcnet.agent.transactions import NetworkService

    def baseline() -> None:
        for args in (["-d", "link", "show"], ["addr", "show"], ["route", "show"]):
            subprocess.run(["ip", "-j", *args], capture_output=True, check=True)

    state = Path(tempfile.mkdtemp(prefix="bench-caps-"))

    def cold() -> None:
        """A fresh agent service every time: nothing from an earlier call can help (the agent never caches)."""
        NetworkService(LinuxBackend(state / "run", monitor=False), StateDir(state)).capabilities()

    service = NetworkService(LinuxBackend(state / "run", monitor=False), StateDir(state))
    caps = service.capabilities()
    ip_time = best_of(baseline)
    cold_time = best_of(cold)
    warm_time = best_of(service.capabilities)
    report(
        "agent_caps",
        {
            "ratio_vs_ip": cold_time / ip_time,
            "ratio_warm": warm_time / ip_time,
            "caps_ms": cold_time * 1000,
            "ip_ms": ip_time * 1000,
            "devices": len(caps["nics"]) + len(caps["bridges"]) + len(caps["vlans"]) + len(caps["bondings"]),
        },
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--inside":
        inside()
        return
    if os.geteuid() != 0:
        sys.exit("bench.agent_caps needs root (network namespaces)")
    namespace = f"bcaps-{uuid.uuid4().hex[:6]}"
    try:
        build(namespace)
        subprocess.run(
            ["ip", "netns", "exec", namespace, sys.executable, "-m", "bench.agent_caps", "--inside"],
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
    finally:
        subprocess.run(["ip", "netns", "del", namespace], check=False)


if __name__ == "__main__":
    main()

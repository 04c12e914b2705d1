"""Remove a lab by prefix: recorded PIDs, processes inside its namespaces, its namespaces and root devices.

Works from the prefix alone (a failed up, a state dir deleted by hand, another process's lab): the
recorded names are merged with an exact-name sweep, and only names this package creates are touched.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from dcnet.lab import ovs, procs
from dcnet.lab.run import ip_batch, netns_names, netns_pids, root_link_names
from dcnet.lab.topology import LabError, check_prefix, is_lab_netns, is_lab_root_dev, uplink_dev

MARKER = ".dcnet-lab"
ROUTES = "routes"  # root-namespace routes a lab added (one `ip route` spec a line), removed first


@dataclass
class Removed:
    """What a teardown found and removed (for the CLI and for assertions)."""

    namespaces: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    state_dir_removed: bool = False
    seconds: float = 0.0


def _recorded(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except OSError:
        return []


def _not_in_root_netns(pid: int) -> bool:
    """Lab processes all live in lab namespaces; a recorded PID in ours has been reused by something else."""
    try:
        return os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")
    except OSError:
        return False


def lab_namespaces(prefix: str, state_dir: Path | None = None) -> list[str]:
    recorded = _recorded(state_dir / "netns") if state_dir else []
    present = set(netns_names())
    return sorted({n for n in [*recorded, *present] if is_lab_netns(prefix, n) and n in present})


def lab_root_devices(prefix: str) -> list[str]:
    return sorted(d for d in root_link_names() if is_lab_root_dev(prefix, d))


def leftovers(prefix: str) -> list[str]:
    return lab_namespaces(prefix) + lab_root_devices(prefix)


def remove_state_dir(state_dir: Path) -> bool:
    """Only a directory this package marked (or an empty one) is deleted: a typo'd --state-dir is safe."""
    if not state_dir.exists():
        return False
    if (state_dir / MARKER).exists():
        shutil.rmtree(state_dir)
        return True
    if state_dir.is_dir() and not any(state_dir.iterdir()):
        state_dir.rmdir()
        return True
    return False


def teardown(prefix: str, state_dir: Path, *, grace: float = 5.0) -> Removed:
    """Idempotent; raises LabError only if something of the lab is still there afterwards."""
    check_prefix(prefix)
    t0 = time.monotonic()
    out = Removed()
    namespaces = lab_namespaces(prefix, state_dir)
    recorded = [*procs.recorded_pids(state_dir / "pids").values()]
    recorded += [p for f in ovs.pid_files(state_dir) if (p := procs.read_pid(f)) is not None]
    candidates = [p for p in recorded if _not_in_root_netns(p)]
    for _ in range(3):  # again, in case something forked (dhclient, dnsmasq TCP children) meanwhile
        for ns in namespaces:
            candidates += netns_pids(ns)
        stopped = procs.stop_pids(candidates, grace=grace)
        if not stopped:
            break
        out.pids += stopped
        candidates = []
    # routes would also go with the uplink; deleting the recorded ones (only those via it) first is explicit
    routes = [r for r in _recorded(state_dir / ROUTES) if r.endswith(f" dev {uplink_dev(prefix)}")]
    ip_batch([f"route del {r}" for r in routes], force=True, check=False)
    out.routes = routes
    # root devices first: deleting a veth end removes its peer synchronously, a netns delete does it async
    out.devices = lab_root_devices(prefix)
    ip_batch([f"link del {d}" for d in out.devices], force=True, check=False)
    ip_batch([f"netns del {ns}" for ns in namespaces], force=True, check=False)
    out.namespaces = namespaces
    out.state_dir_removed = remove_state_dir(state_dir)
    deadline = time.monotonic() + 3.0
    left = leftovers(prefix)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = leftovers(prefix)
    out.seconds = time.monotonic() - t0
    if left:
        raise LabError(f"lab {prefix!r} teardown left {left}")
    return out

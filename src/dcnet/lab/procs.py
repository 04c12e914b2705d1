"""Lab processes are tracked by PID files and stopped by PID only (never by name)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path


def write_pid(pid_dir: Path, name: str, pid: int) -> Path:
    pid_dir.mkdir(parents=True, exist_ok=True)
    path = pid_dir / f"{name}.pid"
    path.write_text(f"{pid}\n")
    return path


def read_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def recorded_pids(pid_dir: Path) -> dict[str, int]:
    """name -> pid for every readable pid file (dnsmasq writes its own; we write the rest)."""
    if not pid_dir.is_dir():
        return {}
    out = {}
    for path in sorted(pid_dir.glob("*.pid")):
        pid = read_pid(path)
        if pid is not None:
            out[path.stem] = pid
    return out


def is_running(pid: int) -> bool:
    """Zombies count as gone: a killed child of a dead parent may linger as Z until init reaps it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _reap(pid: int) -> None:
    """Collect our own children so they do not stay zombies for the life of the test session."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def stop_pids(pids: Iterable[int], *, grace: float = 5.0) -> list[int]:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL; returns the PIDs that were running."""
    targets = sorted({p for p in pids if p > 1 and p != os.getpid() and is_running(p)})
    for pid in targets:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    alive = list(targets)
    while alive and time.monotonic() < deadline:
        for pid in alive:
            _reap(pid)
        alive = [p for p in alive if is_running(p)]
        if alive:
            time.sleep(0.05)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in alive:
        for _ in range(100):
            _reap(pid)
            if not is_running(pid):
                break
            time.sleep(0.02)
    return targets

"""Thin wrappers over iproute2: every kernel change of the lab goes through `ip` (batched where possible)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Sequence
from typing import Any

from dcnet.lab.topology import LabError


def run(
    argv: Sequence[str], *, check: bool = True, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a command, capture text output; with check a failure raises LabError carrying stderr.

    The command gets its own process group, killed as a whole on timeout: dhclient forks a worker at
    once and only its parent exits when a lease arrives, so killing the parent alone would leak it.
    """
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise LabError(f"{argv[0]}: not installed ({exc})") from exc
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except BaseException as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        if isinstance(exc, subprocess.TimeoutExpired):
            raise LabError(f"{' '.join(argv)} timed out after {timeout} s (killed)") from None
        raise
    res = subprocess.CompletedProcess(list(argv), proc.returncode, out, err)
    if check and res.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed with status {res.returncode}: {res.stderr.strip()}")
    return res


def ip_batch(lines: Sequence[str], *, netns: str | None = None, force: bool = False, check: bool = True) -> None:
    """One `ip` process for many commands (≈5 ms each otherwise); -force keeps going past errors."""
    if not lines:
        return
    argv = ["ip"] + (["-n", netns] if netns else []) + (["-force"] if force else []) + ["-batch", "-"]
    run(argv, input="\n".join(lines) + "\n", check=check)


def netns_exec(netns: str, *argv: str) -> list[str]:
    return ["ip", "netns", "exec", netns, *argv]


def ip_json(kind: str, *, netns: str | None = None, family: int | None = None) -> list[dict[str, Any]]:
    """Parsed `ip -j -d [-4|-6] <kind> show`: the agent's view, cheaper than pyroute2 dumps.

    `route` without a family lists IPv4 only (as `ip route` does); pass family=6 for IPv6 routes.
    """
    if kind not in ("addr", "link", "route"):
        raise LabError(f"ip_json: kind must be addr, link or route, got {kind!r}")
    if family not in (None, 4, 6):
        raise LabError(f"ip_json: family must be 4 or 6, got {family!r}")
    argv = ["ip", "-j", "-d"] + ([f"-{family}"] if family else []) + (["-n", netns] if netns else [])
    argv += [kind, "show"]
    out = run(argv).stdout.strip()
    return json.loads(out) if out else []


def netns_names() -> list[str]:
    out = run(["ip", "-j", "netns", "list"], check=False).stdout.strip()
    return [e["name"] for e in json.loads(out)] if out else []


def root_link_names() -> list[str]:
    return [link["ifname"] for link in ip_json("link")]


def netns_pids(netns: str) -> list[int]:
    res = run(["ip", "netns", "pids", netns], check=False)
    return [int(p) for p in res.stdout.split() if p.isdigit()]


def root_addresses() -> list[tuple[str, str]]:
    """(device, address) of every address in the root namespace: what a new lab must not collide with."""
    return [(link["ifname"], a["local"]) for link in ip_json("addr") for a in link.get("addr_info", [])]

"""Start the real dcnet-agent inside a lab host; the module is only named, so the lab works without it.

The command is ``ip netns exec NS setsid <python> -m dcnet.agent.main ARGS`` (by default with a private
/etc/resolv.conf bound first, through ``sh -c '... && exec setsid ...'``). It is started from our own
process group, so ``setsid`` does not fork, and ``sh`` execs: the PID we record is the agent's own PID.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

AGENT_MODULE = "dcnet.agent.main"


# `ip netns exec` already runs the command in a private mount namespace; binding the lab's resolv.conf
# over /etc/resolv.conf there means an agent that runs Debian's dhclient-script cannot rewrite the machine's.
_BIND_RESOLV = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'


def serve_args(state_dir: Path, *, insecure: bool, port: int = 54321) -> list[str]:
    """The real agent on the real backend: enrollment mode (prints a token) unless `insecure`."""
    args = ["serve", "--listen", f"[::]:{port}", "--backend", "real", "--state-dir", str(state_dir)]
    return [*args, "--insecure-dev"] if insecure else args


def agent_argv(python: str, netns: str, argv_tail: Sequence[str], resolv_conf: Path | None = None) -> list[str]:
    cmd = ["setsid", python, "-m", AGENT_MODULE, *argv_tail]
    if resolv_conf is not None:
        cmd = ["sh", "-c", _BIND_RESOLV, str(resolv_conf), *cmd]
    return ["ip", "netns", "exec", netns, *cmd]


def spawn(
    python: str,
    netns: str,
    argv_tail: Sequence[str],
    env: Mapping[str, str] | None,
    log: Path,
    resolv_conf: Path | None = None,
) -> subprocess.Popen[bytes]:
    """stdout+stderr go to a per-host log (appended, so restarts keep history); stdin is /dev/null."""
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    with log.open("ab") as fh:
        return subprocess.Popen(
            agent_argv(python, netns, argv_tail, resolv_conf),
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=full_env,
            close_fds=True,
        )

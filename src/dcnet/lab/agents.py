"""Start the real dcnet-agent inside a lab host; the module is only named, so the lab works without it.

The command is ``ip netns exec NS setsid <python> -m dcnet.agent.main ARGS``. It is started from our own
process group, so ``setsid`` does not fork and the PID we record is the agent's own PID.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

AGENT_MODULE = "dcnet.agent.main"


def agent_argv(python: str, netns: str, argv_tail: Sequence[str]) -> list[str]:
    return ["ip", "netns", "exec", netns, "setsid", python, "-m", AGENT_MODULE, *argv_tail]


def spawn(
    python: str, netns: str, argv_tail: Sequence[str], env: Mapping[str, str] | None, log: Path
) -> subprocess.Popen[bytes]:
    """stdout+stderr go to a per-host log (appended, so restarts keep history); stdin is /dev/null."""
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    with log.open("ab") as fh:
        return subprocess.Popen(
            agent_argv(python, netns, argv_tail),
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=full_env,
            close_fds=True,
        )

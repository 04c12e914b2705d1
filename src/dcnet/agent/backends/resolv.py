"""The host's resolver configuration (resolv.conf): its name servers read and rewritten in place.

The file is rewritten in place (truncate + write), never replaced by a rename: in the lab it is a private
file bind-mounted over /etc/resolv.conf in the agent's mount namespace, and a rename onto a mount point
fails. Only `nameserver` lines change; comments, `search` and `options` lines stay where they are, and the
new servers take the place of the first old `nameserver` line (the top of the file when there was none),
so putting the old servers back gives back the old file."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PATH = Path("/etc/resolv.conf")


def _is_server_line(line: str) -> bool:
    parts = line.split()
    return len(parts) > 1 and parts[0] == "nameserver"


def read_nameservers(path: Path) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return []
    return [line.split()[1] for line in lines if _is_server_line(line)]


def rewrite(text: str, servers: list[str]) -> str:
    """`text` with its nameserver lines replaced by `servers` (pure, for tests)."""
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if _is_server_line(line)), 0)
    kept = [line for line in lines[:first] if not _is_server_line(line)]
    rest = [line for line in lines[first:] if not _is_server_line(line)]
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    return "".join(kept + [f"nameserver {server}\n" for server in servers] + rest)


def write_nameservers(path: Path, servers: list[str]) -> None:
    try:
        old = path.read_text()
    except FileNotFoundError:
        old = ""
    new = rewrite(old, servers)
    if new == old:
        return
    with path.open("r+" if path.exists() else "w") as file:
        file.seek(0)
        file.write(new)
        file.truncate()
        file.flush()
        os.fsync(file.fileno())

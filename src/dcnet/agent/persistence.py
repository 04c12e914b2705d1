"""The agent's state directory: running config, safe config, the open transaction journal and the
outcomes of recent transactions. Every write is atomic and fsynced, so a crash leaves either the old
or the new file, never half of one."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from dcnet.domain.hostnet.config import NetConfig

HISTORY_SIZE = 100


def write_atomic(path: Path, text: str, mode: int = 0o600, *, durable: bool = True) -> None:
    """`durable=False` skips the fsyncs: still atomic for readers and across a crash of the process (the
    page cache survives it), not across a power cut; a simulated fleet writes thousands of files."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, text.encode())
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if not durable:
        return
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class StateDir:
    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = root
        self.durable = durable  # False for simulated hosts (see write_atomic)
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path(self, name: str) -> Path:
        return self.root / name

    def _read_json(self, name: str, default: Any) -> Any:
        path = self.path(name)
        if not path.exists():
            return default
        return json.loads(path.read_text())

    def _write_json(self, name: str, value: Any) -> None:
        write_atomic(self.path(name), json.dumps(value, indent=1, sort_keys=True), durable=self.durable)

    # running and safe configs ------------------------------------------------------------------
    def running(self) -> NetConfig:
        return NetConfig.model_validate(self._read_json("running.json", {}))

    def save_running(self, config: NetConfig) -> None:
        self._write_json("running.json", config.model_dump(by_alias=True))

    def safe(self) -> NetConfig:
        return NetConfig.model_validate(self._read_json("safe.json", {}))

    def save_safe(self, config: NetConfig) -> None:
        self._write_json("safe.json", config.model_dump(by_alias=True))

    # the open transaction ----------------------------------------------------------------------
    def open_transaction(self) -> dict[str, Any] | None:
        value = self._read_json("transaction.json", None)
        return value if isinstance(value, dict) else None

    def begin_transaction(self, record: dict[str, Any]) -> None:
        self._write_json("transaction.json", record)

    def end_transaction(self, outcome: dict[str, Any]) -> None:
        """Record the outcome first, then drop the journal (a crash between the two repeats nothing)."""
        request_id = outcome.get("requestId")
        history = [entry for entry in self.history() if request_id is None or entry.get("requestId") != request_id]
        history.append(outcome)
        self._write_json("history.json", history[-HISTORY_SIZE:])
        journal = self.path("transaction.json")
        if journal.exists():
            journal.unlink()
            if not self.durable:
                return
            directory = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def history(self) -> list[dict[str, Any]]:
        value = self._read_json("history.json", [])
        return value if isinstance(value, list) else []

"""`dcnet events` (including --follow in a real process) and `dcnet jobs`."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.cli.helpers import invoke, spawn
from tests.support.engine_process import EngineProcess


@pytest.fixture
def engine_failed_login(engine: EngineProcess, tmp_path: Path) -> None:
    """A failed login: the engine records it as a warning event."""
    result = invoke(tmp_path / "s.json", "login", "--url", engine.base_url, "--password-stdin", input="wrong\n")
    assert result.exit_code == 1


def test_events_list_the_network_added_event(dcnet: Run, name: str) -> None:
    assert dcnet("network", "add", name, "--dc", "Default").exit_code == 0

    result = dcnet("events", "--max", "10")

    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if f"Finished adding Network {name} to" in line)
    assert f"Finished adding Network {name} to Data Center: Default" in row
    assert "942" in row and "normal" in row
    for header in ("Index", "Time", "Severity", "Code", "Description"):
        assert header in result.stdout


def test_correlation_id_tags_a_change_and_filters_its_events_and_jobs(dcnet: Run, name: str) -> None:
    tag = f"cli-{name}"
    assert dcnet("--correlation-id", tag, "network", "add", name, "--dc", "Default").exit_code == 0
    assert dcnet("network", "add", f"{name}-untagged", "--dc", "Default").exit_code == 0

    tagged = dcnet("events", "--correlation-id", tag)
    jobs = dcnet("jobs", "--correlation-id", tag)

    assert tagged.exit_code == 0, tagged.output
    assert f"Finished adding Network {name} to Data Center: Default" in tagged.stdout
    assert f"{name}-untagged" not in tagged.stdout
    assert jobs.exit_code == 0, jobs.output
    assert tag in jobs.stdout and "finished" in jobs.stdout


def test_severity_keeps_only_that_severity_or_worse(dcnet: Run, engine_failed_login: None) -> None:
    result = dcnet("events", "--severity", "warning", "--max", "50")

    assert result.exit_code == 0, result.output
    assert "failed to log in" in result.stdout
    assert " normal " not in result.stdout


def test_no_matching_events_says_so(dcnet: Run) -> None:
    result = dcnet("events", "--correlation-id", "no-such-correlation-id")

    assert result.exit_code == 0
    assert result.stdout.strip() == "(none)"


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """The process's stdout lines as they come, read by a thread (so waiting can time out)."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], text: str, timeout: float = 20.0) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} did not appear; saw {seen!r}")


def test_follow_prints_new_events_until_interrupted(dcnet: Run, session_file: Path, name: str) -> None:
    process = spawn(session_file, "events", "--follow", "--max", "1", "--interval", "0.2")
    try:
        lines = _lines(process)
        first = lines.get(timeout=20)  # the newest event so far: the follower is running
        assert first.split()[0].isdigit()

        assert dcnet("network", "add", name, "--dc", "Default").exit_code == 0

        seen = _wait_for(lines, f"Finished adding Network {name} to Data Center: Default")
        assert " 942 " in seen[-1]
        process.send_signal(signal.SIGINT)  # what Ctrl-C does
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
    assert process.stderr is not None
    stderr = process.stderr.read()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr

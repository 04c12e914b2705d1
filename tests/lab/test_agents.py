"""start_agent/stop_agent with a stand-in `dcnet.agent.main` (conftest's fake_agent_path; the real agent is
written elsewhere), so these keep proving the lab's side (command line, namespace, PID, log, env, private
resolv.conf) whether or not the real agent exists yet."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from dcnet.lab import Lab, LabError, procs


def _get(url: str, timeout: float = 10) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return json.loads(urllib.request.urlopen(url, timeout=1).read())  # type: ignore[no-any-return]
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_agent_runs_in_its_host_namespace_and_stops_by_pid(lab: Lab, fake_agent_path: Path) -> None:
    h1 = lab.host("h1")
    env = {"PYTHONPATH": str(fake_agent_path), "LAB_TEST_ENV": "yes"}
    pid = lab.start_agent(h1, ["--engine", f"http://{lab.engine_ipv4}:8080"], env)
    try:
        assert lab.agent_pid(h1) == pid
        assert procs.read_pid(lab.state_dir / "pids" / "agent-h1.pid") == pid
        info = _get(f"http://{h1.ipv4}:54321/")
        assert info["pid"] == pid and info["sid"] == pid  # setsid did not fork: the recorded PID is the agent
        assert info["argv"] == ["--engine", f"http://{lab.engine_ipv4}:8080"]
        assert info["env"] == "yes"
        assert info["netns"] == lab.exec(h1, "readlink", "/proc/self/ns/net").stdout.strip()
        assert _get(f"http://[{h1.ipv6}]:54321/")["pid"] == pid
        assert info["resolv_conf"] == f"nameserver 10.{lab.net}.255.254\nsearch lab.test\n"  # private copy
        with pytest.raises(LabError, match="already running"):
            lab.start_agent(h1, [], env)
    finally:
        assert lab.stop_agent(h1) is True
    assert lab.agent_pid(h1) is None and not procs.is_running(pid)
    assert "fake agent up" in lab.agent_log(h1).read_text()
    assert lab.stop_agent(h1) is False


def test_agent_can_see_the_machine_resolv_conf_when_asked(lab: Lab, fake_agent_path: Path) -> None:
    pid = lab.start_agent("h2", [], {"PYTHONPATH": str(fake_agent_path)}, private_resolv_conf=False)
    try:
        info = _get(f"http://{lab.host('h2').ipv4}:54321/")
        assert info["pid"] == pid
        assert info["resolv_conf"] == Path("/etc/resolv.conf").read_text()
    finally:
        lab.stop_agent("h2")


def test_missing_agent_module_fails_in_the_log_not_in_the_lab(lab: Lab, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "dcnet").mkdir(parents=True)
    (empty / "dcnet" / "__init__.py").write_text("")  # shadows dcnet: no dcnet.agent.main, whatever src/ has
    pid = lab.start_agent("h2", [], {"PYTHONPATH": str(empty)})
    deadline = time.monotonic() + 10
    while lab.agent_pid("h2") is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lab.agent_pid("h2") is None and not procs.is_running(pid)
    assert "No module named" in lab.agent_log("h2").read_text()
    lab.stop_agent("h2")

"""`dcnet-lab up|status|down` end to end, as a separate process (the console script's `main`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from dcnet.lab import Lab, procs
from dcnet.lab.run import netns_names, root_link_names


def _cli(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(extra_env or {})}
    code = "import sys; from dcnet.lab.cli import main; sys.argv[0] = 'dcnet-lab'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)


def test_up_status_down(make_lab: Callable[..., Lab], tmp_path: Path) -> None:
    spec = make_lab("k")  # only for a free prefix/net and a guaranteed down()
    state = tmp_path / "state"
    common = ["--prefix", spec.prefix, "--state-dir", str(state)]

    up = _cli("up", "2", "--net", str(spec.net), "--nics", "2", *common)
    assert up.returncode == 0, up.stderr
    assert f"inventory: {state / 'hosts.json'}" in up.stdout
    assert f"engine: 10.{spec.net}.0.1/16" in up.stdout
    assert f"dns: 10.{spec.net}.255.254:53" in up.stdout
    inv = json.loads((state / "hosts.json").read_text())
    assert inv["prefix"] == spec.prefix and inv["engine"]["ipv4"] == f"10.{spec.net}.0.1"
    assert inv["hosts"]["h2"]["nics"] == ["eth0", "eth1"] and inv["hosts"]["h2"]["netns"] == f"{spec.prefix}-h2"
    assert f"LAB_PREFIX={spec.prefix}\n" in (state / "lab.env").read_text()

    status = _cli("status", *common)
    assert status.returncode == 0, status.stderr
    assert "dnsmasq: running" in status.stdout and f"{spec.prefix}-h1" in status.stdout

    down = _cli("down", *common)
    assert down.returncode == 0, down.stderr
    assert "removed 3 namespaces" in down.stdout
    assert not state.exists()
    assert not [n for n in netns_names() + root_link_names() if n.startswith(f"{spec.prefix}-")]

    assert _cli("down", *common).returncode == 0  # idempotent
    gone = _cli("status", *common)
    assert gone.returncode == 1 and "no lab inventory" in gone.stdout


def test_bad_arguments_fail_cleanly() -> None:
    res = _cli("up", "1", "--prefix", "Bad-Prefix")
    assert res.returncode == 1 and "prefix must be" in res.stdout and "Traceback" not in res.stderr


def test_up_with_agents(make_lab: Callable[..., Lab], fake_agent_path: Path) -> None:
    spec = make_lab("g")
    args = ["--prefix", spec.prefix, "--net", str(spec.net)]
    up = _cli("up", "1", *args, "--agents", "--agent-arg=--demo", extra_env={"PYTHONPATH": str(fake_agent_path)})
    assert up.returncode == 0, up.stderr
    lab = Lab.attach(prefix=spec.prefix)
    pid = lab.agent_pid("h1")
    assert pid is not None and str(pid) in up.stdout
    deadline = time.monotonic() + 10
    while "fake agent up" not in lab.agent_log("h1").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    body = urllib.request.urlopen(f"http://{lab.hosts[0].ipv4}:54321/", timeout=5).read()
    assert json.loads(body)["argv"] == ["--demo"]
    assert _cli("down", "--prefix", spec.prefix).returncode == 0
    assert not procs.is_running(pid)


def _post(url: str, method: str, context: object = None) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.loads(urllib.request.urlopen(request, timeout=5, context=context).read())


def _until(probe: Callable[[], dict], timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return probe()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_up_starts_real_agents_waiting_for_enrollment(make_lab: Callable[..., Lab]) -> None:
    import ssl

    spec = make_lab("r")
    up = _cli("up", "1", "--prefix", spec.prefix, "--net", str(spec.net))
    assert up.returncode == 0, up.stderr
    lab = Lab.attach(prefix=spec.prefix)
    token_file = lab.state_dir / "agents" / "h1" / "enrollment-token"
    assert str(token_file) in up.stdout.replace("\n", "")
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    url = f"https://{lab.hosts[0].ipv4}:54321/jsonrpc"
    assert _until(lambda: _post(url, "Host.ping2", unverified))["result"]["status"]["code"] == 0
    assert _post(url, "Host.getCapabilities", unverified)["error"]["code"] == 403  # not enrolled yet
    assert token_file.read_text().strip()
    assert _cli("down", "--prefix", spec.prefix).returncode == 0


def test_up_with_insecure_agents_serves_plain_http(make_lab: Callable[..., Lab]) -> None:
    spec = make_lab("s")
    up = _cli("up", "1", "--prefix", spec.prefix, "--net", str(spec.net), "--insecure-agents")
    assert up.returncode == 0, up.stderr
    lab = Lab.attach(prefix=spec.prefix)
    url = f"http://{lab.hosts[0].ipv4}:54321/jsonrpc"
    caps = _until(lambda: _post(url, "Host.getCapabilities"))["result"]
    assert caps["nics"]["eth0"]["addr"] == lab.hosts[0].ipv4
    assert _cli("down", "--prefix", spec.prefix).returncode == 0

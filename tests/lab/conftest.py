"""Lab fixtures (real namespaces, root) and the rule that a skipped lab test fails the whole session.

The lab suite exists to prove real networking works on this machine; a skip there would hide exactly the
breakage it is meant to catch, so any skip of a test under this directory turns the exit status non-zero.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

import dcnet
from dcnet.lab import Lab
from dcnet.lab.run import root_addresses

LAB_DIR = Path(__file__).resolve().parent
_SKIPPED: list[str] = []
_LOCK_DIR = Path(tempfile.gettempdir()) / "dcnet-lab-locks"
_NET_LOCKS: dict[int, IO[str]] = {}


# --- unique names per run --------------------------------------------------------------------------------


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def unique_prefix(tag: str = "t") -> str:
    """`tag` + base36 of the pid (≤ 4 chars): concurrent runs never share a prefix."""
    return f"{tag}{_base36(os.getpid() % 36**4)}"


def nets_in_use() -> set[int]:
    """Second octets of every 10.X.0.0/16 already on a root-namespace address (another lab, a VPN…)."""
    used = set()
    for _dev, addr in root_addresses():
        parts = addr.split(".")
        if len(parts) == 4 and parts[0] == "10":
            used.add(int(parts[1]))
    return used


def free_net(exclude: Iterable[int] = ()) -> int:
    """A net nobody uses, reserved by an flock until release_net() or the end of this process.

    The pid-derived start spreads concurrent runs; the lock closes the gap between picking a net and
    its lab's up(), so two runs can never pick the same one.
    """
    used = nets_in_use() | set(exclude) | set(_NET_LOCKS)
    _LOCK_DIR.mkdir(exist_ok=True)
    start = os.getpid() % 90
    for k in range(90):
        net = 10 + (start + k) % 90
        if net in used:
            continue
        fh = (_LOCK_DIR / f"net{net}.lock").open("w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        _NET_LOCKS[net] = fh
        return net
    raise RuntimeError("no free 10.X.0.0/16 for a lab")


def release_net(net: int) -> None:
    fh = _NET_LOCKS.pop(net, None)
    if fh is not None:
        fh.close()


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """2 hosts × 3 nics for the whole session; torn down even when tests (or the up itself) fail."""
    the_lab = Lab(prefix=unique_prefix(), net=free_net(), n=2, nics=3)
    try:
        the_lab.up()
        yield the_lab
    finally:
        the_lab.down()
        release_net(the_lab.net)


@pytest.fixture
def make_lab(lab: Lab) -> Iterator[Callable[..., Lab]]:
    """Factory for extra labs (not yet up: a test may want up() to fail); each is downed afterwards.

    `tag` is one letter that keeps the prefix distinct from the session lab's; nets never repeat; other
    keyword arguments (ovs=True, vlans=...) go to Lab.
    """
    made: list[Lab] = []

    def make(tag: str, n: int = 1, nics: int = 1, **kwargs: Any) -> Lab:
        net = free_net(exclude={lab.net, *(m.net for m in made)})
        extra = Lab(prefix=unique_prefix(tag), net=net, n=n, nics=nics, **kwargs)
        made.append(extra)
        return extra

    try:
        yield make
    finally:
        for extra in made:
            extra.down()
            release_net(extra.net)


FAKE_AGENT = """
import json, os, socket, sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({
            "argv": sys.argv[1:], "pid": os.getpid(), "sid": os.getsid(0),
            "netns": os.readlink("/proc/self/ns/net"), "env": os.environ.get("LAB_TEST_ENV"),
            "resolv_conf": open("/etc/resolv.conf").read(),
        }).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(HTTPServer):
    address_family = socket.AF_INET6  # dual stack: reachable on the host's IPv4 and IPv6


server = Server(("::", 54321), Handler)  # bound before "up" is logged: tests wait for that line
print("fake agent up", flush=True)
server.serve_forever()
"""


@pytest.fixture
def fake_agent_path(tmp_path: Path) -> Path:
    """A PYTHONPATH entry whose `dcnet.agent.main` is a tiny HTTP server reporting what it sees.

    Its `dcnet` and `dcnet.agent` packages also search the real ones, so `dcnet.lab` (e.g. the CLI) and
    the agent's helpers the lab uses still import with it; only `dcnet.agent.main` is the stand-in.
    """
    pkg = tmp_path / "fake" / "dcnet" / "agent"
    pkg.mkdir(parents=True)
    real = Path(dcnet.__file__).parent
    (pkg.parent / "__init__.py").write_text(f"__path__.append({str(real)!r})\n")
    (pkg / "__init__.py").write_text(f"__path__.append({str(real / 'agent')!r})\n")
    (pkg / "main.py").write_text(FAKE_AGENT)
    return tmp_path / "fake"


# --- skips are failures here -------------------------------------------------------------------------------


def _under_lab_dir(config: pytest.Config, nodeid: str) -> bool:
    path = (config.rootpath / nodeid.split("::", 1)[0]).resolve()
    return path == LAB_DIR or LAB_DIR in path.parents


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPPED.append(report.nodeid)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:
        _SKIPPED.append(report.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    skipped = sorted({n for n in _SKIPPED if _under_lab_dir(session.config, n)})
    if not skipped:
        return
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"lab tests must not be skipped; {len(skipped)} skipped:", *(f"  {n}" for n in skipped)]
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_sep("=", "SKIPPED LAB TESTS FAIL THE SESSION", red=True, bold=True)
        for line in lines:
            reporter.write_line(line)
    else:
        print("\n".join(lines))

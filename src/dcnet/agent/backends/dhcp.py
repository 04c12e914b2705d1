"""DHCP through the system's client (ISC dhclient), one process per device and family, running our own
script (see dhclient_script) so a lease never rewrites the machine's /etc/resolv.conf.

Clients someone else started (an installer, the lab) are found by their processes: a dhclient in this
network namespace names its device and family on its command line. That is how `dhcpv4` is reported for
devices the agent does not manage, and how a take-over stops the old client."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from dcnet.agent.backend import BackendError
from dcnet.agent.backends.dhclient_script import CONFIG, SCRIPT

log = logging.getLogger("dcnet.agent.dhcp")


class DhcpClients:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        self.script = run_dir / "dhclient-script"
        self.config = run_dir / "dhclient.conf"
        if not self.script.exists() or self.script.read_text() != SCRIPT:
            self.script.write_text(SCRIPT)
            self.script.chmod(0o755)
        self.config.write_text(CONFIG)

    @staticmethod
    def available() -> bool:
        return shutil.which("dhclient") is not None

    def _files(self, device: str, family: int) -> tuple[Path, Path]:
        return self.run_dir / f"dhclient{family}-{device}.pid", self.run_dir / f"dhclient{family}-{device}.leases"

    def running(self, family: int) -> set[str]:
        """Devices with a live client of this family: ours (dead clients' pid files are ignored) and
        anyone else's in this network namespace."""
        devices = {device for device, _pid in foreign_clients(family)}
        for pid_file in self.run_dir.glob(f"dhclient{family}-*.pid"):
            pid = _pid(pid_file)
            if pid is not None and _alive(pid):
                devices.add(pid_file.name[len(f"dhclient{family}-") : -len(".pid")])
        return devices

    def start(self, device: str, family: int, default_route: bool = False) -> None:
        if not self.available():
            raise BackendError("no DHCP client on this host (install isc-dhcp-client)")
        pid_file, lease_file = self._files(device, family)
        if family == 6:
            _wait_link_local(device)
        command = [
            "dhclient", f"-{family}", "-nw", "-sf", str(self.script), "-cf", str(self.config),
            "-pf", str(pid_file), "-lf", str(lease_file),
            *(["-e", "DCNET_DEFAULT_ROUTE=yes"] if default_route else []), device,
        ]  # fmt: skip
        log.info("starting %s", " ".join(command))
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, start_new_session=True)
        if result.returncode != 0:
            raise BackendError(f"dhclient -{family} on {device} failed: {result.stderr.strip()}")

    def stop(self, device: str, family: int) -> None:
        """Our client on `device`, and any other client of that family on it (a take-over ends it)."""
        pid_file, lease_file = self._files(device, family)
        pids = [pid for name, pid in foreign_clients(family) if name == device]
        own = _pid(pid_file)
        for pid in ([own] if own is not None else []) + pids:
            _terminate(pid)
        pid_file.unlink(missing_ok=True)
        lease_file.unlink(missing_ok=True)


LINK_LOCAL_WAIT = 5.0


def _wait_link_local(device: str, timeout: float = LINK_LOCAL_WAIT) -> None:
    """dhclient -6 exits at once while the device's link-local address is still tentative (duplicate address
    detection, 1-2 s after the link came up), so a port created in the same change waits for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = subprocess.run(
            ["ip", "-j", "-6", "addr", "show", "dev", device, "scope", "link"], capture_output=True, text=True
        )
        if done.returncode == 0:
            infos = [a for link in json.loads(done.stdout or "[]") for a in link.get("addr_info", [])]
            if any(not a.get("tentative") for a in infos):
                return
        time.sleep(0.1)


def _terminate(pid: int) -> None:
    if not _alive(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# dhclient options that take a value (the device names are the other plain arguments)
_VALUE_OPTIONS = frozenset(
    ["-p", "-s", "-g", "-e", "-cf", "-lf", "-pf", "-sf", "-df", "-H", "-F", "-V", "-C", "-timeout",
     "--decline-wait-time", "--dad-wait-time", "--prefix-len-hint", "--address-prefix-len"]
)  # fmt: skip


def dhclient_devices(argv: list[str]) -> tuple[int, list[str]]:
    """(family, devices) of a dhclient command line; a release (-r) or stop (-x) run holds no lease."""
    if "-r" in argv or "-x" in argv:
        return 0, []
    family = 6 if "-6" in argv else 4
    devices = []
    skip = False
    for arg in argv[1:]:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            devices.append(arg)
    return family, devices


def foreign_clients(family: int) -> list[tuple[str, int]]:
    """(device, pid) of every live dhclient of `family` in this process's network namespace (a host's
    namespaces share the pid space, so a client elsewhere would otherwise be mistaken for ours)."""
    try:
        own_netns = os.readlink("/proc/self/ns/net")
    except OSError:
        return []
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or _read(f"/proc/{entry.name}/comm") != "dhclient":
            continue
        try:
            if os.readlink(f"/proc/{entry.name}/ns/net") != own_netns or not _alive(int(entry.name)):
                continue
            argv = Path(f"/proc/{entry.name}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        client_family, devices = dhclient_devices([arg for arg in argv if arg])
        if client_family == family:
            found += [(device, int(entry.name)) for device in devices]
    return found


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"

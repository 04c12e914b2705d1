"""DHCP through the system's client (ISC dhclient), one process per device and family, running our own
script (see dhclient_script) so a lease never rewrites the machine's /etc/resolv.conf."""

from __future__ import annotations

import contextlib
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
        """Devices with a live client of this family (dead clients' pid files are ignored)."""
        devices = set()
        for pid_file in self.run_dir.glob(f"dhclient{family}-*.pid"):
            pid = _pid(pid_file)
            if pid is not None and _alive(pid):
                devices.add(pid_file.name[len(f"dhclient{family}-") : -len(".pid")])
        return devices

    def start(self, device: str, family: int) -> None:
        if not self.available():
            raise BackendError("no DHCP client on this host (install isc-dhcp-client)")
        pid_file, lease_file = self._files(device, family)
        command = [
            "dhclient", f"-{family}", "-nw", "-sf", str(self.script), "-cf", str(self.config),
            "-pf", str(pid_file), "-lf", str(lease_file), device,
        ]  # fmt: skip
        log.info("starting %s", " ".join(command))
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, start_new_session=True)
        if result.returncode != 0:
            raise BackendError(f"dhclient -{family} on {device} failed: {result.stderr.strip()}")

    def stop(self, device: str, family: int) -> None:
        pid_file, lease_file = self._files(device, family)
        pid = _pid(pid_file)
        if pid is not None and _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        pid_file.unlink(missing_ok=True)
        lease_file.unlink(missing_ok=True)


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

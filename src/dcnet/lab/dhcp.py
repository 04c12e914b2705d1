"""DHCP clients inside lab hosts, with ISC dhclient, that cannot touch the machine's /etc.

Approach: dhclient runs with ``-sf`` pointing at the lab's own script (written into the state dir), which
only adds/removes the leased address with ``ip``. Debian's /sbin/dhclient-script is never run, so nothing
writes /etc/resolv.conf (not even its temporary ``/etc/resolv.conf.dhclient-new.PID``) and no exit hook from
/etc/dhcp runs. ``-cf`` uses a private, empty config (so the machine's hostname is not sent), and the pid
and lease files live in the state dir; dhclient keeps running in the background (renewals) until
`release` or the lab's `down()` stops it by PID.
"""

from __future__ import annotations

from pathlib import Path

from dcnet.agent.backends.dhclient_script import CONFIG, SCRIPT


def install(state: Path) -> None:
    """Write the script and config into the state dir (done once per lab at up())."""
    script = state / "dhclient-script"
    script.write_text(SCRIPT)
    script.chmod(0o755)
    (state / "dhclient.conf").write_text(CONFIG)


def tag(host: str, nic: str, v6: bool) -> str:
    return f"dhclient{'6' if v6 else ''}-{host}-{nic}"


def argv(state: Path, host: str, nic: str, *, v6: bool = False, release: bool = False) -> list[str]:
    """dhclient command line for `nic` of `host` (run it with `ip netns exec`)."""
    t = tag(host, nic, v6)
    out = ["dhclient", "-6" if v6 else "-4", "-v"]
    out += ["-r"] if release else ["-1"]
    out += [
        "-sf",
        str(state / "dhclient-script"),
        "-cf",
        str(state / "dhclient.conf"),
        "-pf",
        str(state / "pids" / f"{t}.pid"),
        "-lf",
        str(state / "leases" / f"{t}.leases"),
        nic,
    ]
    return out

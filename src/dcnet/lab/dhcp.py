"""DHCP clients inside lab hosts, with ISC dhclient, that cannot touch the machine's /etc.

Approach: dhclient runs with ``-sf`` pointing at the lab's own script (written into the state dir), which
only adds/removes the leased address with ``ip``. Debian's /sbin/dhclient-script is never run, so nothing
writes /etc/resolv.conf (not even its temporary ``/etc/resolv.conf.dhclient-new.PID``) and no exit hook from
/etc/dhcp runs. ``-cf`` uses a private, empty config (so the machine's hostname is not sent), and the pid
and lease files live in the state dir; dhclient keeps running in the background (renewals) until
`release` or the lab's `down()` stops it by PID.

The script given to ``-sf`` is a small lab wrapper: it runs the agent's script (addresses) and then
installs the DHCPv4 router as the default route. Only lab VLANs offer a router (the management segment
has none), so a host whose only address is a VLAN lease can still answer the engine through the switch.
"""

from __future__ import annotations

from pathlib import Path

from dcnet.agent.backends.dhclient_script import CONFIG, SCRIPT

ROUTER_WRAPPER = r"""#!/bin/sh
# dcnet lab dhclient script: the agent's script for addresses, then the offered router as default route.
"$0.base" || exit $?
router=${new_routers%% *}
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT)
    [ -n "$router" ] && ip -4 route replace default via "$router" dev "$interface" ;;
  EXPIRE|FAIL|RELEASE|STOP)
    old=${old_routers%% *}
    [ -n "$old" ] && ip -4 route del default via "$old" dev "$interface" 2>/dev/null ;;
esac
exit 0
"""


def install(state: Path) -> None:
    """Write the scripts and config into the state dir (done once per lab at up())."""
    for name, text in (("dhclient-script", ROUTER_WRAPPER), ("dhclient-script.base", SCRIPT)):
        script = state / name
        script.write_text(text)
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

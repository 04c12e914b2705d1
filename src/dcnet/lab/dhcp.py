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

SCRIPT = r"""#!/bin/sh
# dcnet lab dhclient script: applies leases with `ip` only; never touches /etc.
case "$reason" in
  PREINIT|PREINIT6)
    ip link set dev "$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT)
    if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
      ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null
    fi
    ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" \
      valid_lft "${new_dhcp_lease_time:-forever}" preferred_lft "${new_dhcp_lease_time:-forever}" ;;
  EXPIRE|FAIL|RELEASE|STOP)
    if [ -n "$old_ip_address" ]; then
      ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null
    fi ;;
  BOUND6|RENEW6|REBIND6)
    if [ -n "$new_ip6_address" ]; then
      ip -6 addr replace "$new_ip6_address/${new_ip6_prefixlen:-128}" dev "$interface" nodad \
        valid_lft "${new_max_life:-forever}" preferred_lft "${new_preferred_life:-forever}"
    fi ;;
  DEPREF6)
    if [ -n "$cur_ip6_address" ]; then
      ip -6 addr change "$cur_ip6_address/${cur_ip6_prefixlen:-128}" dev "$interface" preferred_lft 0
    fi ;;
  EXPIRE6|RELEASE6|STOP6)
    if [ -n "$old_ip6_address" ]; then
      ip -6 addr del "$old_ip6_address/${old_ip6_prefixlen:-128}" dev "$interface" 2>/dev/null
    fi ;;
esac
exit 0
"""

CONFIG = "# dcnet lab: private dhclient config (nothing from /etc/dhcp)\ntimeout 30;\nretry 5;\n"


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

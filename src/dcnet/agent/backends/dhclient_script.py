"""A dhclient script and config that apply leases with `ip` only and never touch /etc.

Debian's /sbin/dhclient-script rewrites /etc/resolv.conf (and leaves temporary files in /etc); the agent
must never change the machine's resolver from a lease, so its clients run with `-sf` this script and
`-cf` this private config (nothing from /etc/dhcp, no hostname sent). Addresses get the lease lifetime,
so the kernel (and `ip -j addr`) shows them as dynamic. A client started for the default route network
(`-e DCNET_DEFAULT_ROUTE=yes`) also makes the lease's router the default route, as VDSM's does."""

from __future__ import annotations

SCRIPT = r"""#!/bin/sh
# dcnet dhclient script: applies leases with `ip` only; never touches /etc.
case "$reason" in
  PREINIT|PREINIT6)
    ip link set dev "$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT)
    if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
      ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null
    fi
    ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" \
      valid_lft "${new_dhcp_lease_time:-forever}" preferred_lft "${new_dhcp_lease_time:-forever}"
    router=${new_routers%% *}
    if [ "$DCNET_DEFAULT_ROUTE" = yes ] && [ -n "$router" ]; then
      ip -4 route replace default via "$router" dev "$interface"
    fi ;;
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

CONFIG = "# dcnet: private dhclient config (nothing from /etc/dhcp)\ntimeout 30;\nretry 5;\n"

#!/usr/bin/env bash
# Shared set-up for scripts/demo and scripts/test: Debian packages, the virtual environment, the package.
# Usage: source scripts/bootstrap.sh [extra]   (extra = "test" installs the test dependencies too)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo/.venv"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null || need_apt+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ "${1:-}" = test ]; then
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need_apt+=(postgresql)
  command -v runuser >/dev/null || need_apt+=(util-linux)
  # the namespace lab: iproute2, DNS/DHCP/RA server, tx offload switch, DHCP client, ping
  command -v ip >/dev/null || need_apt+=(iproute2)
  command -v dnsmasq >/dev/null || need_apt+=(dnsmasq-base)
  command -v ethtool >/dev/null || need_apt+=(ethtool)
  command -v dhclient >/dev/null || need_apt+=(isc-dhcp-client)
  command -v ping >/dev/null || need_apt+=(iputils-ping)
  command -v ovs-vswitchd >/dev/null || need_apt+=(openvswitch-switch)  # real VLANs and bonds (userspace datapath)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  as_root apt-get update -qq
  # no package may start a system service (the tests start private instances themselves)
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod +x "$policy" && added_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  if [ "$added_policy" = 1 ]; then as_root rm -f "$policy"; fi
fi
# Debian's postgresql package starts its own cluster on 5432; the tests use a private one.

if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv"
  python3 -m venv "$venv"
fi
extra=""
[ "${1:-}" = test ] && extra="[test]"
echo "== installing dcnet$extra into $venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$repo$extra"
export PATH="$venv/bin:$PATH"

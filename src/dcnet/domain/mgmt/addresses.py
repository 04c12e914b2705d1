"""Addresses as capabilities report them, compared the way an admin reads them."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

DEVICE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("bridges", "bridge"),
    ("nics", "nic"),
    ("vlans", "vlan"),
    ("bondings", "bond"),
)


def bare(address: str) -> str:
    """`10.0.0.5/24` → `10.0.0.5` (a prefix length never takes part in a comparison)."""
    return address.split("/", 1)[0].strip()


def same_address(left: str, right: str) -> bool:
    """Equal as strings, or as IP addresses (`2001:db8::1` == `2001:0db8:0:0::1`)."""
    a, b = bare(left), bare(right)
    if a == b:
        return True
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False


def _is_global(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(bare(address))
    except ValueError:
        return False
    return not (ip.is_link_local or ip.is_unspecified)


def global_addresses(entry: Mapping[str, Any]) -> list[str]:
    """Every global address of one reported device (IPv4 and IPv6, link-local excluded), each once."""
    found: list[str] = []
    candidates: Iterable[str] = [
        str(entry.get("addr") or ""),
        *(str(a) for a in entry.get("ipv4addrs") or ()),
        *(str(a) for a in entry.get("ipv6addrs") or ()),
    ]
    for candidate in candidates:
        address = bare(candidate)
        if address and _is_global(address) and not any(same_address(address, known) for known in found):
            found.append(address)
    return found


def matching(entry: Mapping[str, Any], resolved: Iterable[str]) -> list[str]:
    """The resolved addresses this device holds."""
    held = global_addresses(entry)
    return [address for address in resolved if any(same_address(address, mine) for mine in held)]

"""Which host device carries the host's address (the *active interface*).

Only the top-most device of a stack holds the stack's addresses, so the device that holds a resolved
address is already the top of its stack. Unlike oVirt (first DNS answer, first device), every resolved
address is tried against every global address of every device, and more than one holder is an error
for the admin to fix, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dcnet.domain.mgmt.addresses import DEVICE_SECTIONS, matching


@dataclass(frozen=True)
class Holder:
    device: str
    kind: str  # bridge | nic | vlan | bond
    addresses: tuple[str, ...]  # the resolved addresses it holds

    def describe(self) -> str:
        return f"{', '.join(self.addresses)} ({self.device})"


def holders(caps: Mapping[str, Any], resolved: Sequence[str]) -> list[Holder]:
    """Every device holding any resolved address, each once (a device with both the A and the AAAA
    address counts once), bridges first as oVirt searches them."""
    found: list[Holder] = []
    seen: set[str] = set()
    for section, kind in DEVICE_SECTIONS:
        for name, entry in sorted((caps.get(section) or {}).items()):
            held = matching(entry, resolved)
            if held and name not in seen:
                seen.add(name)
                found.append(Holder(name, kind, tuple(held)))
    return found


def base_device(caps: Mapping[str, Any], holder: Holder) -> str:
    """The device an attachment goes on: a VLAN device's base (`bond0.100` → `bond0`), else itself."""
    if holder.kind == "vlan":
        entry = (caps.get("vlans") or {}).get(holder.device) or {}
        return str(entry.get("iface") or holder.device.rsplit(".", 1)[0])
    return holder.device


def vlan_of(caps: Mapping[str, Any], holder: Holder) -> int | None:
    if holder.kind != "vlan":
        return None
    entry = (caps.get("vlans") or {}).get(holder.device) or {}
    vlan = entry.get("vlanid")
    if vlan is None and "." in holder.device:
        suffix = holder.device.rsplit(".", 1)[1]
        vlan = int(suffix) if suffix.isdigit() else None
    return int(vlan) if vlan is not None else None

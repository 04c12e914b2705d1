"""Host network QoS with Linux traffic control (`tc`): build, remove and read the HTB tree that
`dcnet.domain.hostnet.host_qos` describes. `tc -j` has no JSON for HTB classes (iproute2 6.1), so classes
are read from the text form."""

from __future__ import annotations

import json
import re
import subprocess

from dcnet.agent.backend import BackendError
from dcnet.domain.hostnet.host_qos import ROOT, HtbClass, default_minor, link_rate

_CLASS = re.compile(r"^class htb 1:([0-9a-f]+) parent 1:([0-9a-f]+) .*?\brate (\S+) ceil (\S+)")
_UNITS = {"bit": 1, "kbit": 10**3, "mbit": 10**6, "gbit": 10**9, "tbit": 10**12}


def _tc(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["tc", *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise BackendError(f"tc {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}")
    return result


def mbps(text: str) -> int:
    """`50Mbit`, `1Gbit`, `500Kbit` → Mbps (rounded)."""
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", text)
    if match is None:
        raise ValueError(text)
    unit = match.group(2).lower() or "bit"
    return round(float(match.group(1)) * _UNITS[unit] / 10**6)


def parse_classes(text: str) -> dict[int, tuple[int, int]]:
    """Children of dcnet's root class: minor → (rate, ceil) in Mbps."""
    out: dict[int, tuple[int, int]] = {}
    for line in text.splitlines():
        match = _CLASS.match(line.strip())
        if match and int(match.group(2), 16) == ROOT:
            out[int(match.group(1), 16)] = (mbps(match.group(3)), mbps(match.group(4)))
    return out


def read_qos() -> dict[str, dict[int, tuple[int, int]]]:
    """Every device whose root qdisc is an HTB `1:` (dcnet's layout), with its classes."""
    try:
        qdiscs = json.loads(_tc("-j", "qdisc", "show").stdout or "[]")
    except (BackendError, json.JSONDecodeError):
        return {}
    out: dict[str, dict[int, tuple[int, int]]] = {}
    for qdisc in qdiscs:
        if qdisc.get("root") and qdisc.get("kind") == "htb" and qdisc.get("handle") == "1:" and qdisc.get("dev"):
            result = _tc("class", "show", "dev", qdisc["dev"], check=False)
            out[qdisc["dev"]] = parse_classes(result.stdout)
    return out


def commands(device: str, classes: tuple[HtbClass, ...]) -> list[list[str]]:
    """The tc calls that build the tree (after the old root qdisc is gone)."""
    link = link_rate(classes)
    calls = [
        ["qdisc", "add", "dev", device, "root", "handle", "1:", "htb", "default", f"{default_minor(classes):x}"],
        ["class", "add", "dev", device, "parent", "1:", "classid", f"1:{ROOT:x}", "htb",
         "rate", f"{link}mbit", "ceil", f"{link}mbit"],
    ]  # fmt: skip
    for c in classes:
        calls.append(
            ["class", "add", "dev", device, "parent", f"1:{ROOT:x}", "classid", f"1:{c.minor:x}", "htb",
             "rate", f"{c.rate}mbit", "ceil", f"{c.ceil}mbit"]
        )  # fmt: skip
        if c.vlan is None:
            continue
        if c.inline_tag:  # the tag is in the frame: match it right after the Ethernet header
            match = ["protocol", "802.1q", "prio", "1", "u32", "match", "u16", f"{c.vlan:#x}", "0x0fff", "at", "0"]
        else:  # the kernel keeps the tag beside the frame (VDSM's classifier)
            match = ["protocol", "all", "prio", "1", "basic", "match", f"meta(vlan eq {c.vlan})"]
        calls.append(["filter", "add", "dev", device, "parent", "1:", *match, "flowid", f"1:{c.minor:x}"])
    return calls


def set_device_qos(device: str, classes: tuple[HtbClass, ...]) -> None:
    clear_device_qos(device)
    for call in commands(device, classes):
        _tc(*call)


def clear_device_qos(device: str) -> None:
    """Back to the kernel's default qdisc (no error when there was no root qdisc of ours)."""
    result = _tc("qdisc", "del", "dev", device, "root", check=False)
    if result.returncode != 0 and "Cannot find device" in result.stderr:
        raise BackendError(f"tc: device {device} does not exist")

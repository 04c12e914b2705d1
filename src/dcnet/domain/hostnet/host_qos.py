"""Host network QoS on the agent: from `hostQos: {"out": {"ls"|"ul"|"rt": {"m2": Mbps}}}` to traffic-control
classes on each network's southbound device, and back for the capabilities report.

VDSM builds an HFSC tree (a class per network with link-share / upper-limit / real-time curves). Kernels
without HFSC (like this project's CI machines, which have HTB, TBF and pfifo only) get the same layout in
HTB, which is what dcnet builds everywhere for now:

    root qdisc 1: htb default <untagged class or 1:fffd>
      class 1:fffe  rate = ceil = the link (LINK_MBPS, or more when a limit is higher)
        class 1:<vlan id>  one per tagged network on the device (u32 filter on the 802.1Q tag)
        class 1:1388       the untagged network (all traffic no filter claims)
        class 1:fffd       everything else when the untagged network has no QoS (best effort)

A class's rate (what HTB guarantees, and the weight by which spare capacity is shared) is the larger of
link share and real time; its ceil is the upper limit (the link when none). HTB cannot hold link share and
real time apart, so the report maps a class back through the running config: when the kernel holds exactly
what the config's hostQos maps to, the config's values are reported; otherwise what the kernel holds
(`ls` = rate, `ul` = ceil), so a change behind dcnet's back shows as out of sync."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import NetConfig, NetworkAttrs

UNTAGGED = 0x1388  # VDSM's class id for the network without a VLAN
DEFAULT = 0xFFFD  # best effort: traffic of networks without QoS when the untagged network has none
ROOT = 0xFFFE
LINK_MBPS = 10_000
MAX_MBPS = 1_000_000
_CURVES = ("ls", "ul", "rt")


@dataclass(frozen=True)
class Curves:
    ls: int
    ul: int | None = None
    rt: int | None = None

    def as_host_qos(self) -> dict[str, Any]:
        out = {"ls": {"m2": self.ls}}
        if self.ul is not None:
            out["ul"] = {"m2": self.ul}
        if self.rt is not None:
            out["rt"] = {"m2": self.rt}
        return {"out": out}


@dataclass(frozen=True)
class HtbClass:
    minor: int
    rate: int  # Mbps
    ceil: int  # Mbps
    vlan: int | None = None  # tagged traffic of this VLAN is classified here by a filter
    inline_tag: bool = False  # OVS (userspace) sends the 802.1Q tag inside the frame; the kernel keeps it aside


def curves(name: str, host_qos: dict[str, Any] | None) -> Curves | None:
    """Parse and check one network's hostQos (code 21 when malformed)."""
    if not host_qos:
        return None
    out = host_qos.get("out") if isinstance(host_qos, dict) else None
    if not isinstance(out, dict) or not out or set(out) - set(_CURVES):
        raise SetupError(
            Code.BAD_PARAMS, f"network {name}: hostQos must be {{'out': {{'ls'|'ul'|'rt': {{'m2': Mbps}}}}}}"
        )
    values: dict[str, int] = {}
    for curve, spec in out.items():
        value = spec.get("m2") if isinstance(spec, dict) else None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MBPS:
            raise SetupError(Code.BAD_PARAMS, f"network {name}: hostQos {curve}.m2 must be 1-{MAX_MBPS} Mbps")
        values[curve] = value
    if "ls" not in values:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: hostQos needs a link share (ls) with any other rate")
    if "ul" in values and "rt" in values and values["rt"] > values["ul"]:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: hostQos real time exceeds the upper limit")
    return Curves(values["ls"], values.get("ul"), values.get("rt"))


def qos_device(name: str, attrs: NetworkAttrs) -> str | None:
    """Where the network's QoS lives: its southbound nic or kernel bond (an OVS bond has no such device)."""
    if attrs.switch == "ovs":
        return attrs.nic
    return attrs.southbound


def htb_class(minor: int, wanted: Curves, vlan: int | None, inline_tag: bool = False) -> HtbClass:
    rate = max(wanted.ls, wanted.rt or 0)
    ceil = wanted.ul if wanted.ul is not None else max(LINK_MBPS, rate)
    return HtbClass(minor, rate, max(ceil, rate), vlan, inline_tag and vlan is not None)


def desired_qos(config: NetConfig) -> dict[str, tuple[HtbClass, ...]]:
    """Device → its classes (sorted by minor); devices without any network QoS are absent."""
    per_device: dict[str, list[HtbClass]] = {}
    for name, attrs in sorted(config.networks.items()):
        wanted = curves(name, attrs.hostQos)
        if wanted is None:
            continue
        device = qos_device(name, attrs)
        if device is None:
            raise SetupError(Code.BAD_PARAMS, f"network {name}: hostQos needs a nic or kernel bond under the network")
        minor = attrs.vlan if attrs.vlan is not None else UNTAGGED
        per_device.setdefault(device, []).append(htb_class(minor, wanted, attrs.vlan, attrs.switch == "ovs"))
    out: dict[str, tuple[HtbClass, ...]] = {}
    for device, classes in per_device.items():
        if not any(c.minor == UNTAGGED for c in classes):
            classes.append(HtbClass(DEFAULT, 1, LINK_MBPS))
        out[device] = tuple(sorted(classes, key=lambda c: c.minor))
    return out


def link_rate(classes: tuple[HtbClass, ...]) -> int:
    return max([LINK_MBPS, *(c.ceil for c in classes)])


def default_minor(classes: tuple[HtbClass, ...]) -> int:
    return UNTAGGED if any(c.minor == UNTAGGED for c in classes) else DEFAULT


def kernel_view(classes: tuple[HtbClass, ...]) -> dict[int, tuple[int, int]]:
    """What the kernel shows for these classes (minor → rate, ceil): for comparing with HostState.qos."""
    return {c.minor: (c.rate, c.ceil) for c in classes}


def reported(name: str, attrs: NetworkAttrs, kernel: dict[int, tuple[int, int]] | None) -> dict[str, Any] | None:
    """The network's `hostQos` for the capabilities report, from what the kernel holds on its device."""
    if not kernel:
        return None
    minor = attrs.vlan if attrs.vlan is not None else UNTAGGED
    held = kernel.get(minor)
    if held is None:
        return None
    try:
        wanted = curves(name, attrs.hostQos)
    except SetupError:
        wanted = None
    if wanted is not None:
        mapped = htb_class(minor, wanted, attrs.vlan)
        if (mapped.rate, mapped.ceil) == held:
            return wanted.as_host_qos()
    rate, ceil = held
    return Curves(rate, None if ceil == max(LINK_MBPS, rate) else ceil).as_host_qos()

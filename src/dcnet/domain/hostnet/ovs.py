"""Open vSwitch networks (`switch: ovs`), the way VDSM builds them: one OVS bridge per southbound device
(a nic, or an OVS bond of nics), the southbound as its uplink port, and every network an *internal port*
named after the network (tagged with its VLAN) that carries the network's IP configuration. There are
no kernel VLAN or bond devices, so this works on kernels without 802.1Q or bonding (userspace datapath)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.ovs_model import OvsBridge, OvsPort, OvsState
from dcnet.domain.hostnet.state import Device, HostState

OVS_BOND_MODES = {
    "1": "active-backup", "active-backup": "active-backup",
    "4": "balance-tcp", "802.3ad": "balance-tcp", "balance-tcp": "balance-tcp",
    "balance-slb": "balance-slb",
}  # fmt: skip


def bridge_name(southbound: str) -> str:
    """`br-<south>`, or a hashed name when that would exceed the 15-byte device limit."""
    name = f"br-{southbound}"
    return name if len(name.encode()) <= 15 else "br-" + hashlib.sha256(southbound.encode()).hexdigest()[:12]


def ovs_networks(config: NetConfig) -> dict[str, str]:
    """Network name → its southbound, for networks on the OVS switch."""
    return {
        name: attrs.southbound
        for name, attrs in config.networks.items()
        if attrs.switch == "ovs" and attrs.southbound is not None
    }


def ovs_uplink(bridge: OvsBridge, state: HostState) -> str | None:
    """The bridge's southbound port: its bond, else its only port that is a nic of the host (patch, tunnel
    and tap ports are not uplinks)."""
    bonds = sorted(port.name for port in bridge.ports.values() if port.kind == "bond")
    nics = sorted(
        port.name
        for port in bridge.ports.values()
        if port.kind == "system" and port.interfaces and _is_nic(state, port.interfaces[0])
    )
    return bonds[0] if bonds else nics[0] if len(nics) == 1 else None


def _is_nic(state: HostState, name: str) -> bool:
    device = state.devices.get(name)
    return device is not None and device.kind == "nic"


def desired_ovs(config: NetConfig) -> OvsState:
    state = OvsState()
    for bond_name, bond in config.bonds.items():
        if bond.switch != "ovs":
            continue
        options = bond.option_map()
        bridge = state.bridges.setdefault(bridge_name(bond_name), OvsBridge(bridge_name(bond_name)))
        bridge.ports[bond_name] = OvsPort(
            bond_name,
            "bond",
            interfaces=list(bond.nics),
            bond_mode=OVS_BOND_MODES.get(options.get("mode", "1"), "active-backup"),
            bond_options={k: v for k, v in options.items() if k != "mode"},
        )
    for name, south in ovs_networks(config).items():
        attrs = config.networks[name]
        bridge = state.bridges.setdefault(bridge_name(south), OvsBridge(bridge_name(south)))
        if south not in bridge.ports:
            bridge.ports[south] = OvsPort(south, "system", interfaces=[south])
        bridge.ports[name] = OvsPort(name, "internal", tag=attrs.vlan, interfaces=[name], mtu=attrs.mtu)
    return state


@dataclass(frozen=True)
class TakenOver:
    """An internal port someone else built whose address a network of ours takes over (the lab's or an
    installer's `bond4.3000`): the network's own port replaces it, with its MAC so a DHCP lease stays."""

    bridge: str
    port: str
    device: str  # its kernel interface (`bond4` for port `bond4-ip`)
    network: str
    mac: str


def taken_over(state: HostState, new: NetConfig, old: NetConfig | None = None) -> list[TakenOver]:
    """Foreign internal ports holding an address (or a DHCP client) on the bridge and VLAN of a network
    that `new` adds or moves there. An address must not sit on two devices, so they go; other foreign
    ports of an adopted bridge (a storage VLAN, a VM) are left alone."""
    if state.ovs is None:
        return []
    before = old or NetConfig()
    ours = set(ovs_networks(new)) | set(ovs_networks(before))
    found = []
    for name, south in sorted(ovs_networks(new).items()):
        attrs, previous = new.networks[name], before.networks.get(name)
        if previous is not None and (previous.switch, previous.southbound, previous.vlan) == ("ovs", south, attrs.vlan):
            continue
        bridge = state.ovs.bridges.get(bridge_name(south), OvsBridge(bridge_name(south)))
        for port in sorted(bridge.ports.values(), key=lambda p: p.name):
            device = state.devices.get(port.interfaces[0]) if port.kind == "internal" and port.interfaces else None
            if device is not None and port.name not in ours and port.tag == attrs.vlan and _holds(state, device):
                found.append(TakenOver(bridge.name, port.name, device.name, name, device.mac))
    return found


def _holds(state: HostState, device: Device) -> bool:
    return bool(device.global_addresses()) or device.name in state.dhcp4 | state.dhcp6


def ovs_plan(
    current: OvsState | None,
    old: NetConfig,
    new: NetConfig,
    replaced: Sequence[TakenOver] = (),
    baseline: HostState | None = None,
) -> tuple[list[a.Action], list[a.Action]]:
    """(steps before the kernel steps, steps after them): OVS objects are made first and removed last,
    each group as one OVSDB transaction."""
    before, after = ovs_steps(current, old, new, replaced, baseline)
    return [a.OvsTransaction(tuple(before))] if before else [], [a.OvsTransaction(tuple(after))] if after else []


def ovs_steps(
    current: OvsState | None,
    old: NetConfig,
    new: NetConfig,
    replaced: Sequence[TakenOver] = (),
    baseline: HostState | None = None,
) -> tuple[list[a.OvsAction], list[a.OvsAction]]:
    """Only ports of `old` and `replaced` ones are removed; with `baseline` (a rollback) what the bridges
    we touched had before comes back as it was."""
    have = current or OvsState()
    wanted = desired_ovs(new)
    made = desired_ovs(old)
    managed = set(made.bridges) | set(wanted.bridges)
    if baseline is not None and baseline.ovs is not None:
        _keep_baseline(wanted, baseline, managed)
    macs = {t.network: t.mac for t in replaced}
    before: list[a.OvsAction] = []
    after: list[a.OvsAction] = []
    for bridge_name_, bridge in sorted(wanted.bridges.items()):
        existing = have.bridges.get(bridge_name_)
        if existing is None:
            before.append(a.OvsAddBridge(bridge_name_))
        for port_name, port in sorted(bridge.ports.items(), key=lambda item: item[1].kind != "system"):
            found = have.port(port_name)
            if found is not None and (found[0] != bridge_name_ or _differs(found[1], port)):
                before.append(a.OvsDelPort(found[0], port_name))
                found = None
            if found is None:
                before.append(_add_port(bridge_name_, port, macs.get(port_name)))
            elif found[1].tag != port.tag:
                before.append(a.OvsSetTag(port_name, port.tag))
    for bridge_name_ in sorted(managed & set(have.bridges)):
        wanted_ports = wanted.bridges[bridge_name_].ports if bridge_name_ in wanted.bridges else {}
        ours = set(made.bridges[bridge_name_].ports) if bridge_name_ in made.bridges else set()
        ours |= {t.port for t in replaced if t.bridge == bridge_name_}
        for port_name in sorted((set(have.bridges[bridge_name_].ports) & ours) - set(wanted_ports)):
            after.append(a.OvsDelPort(bridge_name_, port_name))
        if bridge_name_ not in wanted.bridges:
            after.append(a.OvsDelBridge(bridge_name_))
    return before, after


def _keep_baseline(wanted: OvsState, baseline: HostState, managed: set[str]) -> None:
    """Bridges we touched get back every port they had in `baseline`, as it was (MTU and MAC included)."""
    assert baseline.ovs is not None
    for name in sorted(managed & set(baseline.ovs.bridges)):
        bridge = wanted.bridges.setdefault(name, OvsBridge(name))
        for port in baseline.ovs.bridges[name].ports.values():
            if port.name not in bridge.ports:
                device = baseline.devices.get(port.interfaces[0]) if port.interfaces else None
                if port.kind == "internal" and device is not None:
                    port = replace(port, mtu=device.mtu, mac=device.mac or None)
                bridge.ports[port.name] = port


def _differs(current: OvsPort, wanted: OvsPort) -> bool:
    if current.kind != wanted.kind:
        return True
    if wanted.kind == "bond":
        return sorted(current.interfaces) != sorted(wanted.interfaces) or current.bond_mode != wanted.bond_mode
    return False


def _add_port(bridge: str, port: OvsPort, mac: str | None = None) -> a.OvsAction:
    if port.kind == "bond":
        return a.OvsAddBond(bridge, port.name, tuple(port.interfaces), port.bond_mode or "active-backup",
                            tuple(sorted(port.bond_options.items())))  # fmt: skip
    if port.kind != "internal":
        return a.OvsAddPort(bridge, port.name, port.tag, False)
    interface = port.interfaces[0] if port.interfaces and port.interfaces[0] != port.name else None
    return a.OvsAddPort(bridge, port.name, port.tag, True, port.mtu, mac or port.mac, interface)


def verify_ovs(config: NetConfig, current: OvsState | None) -> list[str]:
    wanted = desired_ovs(config)
    if not wanted.bridges:
        return []
    if current is None:
        return ["Open vSwitch state unavailable"]
    problems = []
    for bridge_name_, bridge in wanted.bridges.items():
        if bridge_name_ not in current.bridges:
            problems.append(f"OVS bridge {bridge_name_}: missing")
            continue
        for port_name, port in bridge.ports.items():
            found = current.bridges[bridge_name_].ports.get(port_name)
            if found is None:
                problems.append(f"OVS port {port_name}: missing on {bridge_name_}")
            elif found.tag != port.tag:
                problems.append(f"OVS port {port_name}: tag {found.tag}, expected {port.tag}")
            elif port.kind == "bond" and sorted(found.interfaces) != sorted(port.interfaces):
                problems.append(f"OVS bond {port_name}: members {found.interfaces}, expected {port.interfaces}")
    return problems

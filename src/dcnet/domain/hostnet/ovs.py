"""Open vSwitch networks (`switch: ovs`), the way VDSM builds them: one OVS bridge per southbound device
(a nic, or an OVS bond of nics), the southbound as its uplink port, and every network an *internal port*
named after the network (tagged with its VLAN) that carries the network's IP configuration. There are
no kernel VLAN or bond devices, so this works on kernels without 802.1Q or bonding (userspace datapath)."""

from __future__ import annotations

import hashlib

from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.ovs_model import OvsBridge, OvsPort, OvsState

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


def ovs_plan(current: OvsState | None, old: NetConfig, new: NetConfig) -> tuple[list[a.Action], list[a.Action]]:
    """(steps before the kernel steps, steps after them): OVS objects are made first and removed last,
    each group as one OVSDB transaction."""
    before, after = ovs_steps(current, old, new)
    return [a.OvsTransaction(tuple(before))] if before else [], [a.OvsTransaction(tuple(after))] if after else []


def ovs_steps(current: OvsState | None, old: NetConfig, new: NetConfig) -> tuple[list[a.OvsAction], list[a.OvsAction]]:
    have = current or OvsState()
    wanted = desired_ovs(new)
    managed = set(desired_ovs(old).bridges) | set(wanted.bridges)
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
                before.append(_add_port(bridge_name_, port))
            elif found[1].tag != port.tag:
                before.append(a.OvsSetTag(port_name, port.tag))
    for bridge_name_ in sorted(managed & set(have.bridges)):
        bridge = have.bridges[bridge_name_]
        wanted_ports = wanted.bridges[bridge_name_].ports if bridge_name_ in wanted.bridges else {}
        for port_name in sorted(set(bridge.ports) - set(wanted_ports)):
            after.append(a.OvsDelPort(bridge_name_, port_name))
        if bridge_name_ not in wanted.bridges:
            after.append(a.OvsDelBridge(bridge_name_))
    return before, after


def _differs(current: OvsPort, wanted: OvsPort) -> bool:
    if current.kind != wanted.kind:
        return True
    if wanted.kind == "bond":
        return sorted(current.interfaces) != sorted(wanted.interfaces) or current.bond_mode != wanted.bond_mode
    return False


def _add_port(bridge: str, port: OvsPort) -> a.OvsAction:
    if port.kind == "bond":
        return a.OvsAddBond(bridge, port.name, tuple(port.interfaces), port.bond_mode or "active-backup",
                            tuple(sorted(port.bond_options.items())))  # fmt: skip
    return a.OvsAddPort(
        bridge, port.name, port.tag, port.kind == "internal", port.mtu if port.kind == "internal" else None
    )


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

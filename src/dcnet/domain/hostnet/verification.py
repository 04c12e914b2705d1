"""Verify: does the kernel now show what the configuration asked for? Returns what differs, in words.

DHCP and IPv6 autoconf need time: `pending` lists what is merely not there *yet* (no lease), so the
caller can wait for it within the connectivity timeout."""

from __future__ import annotations

from dataclasses import dataclass, field

from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.desired import (
    created_devices,
    desired_devices,
    desired_nameservers,
    desired_routes,
    isolated_bridges,
)
from dcnet.domain.hostnet.host_qos import desired_qos, kernel_view
from dcnet.domain.hostnet.ovs import taken_over, verify_ovs
from dcnet.domain.hostnet.state import HostState


@dataclass
class Verdict:
    mismatches: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.pending


def verify(config: NetConfig, state: HostState, previous: NetConfig | None = None) -> Verdict:
    verdict = Verdict()
    wanted = desired_devices(config)
    for name, device in sorted(wanted.items()):
        current = state.devices.get(name)
        if current is None:
            verdict.mismatches.append(f"{name}: missing")
            continue
        if device.kind in ("bridge", "vlan", "bond") and current.kind != device.kind:
            verdict.mismatches.append(f"{name}: is a {current.kind}, expected a {device.kind}")
        if not current.up:
            verdict.mismatches.append(f"{name}: down")
        if current.mtu != device.mtu:
            verdict.mismatches.append(f"{name}: MTU {current.mtu}, expected {device.mtu}")
        if current.master != device.master:
            verdict.mismatches.append(f"{name}: master {current.master}, expected {device.master}")
        if device.kind == "vlan" and (current.vlan_id, current.vlan_base) != (device.vlan_id, device.vlan_base):
            verdict.mismatches.append(
                f"{name}: VLAN {current.vlan_id} on {current.vlan_base}, expected {device.vlan_id} on {device.vlan_base}"
            )
        if device.kind == "bridge" and current.stp != device.stp:
            verdict.mismatches.append(
                f"{name}: STP {'on' if current.stp else 'off'}, expected {'on' if device.stp else 'off'}"
            )
        have = {addr.cidr for addr in current.global_addresses()}
        for cidr in sorted(device.static - have):
            verdict.mismatches.append(f"{name}: address {cidr} missing")
        static_have = {addr.cidr for addr in current.global_addresses() if not addr.dynamic}
        for cidr in sorted(static_have - device.static):
            verdict.mismatches.append(f"{name}: unexpected address {cidr}")
        if device.dhcp4 and not any(addr.dynamic for addr in current.global_addresses(4)):
            verdict.pending.append(f"{name}: no DHCPv4 lease yet")
        if device.dhcp6 and not any(addr.dynamic for addr in current.global_addresses(6)):
            verdict.pending.append(f"{name}: no DHCPv6 lease yet")
        if device.autoconf6 and name not in state.autoconf6:
            verdict.mismatches.append(f"{name}: IPv6 autoconf is off")
    verdict.mismatches += verify_ovs(config, state.ovs)
    for port in taken_over(state, config, previous):
        verdict.mismatches.append(f"{port.device}: still holds an address that {port.network} took over")
    for route in desired_routes(config):
        current_route = state.default_route(route.family)
        if current_route is None or (current_route.device, current_route.gateway) != (route.device, route.gateway):
            found = f"via {current_route.gateway} dev {current_route.device}" if current_route else "none"
            verdict.mismatches.append(
                f"default IPv{route.family} route: {found}, expected via {route.gateway} dev {route.device}"
            )
    for bridge, uplink in sorted(isolated_bridges(config).items()):
        for member in state.ports_of(bridge):
            if member != uplink and not state.devices[member].isolated:
                verdict.mismatches.append(f"{bridge}: port {member} is not isolated")
    qos = desired_qos(config)
    for qos_dev, classes in sorted(qos.items()):
        if state.qos.get(qos_dev) != kernel_view(classes):
            verdict.mismatches.append(
                f"{qos_dev}: QoS classes {state.qos.get(qos_dev)}, expected {kernel_view(classes)}"
            )
    for qos_dev in sorted(set(desired_qos(previous or NetConfig())) - set(qos)):
        if qos_dev in state.qos and qos_dev in state.devices:
            verdict.mismatches.append(f"{qos_dev}: QoS should have been removed")
    servers = desired_nameservers(config)
    if servers is not None and state.nameservers != servers:
        verdict.mismatches.append(f"name servers: {state.nameservers}, expected {servers}")
    if previous is not None:
        for name in sorted(created_devices(previous) - set(wanted)):
            if name in state.devices:
                verdict.mismatches.append(f"{name}: should have been removed")
    return verdict

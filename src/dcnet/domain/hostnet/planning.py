"""Planning a change: the ordered steps that take the kernel from what it has to what a config implies.

Only devices dcnet manages (in the old or the new config) are touched. The order keeps the host
reachable: new devices and addresses come first, old addresses and devices go last, so an address that
moves from a nic to a new bridge exists somewhere at every moment.

A rollback passes `baseline`, the kernel as it was before the change: a device that the target config no
longer manages gets back what it had then (addresses, MTU, autoconf, default route) instead of nothing -
that is how a nic gets its address back when the bridge that took it goes away.

An OVS network that lands on the bridge and VLAN of a foreign internal port holding an address takes it
over (ovs.taken_over): its port gets the holder's MAC and address, the holder's DHCP client stops and the
holder goes last. A rollback re-creates the holder from the baseline, with its address or DHCP client."""

from __future__ import annotations

import ipaddress

from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.desired import (
    DesiredDevice,
    created_devices,
    desired_devices,
    desired_nameservers,
    desired_routes,
    isolated_bridges,
    managed_devices,
)
from dcnet.domain.hostnet.host_qos import desired_qos, kernel_view
from dcnet.domain.hostnet.ovs import ovs_plan, taken_over
from dcnet.domain.hostnet.state import Device, HostState

_CREATE_ORDER = {"bond": 0, "vlan": 1, "bridge": 2}
_DELETE_ORDER = {"bridge": 0, "vlan": 1, "bond": 2}


def plan(state: HostState, old: NetConfig, new: NetConfig, baseline: HostState | None = None) -> list[a.Action]:
    wanted = desired_devices(new)
    replaced = taken_over(state, new, old)
    returning = {t.device for t in taken_over(baseline, old, new)} if baseline is not None else set()
    managed = managed_devices(old, new) | returning
    released = {name: baseline.devices[name] for name in managed - set(wanted) if baseline and name in baseline.devices}
    ovs_before, ovs_after = ovs_plan(state.ovs, old, new, replaced, baseline)
    steps: list[a.Action] = list(ovs_before)
    steps += _stop_dhcp(state, wanted, managed)
    steps += _create(state, wanted)
    steps += _mtus(state, wanted, released)
    steps += _masters(state, wanted, managed, old)
    steps += _stp(state, wanted)
    steps += _autoconf(state, wanted, managed, baseline)  # before links come up: no stray SLAAC address
    steps += [a.SetUp(name) for name in _by_depth(wanted) if not _is_up(state, name)]
    steps += [a.SetUp(name) for name in sorted(returning) if not _is_up(state, name)]
    steps += _host_qos(state, old, new)
    steps += _port_isolation(state, new)
    adds, deletes = _addresses(state, wanted, managed, old, released)
    steps += adds
    steps += _routes(state, new, released, baseline)  # the new default route exists before the old address goes
    steps += deletes
    steps += _start_dhcp(state, wanted, released, baseline)
    steps += _delete(state, wanted, old)
    steps += _stop_dhcp(state, wanted, {t.device for t in replaced})  # the old holder's client ends last
    steps += ovs_after
    steps += _nameservers(state, new, baseline)
    return steps


def _port_isolation(state: HostState, new: NetConfig) -> list[a.Action]:
    """Ports of an isolated network's bridge are isolated, its uplink never; other bridges' ports not."""
    isolated = isolated_bridges(new)
    steps: list[a.Action] = []
    for bridge in sorted({name for name, attrs in new.networks.items() if attrs.bridged} & set(state.devices)):
        uplink = new.networks[bridge].lower_device()
        for port in state.ports_of(bridge):
            want = bridge in isolated and port != uplink
            if state.devices[port].isolated != want:
                steps.append(a.SetPortIsolation(port, want))
    uplinks = {attrs.lower_device() or "" for attrs in new.networks.values() if attrs.bridged}
    for name in sorted(uplinks & set(state.devices)):  # an uplink of a bridge made by this change
        if state.devices[name].isolated:
            steps.append(a.SetPortIsolation(name, False))
    return list(dict.fromkeys(steps))


def _host_qos(state: HostState, old: NetConfig, new: NetConfig) -> list[a.Action]:
    """A device's QoS tree is rebuilt when its classes differ, removed when no network there has QoS."""
    wanted = desired_qos(new)
    steps: list[a.Action] = []
    for device in sorted(set(wanted) | set(desired_qos(old))):
        if device in wanted:
            if state.qos.get(device) != kernel_view(wanted[device]):
                steps.append(a.SetDeviceQos(device, wanted[device]))
        elif device in state.qos and device in state.devices:
            steps.append(a.ClearDeviceQos(device))
    return steps


def _nameservers(state: HostState, new: NetConfig, baseline: HostState | None) -> list[a.Action]:
    """The default-route network's name servers; a rollback without any puts back the host's old ones."""
    wanted = desired_nameservers(new)
    if wanted is None and baseline is not None:
        wanted = list(baseline.nameservers)
    if wanted is None or wanted == state.nameservers:
        return []
    return [a.SetNameservers(tuple(wanted))]


def _start_dhcp(
    state: HostState, wanted: dict[str, DesiredDevice], released: dict[str, Device], baseline: HostState | None
) -> list[a.Action]:
    """Clients the new config wants, and (rollback) those a released device had in the baseline."""
    steps: list[a.Action] = []
    for d in wanted.values():
        if d.dhcp4 and d.name not in state.dhcp4:
            steps.append(a.StartDhcp(d.name, 4, d.dhcp_default_route))
    steps += [a.StartDhcp(d.name, 6) for d in wanted.values() if d.dhcp6 and d.name not in state.dhcp6]
    return steps + (_restart_dhcp(state, released, baseline) if baseline is not None else [])


def _restart_dhcp(state: HostState, released: dict[str, Device], baseline: HostState) -> list[a.Action]:
    steps: list[a.Action] = []
    route = baseline.default_route(4)
    for name in sorted(released):
        if name in baseline.dhcp4 and name not in state.dhcp4:
            steps.append(a.StartDhcp(name, 4, route is not None and route.device == name))
        if name in baseline.dhcp6 and name not in state.dhcp6:
            steps.append(a.StartDhcp(name, 6))
    return steps


def _is_up(state: HostState, name: str) -> bool:
    device = state.devices.get(name)
    return device is not None and device.up


def _by_depth(wanted: dict[str, DesiredDevice]) -> list[str]:
    """Lower devices first (nic, bond, vlan, bridge)."""
    order = {"nic": 0, "other": 0, "ovs": 0, "bond": 1, "vlan": 2, "bridge": 3}
    return sorted(wanted, key=lambda name: (order[wanted[name].kind], name))


def _stop_dhcp(state: HostState, wanted: dict[str, DesiredDevice], managed: set[str]) -> list[a.Action]:
    steps: list[a.Action] = []
    for name in sorted(managed):
        device = wanted.get(name)
        if name in state.dhcp4 and (device is None or not device.dhcp4):
            steps.append(a.StopDhcp(name, 4))
        if name in state.dhcp6 and (device is None or not device.dhcp6):
            steps.append(a.StopDhcp(name, 6))
    return steps


def _create(state: HostState, wanted: dict[str, DesiredDevice]) -> list[a.Action]:
    steps: list[a.Action] = []
    for name in sorted(wanted, key=lambda n: (_CREATE_ORDER.get(wanted[n].kind, 9), n)):
        device = wanted[name]
        current = state.devices.get(name)
        if device.kind == "ovs" or (current is not None and current.kind == device.kind):
            continue  # an OVS internal port is made by its OvsAddPort step
        if current is not None:
            if current.kind not in ("bridge", "vlan", "bond"):
                continue  # never delete a device dcnet cannot have made (validation refuses such names)
            steps.append(a.DeleteDevice(name))  # same name, wrong kind (e.g. a VLAN whose base changed)
        if device.kind == "bond":
            steps.append(a.CreateBond(name, dict(device.bond_options)))
        elif device.kind == "vlan" and device.vlan_base is not None and device.vlan_id is not None:
            steps.append(a.CreateVlan(name, device.vlan_base, device.vlan_id))
        elif device.kind == "bridge":
            steps.append(a.CreateBridge(name, _bridge_mac(state, wanted, name), device.stp))
    return steps


def _bridge_mac(state: HostState, wanted: dict[str, DesiredDevice], bridge: str) -> str | None:
    """The bridge takes its port's MAC so neighbours' ARP caches stay valid when an address moves."""
    port = next((name for name, d in wanted.items() if d.master == bridge), None)
    if port is None:
        return None
    device = state.devices.get(port)
    if device is not None and device.mac:
        return device.mac
    base = wanted[port].vlan_base
    base_device = state.devices.get(base) if base else None
    return base_device.mac if base_device is not None and base_device.mac else None


def _mtus(state: HostState, wanted: dict[str, DesiredDevice], released: dict[str, Device]) -> list[a.Action]:
    """Raise bottom-up, lower top-down: a VLAN or bridge may never exceed what is below it."""
    raises: list[a.Action] = []
    lowers: list[a.Action] = []
    for name, before in sorted(released.items()):
        current = state.devices.get(name)
        if current is not None and current.mtu != before.mtu:
            raises.append(a.SetMtu(name, before.mtu))
    for name in _by_depth(wanted):
        current = state.devices.get(name)
        target = wanted[name].mtu
        if current is None and wanted[name].kind == "ovs":
            continue  # a new OVS internal port gets its MTU with OvsAddPort
        if current is None or current.mtu < target:
            raises.append(a.SetMtu(name, target))
        elif current.mtu > target:
            lowers.insert(0, a.SetMtu(name, target))
    return raises + lowers


def _masters(state: HostState, wanted: dict[str, DesiredDevice], managed: set[str], old: NetConfig) -> list[a.Action]:
    steps: list[a.Action] = []
    ours = created_devices(old) | {name for name, d in wanted.items() if d.kind in ("bridge", "bond")}
    for name in _by_depth(wanted):
        device = wanted[name]
        current = state.devices.get(name)
        current_master = current.master if current is not None else None
        if current_master != device.master:
            steps.append(a.SetMaster(name, device.master))
    for name in sorted(managed - set(wanted)):
        current = state.devices.get(name)
        if current is not None and current.master in ours:
            steps.append(a.SetMaster(name, None))
    return steps


def _stp(state: HostState, wanted: dict[str, DesiredDevice]) -> list[a.Action]:
    steps: list[a.Action] = []
    for name, device in sorted(wanted.items()):
        current = state.devices.get(name)
        if device.kind == "bridge" and current is not None and current.stp != device.stp:
            steps.append(a.SetStp(name, device.stp))
    return steps


def _addresses(
    state: HostState, wanted: dict[str, DesiredDevice], managed: set[str], old: NetConfig, released: dict[str, Device]
) -> tuple[list[a.Action], list[a.Action]]:
    adds: list[a.Action] = []
    deletes: list[a.Action] = []
    for name in sorted(managed):
        device = wanted.get(name)
        current = state.devices.get(name)
        have = {addr.cidr: addr for addr in current.global_addresses()} if current is not None else {}
        if device is not None:
            adds += [a.AddAddress(name, cidr) for cidr in sorted(device.static - set(have))]
        elif name in released:  # also a device the rollback re-creates (a taken-over OVS port)
            before = {addr.cidr for addr in released[name].global_addresses() if not addr.dynamic}
            adds += [a.AddAddress(name, cidr) for cidr in sorted(before - set(have))]
            deletes += [a.DeleteAddress(name, cidr) for cidr in sorted(set(have) - before)]
            continue
        for cidr, addr in sorted(have.items()):
            if device is None:
                # a device that no network uses any more keeps nothing of dcnet's making
                if name in created_devices(old) or cidr in _old_static(old, name) or addr.dynamic:
                    deletes.append(a.DeleteAddress(name, cidr))
                continue
            if addr.dynamic and ((addr.family == 4 and device.dhcp4) or (addr.family == 6 and _dynamic6(device))):
                continue
            if cidr not in device.static:
                if _replaced_in_subnet(cidr, device.static - set(have)):
                    adds.insert(0, a.DeleteAddress(name, cidr))
                else:
                    deletes.append(a.DeleteAddress(name, cidr))
    return adds, deletes


def _replaced_in_subnet(cidr: str, new: set[str]) -> bool:
    """An IPv4 address replaced by another of its subnet goes first: added first, the new one would be a
    secondary, and the kernel deletes secondaries with their primary (promote_secondaries is off by default)."""
    old = ipaddress.ip_interface(cidr)
    if old.version != 4:
        return False
    return any(ipaddress.ip_interface(other).network == old.network for other in new)


def _dynamic6(device: DesiredDevice) -> bool:
    return device.dhcp6 or device.autoconf6


def _old_static(old: NetConfig, device: str) -> set[str]:
    from dcnet.domain.hostnet.desired import static_cidrs

    return {
        cidr for name, attrs in old.networks.items() if attrs.top_device(name) == device for cidr in static_cidrs(attrs)
    }


def _autoconf(
    state: HostState, wanted: dict[str, DesiredDevice], managed: set[str], baseline: HostState | None
) -> list[a.Action]:
    steps: list[a.Action] = []
    for name in sorted(managed | set(wanted)):
        device = wanted.get(name)
        enabled = device is not None and device.autoconf6
        if device is None and baseline is not None and name in baseline.devices:
            enabled = name in baseline.autoconf6
        if name not in state.devices:
            if device is not None:
                steps.append(a.SetAutoconf(name, enabled))  # a new device: never leave it to the default
        elif (name in state.autoconf6) != enabled:
            steps.append(a.SetAutoconf(name, enabled))
    return steps


def _routes(
    state: HostState, new: NetConfig, released: dict[str, Device], baseline: HostState | None
) -> list[a.Action]:
    steps: list[a.Action] = []
    wanted = desired_routes(new)
    for route in wanted:
        current = state.default_route(route.family)
        if current is None or (current.device, current.gateway) != (route.device, route.gateway):
            steps.append(a.SetDefaultRoute(route.device, route.gateway, route.family))
    dhcp4 = baseline.dhcp4 if baseline is not None else set()
    for before in baseline.default_routes if baseline is not None else []:
        if before.family == 4 and before.device in dhcp4 and before.device in released:
            continue  # its DHCP client, started again, puts the route back once it has the lease
        present = before.device in state.devices or before.device in released
        if present and all(route.family != before.family for route in wanted):
            current = state.default_route(before.family)
            if current is None or (current.device, current.gateway) != (before.device, before.gateway):
                steps.append(a.SetDefaultRoute(before.device, before.gateway, before.family))
    return steps


def _delete(state: HostState, wanted: dict[str, DesiredDevice], old: NetConfig) -> list[a.Action]:
    doomed = [name for name in created_devices(old) if name not in wanted and name in state.devices]
    doomed.sort(key=lambda name: (_DELETE_ORDER.get(state.devices[name].kind, 9), name))
    return [a.DeleteDevice(name) for name in doomed]


def device_summary(device: Device | None) -> str:
    """For logs: how a device looks right now."""
    if device is None:
        return "absent"
    addresses = ",".join(addr.cidr for addr in device.global_addresses())
    return f"{device.kind} mtu={device.mtu} up={device.up} master={device.master} addrs=[{addresses}]"

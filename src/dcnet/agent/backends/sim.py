"""A simulated host in memory, with the same semantics and verification as a real one: for unit tests,
the demo and simulated fleets."""

from __future__ import annotations

import copy
import ipaddress
import itertools
import threading

from dcnet.agent.backend import BackendError
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.ovs_model import OvsBridge, OvsPort
from dcnet.domain.hostnet.state import Address, Device, Features, HostState, Route


def sim_host(
    hostname: str = "sim-host",
    nics: int = 4,
    address: str | None = "192.0.2.10/24",
    gateway: str | None = None,
    mac_seed: int = 1,
) -> HostState:
    state = HostState(hostname=hostname)
    for index in range(nics):
        name = f"eth{index}"
        mac = f"52:54:00:{mac_seed >> 8 & 0xFF:02x}:{mac_seed & 0xFF:02x}:{index:02x}"
        state.devices[name] = Device(name, "nic", mtu=1500, mac=mac, up=True, carrier=True, speed=10000)
    if address and nics:
        interface = ipaddress.ip_interface(address)
        state.devices["eth0"].addresses.append(Address(str(interface.ip), interface.network.prefixlen))
        if gateway:
            state.default_routes.append(Route("eth0", gateway, interface.version))
    return state


class SimBackend:
    def __init__(
        self,
        state: HostState | None = None,
        features: Features | None = None,
        dhcp_pool: str = "198.51.100.0/24",
    ) -> None:
        self.state = state or sim_host()
        self.features = features or Features(kernel_vlan=True, kernel_bond=True, ovs=False, dhcp_client=True)
        self._counter = 0
        self._lock = threading.Lock()
        self._leases = itertools.islice(ipaddress.ip_network(dhcp_pool).hosts(), 10, None)
        self.fail_on: type | None = None  # a step kind the sim refuses, for tests

    def probe(self) -> Features:
        return self.features

    def query(self) -> HostState:
        with self._lock:
            return copy.deepcopy(self.state)

    def change_counter(self) -> int:
        return self._counter

    def touch(self) -> None:
        """A change behind the agent's back (tests)."""
        self._counter += 1

    def close(self) -> None:
        pass

    def apply(self, step: a.Action) -> None:
        if self.fail_on is not None and isinstance(step, self.fail_on):
            raise BackendError(f"simulated failure of {step}")
        with self._lock:
            self._apply(step)
            self._counter += 1

    def _device(self, name: str) -> Device:
        device = self.state.devices.get(name)
        if device is None:
            raise BackendError(f"Cannot find device {name!r}")
        return device

    def _apply(self, step: a.Action) -> None:
        devices = self.state.devices
        if isinstance(step, a.CreateBridge):
            devices[step.name] = Device(step.name, "bridge", mac=step.mac or "02:00:00:00:00:01", stp=step.stp)
        elif isinstance(step, a.CreateVlan):
            if not self.features.kernel_vlan:
                raise BackendError("Operation not supported (no 802.1Q)")
            base = self._device(step.base)
            devices[step.name] = Device(
                step.name, "vlan", mtu=base.mtu, mac=base.mac, vlan_id=step.vlan_id, vlan_base=step.base
            )
        elif isinstance(step, a.CreateBond):
            if not self.features.kernel_bond:
                raise BackendError("Operation not supported (no bonding)")
            devices[step.name] = Device(
                step.name,
                "bond",
                mac="02:00:00:00:00:02",
                bond_mode=step.options.get("mode", "0"),
                bond_options={k: v for k, v in step.options.items() if k != "mode"},
            )
        elif isinstance(step, a.SetMaster):
            device = self._device(step.device)
            if step.master is not None:
                master = self._device(step.master)
                if master.kind == "bond" and master.active_slave is None:
                    master.active_slave = step.device
            device.master = step.master
        elif isinstance(step, a.SetMtu):
            self._device(step.device).mtu = step.mtu
        elif isinstance(step, a.SetStp):
            self._device(step.bridge).stp = step.enabled
        elif isinstance(step, a.SetUp):
            device = self._device(step.device)
            device.up = True
            device.carrier = True
        elif isinstance(step, a.DeleteDevice):
            self._device(step.device)
            del devices[step.device]
            for other in devices.values():
                if other.master == step.device:
                    other.master = None
            self.state.default_routes = [r for r in self.state.default_routes if r.device != step.device]
            for family_set in (self.state.dhcp4, self.state.dhcp6, self.state.autoconf6):
                family_set.discard(step.device)
        elif isinstance(step, a.AddAddress):
            interface = ipaddress.ip_interface(step.cidr)
            device = self._device(step.device)
            device.addresses.append(Address(str(interface.ip), interface.network.prefixlen))
        elif isinstance(step, a.DeleteAddress):
            device = self._device(step.device)
            device.addresses = [addr for addr in device.addresses if addr.cidr != step.cidr]
            # the kernel drops routes whose gateway is no longer reachable through the device
            self.state.default_routes = [
                r for r in self.state.default_routes if r.device != step.device or self._reachable(device, r)
            ]
        elif isinstance(step, a.SetDefaultRoute):
            self.state.default_routes = [r for r in self.state.default_routes if r.family != step.family]
            self.state.default_routes.append(Route(step.device, step.gateway, step.family))
        elif isinstance(step, a.StartDhcp):
            device = self._device(step.device)
            if step.family == 4:
                self.state.dhcp4.add(step.device)
                lease = str(next(self._leases))
                device.addresses.append(Address(lease, 24, dynamic=True))
                if step.default_route:
                    router = str(ipaddress.ip_interface(f"{lease}/24").network.network_address + 1)
                    self.state.default_routes = [r for r in self.state.default_routes if r.family != 4]
                    self.state.default_routes.append(Route(step.device, router, 4))
            else:
                self.state.dhcp6.add(step.device)
                device.addresses.append(Address(f"2001:db8:d::{len(device.addresses) + 16:x}", 128, dynamic=True))
        elif isinstance(step, a.StopDhcp):
            device = self._device(step.device)
            (self.state.dhcp4 if step.family == 4 else self.state.dhcp6).discard(step.device)
            device.addresses = [x for x in device.addresses if not (x.dynamic and x.family == step.family)]
        elif isinstance(step, a.SetAutoconf):
            if step.enabled:
                self.state.autoconf6.add(step.device)
            else:
                self.state.autoconf6.discard(step.device)
        elif isinstance(step, a.SetPortIsolation):
            self._device(step.port).isolated = step.isolated
        elif isinstance(step, a.SetDeviceQos):
            self._device(step.device)
            self.state.qos[step.device] = {c.minor: (c.rate, c.ceil) for c in step.classes}
        elif isinstance(step, a.ClearDeviceQos):
            self.state.qos.pop(step.device, None)
        elif isinstance(step, a.SetNameservers):
            self.state.nameservers = list(step.servers)
        elif isinstance(step, a.OvsTransaction):
            for inner in step.steps:
                self._apply_ovs(inner)
        elif isinstance(step, a.OvsAction):
            self._apply_ovs(step)
        else:  # pragma: no cover - a new step kind must be taught to every backend
            raise BackendError(f"unknown step {step!r}")

    def _apply_ovs(self, step: a.OvsAction) -> None:
        if self.state.ovs is None:
            raise BackendError("Open vSwitch is not available on this simulated host")
        bridges = self.state.ovs.bridges
        if isinstance(step, a.OvsAddBridge):
            bridges[step.name] = OvsBridge(step.name)
        elif isinstance(step, a.OvsDelBridge):
            for port in bridges.pop(step.name).ports.values():
                self._drop_internal(port)
        elif isinstance(step, a.OvsAddPort):
            interface = step.interface or step.port
            bridges[step.bridge].ports[step.port] = OvsPort(
                step.port, "internal" if step.internal else "system", tag=step.tag, interfaces=[interface]
            )
            if step.internal:
                mac = step.mac or "02:00:00:00:01:00"
                self.state.devices[interface] = Device(interface, "ovs", mtu=step.mtu or 1500, mac=mac)
        elif isinstance(step, a.OvsAddBond):
            bridges[step.bridge].ports[step.bond] = OvsPort(
                step.bond, "bond", interfaces=list(step.nics), bond_mode=step.mode,
                bond_options=dict(step.options), active_slave=step.nics[0],
            )  # fmt: skip
        elif isinstance(step, a.OvsSetTag):
            found = self.state.ovs.port(step.port)
            if found is None:
                raise BackendError(f"no OVS port {step.port}")
            found[1].tag = step.tag
        elif isinstance(step, a.OvsDelPort):
            self._drop_internal(bridges[step.bridge].ports.pop(step.port))

    def _drop_internal(self, port: OvsPort) -> None:
        """An internal port's kernel device goes with it, and so do its routes and clients."""
        for name in port.interfaces if port.kind == "internal" else []:
            self.state.devices.pop(name, None)
            self.state.default_routes = [r for r in self.state.default_routes if r.device != name]
            for family_set in (self.state.dhcp4, self.state.dhcp6, self.state.autoconf6):
                family_set.discard(name)

    @staticmethod
    def _reachable(device: Device, route: Route) -> bool:
        gateway = ipaddress.ip_address(route.gateway)
        return any(gateway in ipaddress.ip_interface(addr.cidr).network for addr in device.addresses)

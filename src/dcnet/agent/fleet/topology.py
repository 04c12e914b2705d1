"""The devices of simulated hosts, from a small YAML or JSON file (`--fleet-topology FILE`).

Without a file every host has four 10 Gb/s nics and its loopback address on eth0. A file describes
defaults and per-host overrides; a host's entry replaces whole keys of the defaults:

    defaults:
      nics: 4                   # a count (eth0..eth3), a list of names, or [{name, mtu, speed}]
      mtu: 1500                 # of nics that do not say
      speed: 10000              # Mb/s, of nics that do not say
      bonds:                    # existing kernel bonds
        bond4: {slaves: [eth2, eth3], mode: "4", options: {miimon: "100"}}
      vlans:                    # existing VLAN devices on a nic or bond
        bond4.3000: {base: bond4, id: 3000}
      bridges:                  # existing bridges over nics, bonds or VLANs
        br0: {ports: [eth1], stp: false}
      addresses:                # more static addresses, on any device
        br0: [192.0.2.1/24]
      management: bond4.3000    # the device holding the host's loopback address (default eth0)
      prefix: 8                 # that address's prefix length (8: all of 127/8 is on-link)
      gateway: null             # a default route through the management device
      ovs: false                # Open vSwitch on the host
      node: false               # an appliance-style node host: builds its management bridge at enrollment
    hosts:                      # by name (sim7) or index range (10-19), applied in file order
      sim0: {nics: 2}
      10-19: {management: bond0, bonds: {bond0: {slaves: [eth1]}}}   # a one-slave bond

Such states (a bond holding the management VLAN, a one-slave bond) are what real hosts arrive with and
what this machine's kernel cannot build, which is why the simulator takes them from a file.
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dcnet.domain.hostnet.ovs_model import OvsState
from dcnet.domain.hostnet.state import Address, Device, Features, HostState, Route

RANGE_RE = re.compile(r"(\d+)-(\d+)")
NAME_RE = re.compile(r"sim(\d+)")


class TopologyError(ValueError):
    """The topology file is unreadable or describes an impossible host."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NicSpec(_Spec):
    name: str
    mtu: int | None = Field(default=None, ge=68, le=65535)
    speed: int | None = Field(default=None, ge=0)


class BondSpec(_Spec):
    slaves: list[str] = Field(min_length=1)
    mode: str = "1"
    options: dict[str, str] = Field(default_factory=dict)
    mtu: int | None = Field(default=None, ge=68, le=65535)


class VlanSpec(_Spec):
    base: str
    id: int = Field(ge=1, le=4094)


class BridgeSpec(_Spec):
    ports: list[str] = Field(default_factory=list)
    stp: bool = False
    mtu: int | None = Field(default=None, ge=68, le=65535)


class HostSpec(_Spec):
    nics: int | list[str | NicSpec] = 4
    mtu: int = Field(default=1500, ge=68, le=65535)
    speed: int = Field(default=10000, ge=0)
    bonds: dict[str, BondSpec] = Field(default_factory=dict)
    vlans: dict[str, VlanSpec] = Field(default_factory=dict)
    bridges: dict[str, BridgeSpec] = Field(default_factory=dict)
    addresses: dict[str, list[str]] = Field(default_factory=dict)
    management: str = "eth0"
    prefix: int = Field(default=8, ge=0, le=32)
    gateway: str | None = None
    ovs: bool = False
    node: bool = False

    def nic_list(self) -> list[NicSpec]:
        if isinstance(self.nics, int):
            return [NicSpec(name=f"eth{index}") for index in range(self.nics)]
        return [NicSpec(name=nic) if isinstance(nic, str) else nic for nic in self.nics]

    def features(self) -> Features:
        return Features(kernel_vlan=True, kernel_bond=True, ovs=self.ovs, dhcp_client=True)


class Topology:
    """Defaults plus overrides; `spec(index)` merges the entries that select a host (cached per combination)."""

    def __init__(self, defaults: dict[str, Any] | None = None, hosts: dict[str, dict[str, Any]] | None = None) -> None:
        self.defaults = dict(defaults or {})
        self.overrides: list[tuple[str, dict[str, Any]]] = list((hosts or {}).items())
        for selector, override in self.overrides:
            if not isinstance(override, dict):
                raise TopologyError(f"hosts.{selector}: expected a mapping")
            _matcher(selector)  # refuse bad selectors before any host is built
        self._cache: dict[tuple[int, ...], HostSpec] = {}
        self.spec(-1)  # the defaults alone must be valid

    def spec(self, index: int) -> HostSpec:
        chosen = tuple(n for n, (selector, _) in enumerate(self.overrides) if _matcher(selector)(index))
        spec = self._cache.get(chosen)
        if spec is None:
            raw = dict(self.defaults)
            for n in chosen:
                raw |= self.overrides[n][1]
            where = ", ".join(["defaults", *(f"hosts.{self.overrides[n][0]}" for n in chosen)])
            try:
                spec = HostSpec.model_validate(raw)
            except ValidationError as exc:
                raise TopologyError(f"{where}: {_describe(exc)}") from None
            host_state(spec, "check", "127.0.0.1", 0, where=where)  # impossible hosts fail at load, not later
            spec = self._cache.setdefault(chosen, spec)
        return spec


def load_topology(path: Path) -> Topology:
    """YAML (PyYAML comes with uvicorn[standard]) or JSON; `.json` files are read as JSON."""
    text = path.read_text()
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # yaml.YAMLError, json.JSONDecodeError
        raise TopologyError(f"{path}: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or set(data) - {"defaults", "hosts"}:
        raise TopologyError(f"{path}: expected a mapping with `defaults` and/or `hosts`")
    defaults, hosts = data.get("defaults") or {}, data.get("hosts") or {}
    if not isinstance(defaults, dict) or not isinstance(hosts, dict):
        raise TopologyError(f"{path}: `defaults` and `hosts` must be mappings")
    return Topology(defaults, {str(key): value for key, value in hosts.items()})


def _matcher(selector: str) -> Any:
    if found := RANGE_RE.fullmatch(selector):
        low, high = int(found[1]), int(found[2])
        return lambda index: low <= index <= high
    if found := NAME_RE.fullmatch(selector):
        wanted = int(found[1])
        return lambda index: index == wanted
    raise TopologyError(f"hosts.{selector}: select hosts by name (sim7) or index range (10-19)")


def _describe(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())


def host_state(spec: HostSpec, hostname: str, address: str, index: int, *, where: str = "") -> HostState:
    """The "kernel" of sim host `index`: its devices, its management address and route."""
    state = HostState(hostname=hostname)
    devices = state.devices

    def fail(message: str) -> TopologyError:
        return TopologyError(f"{where or hostname}: {message}")

    def lower(name: str, user: str, kinds: tuple[str, ...]) -> Device:
        device = devices.get(name)
        if device is None or device.kind not in kinds:
            raise fail(f"{user}: {name} is not a {' or '.join(kinds)} of this host")
        if device.master is not None:
            raise fail(f"{user}: {name} already belongs to {device.master}")
        return device

    for position, nic in enumerate(spec.nic_list()):
        if nic.name in devices:
            raise fail(f"nic {nic.name} twice")
        devices[nic.name] = Device(
            nic.name, "nic", mtu=nic.mtu or spec.mtu, mac=_mac(index, position), up=True, carrier=True,
            speed=nic.speed if nic.speed is not None else spec.speed,
        )  # fmt: skip
    for name, bond in spec.bonds.items():
        slaves = [lower(slave, f"bond {name}", ("nic",)) for slave in bond.slaves]
        _fresh(devices, name, fail)
        for slave in slaves:
            slave.master = name
        devices[name] = Device(
            name, "bond", mtu=bond.mtu or min(s.mtu for s in slaves), mac=slaves[0].mac, up=True, carrier=True,
            bond_mode=bond.mode, bond_options=dict(bond.options), active_slave=slaves[0].name,
            speed=sum(s.speed or 0 for s in slaves),
        )  # fmt: skip
    for name, vlan in spec.vlans.items():
        base = devices.get(vlan.base)
        if base is None or base.kind not in ("nic", "bond"):
            raise fail(f"vlan {name}: base {vlan.base} is not a nic or bond of this host")
        _fresh(devices, name, fail)
        devices[name] = Device(
            name, "vlan", mtu=base.mtu, mac=base.mac, up=True, carrier=True, vlan_id=vlan.id, vlan_base=vlan.base
        )
    for name, bridge in spec.bridges.items():
        ports = [lower(port, f"bridge {name}", ("nic", "bond", "vlan")) for port in bridge.ports]
        _fresh(devices, name, fail)
        for port in ports:
            port.master = name
        mtu = bridge.mtu or (min(p.mtu for p in ports) if ports else 1500)
        mac = ports[0].mac if ports else _mac(index, 0xFF)
        devices[name] = Device(name, "bridge", mtu=mtu, mac=mac, up=True, carrier=True, stp=bridge.stp)
    for name, cidrs in spec.addresses.items():
        if name not in devices:
            raise fail(f"addresses: no device {name}")
        for cidr in cidrs:
            devices[name].addresses.append(_address(cidr, fail))
    management = devices.get(spec.management)
    if management is None or management.master is not None:
        raise fail(f"management: {spec.management} is not a device of this host without a master")
    management.addresses.insert(0, Address(address, spec.prefix))
    if spec.gateway:
        route = _address(spec.gateway, fail)
        state.default_routes.append(Route(spec.management, route.address, route.family))
    if spec.ovs:
        state.ovs = OvsState(system_id=str(uuid.uuid5(uuid.NAMESPACE_DNS, hostname)))
    return state


def _fresh(devices: dict[str, Device], name: str, fail: Any) -> None:
    if name in devices:
        raise fail(f"device {name} twice")


def _address(text: str, fail: Any) -> Address:
    try:
        interface = ipaddress.ip_interface(text)
    except ValueError:
        raise fail(f"bad address {text!r}") from None
    return Address(str(interface.ip), interface.network.prefixlen)


def _mac(index: int, position: int) -> str:
    """52:54:HH:HH:HH:PP — three bytes of host index, one of nic position: unique up to 16 M hosts."""
    return f"52:54:{index >> 16 & 0xFF:02x}:{index >> 8 & 0xFF:02x}:{index & 0xFF:02x}:{position & 0xFF:02x}"

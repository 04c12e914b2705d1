"""What the kernel has: devices with their addresses, bridge/bond/VLAN details, and routes.

Backends fill it (from `ip -j`, netlink or memory); everything else reads it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from dcnet.domain.hostnet.ovs_model import OvsBridge, OvsPort, OvsState

DeviceKind = Literal["nic", "bridge", "bond", "vlan", "ovs", "other"]


@dataclass(frozen=True)
class Address:
    address: str
    prefixlen: int
    dynamic: bool = False

    @property
    def family(self) -> int:
        return 6 if ":" in self.address else 4

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefixlen}"

    @property
    def is_link_local(self) -> bool:
        """fe80::/10 or 169.254/16 (a string test: capabilities of big hosts call this thousands of times)."""
        text = self.address.lower()
        return text[:3] in ("fe8", "fe9", "fea", "feb") if ":" in text else text.startswith("169.254.")


@dataclass
class Device:
    name: str
    kind: DeviceKind
    mtu: int = 1500
    mac: str = ""
    up: bool = False
    carrier: bool = False
    master: str | None = None
    speed: int | None = None
    addresses: list[Address] = field(default_factory=list)
    stp: bool = False
    bond_mode: str | None = None
    bond_options: dict[str, str] = field(default_factory=dict)
    active_slave: str | None = None
    vlan_id: int | None = None
    vlan_base: str | None = None
    isolated: bool = False  # a bridge port with `isolated on`

    def global_addresses(self, family: int | None = None) -> list[Address]:
        return [a for a in self.addresses if not a.is_link_local and (family is None or a.family == family)]


@dataclass(frozen=True)
class Route:
    """A default route (destination 0/0 or ::/0)."""

    device: str
    gateway: str
    family: int


@dataclass
class HostState:
    hostname: str = ""
    devices: dict[str, Device] = field(default_factory=dict)
    default_routes: list[Route] = field(default_factory=list)
    dhcp4: set[str] = field(default_factory=set)
    dhcp6: set[str] = field(default_factory=set)
    autoconf6: set[str] = field(default_factory=set)
    nameservers: list[str] = field(default_factory=list)
    ovs: OvsState | None = None  # None: no Open vSwitch on this host
    qos: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)  # device → class minor → (rate, ceil) Mbps

    def ports_of(self, master: str) -> list[str]:
        return sorted(name for name, device in self.devices.items() if device.master == master)

    def default_route(self, family: int) -> Route | None:
        return next((r for r in self.default_routes if r.family == family), None)


@dataclass(frozen=True)
class Features:
    """What this host can build, probed at agent start."""

    kernel_vlan: bool
    kernel_bond: bool
    ovs: bool
    dhcp_client: bool

    def as_dict(self) -> dict[str, bool]:
        return {
            "kernel_vlan": self.kernel_vlan,
            "kernel_bond": self.kernel_bond,
            "ovs": self.ovs,
            "dhcp_client": self.dhcp_client,
        }


def state_to_dict(state: HostState) -> dict[str, Any]:
    """For the transaction journal: the kernel as it was before a change."""
    return {
        "hostname": state.hostname,
        "devices": {name: asdict(device) for name, device in state.devices.items()},
        "default_routes": [asdict(route) for route in state.default_routes],
        "dhcp4": sorted(state.dhcp4),
        "dhcp6": sorted(state.dhcp6),
        "autoconf6": sorted(state.autoconf6),
        "nameservers": list(state.nameservers),
        "ovs": asdict(state.ovs) if state.ovs is not None else None,
        "qos": {
            device: {str(minor): list(rates) for minor, rates in classes.items()}
            for device, classes in state.qos.items()
        },
    }


def state_from_dict(data: dict[str, Any]) -> HostState:
    devices = {}
    for name, raw in data.get("devices", {}).items():
        fields = dict(raw)
        fields["addresses"] = [Address(**addr) for addr in fields.get("addresses", [])]
        devices[name] = Device(**fields)
    return HostState(
        hostname=data.get("hostname", ""),
        devices=devices,
        default_routes=[Route(**route) for route in data.get("default_routes", [])],
        dhcp4=set(data.get("dhcp4", [])),
        dhcp6=set(data.get("dhcp6", [])),
        autoconf6=set(data.get("autoconf6", [])),
        nameservers=list(data.get("nameservers", [])),
        ovs=_ovs_from_dict(data["ovs"]) if data.get("ovs") else None,
        qos={
            device: {int(minor): (int(rates[0]), int(rates[1])) for minor, rates in classes.items()}
            for device, classes in (data.get("qos") or {}).items()
        },
    )


def _ovs_from_dict(data: dict[str, Any]) -> OvsState:
    bridges = {
        name: OvsBridge(name, {port: OvsPort(**fields) for port, fields in raw["ports"].items()})
        for name, raw in data.get("bridges", {}).items()
    }
    return OvsState(bridges=bridges, system_id=data.get("system_id"))

"""The steps a backend knows how to perform; a plan is an ordered list of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from dcnet.domain.hostnet.host_qos import HtbClass


@dataclass(frozen=True)
class CreateBridge:
    name: str
    mac: str | None
    stp: bool


@dataclass(frozen=True)
class CreateVlan:
    name: str
    base: str
    vlan_id: int


@dataclass(frozen=True)
class CreateBond:
    name: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SetMaster:
    device: str
    master: str | None


@dataclass(frozen=True)
class SetMtu:
    device: str
    mtu: int


@dataclass(frozen=True)
class SetStp:
    bridge: str
    enabled: bool


@dataclass(frozen=True)
class SetUp:
    device: str


@dataclass(frozen=True)
class DeleteDevice:
    device: str


@dataclass(frozen=True)
class AddAddress:
    device: str
    cidr: str


@dataclass(frozen=True)
class DeleteAddress:
    device: str
    cidr: str


@dataclass(frozen=True)
class SetDefaultRoute:
    device: str
    gateway: str
    family: int


@dataclass(frozen=True)
class StartDhcp:
    device: str
    family: int
    default_route: bool = False  # the lease's router becomes the default route (a defaultRoute network)


@dataclass(frozen=True)
class StopDhcp:
    device: str
    family: int


@dataclass(frozen=True)
class SetAutoconf:
    device: str
    enabled: bool


@dataclass(frozen=True)
class SetNameservers:
    """The host's resolver configuration lists exactly these name servers (other lines are kept)."""

    servers: tuple[str, ...]


@dataclass(frozen=True)
class SetPortIsolation:
    port: str
    isolated: bool


@dataclass(frozen=True)
class SetDeviceQos:
    """(Re)build the device's traffic-control tree for host network QoS (see host_qos)."""

    device: str
    classes: tuple[HtbClass, ...]


@dataclass(frozen=True)
class ClearDeviceQos:
    device: str


@dataclass(frozen=True)
class OvsAddBridge:
    name: str


@dataclass(frozen=True)
class OvsDelBridge:
    name: str


@dataclass(frozen=True)
class OvsAddPort:
    bridge: str
    port: str
    tag: int | None
    internal: bool
    mtu: int | None = None
    mac: str | None = None  # an internal port that takes over an address keeps its holder's MAC (same lease)
    interface: str | None = None  # when the interface is named unlike its port (`bond4` in port `bond4-ip`)


@dataclass(frozen=True)
class OvsAddBond:
    bridge: str
    bond: str
    nics: tuple[str, ...]
    mode: str
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OvsSetTag:
    port: str
    tag: int | None


@dataclass(frozen=True)
class OvsDelPort:
    bridge: str
    port: str


OvsAction = OvsAddBridge | OvsDelBridge | OvsAddPort | OvsAddBond | OvsSetTag | OvsDelPort


@dataclass(frozen=True)
class OvsTransaction:
    """Several OVS changes as one OVSDB transaction: atomic, and one round trip instead of many."""

    steps: tuple[OvsAction, ...]


Action = (
    CreateBridge
    | CreateVlan
    | CreateBond
    | SetMaster
    | SetMtu
    | SetStp
    | SetUp
    | DeleteDevice
    | AddAddress
    | DeleteAddress
    | SetDefaultRoute
    | StartDhcp
    | StopDhcp
    | SetAutoconf
    | SetNameservers
    | SetDeviceQos
    | SetPortIsolation
    | ClearDeviceQos
    | OvsAddBridge
    | OvsDelBridge
    | OvsAddPort
    | OvsAddBond
    | OvsSetTag
    | OvsDelPort
    | OvsTransaction
)

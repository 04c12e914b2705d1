"""Entities of the core model (DESIGN.md §3), with the oVirt REST v4 names and enums."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, order=True)
class Version:
    """A compatibility version (of a data center or cluster)."""

    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @classmethod
    def parse(cls, text: str) -> Version:
        match = re.fullmatch(r"(\d+)\.(\d+)", text.strip())
        if not match:
            raise ValueError(f"not a version: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))


class SwitchType(StrEnum):
    LEGACY = "legacy"
    OVS = "ovs"


class HostStatus(StrEnum):
    INSTALLING = "installing"
    INITIALIZING = "initializing"
    UP = "up"
    MAINTENANCE = "maintenance"
    NON_RESPONSIVE = "non_responsive"
    NON_OPERATIONAL = "non_operational"
    INSTALL_FAILED = "install_failed"


class HostType(StrEnum):
    RHEL = "rhel"
    OVIRT_NODE = "ovirt_node"


class NetworkUsage(StrEnum):
    """`vm` is a property of the network; the others are roles it plays in a cluster."""

    VM = "vm"
    MANAGEMENT = "management"
    DISPLAY = "display"
    MIGRATION = "migration"
    DEFAULT_ROUTE = "default_route"
    GLUSTER = "gluster"


CLUSTER_ROLES: tuple[NetworkUsage, ...] = (
    NetworkUsage.MANAGEMENT,
    NetworkUsage.DISPLAY,
    NetworkUsage.MIGRATION,
    NetworkUsage.DEFAULT_ROUTE,
    NetworkUsage.GLUSTER,
)


class Severity(StrEnum):
    NORMAL = "normal"
    WARNING = "warning"
    ERROR = "error"
    ALERT = "alert"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class JobStatus(StrEnum):
    STARTED = "started"
    FINISHED = "finished"
    FAILED = "failed"
    ABORTED = "aborted"
    UNKNOWN = "unknown"


class StepType(StrEnum):
    VALIDATING = "validating"
    EXECUTING = "executing"
    FINALIZING = "finalizing"


class Role(StrEnum):
    """API roles: an admin may do everything, a viewer may only read."""

    ADMIN = "admin"
    VIEWER = "viewer"


@dataclass
class DataCenter:
    id: str
    name: str
    version: Version
    description: str = ""
    comment: str = ""
    local: bool = False
    revision: int = 1


@dataclass
class Cluster:
    id: str
    name: str
    data_center_id: str
    version: Version
    switch_type: SwitchType = SwitchType.LEGACY
    description: str = ""
    comment: str = ""
    revision: int = 1


@dataclass
class Network:
    id: str
    name: str
    data_center_id: str
    description: str = ""
    comment: str = ""
    vlan_id: int | None = None
    mtu: int = 0
    vm: bool = True
    stp: bool = False
    port_isolation: bool = False
    dns_name_servers: list[str] = field(default_factory=list)
    label: str | None = None
    qos_id: str | None = None  # a host network QoS of the data center
    external_provider_id: str | None = None
    external_provider_network_id: str | None = None
    external_physical_network_id: str | None = None
    revision: int = 1

    @property
    def is_external(self) -> bool:
        return self.external_provider_id is not None


@dataclass
class ClusterNetwork:
    """A network attached to a cluster, with its per-cluster flags and roles."""

    cluster_id: str
    network_id: str
    required: bool = True
    management: bool = False
    display: bool = False
    migration: bool = False
    default_route: bool = False
    gluster: bool = False
    revision: int = 1

    def has_role(self, role: NetworkUsage) -> bool:
        return bool(getattr(self, role.value))

    def roles(self) -> list[NetworkUsage]:
        return [role for role in CLUSTER_ROLES if self.has_role(role)]


@dataclass
class CustomProperty:
    name: str
    value: str


@dataclass
class VnicProfile:
    id: str
    name: str
    network_id: str
    description: str = ""
    comment: str = ""
    port_mirroring: bool = False
    pass_through: bool = False
    migratable: bool = True
    custom_properties: list[CustomProperty] = field(default_factory=list)
    revision: int = 1


@dataclass
class Host:
    id: str
    name: str
    address: str
    cluster_id: str
    status: HostStatus = HostStatus.MAINTENANCE
    type: HostType = HostType.RHEL
    port: int = 54321
    description: str = ""
    comment: str = ""
    status_detail: str = ""
    resolved_addresses: list[str] = field(default_factory=list)  # what the address resolved to at install
    enrolled: bool = False  # the agent holds a certificate from the engine CA
    activate_after_install: bool = True
    net_config_dirty: bool = False
    revision: int = 1


@dataclass
class HostReport:
    """The last capabilities a host's agent reported (the engine's view of the host's real network)."""

    host_id: str
    capabilities: dict[str, Any]
    change_counter: int
    reported_at: datetime


@dataclass
class NetworkAttachment:
    """A logical network on a host's nic or bond, with its IP configuration."""

    id: str
    host_id: str
    network_id: str
    nic_name: str
    ip_assignments: list[dict[str, Any]] = field(default_factory=list)
    dns_servers: list[str] = field(default_factory=list)
    qos: dict[str, Any] | None = None  # overrides the network's QoS on this host: {"ls", "ul", "rt"} in Mbps
    revision: int = 1


@dataclass
class HostNetworkQos:
    """A data center's host network QoS (outbound: average link share, upper limit, real time, in Mbps)."""

    id: str
    name: str
    data_center_id: str
    type: str = "hostnetwork"
    description: str = ""
    outbound_average_linkshare: int | None = None
    outbound_average_upperlimit: int | None = None
    outbound_average_realtime: int | None = None
    revision: int = 1


@dataclass
class Event:
    index: int
    code: int
    name: str
    severity: Severity
    description: str
    correlation_id: str
    time: datetime
    user_name: str | None = None
    data_center_id: str | None = None
    cluster_id: str | None = None
    host_id: str | None = None
    network_id: str | None = None
    vnic_profile_id: str | None = None
    custom_data: str = ""
    origin: str = "dcnet"


@dataclass
class Step:
    id: str
    job_id: str
    number: int
    type: StepType
    description: str
    status: JobStatus
    start_time: datetime
    end_time: datetime | None = None


@dataclass
class Job:
    id: str
    description: str
    status: JobStatus
    correlation_id: str
    start_time: datetime
    last_updated: datetime
    end_time: datetime | None = None
    owner: str | None = None
    external: bool = False
    auto_cleared: bool = True


@dataclass
class User:
    id: str
    name: str
    role: Role
    password_hash: str
    revision: int = 1

"""The engine-side vocabulary of setup networks (host-network-setup.md §7): what the admin asks for, what the
host has, and what the agent is sent. Shared by the planner (`plan.py`), the out-of-sync comparison
(`out_of_sync.py`), the engine command and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from dcnet.domain.entities import ClusterNetwork, Network

IpMethod = Literal["none", "dhcp", "static", "autoconf", "poly_dhcp_autoconf"]


@dataclass(frozen=True)
class IpConfig:
    """One oVirt `ip_address_assignment` (IPv4: none|dhcp|static; IPv6: also autoconf|poly_dhcp_autoconf)."""

    method: IpMethod = "none"
    address: str | None = None
    netmask: str | None = None  # IPv4: dotted or a prefix length; IPv6: the prefix length
    gateway: str | None = None


@dataclass(frozen=True)
class AttachmentSpec:
    """A network on a host's base nic or bond, as asked for (a new one has no id)."""

    network_id: str
    nic: str
    ipv4: IpConfig = IpConfig()
    ipv6: IpConfig | None = None
    dns_servers: tuple[str, ...] = ()
    id: str | None = None


@dataclass(frozen=True)
class BondSpec:
    name: str
    slaves: tuple[str, ...]
    options: str = ""  # "mode=1 miimon=100"; empty = the default "mode=4 miimon=100 xmit_hash_policy=2"


@dataclass(frozen=True)
class SetupRequest:
    """POST /hosts/{id}/setupnetworks (ids and names already resolved by the engine)."""

    modified_attachments: tuple[AttachmentSpec, ...] = ()
    removed_attachments: tuple[str, ...] = ()  # attachment ids
    synchronized_attachments: tuple[str, ...] = ()  # attachment ids: push the DC definition
    modified_bonds: tuple[BondSpec, ...] = ()
    removed_bonds: tuple[str, ...] = ()
    removed_unmanaged_networks: tuple[str, ...] = ()  # reported networks no logical network explains
    modified_labels: tuple[tuple[str, str], ...] = ()  # (nic or bond, label) pairs put on the host
    removed_labels: tuple[tuple[str, str], ...] = ()  # (nic or bond, label) pairs taken off
    check_connectivity: bool = True
    connectivity_timeout: int = 120
    commit_on_success: bool = False


@dataclass(frozen=True)
class Attachment:
    """An attachment the engine holds for the host (its desired configuration)."""

    id: str
    network_id: str
    nic: str
    ipv4: IpConfig = IpConfig()
    ipv6: IpConfig | None = None
    dns_servers: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostContext:
    """Everything the planner needs to know about the host and its cluster."""

    host_name: str
    host_status: str  # HostStatus value
    caps: Mapping[str, Any]  # the last Host.getCapabilities
    attachments: tuple[Attachment, ...]
    networks: Mapping[str, Network]  # network id → network, for every network of the host's cluster
    cluster_networks: Mapping[str, ClusterNetwork]  # network id → its cluster attachment (required, roles)
    switch_type: str = "legacy"
    nic_labels: Mapping[str, frozenset[str]] = field(default_factory=dict)  # nic or bond → its labels
    qos: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # network id → effective hostQos (agent shape)


@dataclass(frozen=True)
class SetupPlan:
    """What to send (`networks`/`bondings`/`options` as Host.setupNetworks takes them) and the attachments
    the host will have once it succeeds. `changed` False: nothing to send ("No changes were detected")."""

    networks: dict[str, dict[str, Any]]
    bondings: dict[str, dict[str, Any]]
    options: dict[str, Any]
    attachments: tuple[Attachment, ...]
    created: tuple[str, ...] = field(default_factory=tuple)  # network ids attached anew
    removed: tuple[str, ...] = field(default_factory=tuple)  # network ids detached
    nic_labels: Mapping[str, frozenset[str]] | None = None  # the host's labels afterwards; None: unchanged

    @property
    def changed(self) -> bool:
        return bool(self.networks or self.bondings)

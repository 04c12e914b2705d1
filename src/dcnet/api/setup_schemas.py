"""Request bodies of setup networks and network attachments (oVirt's action and attachment elements).

oVirt's JSON wraps a list in its element name (`{"network_attachment": [...]}`); both that and a plain list
are accepted."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from dcnet.api.schemas import Body, RefIn
from dcnet.domain.errors import BadInput
from dcnet.domain.setup.model import BondSpec
from dcnet.engine.host_setup import AttachmentIn, SetupIn

MAX_TIMEOUT = 3600


def _unwrap(value: Any, element: str) -> Any:
    if isinstance(value, dict) and set(value) <= {element}:
        return value.get(element, [])
    return value


class IpIn(Body):
    address: str | None = None
    netmask: str | None = None
    gateway: str | None = None
    version: str | None = None


class IpAssignmentIn(Body):
    assignment_method: str | None = None
    ip: IpIn | None = None


class NameServersIn(Body):
    name_servers: list[str] = Field(default_factory=list)

    @field_validator("name_servers", mode="before")
    @classmethod
    def _servers(cls, value: Any) -> Any:
        return _unwrap(value, "name_server")


class NicRefIn(Body):
    id: str | None = None
    name: str | None = None


class NetworkAttachmentIn(Body):
    id: str | None = None
    network: RefIn | None = None
    host_nic: NicRefIn | None = None
    ip_address_assignments: list[IpAssignmentIn] = Field(default_factory=list)
    dns_resolver_configuration: NameServersIn | None = None

    @field_validator("ip_address_assignments", mode="before")
    @classmethod
    def _assignments(cls, value: Any) -> Any:
        return _unwrap(value, "ip_address_assignment")

    def to_attachment(self, attachment_id: str | None = None) -> AttachmentIn:
        nic = self.host_nic.name or self.host_nic.id if self.host_nic else None
        servers = tuple(self.dns_resolver_configuration.name_servers) if self.dns_resolver_configuration else ()
        return AttachmentIn(
            network=self.network.to_ref() if self.network else None,
            nic=nic,
            ip_assignments=[a.model_dump(exclude_none=True) for a in self.ip_address_assignments],
            dns_servers=servers,
            id=attachment_id or self.id,
        )


class BondOptionIn(Body):
    name: str
    value: str


class BondingIn(Body):
    options: list[BondOptionIn] = Field(default_factory=list)
    slaves: list[NicRefIn] = Field(default_factory=list)

    @field_validator("options", mode="before")
    @classmethod
    def _options(cls, value: Any) -> Any:
        return _unwrap(value, "option")

    @field_validator("slaves", mode="before")
    @classmethod
    def _slaves(cls, value: Any) -> Any:
        return _unwrap(value, "host_nic")


class BondIn(Body):
    name: str | None = None
    bonding: BondingIn | None = None


class NetworkLabelOnNicIn(Body):
    """`<network_label id="lbl"><host_nic><name>eth1</name></host_nic></network_label>`: the id is the text."""

    id: str | None = None
    host_nic: NicRefIn | None = None

    def nic(self) -> str | None:
        return (self.host_nic.name or self.host_nic.id) if self.host_nic else None


class SetupNetworksIn(Body):
    modified_network_attachments: list[NetworkAttachmentIn] = Field(default_factory=list)
    removed_network_attachments: list[NetworkAttachmentIn] = Field(default_factory=list)
    synchronized_network_attachments: list[NetworkAttachmentIn] = Field(default_factory=list)
    modified_bonds: list[BondIn] = Field(default_factory=list)
    removed_bonds: list[BondIn] = Field(default_factory=list)
    removed_unmanaged_networks: list[RefIn] = Field(default_factory=list)
    modified_labels: list[NetworkLabelOnNicIn] = Field(default_factory=list)
    removed_labels: list[NetworkLabelOnNicIn] = Field(default_factory=list)
    check_connectivity: bool = True
    connectivity_timeout: int | None = Field(default=None, ge=1, le=MAX_TIMEOUT)
    commit_on_success: bool = False

    @field_validator(
        "modified_network_attachments", "removed_network_attachments", "synchronized_network_attachments", mode="before"
    )
    @classmethod
    def _attachments(cls, value: Any) -> Any:
        return _unwrap(value, "network_attachment")

    @field_validator("modified_bonds", "removed_bonds", mode="before")
    @classmethod
    def _bonds(cls, value: Any) -> Any:
        return _unwrap(value, "host_nic")

    @field_validator("removed_unmanaged_networks", mode="before")
    @classmethod
    def _unmanaged(cls, value: Any) -> Any:
        return _unwrap(value, "unmanaged_network")

    @field_validator("modified_labels", "removed_labels", mode="before")
    @classmethod
    def _labels(cls, value: Any) -> Any:
        return _unwrap(value, "network_label")

    def to_setup(self) -> SetupIn:
        return SetupIn(
            modified_attachments=[a.to_attachment() for a in self.modified_network_attachments],
            removed_attachments=[_id(a.id, "removed_network_attachments") for a in self.removed_network_attachments],
            synchronized_attachments=[
                _id(a.id, "synchronized_network_attachments") for a in self.synchronized_network_attachments
            ],
            modified_bonds=[_bond(b, position) for position, b in enumerate(self.modified_bonds)],
            removed_bonds=[_id(b.name, "removed_bonds") for b in self.removed_bonds],
            removed_unmanaged_networks=[
                _id(n.name, "removed_unmanaged_networks") for n in self.removed_unmanaged_networks
            ],
            check_connectivity=self.check_connectivity,
            connectivity_timeout=self.connectivity_timeout,
            commit_on_success=self.commit_on_success,
            modified_labels=[_modified_label(item, position) for position, item in enumerate(self.modified_labels)],
            removed_labels=[(item.nic(), _id(item.id, "removed_labels")) for item in self.removed_labels],
        )


def _id(value: str | None, field: str) -> str:

    if not value:
        raise BadInput(field, "every entry needs its id (bonds and unmanaged networks: their name)")
    return value


def _bond(bond: BondIn, position: int) -> BondSpec:

    field = f"modified_bonds[{position}]"
    if not bond.name:
        raise BadInput(f"{field}.name", "a bond needs its name")
    bonding = bond.bonding or BondingIn()
    slaves = tuple(s.name or s.id or "" for s in bonding.slaves)
    if any(not s for s in slaves):
        raise BadInput(f"{field}.bonding.slaves", "every slave needs its name")
    options = " ".join(f"{o.name}={o.value}" for o in bonding.options)
    return BondSpec(bond.name, slaves, options)


def _modified_label(item: NetworkLabelOnNicIn, position: int) -> tuple[str, str]:
    field = f"modified_labels[{position}]"
    label = _id(item.id, field)
    nic = item.nic()
    if not nic:
        raise BadInput(f"{field}.host_nic", "a label needs the nic or bond that carries it (name or id)")
    return nic, label

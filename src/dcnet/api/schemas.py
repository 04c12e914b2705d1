"""Request bodies. Read-only fields a client echoes back (href, status, ...) are ignored; which fields
were sent matters for PUT, which merges (`model_fields_set`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from dcnet.domain.entities import HostType, NetworkUsage, SwitchType, Version
from dcnet.engine.refs import Ref


def _check_text(value: Any) -> Any:
    """No NUL characters or lone surrogates: no database can store them faithfully."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode text (lone surrogate)") from None
    elif isinstance(value, list):
        for item in value:
            _check_text(item)
    return value


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _check_text(value)

    def sent(self, *names: str, keep_null: tuple[str, ...] = ("name",)) -> dict[str, Any]:
        """The attributes among `names` the client actually sent (PUT merges). An explicit null means
        "leave as is", except for `keep_null` fields, whose null must reach the rules (and be refused)."""
        return {
            name: getattr(self, name)
            for name in names
            if name in self.model_fields_set and (getattr(self, name) is not None or name in keep_null)
        }


class RefIn(Body):
    id: str | None = None
    name: str | None = None

    def to_ref(self) -> Ref:
        return Ref(id=self.id, name=self.name)


def to_ref(value: RefIn | None) -> Ref | None:
    return None if value is None else value.to_ref()


class VersionIn(Body):
    major: int
    minor: int

    def to_version(self) -> Version:
        return Version(self.major, self.minor)


class VlanIn(Body):
    id: int | None = None


class DnsResolverIn(Body):
    name_servers: list[str] = []


class DataCenterIn(Body):
    name: str | None = None
    description: str | None = None
    comment: str | None = None
    local: bool | None = None
    version: VersionIn | None = None


class ClusterIn(Body):
    name: str | None = None
    description: str | None = None
    comment: str | None = None
    data_center: RefIn | None = None
    version: VersionIn | None = None
    switch_type: SwitchType | None = None
    management_network: RefIn | None = None


class NetworkIn(Body):
    id: str | None = None
    name: str | None = None
    description: str | None = None
    comment: str | None = None
    data_center: RefIn | None = None
    vlan: VlanIn | None = None
    mtu: int | None = None
    usages: list[NetworkUsage] | None = None
    stp: bool | None = None
    port_isolation: bool | None = None
    dns_resolver_configuration: DnsResolverIn | None = None
    qos: RefIn | None = None  # a host network QoS of the data center; null or {} clears it
    # cluster view only
    required: bool | None = None
    display: bool | None = None


class NetworkLabelIn(Body):
    id: str | None = None


class CustomPropertyIn(Body):
    name: str
    value: str = ""


class PassThroughIn(Body):
    mode: str = "disabled"

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value not in ("enabled", "disabled"):
            raise ValueError("must be 'enabled' or 'disabled'")
        return value


class VnicProfileIn(Body):
    name: str | None = None
    description: str | None = None
    comment: str | None = None
    network: RefIn | None = None
    port_mirroring: bool | None = None
    pass_through: PassThroughIn | None = None
    migratable: bool | None = None
    custom_properties: list[CustomPropertyIn] | None = None


class HostActionIn(Body):
    """oVirt's action body for host actions; only the fields dcnet uses are read."""

    root_password: str | None = None
    activate: bool | None = None


class HostIn(Body):
    name: str | None = None
    description: str | None = None
    comment: str | None = None
    address: str | None = None
    port: int | None = None
    cluster: RefIn | None = None
    type: HostType | None = None
    root_password: str | None = None

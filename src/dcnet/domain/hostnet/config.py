"""The desired configuration the agent keeps: networks and bonds by name (VDSM's setupNetworks shapes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MTU = 1500
SwitchName = Literal["legacy", "ovs"]


class NetworkAttrs(BaseModel):
    """One network: its southbound device, VLAN, bridge, MTU and IP configuration."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    nic: str | None = None
    bonding: str | None = None
    vlan: int | None = None
    bridged: bool = True
    mtu: int = DEFAULT_MTU
    stp: bool = Field(default=False, alias="STP")
    bootproto: Literal["none", "dhcp"] = "none"
    ipaddr: str | None = None
    netmask: str | None = None
    prefix: int | None = None
    gateway: str | None = None
    ipv6addr: str | None = None
    ipv6gateway: str | None = None
    dhcpv6: bool = False
    ipv6autoconf: bool = False
    defaultRoute: bool = False
    nameservers: list[str] = Field(default_factory=list)
    switch: SwitchName = "legacy"
    custom: dict[str, str] = Field(default_factory=dict)
    hostQos: dict[str, Any] | None = None  # {"out": {"ls"|"ul"|"rt": {"m2": Mbps}}}, see host_qos
    portIsolation: bool = False  # bridge ports other than the uplink (guests) cannot reach each other
    remove: bool = False

    @property
    def southbound(self) -> str | None:
        return self.nic or self.bonding

    @property
    def vlan_device(self) -> str | None:
        south = self.southbound
        return f"{south}.{self.vlan}" if south is not None and self.vlan is not None else None

    def lower_device(self) -> str | None:
        """The device under the bridge (or the top device of a bridgeless network)."""
        return self.vlan_device or self.southbound

    def top_device(self, name: str) -> str | None:
        """The device that carries the network's IP configuration (on OVS: its internal port)."""
        if self.switch == "ovs":
            return name
        return name if self.bridged else self.lower_device()

    def chain(self, name: str) -> list[str]:
        """Kernel devices from the southbound up to the top, each once."""
        if self.switch == "ovs":
            return [d for d in (self.nic, name) if d]
        devices = [d for d in (self.southbound, self.vlan_device, name if self.bridged else None) if d]
        return list(dict.fromkeys(devices))


class BondAttrs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nics: list[str] = Field(default_factory=list)
    options: str = ""
    hwaddr: str | None = None
    switch: SwitchName = "legacy"
    remove: bool = False

    def option_map(self) -> dict[str, str]:
        return dict(item.split("=", 1) for item in self.options.split() if "=" in item)


class NetConfig(BaseModel):
    """A whole configuration: what the agent runs (running config) or restores at boot (safe config)."""

    model_config = ConfigDict(extra="forbid")

    networks: dict[str, NetworkAttrs] = Field(default_factory=dict)
    bonds: dict[str, BondAttrs] = Field(default_factory=dict)


class SetupOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    connectivityCheck: bool = True
    connectivityTimeout: float = 4.0
    commitOnSuccess: bool = False
    requestId: str | None = None
    correlationId: str | None = None

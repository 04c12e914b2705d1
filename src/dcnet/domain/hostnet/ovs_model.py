"""What Open vSwitch has on a host: bridges, their ports (system, internal, bond), tags, bond members."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class OvsPort:
    name: str
    kind: str = "system"  # system | internal | bond
    tag: int | None = None
    interfaces: list[str] = field(default_factory=list)
    bond_mode: str | None = None
    bond_options: dict[str, str] = field(default_factory=dict)
    active_slave: str | None = None
    mtu: int | None = None
    mac: str | None = None


@dataclass
class OvsBridge:
    name: str
    ports: dict[str, OvsPort] = field(default_factory=dict)


@dataclass
class OvsState:
    bridges: dict[str, OvsBridge] = field(default_factory=dict)
    system_id: str | None = None

    def port(self, name: str) -> tuple[str, OvsPort] | None:
        for bridge in self.bridges.values():
            if name in bridge.ports:
                return bridge.name, bridge.ports[name]
        return None

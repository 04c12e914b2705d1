"""The agent-built management network of legacy (3.0) clusters and node hosts (management-network.md
§7, §8): always bridged, over the device that holds the address the engine reached the agent on, with
that device's VLAN, MTU and IP configuration; the data center's MTU and bridgedness are not consulted
(a mismatch then shows as out of sync)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dcnet.domain.mgmt.active_interface import Holder, vlan_of
from dcnet.domain.mgmt.plan import DEFAULT_MTU, ManagementNetworkSpec, Plan, active_interface, device_entry, plan


def bootstrap_plan(caps: Mapping[str, Any], local_address: str, network: str, *, timeout: float = 120) -> Plan:
    """The same plan as the engine's, with a definition copied from the active device itself."""
    probe = ManagementNetworkSpec(name=network)
    chosen = active_interface(probe, caps, local_address, [local_address])
    if not isinstance(chosen, Holder):
        return plan(probe, caps, local_address, [local_address], connectivity_timeout=timeout)
    device = device_entry(caps, chosen.device) or {}
    spec = ManagementNetworkSpec(
        name=network,
        vlan=vlan_of(caps, chosen),
        bridged=True,
        mtu=int(device.get("mtu") or DEFAULT_MTU),
        switch=str(device.get("switch") or "legacy"),
    )
    return plan(spec, caps, local_address, [local_address], connectivity_timeout=timeout)

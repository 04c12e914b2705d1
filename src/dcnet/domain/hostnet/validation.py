"""Agent-side validation of a network change (reference §3.3): every failure has its agent code.

`merge` computes the new running config; `validate` checks it against the kernel and the host's
features before anything is touched."""

from __future__ import annotations

import ipaddress
import re

from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import BondAttrs, NetConfig, NetworkAttrs
from dcnet.domain.hostnet.state import Features, HostState

_BOND_NAME = re.compile(r"bond\w+")
_MTU_MIN, _MTU_MAX = 68, 65535


def merge(running: NetConfig, networks: dict[str, NetworkAttrs], bonds: dict[str, BondAttrs]) -> NetConfig:
    """The running config after the request: removals applied, the default route moved to its new holder."""
    for name, attrs in networks.items():
        if attrs.remove and name not in running.networks:
            raise SetupError(Code.BAD_BRIDGE, f"cannot remove network {name}: it does not exist on this host")
    for name, bond in bonds.items():
        if bond.remove and name not in running.bonds:
            raise SetupError(Code.BAD_BONDING, f"cannot remove bond {name}: dcnet does not manage it")
    takers = [name for name, attrs in networks.items() if not attrs.remove and attrs.defaultRoute]
    if len(takers) > 1:
        raise SetupError(Code.BAD_PARAMS, f"Only a single default route network is allowed (got {', '.join(takers)})")
    result = NetConfig(
        networks={name: attrs.model_copy(deep=True) for name, attrs in running.networks.items()},
        bonds={name: bond.model_copy(deep=True) for name, bond in running.bonds.items()},
    )
    for name, attrs in networks.items():
        if attrs.remove:
            del result.networks[name]
        else:
            result.networks[name] = attrs
    for name, bond in bonds.items():
        if bond.remove:
            del result.bonds[name]
        else:
            result.bonds[name] = bond
    if takers:
        for name, attrs in result.networks.items():
            if name != takers[0] and attrs.defaultRoute:
                result.networks[name] = attrs.model_copy(update={"defaultRoute": False})
    _check_bond_removals(result, bonds)
    return result


def validate(config: NetConfig, state: HostState, features: Features) -> None:
    """Raises SetupError with the reference's code for the first broken rule."""
    for name, bond in config.bonds.items():
        _check_bond(name, bond, state, features)
    used: dict[tuple[str, int | None], str] = {}
    for name, attrs in config.networks.items():
        _check_network(name, attrs, config, state, features)
        key = (attrs.southbound or f"<bridge {name}>", attrs.vlan)
        if attrs.southbound is not None and key in used:
            raise SetupError(
                Code.BAD_PARAMS,
                f"networks {used[key]} and {name}: multiple networks/similar vlans cannot be defined on a single "
                f"underlying device ({attrs.southbound}, VLAN {attrs.vlan if attrs.vlan is not None else 'none'})",
            )
        used[key] = name
    defaults = [name for name, attrs in config.networks.items() if attrs.defaultRoute]
    if len(defaults) > 1:
        raise SetupError(Code.BAD_PARAMS, f"Only a single default route network is allowed (got {', '.join(defaults)})")
    _check_slaves_exclusive(config)


def _check_bond(name: str, bond: BondAttrs, state: HostState, features: Features) -> None:
    if not _BOND_NAME.fullmatch(name):
        raise SetupError(Code.BAD_BONDING, f"bond name {name!r} must be 'bond' followed by letters, digits or _")
    if bond.switch == "ovs":
        raise SetupError(Code.BAD_PARAMS, f"bond {name}: switch type ovs is not supported by this agent yet")
    if not features.kernel_bond and name not in state.devices:
        raise SetupError(
            Code.BAD_BONDING, f"bond {name}: this host's kernel cannot create bond devices (no bonding support)"
        )
    if len(bond.nics) < 2:
        raise SetupError(Code.BAD_BONDING, f"bond {name} needs at least 2 slaves, got {len(bond.nics)}")
    for nic in bond.nics:
        device = state.devices.get(nic)
        if device is None or device.kind != "nic":
            raise SetupError(Code.BAD_NIC, f"bond {name}: slave {nic} is not a nic of this host")
    mode = bond.option_map().get("mode", "0")
    known = {
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "balance-rr",
        "active-backup",
        "balance-xor",
        "broadcast",
        "802.3ad",
        "balance-tlb",
        "balance-alb",
    }
    if mode not in known:
        raise SetupError(Code.BAD_BONDING, f"bond {name}: unknown mode {mode!r}")


def _check_network(name: str, attrs: NetworkAttrs, config: NetConfig, state: HostState, features: Features) -> None:
    if attrs.switch == "ovs":
        raise SetupError(Code.BAD_PARAMS, f"network {name}: switch type ovs is not supported by this agent yet")
    if attrs.bridged and (
        not 1 <= len(name.encode()) <= 15 or any(ch in name for ch in ":. \t") or name.startswith("-")
    ):
        raise SetupError(
            Code.BAD_BRIDGE,
            f"network name {name!r} cannot name a bridge: 1-15 bytes, no ':', '.', blanks, not starting with '-'",
        )
    if attrs.nic and attrs.bonding:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: give either nic or bonding, not both")
    if not attrs.bridged and attrs.southbound is None:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: a bridgeless network needs a nic or a bonding")
    if not _MTU_MIN <= attrs.mtu <= _MTU_MAX:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: MTU {attrs.mtu} is out of range {_MTU_MIN}-{_MTU_MAX}")
    if attrs.stp and not attrs.bridged:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: STP needs a bridged network")
    _check_southbound(name, attrs, config, state)
    if attrs.vlan is not None:
        if attrs.southbound is None:
            raise SetupError(Code.BAD_VLAN, f"network {name}: a VLAN needs a nic or a bonding")
        if not 0 <= attrs.vlan <= 4094:
            raise SetupError(Code.BAD_VLAN, f"network {name}: VLAN id {attrs.vlan} is out of range 0-4094")
        if not features.kernel_vlan:
            raise SetupError(
                Code.BAD_VLAN, f"network {name}: this host's kernel cannot create VLAN devices (no 802.1Q support)"
            )
    _check_addresses(name, attrs)


def _check_southbound(name: str, attrs: NetworkAttrs, config: NetConfig, state: HostState) -> None:
    if attrs.nic is not None:
        device = state.devices.get(attrs.nic)
        if device is None or device.kind != "nic":
            raise SetupError(Code.BAD_NIC, f"network {name}: nic {attrs.nic} does not exist on this host")
        managed = {attrs2.top_device(other) for other, attrs2 in config.networks.items()} | set(config.networks)
        if device.master is not None and device.master not in managed and device.master != name:
            raise SetupError(Code.USED_NIC, f"network {name}: nic {attrs.nic} is already a port of {device.master}")
    if attrs.bonding is not None and attrs.bonding not in config.bonds:
        device = state.devices.get(attrs.bonding)
        if device is None or device.kind != "bond":
            raise SetupError(Code.BAD_BONDING, f"network {name}: bond {attrs.bonding} does not exist on this host")


def _check_addresses(name: str, attrs: NetworkAttrs) -> None:
    where = f"network {name}"
    if attrs.ipaddr is None and (attrs.netmask or attrs.gateway):
        raise SetupError(Code.BAD_ADDR, f"{where}: netmask or gateway given without ipaddr")
    if attrs.ipaddr is not None:
        if attrs.bootproto == "dhcp":
            raise SetupError(Code.BAD_ADDR, f"{where}: mixing static ip configuration with dhcp is not allowed")
        for field, value in (("ipaddr", attrs.ipaddr), ("gateway", attrs.gateway)):
            if value is not None and not _is_ip(value, 4):
                raise SetupError(Code.BAD_ADDR, f"{where}: {field} {value!r} is not an IPv4 address")
        try:
            ipaddress.IPv4Network(f"0.0.0.0/{attrs.netmask or '255.255.255.255'}")
        except ValueError:
            raise SetupError(Code.BAD_ADDR, f"{where}: netmask {attrs.netmask!r} is not valid") from None
    if attrs.ipv6addr is not None and attrs.dhcpv6:
        raise SetupError(Code.BAD_ADDR, f"{where}: mixing static IPv6 configuration with DHCPv6 is not allowed")
    if attrs.ipv6gateway not in (None, "", "::") and not _is_ip(attrs.ipv6gateway or "", 6):
        raise SetupError(Code.BAD_ADDR, f"{where}: ipv6gateway {attrs.ipv6gateway!r} is not an IPv6 address")
    if attrs.nameservers and not attrs.defaultRoute:
        raise SetupError(Code.BAD_PARAMS, f"{where}: nameservers are only allowed on the default route network")
    for server in attrs.nameservers:
        if not _is_ip(server, None):
            raise SetupError(Code.BAD_ADDR, f"{where}: nameserver {server!r} is not an IP address")


def _check_slaves_exclusive(config: NetConfig) -> None:
    slaves = {nic: bond for bond, attrs in config.bonds.items() for nic in attrs.nics}
    for name, attrs in config.networks.items():
        if attrs.nic in slaves:
            raise SetupError(Code.USED_NIC, f"network {name}: nic {attrs.nic} is a slave of bond {slaves[attrs.nic]}")
    seen: dict[str, str] = {}
    for bond, bond_attrs in config.bonds.items():
        for nic in bond_attrs.nics:
            if nic in seen and seen[nic] != bond:
                raise SetupError(Code.USED_NIC, f"nic {nic} cannot be a slave of both {seen[nic]} and {bond}")
            seen[nic] = bond


def _is_ip(value: str, version: int | None) -> bool:
    try:
        parsed = ipaddress.ip_address(value)
    except ValueError:
        return False
    return version is None or parsed.version == version


def _check_bond_removals(merged: NetConfig, bonds: dict[str, BondAttrs]) -> None:
    """Removing a bond that a network of the new config still uses is refused (code 31)."""
    for name, bond in bonds.items():
        if not bond.remove:
            continue
        users = [net for net, attrs in merged.networks.items() if attrs.bonding == name]
        if users:
            raise SetupError(Code.USED_BOND, f"bond {name} is still used by network(s) {', '.join(users)}")

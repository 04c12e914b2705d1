"""Agent-side validation of a network change (reference §3.3): every failure has its agent code.

`merge` computes the new running config; `validate` checks it against the kernel and the host's
features before anything is touched."""

from __future__ import annotations

import ipaddress
import re

from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import BondAttrs, NetConfig, NetworkAttrs
from dcnet.domain.hostnet.desired import created_devices
from dcnet.domain.hostnet.host_qos import desired_qos
from dcnet.domain.hostnet.ovs import OVS_BOND_MODES, ovs_networks
from dcnet.domain.hostnet.state import Features, HostState

_BOND_NAME = re.compile(r"bond\w+")
_MTU_MIN, _MTU_MAX = 68, 65535
_KERNEL_BOND_MODES = (
    "0", "1", "2", "3", "4", "5", "6", "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad",
    "balance-tlb", "balance-alb",
)  # fmt: skip
_BOND_OPTIONS = frozenset(
    [
        "mode",
        "miimon",
        "updelay",
        "downdelay",
        "use_carrier",
        "xmit_hash_policy",
        "lacp_rate",
        "ad_select",
        "primary",
        "primary_reselect",
        "fail_over_mac",
        "arp_interval",
        "arp_ip_target",
        "arp_validate",
        "arp_all_targets",
        "all_slaves_active",
        "min_links",
        "num_grat_arp",
        "num_unsol_na",
        "resend_igmp",
        "tlb_dynamic_lb",
        "packets_per_slave",
        "ad_actor_sys_prio",
        "ad_user_port_key",
        "ad_actor_system",
        "lp_interval",
        "peer_notif_delay",
    ]
)


def merge(
    running: NetConfig,
    networks: dict[str, NetworkAttrs],
    bonds: dict[str, BondAttrs],
    state: HostState | None = None,
) -> NetConfig:
    """The running config after the request: removals applied, the default route (and its name servers)
    moved to its new holder, VDSM's defaults from the host filled in (reference §3.2)."""
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
                result.networks[name] = attrs.model_copy(update={"defaultRoute": False, "nameservers": []})
    if state is not None:
        _host_defaults(result, networks, state)
    _check_bond_removals(result, bonds)
    return result


def _host_defaults(result: NetConfig, networks: dict[str, NetworkAttrs], state: HostState) -> None:
    """A static default-route network keeps the host's name servers unless told otherwise; a kernel bond a
    network uses becomes part of the config with its current slaves and options."""
    for name, attrs in networks.items():
        if attrs.remove or name not in result.networks:
            continue
        if attrs.defaultRoute and attrs.bootproto != "dhcp" and "nameservers" not in attrs.model_fields_set:
            result.networks[name] = result.networks[name].model_copy(update={"nameservers": list(state.nameservers)})
        bond = attrs.bonding
        device = state.devices.get(bond) if bond else None
        if bond and bond not in result.bonds and device is not None and device.kind == "bond" and state.ports_of(bond):
            options = {"mode": device.bond_mode} if device.bond_mode else {}
            options |= device.bond_options
            result.bonds[bond] = BondAttrs(
                nics=state.ports_of(bond), options=" ".join(f"{key}={value}" for key, value in options.items())
            )


def validate(config: NetConfig, state: HostState, features: Features, previous: NetConfig | None = None) -> None:
    """Raises SetupError with the reference's code for the first broken rule. `previous` (the running config
    before the request) tells which kernel devices are dcnet's own, so a request may re-use them."""
    made_before = created_devices(previous or NetConfig()) | set(ovs_networks(previous or NetConfig()))
    ours = created_devices(config) | made_before
    for name, bond in config.bonds.items():
        _check_bond(name, bond, state, features, ours)
    used: dict[tuple[str, int | None], str] = {}
    for name, attrs in config.networks.items():
        _check_network(name, attrs, config, state, features, ours, made_before)
        key = (attrs.southbound or f"<bridge {name}>", attrs.vlan)
        if attrs.southbound is not None and key in used:
            raise SetupError(
                Code.BAD_PARAMS,
                f"networks {used[key]} and {name}: multiple networks/similar vlans cannot be defined on a single "
                f"underlying device ({attrs.southbound}, VLAN {attrs.vlan if attrs.vlan is not None else 'none'})",
            )
        used[key] = name
    switches = {attrs.switch for attrs in config.networks.values()} | {bond.switch for bond in config.bonds.values()}
    if len(switches) > 1:
        raise SetupError(Code.BAD_PARAMS, "mixing legacy and ovs networks or bonds on one host is not allowed")
    defaults = [name for name, attrs in config.networks.items() if attrs.defaultRoute]
    if len(defaults) > 1:
        raise SetupError(Code.BAD_PARAMS, f"Only a single default route network is allowed (got {', '.join(defaults)})")
    _check_slaves_exclusive(config)
    desired_qos(config)  # every network's hostQos well formed, on a device that can carry it
    for name, attrs in config.networks.items():
        if attrs.portIsolation and (not attrs.bridged or attrs.switch != "legacy"):
            raise SetupError(Code.BAD_PARAMS, f"network {name}: port isolation needs a bridged legacy network")


def _check_bond(name: str, bond: BondAttrs, state: HostState, features: Features, ours: set[str]) -> None:
    if not _BOND_NAME.fullmatch(name) or len(name.encode()) > 15:
        raise SetupError(
            Code.BAD_BONDING, f"bond name {name!r} must be 'bond' followed by letters, digits or _ (at most 15 bytes)"
        )
    if bond.switch == "ovs":
        if not features.ovs:
            raise SetupError(Code.BAD_PARAMS, f"bond {name}: Open vSwitch is not available on this host")
        mode = bond.option_map().get("mode", "1")
        if mode not in OVS_BOND_MODES:
            raise SetupError(
                Code.BAD_BONDING, f"bond {name}: mode {mode} is not supported by Open vSwitch (1, 4 or balance-slb)"
            )
    elif not features.kernel_bond and name not in state.devices:
        raise SetupError(
            Code.BAD_BONDING, f"bond {name}: this host's kernel cannot create bond devices (no bonding support)"
        )
    if len(bond.nics) < 2:
        raise SetupError(Code.BAD_BONDING, f"bond {name} needs at least 2 slaves, got {len(bond.nics)}")
    for nic in bond.nics:
        device = state.devices.get(nic)
        if device is None or device.kind != "nic":
            raise SetupError(Code.BAD_NIC, f"bond {name}: slave {nic} is not a nic of this host")
        foreign = [d.name for d in state.devices.values() if d.vlan_base == nic and d.name not in ours]
        if foreign:
            raise SetupError(Code.USED_NIC, f"bond {name}: slave {nic} carries VLAN device(s) {', '.join(foreign)}")
    for item in bond.options.split():
        key, equals, value = item.partition("=")
        if not equals or not value:
            raise SetupError(Code.BAD_BONDING, f"bond {name}: Error parsing bonding options {bond.options!r}")
        if key not in _BOND_OPTIONS:
            raise SetupError(Code.BAD_BONDING, f"bond {name}: {key!r} is not a valid bonding option")
    mode = bond.option_map().get("mode", "0")
    if bond.switch == "legacy" and mode not in _KERNEL_BOND_MODES:
        raise SetupError(Code.BAD_BONDING, f"bond {name}: unknown mode {mode!r}")


def _check_network(
    name: str,
    attrs: NetworkAttrs,
    config: NetConfig,
    state: HostState,
    features: Features,
    ours: set[str],
    made_before: set[str],
) -> None:
    if attrs.switch == "ovs" and not features.ovs:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: Open vSwitch is not available on this host")
    if attrs.switch == "ovs" and attrs.southbound is None:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: an Open vSwitch network needs a nic or a bonding")
    if (attrs.bridged or attrs.switch == "ovs") and (
        not 1 <= len(name.encode()) <= 15 or any(ch in name for ch in ":. \t") or name.startswith("-")
    ):
        raise SetupError(
            Code.BAD_BRIDGE,
            f"network name {name!r} cannot name a bridge: 1-15 bytes, no ':', '.', blanks, not starting with '-'",
        )
    existing = state.devices.get(name)
    if attrs.bridged and existing is not None and name not in made_before and existing.kind != "bridge":
        raise SetupError(
            Code.BAD_BRIDGE, f"network name {name!r} is already the name of a {existing.kind} device on this host"
        )
    if attrs.nic and attrs.bonding:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: give either nic or bonding, not both")
    if not attrs.bridged and attrs.southbound is None:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: a bridgeless network needs a nic or a bonding")
    if not _MTU_MIN <= attrs.mtu <= _MTU_MAX:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: MTU {attrs.mtu} is out of range {_MTU_MIN}-{_MTU_MAX}")
    if attrs.stp and not attrs.bridged:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: STP needs a bridged network")
    _check_southbound(name, attrs, config, state, ours)
    if attrs.vlan is not None:
        if attrs.southbound is None:
            raise SetupError(Code.BAD_VLAN, f"network {name}: a VLAN needs a nic or a bonding")
        if not 0 <= attrs.vlan <= 4094:
            raise SetupError(Code.BAD_VLAN, f"network {name}: VLAN id {attrs.vlan} is out of range 0-4094")
        if attrs.switch == "legacy" and not features.kernel_vlan:
            raise SetupError(
                Code.BAD_VLAN, f"network {name}: this host's kernel cannot create VLAN devices (no 802.1Q support)"
            )
    _check_addresses(name, attrs)


def _check_southbound(name: str, attrs: NetworkAttrs, config: NetConfig, state: HostState, ours: set[str]) -> None:
    if attrs.nic is not None:
        device = state.devices.get(attrs.nic)
        if device is None or device.kind != "nic":
            raise SetupError(Code.BAD_NIC, f"network {name}: nic {attrs.nic} does not exist on this host")
        if device.master is not None and device.master not in ours:
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
        if not attrs.netmask:
            raise SetupError(Code.BAD_ADDR, f"{where}: Must specify netmask (or prefix) with ipaddr")
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

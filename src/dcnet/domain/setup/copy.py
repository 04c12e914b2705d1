"""Copy host networks (host-network-setup.md §11) as a pure function: the setup-networks request that gives the
destination host the source host's bonds and network attachments.

Both hosts must be in one cluster and have as many physical nics once the nic carrying the management network
(or a management bond's slaves) is left out; those nics are paired by sorted name. On the destination, the
bonds and attachments on the paired nics are cleared and the source's are recreated (bond names and options
kept, slaves mapped by the pairing); an existing destination attachment of a copied network keeps its id.
Static IPv4/IPv6 become `none` (addresses are per host); labels are not copied. The result is one
`SetupRequest` for the destination, planned and validated by `plan_setup` like any other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dcnet.domain.messages import violation
from dcnet.domain.naming import vdsm_name
from dcnet.domain.setup.model import AttachmentSpec, BondSpec, HostContext, IpConfig, SetupRequest
from dcnet.domain.setup.plan import reported_bonds

ACTION, TYPE = "copy", "Host Networks"
_BOND_NUMBER = re.compile(r"bond(\d+)")


def copy_request(source: HostContext, destination: HostContext) -> SetupRequest:
    check_same_cluster(source, destination)
    pairing = pair_nics(source, destination)
    source_bonds = reported_bonds(source.caps)
    destination_bonds = reported_bonds(destination.caps)
    kept_bonds = {name for name, bond in destination_bonds.items() if not set(bond.slaves) & set(pairing.values())}

    names = bond_names(source_bonds, pairing, kept_bonds)
    bonds = tuple(
        BondSpec(names[name], tuple(sorted(pairing[slave] for slave in bond.slaves)), bond.options)
        for name, bond in sorted(source_bonds.items())
        if name in names
    )
    # source device (paired nic or copied bond) → destination device
    devices = {**pairing, **names}
    cleared = set(pairing.values()) | (set(destination_bonds) - kept_bonds)

    existing = {a.network_id: a.id for a in destination.attachments}
    modified = tuple(
        AttachmentSpec(
            network_id=a.network_id,
            nic=devices[a.nic],
            ipv4=_without_static(a.ipv4),
            ipv6=_without_static(a.ipv6) if a.ipv6 is not None else None,
            dns_servers=a.dns_servers,
            id=existing.get(a.network_id),
        )
        for a in sorted(source.attachments, key=lambda a: (a.nic, a.network_id))
        if a.nic in devices and a.network_id in destination.cluster_networks
    )
    copied = {spec.network_id for spec in modified}
    removed = tuple(a.id for a in destination.attachments if a.nic in cleared and a.network_id not in copied)
    recreated = {bond.name for bond in bonds}
    removed_bonds = tuple(sorted(name for name in set(destination_bonds) - kept_bonds if name not in recreated))
    return SetupRequest(
        modified_attachments=modified,
        removed_attachments=removed,
        modified_bonds=bonds,
        removed_bonds=removed_bonds,
        commit_on_success=True,
    )


def check_same_cluster(source: HostContext, destination: HostContext) -> None:
    if _cluster_of(source) != _cluster_of(destination):
        raise violation(
            "HOSTS_NOT_IN_SAME_CLUSTER",
            ACTION,
            TYPE,
            f"Hosts {source.host_name} and {destination.host_name} are not in the same cluster.",
        )


def _cluster_of(ctx: HostContext) -> set[str]:
    return {row.cluster_id for row in ctx.cluster_networks.values()}


def pair_nics(source: HostContext, destination: HostContext) -> dict[str, str]:
    """Source nic → destination nic, by sorted name, the management nics (or bond slaves) left out."""
    left = sorted(set(source.caps.get("nics") or {}) - management_nics(source))
    right = sorted(set(destination.caps.get("nics") or {}) - management_nics(destination))
    if len(left) != len(right):
        raise violation(
            "INTERFACE_COUNT_DOES_NOT_MATCH",
            ACTION,
            TYPE,
            f"The number of network interfaces differs: host {source.host_name} has {len(left)} "
            f"({', '.join(left) or 'none'}), host {destination.host_name} has {len(right)} "
            f"({', '.join(right) or 'none'}), not counting the management network's.",
        )
    return dict(zip(left, right, strict=True))


def management_device(ctx: HostContext) -> str | None:
    """The base nic or bond carrying the management network: from its attachment, else as reported."""
    management = {network_id for network_id, row in ctx.cluster_networks.items() if row.management}
    for attachment in ctx.attachments:
        if attachment.network_id in management:
            return attachment.nic
    reported = ctx.caps.get("networks") or {}
    vlans = ctx.caps.get("vlans") or {}
    for network_id in management:
        network = ctx.networks.get(network_id)
        entry = reported.get(vdsm_name(network.name, network.id)) if network is not None else None
        if entry:
            device = str(entry.get("southbound") or entry.get("iface") or "")
            return str((vlans.get(device) or {}).get("iface") or device) or None
    return None


def management_nics(ctx: HostContext) -> set[str]:
    device = management_device(ctx)
    if device is None:
        return set()
    bond = (ctx.caps.get("bondings") or {}).get(device)
    if bond is not None:
        return set(bond.get("slaves") or ())
    return {device}


def bond_names(source_bonds: Mapping[str, BondSpec], pairing: Mapping[str, str], kept: set[str]) -> dict[str, str]:
    """Source bond → its name on the destination: the same, unless the destination keeps a bond of that name
    (the management bond): then the next free `bondN`. Only bonds whose slaves are all paired are copied."""
    copied = sorted(name for name, bond in source_bonds.items() if bond.slaves and set(bond.slaves) <= set(pairing))
    taken = set(kept) | set(copied)
    out: dict[str, str] = {}
    for name in copied:
        if name in kept:
            number = 0
            while f"bond{number}" in taken:
                number += 1
            out[name] = f"bond{number}"
            taken.add(out[name])
        else:
            out[name] = name
    return out


def _without_static(config: IpConfig) -> IpConfig:
    """Addresses belong to one host: a static assignment becomes `none`; DHCP and autoconf are kept."""
    if config.method == "static":
        return IpConfig("none")
    return IpConfig(config.method)

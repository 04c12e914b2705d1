"""A host and its cluster for the setup-networks tests: nics eth0..eth3, the management network untagged on
eth0 (DHCP, default route), and a few logical networks of the cluster."""

from __future__ import annotations

from typing import Any

from dcnet.domain.entities import ClusterNetwork, Network
from dcnet.domain.hostnet import canonical
from dcnet.domain.setup.model import Attachment, HostContext, IpConfig, SetupPlan
from tests.unit.mgmt._caps import bond, caps, dev, network, vlan

MGMT = Network(id="00000000-0000-0000-0000-000000000001", name="ovirtmgmt", data_center_id="dc")
RED = Network(id="00000000-0000-0000-0000-0000000000a1", name="red", data_center_id="dc", vlan_id=100)
BLUE = Network(id="00000000-0000-0000-0000-0000000000b1", name="blue", data_center_id="dc", vlan_id=200)
PLAIN = Network(id="00000000-0000-0000-0000-0000000000c1", name="plain", data_center_id="dc")
PLAIN2 = Network(id="00000000-0000-0000-0000-0000000000c2", name="plain2", data_center_id="dc")
RED_TWIN = Network(id="00000000-0000-0000-0000-0000000000a2", name="red_twin", data_center_id="dc", vlan_id=100)
MIGRATION = Network(
    id="00000000-0000-0000-0000-0000000000d1",
    name="Migration_Net",
    data_center_id="dc",
    vlan_id=200,
    mtu=9000,
    vm=False,
)
JUMBO = Network(id="00000000-0000-0000-0000-0000000000e1", name="jumbo", data_center_id="dc", vlan_id=300, mtu=9000)
LONG = Network(
    id="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    name="VM Network with a very long name and עברית",
    data_center_id="dc",
    vlan_id=100,
)
EXTERNAL = Network(
    id="00000000-0000-0000-0000-0000000000f1", name="ext", data_center_id="dc", external_provider_id="neutron"
)
ELSEWHERE = Network(id="00000000-0000-0000-0000-0000000000f2", name="elsewhere", data_center_id="dc")
NETWORKS = [MGMT, RED, BLUE, PLAIN, PLAIN2, RED_TWIN, MIGRATION, JUMBO, LONG, EXTERNAL]

MGMT_ATTACHMENT = Attachment("att-mgmt", MGMT.id, "eth0", IpConfig("dhcp"))


def cluster_row(network: Network, **roles: bool) -> ClusterNetwork:
    return ClusterNetwork(cluster_id="cl", network_id=network.id, **({"required": False} | roles))


def mgmt_entry(**kw: Any) -> dict[str, Any]:
    return network(
        "ovirtmgmt",
        bridged=True,
        southbound="eth0",
        switch="legacy",
        dhcpv4=True,
        ipv4defaultroute=True,
        **({"ipv4addrs": ["10.0.0.5/24"], "addr": "10.0.0.5", "netmask": "255.255.255.0"} | kw),
    )


def host_caps(**sections: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "nics": {name: dev() for name in ("eth0", "eth1", "eth2", "eth3")},
        "networks": {"ovirtmgmt": mgmt_entry()},
        "vlans": {"eth1.50": vlan("eth1", 50)},  # a VLAN device no logical network explains
    }
    base |= sections
    out = caps(**base)
    out["nameservers"] = ["10.0.0.53"]
    return out


def context(
    *attachments: Attachment,
    host_caps_: dict[str, Any] | None = None,
    status: str = "up",
    rows: dict[str, ClusterNetwork] | None = None,
    switch_type: str = "legacy",
) -> HostContext:
    cluster = {n.id: cluster_row(n) for n in NETWORKS}
    cluster[MGMT.id] = cluster_row(MGMT, required=True, management=True, default_route=True)
    cluster |= rows or {}
    return HostContext(
        host_name="host-0",
        host_status=status,
        caps=host_caps_ if host_caps_ is not None else host_caps(),
        attachments=(MGMT_ATTACHMENT, *attachments),
        networks={n.id: n for n in [*NETWORKS, ELSEWHERE]},
        cluster_networks=cluster,
        switch_type=switch_type,
    )


def parses(plan: SetupPlan) -> None:
    """What is sent is exactly what the agent accepts."""
    for name, attrs in plan.networks.items():
        canonical.canonical_network(name, dict(attrs))
    for name, attrs in plan.bondings.items():
        canonical.canonical_bond(name, dict(attrs))
    canonical.canonical_options(dict(plan.options))


__all__ = ["bond", "network"]

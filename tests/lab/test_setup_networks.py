"""Setup networks on real lab hosts (issue 6, the scenarios of the host network setup reference): a real
engine plans and sends `Host.setupNetworks` to the real agents of lab hosts. Each test asserts what a user
sees: API statuses and bodies, events, and the host itself (`ip -j` in its namespace, its OVS database).

VLANs and bonds need Open vSwitch (the lab kernel has neither 802.1Q nor bonding): those scenarios run on
labs of their own with `ovs=True` and clusters of switch type `ovs`; untagged Linux-bridge networks run on
the session lab. Mirrors tests/integration/test_setup_networks_fleet.py (same scenarios, simulated hosts).
"""

from __future__ import annotations

import ipaddress
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from dcnet.lab import Lab
from tests.lab.agent_support import addresses, kernel_snapshot, link
from tests.lab.engine_support import (  # noqa: F401  (fixtures engine, hosts)
    Agent,
    EngineApi,
    HostLab,
    engine_api,
    engine_fixture,
    hosts_fixture,
)

MGMT = "ovirtmgmt"
SETUP_TIMEOUT = 120.0  # a setup networks request waits for the agent's change and its confirmation


# --- helpers ---------------------------------------------------------------------------------------------


@dataclass
class Added:
    """A lab host added to the engine and up."""

    lab_name: str  # h1, h2
    id: str
    name: str
    agent: Agent


def _cluster(api: EngineApi, tag: str, **cluster: Any) -> dict[str, Any]:
    """A data center and cluster of their own (so cluster-wide actions touch only this test's hosts)."""
    return api.new_cluster(f"{tag}{uuid.uuid4().hex[:6]}", **cluster)


def _network(api: EngineApi, cluster: dict[str, Any], *, required: bool = False, **fields: Any) -> dict[str, Any]:
    """A new network of the cluster's data center, attached to the cluster (optional unless `required`)."""
    name = fields.pop("name", f"n{uuid.uuid4().hex[:6]}")
    created = api.post("/networks", {"name": name, "data_center": {"id": cluster["data_center"]["id"]}, **fields})
    api.post(f"/clusters/{cluster['id']}/networks", {"id": created["id"], "required": required})
    return created


def _add(lab: Lab, hosts: HostLab, host: str, cluster: dict[str, Any], *, ovs: bool = False) -> Added:
    h = lab.host(host)
    agent = hosts.start_agent(host, extra=("--ovsdb", lab.ovsdb(host)) if ovs else ())
    name = f"{host}-{uuid.uuid4().hex[:4]}"
    added = hosts.add_host(name, h.fqdn, agent.token, cluster={"id": cluster["id"]})
    hosts.api.wait_status(added["id"], {"up"})
    return Added(host, added["id"], name, agent)


def _setup(api: EngineApi, host: Added, body: dict[str, Any]) -> httpx.Response:
    return api.http.post(f"/hosts/{host.id}/setupnetworks", json=body, timeout=SETUP_TIMEOUT)


def _attach(network: dict[str, Any], nic: str, ip: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"network": {"id": network["id"]}, "host_nic": {"name": nic}}
    if ip is not None:
        out["ip_address_assignments"] = ip
    return out


def _static(v4: str, netmask: str = "255.255.255.0", v6: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"assignment_method": "static", "ip": {"address": v4, "netmask": netmask, "version": "v4"}}
    ]
    if v6:
        out.append({"assignment_method": "static", "ip": {"address": v6, "netmask": "64", "version": "v6"}})
    return out


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, f"{answer.status_code} {answer.text}"
    return answer.json()  # type: ignore[no-any-return]


def _reported(attachment: dict[str, Any]) -> dict[str, tuple[str, str, bool]]:
    return {
        c["name"]: (c["expected_value"], c["actual_value"], c["in_sync"]) for c in attachment["reported_configurations"]
    }


def _global(lab: Lab, host: str, device: str) -> set[str]:
    return {f"{a['local']}/{a['prefixlen']}" for a in addresses(lab, host, device)}


def _holder(lab: Lab, host: str, address: str) -> str | None:
    """The kernel device holding `address` (global scope)."""
    for item in lab.ip_json(host, "addr"):
        if any(a["local"] == address for a in item.get("addr_info", [])):
            return str(item["ifname"])
    return None


def _events_since(api: EngineApi, host: Added, since: int) -> list[dict[str, Any]]:
    return [e for e in api.events_for(host.id) if int(e["index"]) > since]


def _newest(api: EngineApi) -> int:
    answer = api.http.get("/events")
    assert answer.status_code == 200, answer.text
    return max((int(e["index"]) for e in answer.json()["event"]), default=0)


def _ovs_ports(lab: Lab, host: str) -> dict[str, dict[str, str]]:
    """Bridge → port → tag, from the host's OVSDB."""
    return {
        bridge: {
            port: lab.vsctl(host, "get", "port", port, "tag").stdout.strip()
            for port in lab.vsctl(host, "list-ports", bridge).stdout.split()
        }
        for bridge in lab.vsctl(host, "list-br").stdout.split()
    }


def _wait(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.2)


# --- OVS labs (VLANs, bonds) -------------------------------------------------------------------------------


@dataclass
class OvsLab:
    lab: Lab
    api: EngineApi
    hosts: HostLab


@pytest.fixture
def ovs(make_lab: Callable[..., Lab], tmp_path: Path) -> Iterator[OvsLab]:
    """Two OVS hosts with 4 nics and lab VLAN 100 (DHCP, RA); an engine resolving names at that lab's DNS."""
    lab = make_lab("s", n=2, nics=4, ovs=True, vlans=(100,)).up()
    with engine_api(lab.dns_server) as api:
        made = HostLab(lab, api, tmp_path)
        try:
            yield OvsLab(lab, api, made)
        finally:
            made.cleanup()


# --- scenarios ---------------------------------------------------------------------------------------------


def _static_vlan_network(ovs: OvsLab) -> tuple[Added, dict[str, Any], dict[str, Any], str, str, str]:
    """Scenario 3: the VLAN-100 VM network attached to eth1 of h1 with static IPv4 + IPv6, checked."""
    lab, api = ovs.lab, ovs.api
    vlan = lab.vlan(100)
    cluster = _cluster(api, "vlan", switch_type="ovs")
    host = _add(lab, ovs.hosts, "h1", cluster, ovs=True)
    red = _network(api, cluster, vlan={"id": 100})
    v4 = vlan.host_ipv4(1)
    v6 = str(vlan.ipv6.network_address + 0x21)
    since = _newest(api)

    _ok(_setup(api, host, {
        "modified_network_attachments": [_attach(red, "eth1", _static(v4, v6=v6))],
        "check_connectivity": True,
        "commit_on_success": True,
    }))  # fmt: skip

    # the API: attached to eth1, static v4 + v6 as asked, in sync; the management network untouched
    attachment = api.attachments(host.id)[red["name"]]
    assert attachment["host_nic"]["name"] == "eth1" and attachment["in_sync"] is True
    assert _reported(attachment)["vlan"] == ("100", "100", True)
    methods = {a.get("ip", {}).get("version", "v4"): a for a in attachment["ip_address_assignments"]}
    assert methods["v4"]["assignment_method"] == "static" and methods["v4"]["ip"]["address"] == v4
    assert methods["v6"]["assignment_method"] == "static" and methods["v6"]["ip"]["address"] == v6
    assert api.attachments(host.id)[MGMT]["in_sync"] is True
    # the host: the network's port holds exactly the two addresses; OVS tags it 100, eth1 stays a trunk
    device = _holder(lab, "h1", v4)
    assert device is not None
    assert _global(lab, "h1", device) == {f"{v4}/24", f"{v6}/64"}
    layout = _ovs_ports(lab, "h1")
    bridge = next(b for b, ports in layout.items() if "eth1" in ports)
    assert layout[bridge]["eth1"] == "[]" and layout[bridge][device] == "100", layout
    assert lab.exec("h1", "ping", "-c", "2", "-W", "2", vlan.gateway4, check=False).returncode == 0
    # the event names the change; the configuration was committed as asked
    changed = [e for e in _events_since(api, host, since) if int(e["code"]) == 100015]
    assert changed and red["name"] in changed[-1]["description"], api.describe(host.id)
    assert api.host(host.id)["net_config_dirty"] is False
    return host, red, attachment, device, v4, v6


def test_static_ipv4_ipv6_on_a_vlan_vm_network(ovs: OvsLab) -> None:
    _static_vlan_network(ovs)


def test_static_ipv4_ipv6_on_a_vlan_vm_network_then_dhcp(ovs: OvsLab) -> None:
    lab, api = ovs.lab, ovs.api
    vlan = lab.vlan(100)
    host, red, attachment, device, v4, v6 = _static_vlan_network(ovs)
    # At human pace the port's IPv6 link-local address is usable by now; a test is faster than DAD (1-2 s after
    # the port came up). Switching within that window is the agent bug test_dhcpv6_on_a_new_port_at_once shows.
    _wait_link_local(lab, "h1", device)

    # switch to DHCP (IPv4) and DHCPv6 + SLAAC (IPv6): leases from the lab's VLAN-100 dnsmasq
    dhcp = [{"assignment_method": "dhcp"}, {"assignment_method": "poly_dhcp_autoconf", "ip": {"version": "v6"}}]
    changed = api.http.put(
        f"/hosts/{host.id}/networkattachments/{attachment['id']}",
        json={"ip_address_assignments": dhcp},
        timeout=SETUP_TIMEOUT,
    )
    assert changed.status_code == 200, changed.text

    after = api.attachments(host.id)[red["name"]]
    assert [a["assignment_method"] for a in after["ip_address_assignments"]] == ["dhcp", "poly_dhcp_autoconf"]
    assert _holder(lab, "h1", v4) is None  # the static address is gone
    low, high = (ipaddress.ip_address(a) for a in vlan.pool4)
    leased = [a for a in addresses(lab, "h1", device) if a["family"] == "inet"]
    assert len(leased) == 1 and low <= ipaddress.ip_address(leased[0]["local"]) <= high, leased
    assert leased[0]["dynamic"] is True
    v6_now = _wait(
        "an IPv6 address from VLAN 100's prefix (DHCPv6 or SLAAC)",
        lambda: [
            a["local"] for a in addresses(lab, "h1", device)
            if a["family"] == "inet6" and ipaddress.ip_address(a["local"]) in vlan.ipv6
        ],
    )  # fmt: skip
    assert v6 not in v6_now
    # what the host learnt is what was asked for: the attachment stays in sync once the engine re-reads it
    _ok(api.action(host.id, "refresh"))  # answers once the new report is recorded
    after = api.attachments(host.id)[red["name"]]
    # an IPv6 default route from the lab's router advertisement must not count (only IPv4's does, as in oVirt)
    wrong = {k: v for k, v in _reported(after).items() if not v[2]}
    assert after["in_sync"], f"out of sync after the switch to DHCP: {wrong}"


def _wait_link_local(lab: Lab, host: str, device: str) -> None:
    """Until the device's IPv6 link-local address has passed duplicate address detection."""
    _wait(
        f"a non-tentative link-local address on {device}",
        lambda: any(
            a["family"] == "inet6" and a.get("scope") == "link" and not a.get("tentative")
            for item in lab.ip_json(host, "addr") if item["ifname"] == device
            for a in item.get("addr_info", [])
        ),
        timeout=10,
    )  # fmt: skip


def test_dhcpv6_on_a_new_port_at_once(ovs: OvsLab) -> None:
    """The VLAN-100 VM network attached with DHCPv4 + DHCPv6/SLAAC in one request: the port is created in the
    same change, so its link-local address is always tentative when the agent starts dhclient -6."""
    lab, api = ovs.lab, ovs.api
    vlan = lab.vlan(100)
    cluster = _cluster(api, "dhcp6", switch_type="ovs")
    host = _add(lab, ovs.hosts, "h1", cluster, ovs=True)
    red = _network(api, cluster, vlan={"id": 100})
    dhcp = [{"assignment_method": "dhcp"}, {"assignment_method": "poly_dhcp_autoconf", "ip": {"version": "v6"}}]

    answer = _setup(api, host, {"modified_network_attachments": [_attach(red, "eth1", dhcp)],
                                "check_connectivity": True, "commit_on_success": True})  # fmt: skip

    assert answer.status_code == 200, answer.text
    assert api.attachments(host.id)[red["name"]]["in_sync"] is True
    assert _leases(lab, "h1", vlan)


def _leases(lab: Lab, host: str, vlan: Any) -> set[str]:
    """IPv4 addresses of the host inside the VLAN's subnet."""
    return {
        a["local"]
        for item in lab.ip_json(host, "addr")
        for a in item.get("addr_info", [])
        if a["family"] == "inet" and ipaddress.ip_address(a["local"]) in vlan.ipv4
    }


def _bond_members(lab: Lab, host: str, bond: str) -> list[str]:
    uuids = lab.vsctl(host, "get", "port", bond, "interfaces").stdout.strip().strip("[]").split(", ")
    return sorted(lab.vsctl(host, "get", "interface", u, "name").stdout.strip().strip('"') for u in uuids if u)


def test_bond_active_backup_with_a_non_vm_vlan_network_mtu_9000_then_both_removed(ovs: OvsLab) -> None:
    lab, api = ovs.lab, ovs.api
    cluster = _cluster(api, "bond", switch_type="ovs")
    migration = _network(api, cluster, vlan={"id": 200}, mtu=9000, usages=[])
    added = [_add(lab, ovs.hosts, h, cluster, ovs=True) for h in ("h1", "h2")]
    v4 = {h.lab_name: lab.scratch_ipv4(i) for i, h in enumerate(added, start=1)}
    v6 = {h.lab_name: f"fd{lab.net}:0:200::{i}" for i, h in enumerate(added, start=1)}
    bond = {
        "name": "bond_fancy0",
        "bonding": {
            "options": {"option": [{"name": "mode", "value": "1"}, {"name": "miimon", "value": "200"}]},
            "slaves": {"host_nic": [{"name": "eth2"}, {"name": "eth3"}]},
        },
    }

    for host in added:
        _ok(_setup(api, host, {
            "modified_bonds": {"host_nic": [bond]},
            "modified_network_attachments": [
                _attach(migration, "bond_fancy0", _static(v4[host.lab_name], v6=v6[host.lab_name]))
            ],
            "check_connectivity": True,
            "commit_on_success": True,
        }))  # fmt: skip

    for host in added:
        h = host.lab_name
        attachment = api.attachments(host.id)[migration["name"]]
        assert attachment["host_nic"]["name"] == "bond_fancy0" and attachment["in_sync"] is True
        reported = _reported(attachment)
        assert reported["mtu"] == ("9000", "9000", True) and reported["vlan"] == ("200", "200", True)
        assert reported["bridged"] == ("false", "false", True)
        nics = api.nics(host.id)
        assert nics["bond_fancy0"]["type"] == "bond"
        assert [s["name"] for s in nics["bond_fancy0"]["bonding"]["slaves"]["host_nic"]] == ["eth2", "eth3"]
        # OVS: an active-backup bond port of eth2 + eth3 with miimon 200; the address on a port tagged 200
        assert _bond_members(lab, h, "bond_fancy0") == ["eth2", "eth3"]
        assert lab.vsctl(h, "get", "port", "bond_fancy0", "bond_mode").stdout.strip() == "active-backup"
        other = lab.vsctl(h, "get", "port", "bond_fancy0", "other_config").stdout
        assert 'bond-miimon-interval="200"' in other and "bond-detect-mode=miimon" in other, other
        device = _holder(lab, h, v4[h])
        assert device is not None and lab.vsctl(h, "get", "port", device, "tag").stdout.strip() == "200"
        assert _global(lab, h, device) == {f"{v4[h]}/24", f"{v6[h]}/64"}
        assert link(lab, h, device)["mtu"] == 9000
        assert link(lab, h, "eth2")["mtu"] == 9000 and link(lab, h, "eth3")["mtu"] == 9000

    # host h1 reaches h2 over the bond with 9000-byte frames that must not be fragmented, IPv4 and IPv6
    ping4 = lab.exec("h1", "ping", "-c", "3", "-i", "0.2", "-W", "2", "-M", "do", "-s", "8972", v4["h2"], check=False)
    assert ping4.returncode == 0, ping4.stdout + ping4.stderr
    ping6 = lab.exec(
        "h1", "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "-M", "do", "-s", "8952", v6["h2"], check=False
    )
    assert ping6.returncode == 0, ping6.stdout + ping6.stderr
    too_big = lab.exec("h1", "ping", "-c", "1", "-W", "2", "-M", "do", "-s", "8973", v4["h2"], check=False)
    assert too_big.returncode != 0

    # bond and attachment removed in one call on both hosts
    for host in added:
        attachment = api.attachments(host.id)[migration["name"]]
        _ok(_setup(api, host, {
            "removed_network_attachments": [{"id": attachment["id"]}],
            "removed_bonds": [{"name": "bond_fancy0"}],
            "check_connectivity": True,
            "commit_on_success": True,
        }))  # fmt: skip

    for host in added:
        h = host.lab_name
        assert migration["name"] not in api.attachments(host.id)
        assert "bond_fancy0" not in api.nics(host.id)
        ports = {port for bridge_ports in _ovs_ports(lab, h).values() for port in bridge_ports}
        assert not ports & {"bond_fancy0", "eth2", "eth3"}, ports
        assert _holder(lab, h, v4[h]) is None
        assert api.host(host.id)["status"] == "up"


def test_mtu_changed_behind_dcnets_back_then_cluster_sync_all(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    cluster = _cluster(engine, "drift")
    sync_net = _network(engine, cluster, name=f"sync{uuid.uuid4().hex[:6]}")
    added = [_add(lab, hosts, h, cluster) for h in ("h1", "h2")]
    for host in added:
        _ok(_setup(engine, host, {
            "modified_network_attachments": [_attach(sync_net, "eth1", [{"assignment_method": "none"}])],
            "check_connectivity": True,
            "commit_on_success": True,
        }))  # fmt: skip
        assert engine.attachments(host.id)[sync_net["name"]]["in_sync"] is True
    bridge = sync_net["name"]
    assert link(lab, "h1", bridge)["mtu"] == 1500 and link(lab, "h1", "eth1")["master"] == bridge

    for host in added:  # out of band, as an admin with a shell would
        lab.exec(host.lab_name, "ip", "link", "set", "eth1", "mtu", "1501")
        lab.exec(host.lab_name, "ip", "link", "set", bridge, "mtu", "1501")
        _ok(engine.action(host.id, "refresh"))

    for host in added:  # /refresh asks the monitoring for a new report; it comes within a cycle
        attachment = _wait_attachment(engine, host, sync_net["name"], in_sync=False)
        assert _reported(attachment)["mtu"] == ("1500", "1501", False)
        assert [k for k, v in _reported(attachment).items() if not v[2]] == ["mtu"]
        event = engine.wait_event(host.id, 1110, timeout=10)
        assert sync_net["name"] in event["description"]
    since = _newest(engine)

    synced = engine.http.post(f"/clusters/{cluster['id']}/syncallnetworks", json={}, timeout=SETUP_TIMEOUT)

    assert synced.status_code == 200, synced.text
    for host in added:
        attachments = engine.attachments(host.id)
        assert all(a["in_sync"] for a in attachments.values()), attachments
        assert _reported(attachments[sync_net["name"]])["mtu"] == ("1500", "1500", True)
        assert link(lab, host.lab_name, bridge)["mtu"] == 1500
        assert link(lab, host.lab_name, "eth1")["mtu"] == 1500
    answer = engine.http.get("/events")
    cluster_codes = [
        int(e["code"]) for e in answer.json()["event"]
        if int(e["index"]) > since and (e.get("cluster") or {}).get("id") == cluster["id"]
    ]  # fmt: skip
    assert 10906 in cluster_codes and 10908 in cluster_codes, cluster_codes


def test_required_network_removed_from_a_host_non_operational_then_up(
    lab: Lab, engine: EngineApi, hosts: HostLab
) -> None:
    cluster = _cluster(engine, "req")
    req_net = _network(engine, cluster, name=f"req{uuid.uuid4().hex[:6]}", usages=[])
    host = _add(lab, hosts, "h1", cluster)
    _ok(_setup(engine, host, {"modified_network_attachments": [_attach(req_net, "eth1")],
                              "check_connectivity": True, "commit_on_success": True}))  # fmt: skip
    engine.put(f"/clusters/{cluster['id']}/networks/{req_net['id']}", {"required": True})
    attachment = engine.attachments(host.id)[req_net["name"]]

    removed = _setup(engine, host, {"removed_network_attachments": [{"id": attachment["id"]}],
                                    "check_connectivity": True, "commit_on_success": True})  # fmt: skip

    assert removed.status_code == 200, removed.text  # allowed: the host just stops complying
    assert req_net["name"] not in engine.attachments(host.id)
    assert (engine.nics(host.id)["eth1"].get("network") or {}).get("name") != req_net["name"]
    engine.wait_status(host.id, {"non_operational"}, timeout=30)
    assert engine.event(host.id, 519)["description"] == (
        f"Host {host.name} does not comply with the cluster {cluster['name']} networks, the following networks are "
        f"missing on host: '{req_net['name']}'"
    )

    engine.put(f"/clusters/{cluster['id']}/networks/{req_net['id']}", {"required": False})
    _ok(engine.action(host.id, "activate"))

    engine.wait_status(host.id, {"up"}, timeout=30)


# --- a change that loses connectivity ----------------------------------------------------------------------


def test_a_change_that_loses_connectivity_is_rolled_back(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    """The management network's static addresses changed to ones the engine does not use to reach the host:
    the engine cannot confirm connectivity through the new configuration, the agent rolls back on its own
    after connectivity_timeout and the engine reports the failure; the host keeps its addresses and stays up."""
    h = lab.host("h1")
    cluster = _cluster(engine, "lost")
    host = _add(lab, hosts, "h1", cluster)
    mgmt = engine.attachments(host.id)[MGMT]
    _wait_up(lab, "h1", MGMT)
    before = kernel_snapshot(lab, "h1")
    sent_before = host.agent.setup_networks_calls()
    moved_v4 = "192.0.2.45"  # another subnet: the kernel keeps it while the old address goes (see below)
    moved_v6 = "2001:db8::45"
    since = _newest(engine)
    started = time.monotonic()

    answer = _setup(engine, host, {
        "modified_network_attachments": [{
            "id": mgmt["id"], "network": {"name": MGMT}, "host_nic": {"name": "eth0"},
            "ip_address_assignments": _static(moved_v4, v6=moved_v6),
        }],
        "check_connectivity": True,
        "connectivity_timeout": 5,
        "commit_on_success": True,
    })  # fmt: skip

    elapsed = time.monotonic() - started
    assert answer.status_code == 409, answer.text
    detail = answer.json()["fault"]["detail"]
    assert "code 10" in detail, detail
    assert elapsed >= 5, elapsed  # the agent waited for a confirmation that never came
    assert host.agent.setup_networks_calls() == sent_before + 1
    assert "rolling back" in host.agent.log.read_text()
    # the host: as before, the engine's addresses back on ovirtmgmt
    _wait_up(lab, "h1", MGMT)
    after = kernel_snapshot(lab, "h1")
    assert after == before, _diff(before, after)
    assert _global(lab, "h1", MGMT) == {f"{h.ipv4}/16", f"{h.ipv6}/64"}
    assert _holder(lab, "h1", moved_v4) is None
    # the API: the attachment as it was, an event with the reason, the host up again
    kept = engine.attachments(host.id)[MGMT]
    assert kept["ip_address_assignments"] == mgmt["ip_address_assignments"] and kept["in_sync"] is True
    codes = [int(e["code"]) for e in _events_since(engine, host, since)]
    assert 100011 in codes and 100015 not in codes, engine.describe(host.id)
    assert engine.wait_status(host.id, {"up"}, timeout=30)["status"] == "up"


def test_static_address_changed_within_its_subnet(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    """Scenario 14's modify-attachment call: a network's static IPv4 address changed to another one of the same
    subnet through PUT networkattachments → the host holds the new address only."""
    cluster = _cluster(engine, "readdr")
    blue = _network(engine, cluster, usages=[])
    host = _add(lab, hosts, "h1", cluster)
    _ok(_setup(engine, host, {"modified_network_attachments": [_attach(blue, "eth1", _static("192.0.2.11"))],
                              "check_connectivity": True, "commit_on_success": True}))  # fmt: skip
    assert _global(lab, "h1", "eth1") == {"192.0.2.11/24"}
    attachment = engine.attachments(host.id)[blue["name"]]

    changed = engine.http.put(
        f"/hosts/{host.id}/networkattachments/{attachment['id']}",
        json={"ip_address_assignments": _static("192.0.2.12")},
        timeout=SETUP_TIMEOUT,
    )

    assert changed.status_code == 200, changed.text
    assert _global(lab, "h1", "eth1") == {"192.0.2.12/24"}
    after = engine.attachments(host.id)[blue["name"]]
    assert after["ip_address_assignments"][0]["ip"]["address"] == "192.0.2.12" and after["in_sync"] is True


# --- bad input on a real host ------------------------------------------------------------------------------


@dataclass
class BadInputHost:
    host: Added
    networks: dict[str, dict[str, Any]]
    lab: Lab
    api: EngineApi


@pytest.fixture(scope="module")
def bad_input_host(lab: Lab, engine: EngineApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BadInputHost]:
    """h1 up in a cluster of its own, with networks for every refused request (none attached). Module scoped,
    so these tests stay last in the file: a HostLab's cleanup resets every lab host (agents included)."""
    made = HostLab(lab, engine, tmp_path_factory.mktemp("bad-input"))
    try:
        cluster = _cluster(engine, "bad")
        networks = {
            "a": _network(engine, cluster),
            "b": _network(engine, cluster),
            "tagged_a": _network(engine, cluster, vlan={"id": 300}),
            "tagged_b": _network(engine, cluster, vlan={"id": 300}),
            "jumbo": _network(engine, cluster, vlan={"id": 301}, mtu=9000),
        }
        yield BadInputHost(_add(lab, made, "h1", cluster), networks, lab, engine)
    finally:
        made.cleanup()


def _wait_attachment(api: EngineApi, host: Added, network: str, *, in_sync: bool) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        attachment = api.attachments(host.id)[network]
        return attachment if attachment["in_sync"] is in_sync else None

    found: dict[str, Any] = _wait(f"{host.name}: {network} in_sync={in_sync}", check, timeout=10)
    return found


def _wait_up(lab: Lab, host: str, device: str) -> None:
    _wait(f"{device} up", lambda: (link(lab, host, device) or {}).get("operstate") == "UP", timeout=10)


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        (part, name): (before[part].get(name), after[part].get(name))
        for part in before
        for name in set(before[part]) | set(after[part])
        if before[part].get(name) != after[part].get(name)
    }


def _bad_body(case: str, n: dict[str, dict[str, Any]], mgmt: dict[str, Any]) -> dict[str, Any]:
    bodies: dict[str, dict[str, Any]] = {
        "unknown nic": {"modified_network_attachments": [_attach(n["a"], "eth9")]},
        "second untagged network on a nic": {
            "modified_network_attachments": [_attach(n["a"], "eth1"), _attach(n["b"], "eth1")]},
        "same vlan twice on a device": {
            "modified_network_attachments": [_attach(n["tagged_a"], "eth1"), _attach(n["tagged_b"], "eth1")]},
        "mtu differences on a nic": {
            "modified_network_attachments": [_attach(n["a"], "eth1"), _attach(n["jumbo"], "eth1")]},
        "bond of one nic": {"modified_bonds": [{"name": "bond1", "bonding": {"slaves": [{"name": "eth1"}]}}]},
        "removing the management network": {"removed_network_attachments": [{"id": mgmt["id"]}]},
        "static address without netmask": {"modified_network_attachments": [_attach(
            n["a"], "eth1", [{"assignment_method": "static", "ip": {"address": "192.0.2.9"}}])]},
        "ipv6 address in an ipv4 field": {"modified_network_attachments": [_attach(
            n["a"], "eth1",
            [{"assignment_method": "static", "ip": {"address": "2001:db8::9", "netmask": "64", "version": "v4"}}])]},
    }  # fmt: skip
    return {**bodies[case], "check_connectivity": True, "commit_on_success": True}


@pytest.mark.parametrize(
    ("case", "status", "rule"),
    [
        ("unknown nic", 409, "does not exist"),
        ("second untagged network on a nic", 409, "At most one VLAN-untagged Logical Network"),
        ("same vlan twice on a device", 409, "NIC"),
        ("mtu differences on a nic", 409, "do not have the same MTU value"),
        ("bond of one nic", 409, "consist of less than two Network Interfaces"),
        ("removing the management network", 409, MGMT),
        ("static address without netmask", 400, "netmask"),
        ("ipv6 address in an ipv4 field", 400, "IPv4"),
    ],
)
def test_bad_input_on_a_real_host_is_refused_and_nothing_is_sent(
    bad_input_host: BadInputHost, case: str, status: int, rule: str
) -> None:
    lab, api, host = bad_input_host.lab, bad_input_host.api, bad_input_host.host
    mgmt = api.attachments(host.id)[MGMT]
    _wait_up(lab, "h1", MGMT)  # a new bridge's operstate goes from UNKNOWN to UP on its own
    before_kernel = kernel_snapshot(lab, "h1")
    before_attachments = api.attachments(host.id)
    sent_before = host.agent.setup_networks_calls()
    since = _newest(api)

    answer = _setup(api, host, _bad_body(case, bad_input_host.networks, mgmt))

    assert answer.status_code == status, answer.text
    assert rule in answer.json()["fault"]["detail"], answer.text
    assert api.attachments(host.id) == before_attachments
    _wait_up(lab, "h1", MGMT)
    after_kernel = kernel_snapshot(lab, "h1")
    assert after_kernel == before_kernel, _diff(before_kernel, after_kernel)
    assert host.agent.setup_networks_calls() == sent_before
    assert 100015 not in [int(e["code"]) for e in _events_since(api, host, since)]
    assert api.host(host.id)["status"] == "up"

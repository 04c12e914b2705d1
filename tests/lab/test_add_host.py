"""Adding a host end to end (issue 5): a real engine enrolls the real agent of a lab host, finds the
device holding the host's address through the lab DNS and builds the management network from the data
center's definition. One test per acceptance row; each asserts what a user sees: the host's status, its
events (codes and texts), its network attachments through the API, and the host's kernel (`ip -j`)."""

from __future__ import annotations

import ipaddress
import os
import signal
import time
import uuid
from typing import Any

from dcnet.lab import Lab
from tests.lab.agent_support import addresses, kernel_snapshot, link
from tests.lab.engine_support import (  # noqa: F401  (fixtures engine, hosts)
    INSTALL_CODES,
    MGMT_FAILURE_CODES,
    Agent,
    EngineApi,
    HostLab,
    engine_fixture,
    hosts_fixture,
)

MGMT = "ovirtmgmt"
MGMT_FAILED = "installation failed. Failed to configure management network on the host."


# --- helpers ---------------------------------------------------------------------------------------------


def _kind(lab: Lab, host: str, device: str) -> str | None:
    item = link(lab, host, device)
    return None if item is None else item.get("linkinfo", {}).get("info_kind")


def _global(lab: Lab, host: str, device: str) -> set[str]:
    return {f"{a['local']}/{a['prefixlen']}" for a in addresses(lab, host, device)}


def _v4(attachment: dict[str, Any]) -> dict[str, Any]:
    return next(
        a
        for a in attachment["ip_address_assignments"]
        if a.get("ip", {}).get("version", "v4") == "v4" and a["assignment_method"] != "autoconf"
    )


def _settings(item: dict[str, Any]) -> dict[str, Any]:
    """A link's kind and configuration from `ip -j -d link`, without its running timers."""
    info = item.get("linkinfo", {})
    data = {k: v for k, v in info.get("info_data", {}).items() if "timer" not in k}
    slave = {k: v for k, v in info.get("info_slave_data", {}).items() if "timer" not in k}
    return {"kind": info.get("info_kind"), "data": data, "slave": slave}


def _devices(snapshot: dict[str, Any], *names: str) -> dict[str, Any]:
    return {kind: {n: v for n, v in part.items() if n in names} for kind, part in snapshot.items()}


def _no_management_failure(api: EngineApi, host_id: str) -> None:
    codes = api.codes(host_id)
    assert not set(codes) & set(MGMT_FAILURE_CODES), codes
    assert 505 not in codes, api.describe(host_id)


def _new_dc_management(api: EngineApi, name: str, **network: Any) -> dict[str, Any]:
    """A new data center + cluster `name`; its management network (ovirtmgmt) changed by `network`."""
    cluster = api.new_cluster(name)
    mgmt = api.cluster_networks(cluster["id"])[MGMT]
    api.put(f"/networks/{mgmt['id']}", network)
    return cluster


def _forget_enrollment(hosts: HostLab, agent: Agent) -> Agent:
    """The agent keeps its state dir (running and safe network config) but forgets the engine it trusted,
    as after re-installing its certificates: it starts waiting for enrollment with a new token."""
    hosts.lab.stop_agent(agent.host)
    for name in ("agent-cert.pem", "engine-ca.pem"):
        (agent.state_dir / name).unlink()
    again = hosts.start_agent(agent.host, state_dir=agent.state_dir)
    assert again.token and again.token != agent.token
    return again


def _add_and_remove(api: EngineApi, hosts: HostLab, name: str, address: str, agent: Agent) -> None:
    """Add → up → deactivate → DELETE; the removal leaves the host's network as it is (and says so)."""
    host = hosts.add_host(name, address, agent.token)
    api.wait_status(host["id"], {"up"})
    hosts.forget_host(host["id"])
    api.remove_host(host["id"])
    assert api.event(host["id"], 100005)["description"] == (
        f"Host {name} was removed; its network configuration was left on the host as it is."
    )


# --- acceptance rows -------------------------------------------------------------------------------------


def test_plain_interface_static_ip(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    agent = hosts.start_agent("h1")
    correlation = f"add-{uuid.uuid4().hex[:8]}"
    host = hosts.add_host("plain-static", h.fqdn, agent.token, correlation_id=correlation)
    up = engine.wait_status(host["id"], {"up"})
    assert up["status_detail"] == ""
    assert set(up["resolved_addresses"]) == {h.ipv4, h.ipv6}

    # the kernel: bridge ovirtmgmt over eth0, the host's IPv4 and IPv6 addresses moved onto it
    assert _kind(lab, "h1", MGMT) == "bridge"
    assert link(lab, "h1", "eth0")["master"] == MGMT
    assert _global(lab, "h1", MGMT) == {f"{h.ipv4}/16", f"{h.ipv6}/64"}
    assert _global(lab, "h1", "eth0") == set()

    # the API: the attachment on eth0, static with the same address and netmask, in sync
    attachment = engine.attachments(host["id"])[MGMT]
    assert attachment["host_nic"]["name"] == "eth0"
    assert attachment["in_sync"] is True
    v4 = _v4(attachment)
    assert v4["assignment_method"] == "static"
    assert v4["ip"]["address"] == h.ipv4 and v4["ip"]["netmask"] == "255.255.0.0"
    eth0 = engine.nics(host["id"])["eth0"]
    assert eth0["network"]["name"] == MGMT and eth0["bridged"] is True

    # the events: 42, 560, 561, 504 in this order, one correlation id, all about this host; no 1118-1121
    events = engine.events_for(host["id"])
    install = [e for e in events if e["code"] in INSTALL_CODES]
    assert [e["code"] for e in install] == list(INSTALL_CODES), engine.describe(host["id"])
    assert {e["correlation_id"] for e in install} == {correlation}
    assert all(e["host"]["id"] == host["id"] for e in install)
    texts = {e["code"]: e["description"] for e in install}
    assert texts[42] == "Host plain-static was added by admin@internal."
    assert texts[560] == "Host deploy (agent enrollment) has started on host plain-static."
    assert texts[561] == "Host deploy (agent enrollment) has successfully finished on host plain-static."
    assert texts[504] == "Host plain-static installed"
    ready = engine.event(host["id"], 100013)
    assert ready["correlation_id"] == correlation
    assert ready["description"] == "The management network ovirtmgmt is configured on host plain-static (eth0)."
    _no_management_failure(engine, host["id"])
    assert agent.setup_networks_calls() == 1


def test_plain_interface_dhcp(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    pool = ipaddress.ip_network(f"10.{lab.net}.200.0/24")
    lab.exec("h1", "ip", "addr", "flush", "dev", "eth0", "scope", "global")
    hosts.dhcp_lease("h1", "eth0")
    [lease] = addresses(lab, "h1", "eth0")
    assert lease["dynamic"] is True and ipaddress.ip_address(lease["local"]) in pool
    name = f"dhcp-{uuid.uuid4().hex[:6]}.lab.test"
    hosts.add_dns(name, lease["local"])
    agent = hosts.start_agent("h1", address=lease["local"])

    host = hosts.add_host("plain-dhcp", name, agent.token)
    engine.wait_status(host["id"], {"up"})

    attachment = engine.attachments(host["id"])[MGMT]
    assert attachment["host_nic"]["name"] == "eth0"
    assert attachment["in_sync"] is True
    assert _v4(attachment)["assignment_method"] == "dhcp"
    assert link(lab, "h1", "eth0")["master"] == MGMT
    [held] = [a for a in addresses(lab, "h1", MGMT) if a["family"] == "inet"]
    assert held["dynamic"] is True and ipaddress.ip_address(held["local"]) in pool
    assert held["local"] == lease["local"]  # same client, same lease: the engine's connection survived
    assert _global(lab, "h1", "eth0") == set()
    assert 504 in engine.codes(host["id"])
    _no_management_failure(engine, host["id"])


def test_management_network_non_vm(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    name = f"nonvm{uuid.uuid4().hex[:6]}"
    cluster = _new_dc_management(engine, name, usages=[])
    agent = hosts.start_agent("h1")

    host = hosts.add_host("mgmt-non-vm", h.fqdn, agent.token, cluster={"id": cluster["id"]})
    engine.wait_status(host["id"], {"up"})

    assert [i["ifname"] for i in lab.ip_json("h1", "link") if _kind(lab, "h1", i["ifname"]) == "bridge"] == []
    assert link(lab, "h1", MGMT) is None
    assert _global(lab, "h1", "eth0") == {f"{h.ipv4}/16", f"{h.ipv6}/64"}
    assert link(lab, "h1", "eth0").get("master") is None
    attachment = engine.attachments(host["id"])[MGMT]
    assert attachment["host_nic"]["name"] == "eth0"
    assert attachment["in_sync"] is True
    bridged = {c["name"]: c for c in attachment["reported_configurations"]}["bridged"]
    assert (bridged["expected_value"], bridged["actual_value"]) == ("false", "false")
    assert engine.event(host["id"], 100013)["description"] == (
        "The management network ovirtmgmt is configured on host mgmt-non-vm (eth0)."
    )
    _no_management_failure(engine, host["id"])


def test_management_network_already_present(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    """Added once (ovirtmgmt built), removed (its network stays), the agent re-enrolled keeping its state:
    added again it is up with no setupNetworks at all: the engine finds ovirtmgmt carrying the address."""
    h = lab.host("h1")
    first = hosts.start_agent("h1")
    _add_and_remove(engine, hosts, "present-first", h.fqdn, first)
    assert first.setup_networks_calls() == 1
    agent = _forget_enrollment(hosts, first)
    before = kernel_snapshot(lab, "h1")
    assert before["links"]["eth0"][0] == MGMT

    host = hosts.add_host("present-again", h.fqdn, agent.token)
    engine.wait_status(host["id"], {"up"})

    assert agent.setup_networks_calls() == 1  # still only the first add's
    assert kernel_snapshot(lab, "h1") == before
    assert engine.event(host["id"], 100013)["description"] == (
        "The management network ovirtmgmt is configured on host present-again (ovirtmgmt)."
    )
    attachment = engine.attachments(host["id"])[MGMT]
    assert attachment["host_nic"]["name"] == "eth0" and attachment["in_sync"] is True
    assert 504 in engine.codes(host["id"])
    _no_management_failure(engine, host["id"])


def test_nic_and_networks_on_other_nics(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    lab.exec("h1", "ip", "link", "add", "br1", "type", "bridge")
    lab.exec("h1", "ip", "link", "set", "eth1", "master", "br1")
    lab.exec("h1", "ip", "link", "set", "br1", "up")
    lab.exec("h1", "ip", "addr", "add", "192.168.51.11/24", "dev", "br1")
    before = _devices(kernel_snapshot(lab, "h1"), "eth1", "br1", "eth2")
    details = {k: link(lab, "h1", k) for k in ("br1", "eth1")}
    agent = hosts.start_agent("h1")

    host = hosts.add_host("other-nics", h.fqdn, agent.token)
    engine.wait_status(host["id"], {"up"})

    assert link(lab, "h1", "eth0")["master"] == MGMT
    assert _devices(kernel_snapshot(lab, "h1"), "eth1", "br1", "eth2") == before
    for name, item in details.items():
        now = link(lab, "h1", name)
        assert now is not None
        assert (_settings(now), now.get("master"), now["mtu"]) == (_settings(item), item.get("master"), item["mtu"])
    assert _global(lab, "h1", "br1") == {"192.168.51.11/24"}
    assert list(engine.attachments(host["id"])) == [MGMT]
    _no_management_failure(engine, host["id"])


def test_negative_bridge_other_than_management_network(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    lab.exec("h1", "ip", "link", "add", "br0", "type", "bridge")
    lab.exec("h1", "ip", "addr", "flush", "dev", "eth0", "scope", "global")
    lab.exec("h1", "ip", "link", "set", "eth0", "master", "br0")
    lab.exec("h1", "ip", "link", "set", "br0", "up")
    lab.exec("h1", "ip", "addr", "add", f"{h.ipv4}/16", "dev", "br0")
    lab.exec("h1", "ip", "addr", "add", f"{h.ipv6}/64", "dev", "br0", "nodad")
    before = kernel_snapshot(lab, "h1")
    agent = hosts.start_agent("h1")

    host = hosts.add_host("foreign-bridge", h.fqdn, agent.token)
    failed = engine.wait_status(host["id"], {"non_operational", "up", "install_failed", "non_responsive"})

    assert failed["status"] == "non_operational", engine.describe(host["id"])
    assert engine.event(host["id"], 100009)["description"] == (
        "Failed to configure management network on host foreign-bridge. Host foreign-bridge has an invalid "
        "interface br0 for the management network configuration (bridge; remove it or use setup networks)."
    )
    assert engine.event(host["id"], 505)["description"] == f"Host foreign-bridge {MGMT_FAILED}"
    assert kernel_snapshot(lab, "h1") == before
    assert agent.setup_networks_calls() == 0
    assert 504 not in engine.codes(host["id"])


def test_negative_agent_stops_answering_after_install(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    agent = hosts.start_agent("h1")
    before = kernel_snapshot(lab, "h1")
    host = hosts.add_host("silent-agent", h.fqdn, agent.token)

    engine.wait_event(host["id"], 561, timeout=30, poll=0.02)
    pid = lab.agent_pid("h1")
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # enrolled, re-executing itself into mutual TLS: it never answers again

    gone = engine.wait_status(host["id"], {"non_responsive", "up", "non_operational", "install_failed"})
    assert gone["status"] == "non_responsive", engine.describe(host["id"])
    assert engine.event(host["id"], 505)["description"] == (
        "Host silent-agent installation failed. Network error during communication with the host."
    )
    assert kernel_snapshot(lab, "h1") == before
    assert agent.setup_networks_calls() == 0
    time.sleep(1.5)  # monitoring keeps trying, the host stays non-responsive
    assert engine.host(host["id"])["status"] == "non_responsive"


def test_wrong_token(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    agent = hosts.start_agent("h1")
    before = kernel_snapshot(lab, "h1")

    host = hosts.add_host("wrong-token", h.fqdn, "not-the-token")
    failed = engine.wait_status(host["id"], {"install_failed", "up", "non_operational", "non_responsive"})

    assert failed["status"] == "install_failed", engine.describe(host["id"])
    text = engine.event(host["id"], 505)["description"]
    assert text.startswith("Host wrong-token installation failed. The agent refused the enrollment:"), text
    assert "wrong enrollment token" in text
    assert 561 not in engine.codes(host["id"])
    assert kernel_snapshot(lab, "h1") == before
    assert (agent.state_dir / "enrollment-token").read_text().strip() == agent.token  # nothing trusted
    assert not (agent.state_dir / "agent-cert.pem").exists()

    answer = engine.action(host["id"], "install", {"root_password": agent.token})
    assert answer.status_code == 200, answer.text
    engine.wait_status(host["id"], {"up"})
    assert link(lab, "h1", "eth0")["master"] == MGMT
    assert engine.codes(host["id"]).count(504) == 1


def test_host_name_does_not_resolve(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    agent = hosts.start_agent("h1")
    before = kernel_snapshot(lab, "h1")
    name = f"missing-{uuid.uuid4().hex[:6]}.lab.test"

    host = hosts.add_host("unresolved", name, agent.token)
    failed = engine.wait_status(host["id"], {"non_operational", "up", "install_failed", "non_responsive"})

    assert failed["status"] == "non_operational", engine.describe(host["id"])
    text = engine.event(host["id"], 100006)["description"]
    assert text.startswith(
        f"Failed to configure management network on host unresolved: its address {name} could not be resolved ("
    ), text
    assert engine.event(host["id"], 505)["description"] == f"Host unresolved {MGMT_FAILED}"
    assert kernel_snapshot(lab, "h1") == before
    assert (agent.state_dir / "enrollment-token").read_text().strip() == agent.token  # never contacted


def test_several_dns_records_on_two_nics(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    second = f"10.{lab.net}.50.11"
    lab.exec("h1", "ip", "addr", "add", f"{second}/16", "dev", "eth1")
    hosts.add_dns(h.fqdn, second)
    assert set(lab.dns_records(h.fqdn)) == {h.ipv4, h.ipv6, second}
    before = kernel_snapshot(lab, "h1")
    agent = hosts.start_agent("h1")

    host = hosts.add_host("ambiguous", h.fqdn, agent.token)
    failed = engine.wait_status(host["id"], {"non_operational", "up", "install_failed", "non_responsive"})

    assert failed["status"] == "non_operational", engine.describe(host["id"])
    text = engine.event(host["id"], 100008)["description"]
    assert text.startswith(f"Failed to configure management network on host ambiguous: host address {h.fqdn} "), text
    assert "cannot choose the management interface" in text
    assert f"{second} (eth1)" in text
    assert "(eth0)" in text and h.ipv4 in text
    assert engine.event(host["id"], 505)["description"] == f"Host ambiguous {MGMT_FAILED}"
    assert kernel_snapshot(lab, "h1") == before
    assert agent.setup_networks_calls() == 0


def test_several_nics_own_addresses_only_one_resolved(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    lab.exec("h1", "ip", "addr", "add", f"10.{lab.net}.50.11/16", "dev", "eth1")
    lab.exec("h1", "ip", "addr", "add", "192.168.52.11/24", "dev", "eth2")
    agent = hosts.start_agent("h1")

    host = hosts.add_host("one-resolved", h.fqdn, agent.token)
    engine.wait_status(host["id"], {"up"})

    assert engine.attachments(host["id"])[MGMT]["host_nic"]["name"] == "eth0"
    assert link(lab, "h1", "eth0")["master"] == MGMT
    assert _global(lab, "h1", "eth1") == {f"10.{lab.net}.50.11/16"}
    assert _global(lab, "h1", "eth2") == {"192.168.52.11/24"}
    assert link(lab, "h1", "eth1").get("master") is None and link(lab, "h1", "eth2").get("master") is None
    _no_management_failure(engine, host["id"])


def test_readded_after_dns_record_moved_to_another_nic(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    first = hosts.start_agent("h1")
    _add_and_remove(engine, hosts, "moved-first", h.fqdn, first)
    moved = f"10.{lab.net}.50.11"
    lab.exec("h1", "ip", "addr", "add", f"{moved}/16", "dev", "eth1")
    hosts.remove_dns(h.fqdn, h.ipv4)
    hosts.remove_dns(h.fqdn, h.ipv6)
    hosts.add_dns(h.fqdn, moved)
    agent = _forget_enrollment(hosts, first)
    before = kernel_snapshot(lab, "h1")

    host = hosts.add_host("moved-again", h.fqdn, agent.token)
    engine.wait_event(host["id"], 505)
    time.sleep(1.5)  # three monitoring cycles: a failed install is not undone by monitoring

    assert engine.host(host["id"])["status"] == "non_operational", engine.describe(host["id"])
    text = engine.event(host["id"], 100010)["description"]
    assert text.startswith(
        "Failed to configure management network on host moved-again: management network ovirtmgmt is on "
    ), text
    assert f"resolves to {moved} on eth1" in text
    assert h.ipv4 in text  # where ovirtmgmt is
    assert "never moved implicitly" in text
    assert engine.event(host["id"], 505)["description"] == f"Host moved-again {MGMT_FAILED}"
    assert agent.setup_networks_calls() == 1  # the first add's; nothing was sent this time
    assert kernel_snapshot(lab, "h1") == before


def test_monitoring_non_responsive_and_back(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    agent = hosts.start_agent("h1")
    host = hosts.add_host("monitored", h.fqdn, agent.token)
    engine.wait_status(host["id"], {"up"})

    pid = lab.agent_pid("h1")
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    engine.wait_status(host["id"], {"non_responsive"}, timeout=15)
    assert engine.event(host["id"], 12)["description"] == "Host monitored is non responsive."

    hosts.start_agent("h1", state_dir=agent.state_dir)  # enrolled now: mutual TLS at once
    engine.wait_status(host["id"], {"up"}, timeout=30)
    events = engine.events_for(host["id"])
    after = [e for e in events if e["index"] > engine.event(host["id"], 12)["index"]]
    assert [e["code"] for e in after] == [100012, 13], engine.describe(host["id"])
    assert after[0]["description"] == "Host monitored is responding again."
    assert after[1]["description"] == "Status of host monitored was set to Up."


def test_required_network_missing_then_not_required(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    agent = hosts.start_agent("h1")
    host = hosts.add_host("required", h.fqdn, agent.token)
    engine.wait_status(host["id"], {"up"})
    cluster = engine.http.get("/clusters", params={"search": "name=Default"}).json()["cluster"][0]
    name = f"req{uuid.uuid4().hex[:6]}"
    network = engine.post("/networks", {"name": name, "data_center": {"name": "Default"}})
    try:
        engine.post(f"/clusters/{cluster['id']}/networks", {"id": network["id"], "required": True})
        engine.wait_status(host["id"], {"non_operational"}, timeout=15)
        assert engine.event(host["id"], 519)["description"] == (
            f"Host required does not comply with the cluster Default networks, the following networks are "
            f"missing on host: '{name}'"
        )
        engine.put(f"/clusters/{cluster['id']}/networks/{network['id']}", {"required": False})
        answer = engine.action(host["id"], "activate")
        assert answer.status_code == 200, answer.text
        engine.wait_status(host["id"], {"up"}, timeout=15)
    finally:
        engine.http.delete(f"/clusters/{cluster['id']}/networks/{network['id']}")
        engine.http.delete(f"/networks/{network['id']}")


def test_activate_false(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    agent = hosts.start_agent("h1")
    host = hosts.add_host("no-activate", h.fqdn, agent.token, activate=False)
    engine.wait_status(host["id"], {"maintenance", "up", "non_operational", "install_failed", "non_responsive"})
    assert engine.host(host["id"])["status"] == "maintenance"
    assert engine.event(host["id"], 504)["description"] == "Host no-activate installed"
    assert link(lab, "h1", "eth0")["master"] == MGMT
    time.sleep(1.5)  # monitoring never takes a host out of maintenance
    assert engine.host(host["id"])["status"] == "maintenance"


def test_management_network_vlan_but_address_untagged(lab: Lab, engine: EngineApi, hosts: HostLab) -> None:
    h = lab.host("h1")
    name = f"vlan{uuid.uuid4().hex[:6]}"
    cluster = _new_dc_management(engine, name, vlan={"id": 100})
    before = kernel_snapshot(lab, "h1")
    agent = hosts.start_agent("h1")

    host = hosts.add_host("vlan-mismatch", h.fqdn, agent.token, cluster={"id": cluster["id"]})
    failed = engine.wait_status(host["id"], {"non_operational", "up", "install_failed", "non_responsive"})

    assert failed["status"] == "non_operational", engine.describe(host["id"])
    assert engine.event(host["id"], 1119)["description"] == (
        "Failed to configure management network on host vlan-mismatch. Host vlan-mismatch has an interface eth0 "
        "for the management network configuration with VLAN-ID (none), which is different from data-center "
        "definition (100)."
    )
    assert engine.event(host["id"], 505)["description"] == f"Host vlan-mismatch {MGMT_FAILED}"
    assert kernel_snapshot(lab, "h1") == before
    assert agent.setup_networks_calls() == 0

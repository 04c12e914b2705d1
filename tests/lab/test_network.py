"""The session lab's wiring as the engine (root namespace) and the agent (host namespace) see it."""

from __future__ import annotations

import subprocess

import pytest

from dcnet.lab import Lab
from dcnet.lab.run import ip_json, run


def _ping(addr: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ping", "-c", "1", "-W", "2", addr], capture_output=True, text=True)


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_root_namespace_pings_every_host(lab: Lab, family: str) -> None:
    for h in lab.hosts:
        res = _ping(getattr(h, family))
        assert res.returncode == 0, f"{h.name} {family}: {res.stdout}{res.stderr}"


def test_hosts_reach_the_engine_and_each_other(lab: Lab) -> None:
    h1, h2 = lab.hosts
    for target in (lab.engine_ipv4, lab.engine_ipv6, h2.ipv4, h2.ipv6):
        lab.exec(h1, "ping", "-c", "1", "-W", "2", target)


def test_only_the_uplink_is_in_the_root_namespace(lab: Lab) -> None:
    ours = [link for link in ip_json("link") if link["ifname"].startswith(f"{lab.prefix}-")]
    assert [link["ifname"] for link in ours] == [lab.engine_dev]
    assert ours[0]["linkinfo"]["info_kind"] == "veth"
    addrs = {
        (a["local"], a["prefixlen"]) for a in ip_json("addr") if a["ifname"] == lab.engine_dev for a in a["addr_info"]
    }
    assert {(lab.engine_ipv4, 16), (lab.engine_ipv6, 64)} <= addrs


def test_lab_router_advertisements_do_not_reach_the_machine(lab: Lab) -> None:
    """The uplink shares labbr's segment with dnsmasq's RAs: no SLAAC address, no route for the root ns."""
    for opt in ("accept_ra", "autoconf"):
        assert run(["sysctl", "-n", f"net.ipv6.conf.{lab.engine_dev}.{opt}"]).stdout.strip() == "0"
    assert [r for r in ip_json("route", family=6) if r.get("protocol") == "ra"] == []
    dynamic = [a for link in ip_json("addr") if link["ifname"] == lab.engine_dev for a in link["addr_info"]]
    assert [a["local"] for a in dynamic if a.get("dynamic")] == []
    assert "RTR-ADVERT(labbr)" in (lab.state_dir / "logs" / "dnsmasq.log").read_text()  # RAs were sent


def test_switch_bridge_ports_and_options(lab: Lab) -> None:
    links = {link["ifname"]: link for link in ip_json("link", netns=lab.switch_netns)}
    br = links["labbr"]["linkinfo"]
    assert br["info_kind"] == "bridge"
    assert br["info_data"]["stp_state"] == 0
    assert br["info_data"]["forward_delay"] == 0
    ports = {name for name, link in links.items() if link.get("master") == "labbr"}
    want = {"uplink"} | {f"h{i}n{k}" for i in (1, 2) for k in range(3)}
    assert ports == want
    for name in ports:
        assert links[name]["linkinfo"]["info_slave_kind"] == "bridge"
        assert links[name]["operstate"] == "UP"


def test_host_nics_and_static_addresses(lab: Lab) -> None:
    for h in lab.hosts:
        links = {link["ifname"]: link for link in lab.ip_json(h, "link")}
        assert set(links) == {"lo", "eth0", "eth1", "eth2"}
        assert all(links[n]["operstate"] == "UP" for n in h.nics)
        assert all(links[n]["linkinfo"]["info_kind"] == "veth" for n in h.nics)
        glob = {
            link["ifname"]: sorted((a["local"], a["prefixlen"], bool(a.get("dynamic"))) for a in link["addr_info"])
            for link in lab.ip_json(h, "addr")
            if link["ifname"].startswith("eth")
        }
        glob = {n: [a for a in addrs if not a[0].startswith("fe80")] for n, addrs in glob.items()}
        # eth0 is static only: no SLAAC address even though the lab's dnsmasq sends RAs (accept_ra off)
        assert glob["eth0"] == sorted([(h.ipv4, 16, False), (h.ipv6, 64, False)])


def test_tx_checksum_offload_is_off(lab: Lab) -> None:
    for h in lab.hosts:
        for nic in h.nics:
            assert "tx-checksumming: off" in lab.exec(h, "ethtool", "-k", nic).stdout
    assert "tx-checksumming: off" in run(["ethtool", "-k", lab.engine_dev]).stdout


def test_ip_json_kinds(lab: Lab) -> None:
    routes = lab.ip_json("h1", "route")
    assert {"dst": f"10.{lab.net}.0.0/16", "dev": "eth0"}.items() <= routes[0].items()
    assert any(r["dst"] == f"fd{lab.net}::/64" for r in lab.ip_json("h1", "route", family=6))
    assert lab.exec("h1", "false", check=False).returncode == 1


def test_exec_runs_inside_the_host_namespace(lab: Lab) -> None:
    root_ns = run(["readlink", "/proc/self/ns/net"]).stdout
    namespaces = {lab.exec(h, "readlink", "/proc/self/ns/net").stdout for h in lab.hosts}
    assert len(namespaces) == 2 and root_ns not in namespaces

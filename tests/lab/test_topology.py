"""Names, addresses and command lines of a lab, checked without touching the kernel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dcnet.lab
from dcnet.lab import dhcp, inventory, topology
from dcnet.lab import dns as labdns
from dcnet.lab.lab import Lab
from dcnet.lab.topology import LabError

LAB_SRC = Path(dcnet.lab.__file__).parent


@pytest.mark.parametrize(
    ("i", "v4", "v6"), [(1, "10.77.0.11", "fd77::b"), (245, "10.77.0.255", "fd77::ff"), (246, "10.77.1.0", "fd77::100")]
)
def test_host_addresses_follow_lab_md(i: int, v4: str, v6: str) -> None:
    assert topology.host_ipv4(77, i) == v4
    assert topology.host_ipv6(77, i) == v6


def test_fixed_addresses() -> None:
    assert (topology.engine_ipv4(42), topology.engine_ipv6(42)) == ("10.42.0.1", "fd42::1")
    assert (topology.dns_ipv4(42), topology.dns_ipv6(42)) == ("10.42.255.254", "fd42::fffe")


def test_highest_host_stays_below_the_dhcp_pool() -> None:
    last = topology.host_ipv4(77, topology.MAX_HOSTS)
    assert int(last.split(".")[2]) < 200


@pytest.mark.parametrize("prefix", ["", "1ab", "abcdef", "a-b", "Ab"])
def test_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(LabError):
        Lab(prefix=prefix)


@pytest.mark.parametrize("net", [9, 100, -1])
def test_bad_net_is_refused(net: int) -> None:
    with pytest.raises(LabError):
        Lab(prefix="x", net=net)


def test_hosts_inventory() -> None:
    lab = Lab(prefix="nl", net=77, n=2, nics=3, state_dir="/nonexistent")
    h1 = lab.hosts[0]
    assert (h1.name, h1.netns, h1.ipv4, h1.ipv6, h1.fqdn) == ("h1", "nl-h1", "10.77.0.11", "fd77::b", "h1.lab.test")
    assert h1.nics == ["eth0", "eth1", "eth2"]
    assert lab.host("nl-h2") == lab.host("h2.lab.test") == lab.hosts[1]
    assert lab.dns_server == "10.77.255.254:53"
    assert topology.default_state_dir("nl").name == "dcnet-lab-nl"


@pytest.mark.parametrize(
    ("name", "ours"),
    [("nl-sw", True), ("nl-h12", True), ("nl-hx", False), ("nlx-h1", False), ("xnl-h1", False), ("nl-sw2", False)],
)
def test_netns_sweep_matches_exact_names_only(name: str, ours: bool) -> None:
    assert topology.is_lab_netns("nl", name) is ours


@pytest.mark.parametrize(("name", "ours"), [("nl-up", True), ("nl-h3n0", True), ("nl-upx", False), ("nl2-up", False)])
def test_root_device_sweep_matches_exact_names_only(name: str, ours: bool) -> None:
    assert topology.is_lab_root_dev("nl", name) is ours


def test_batches() -> None:
    assert topology.netns_batch("nl", 1, 2) == [
        "netns add nl-h1",
        "link add eth0 netns nl-h1 type veth peer name h1n0 netns nl-sw",
        "link add eth1 netns nl-h1 type veth peer name h1n1 netns nl-sw",
    ]
    sw = topology.switch_batch("nl", 77, 1, 2)
    assert "link add labbr type bridge stp_state 0 forward_delay 0" in sw
    assert "link set h1n1 master labbr" in sw
    assert "addr add fd77::fffe/64 dev labbr nodad" in sw
    host = topology.host_batch(77, 1, 2)
    assert host[:3] == ["link set lo up", "link set eth0 up", "link set eth1 up"]
    assert "addr add fd77::b/64 dev eth0 nodad" in host
    assert topology.uplink_create("nl") == "link add nl-up type veth peer name uplink netns nl-sw"
    assert topology.uplink_config("nl", 77)[-1] == "link set nl-up up"
    assert set(topology.uplink_sysctls("nl").values()) == {"0"}


def test_host_setup_disables_ra_before_links_and_offload_after() -> None:
    script = topology.host_setup_script(2)
    sysctls, rest = script.split(" && ip -batch - && ")
    assert "net.ipv6.conf.eth1.accept_ra=0" in sysctls and "net.ipv6.conf.default.autoconf=0" in sysctls
    assert rest == "ethtool -K eth0 tx off >/dev/null && ethtool -K eth1 tx off >/dev/null"


def test_dnsmasq_options(tmp_path: Path) -> None:
    argv = labdns.dnsmasq_argv(77, tmp_path)
    for opt in ("--no-resolv", "--no-hosts", "--local=/lab.test/", "--enable-ra", "--interface=labbr"):
        assert opt in argv
    assert "--dhcp-range=10.77.200.10,10.77.200.250,255.255.0.0,300s" in argv
    assert "--dhcp-range=fd77::c8:10,fd77::c8:ff,slaac,64,300s" in argv
    assert f"--hostsdir={tmp_path / 'hosts.d'}" in argv


def test_dns_record_files(tmp_path: Path) -> None:
    hostsdir = tmp_path / "hosts.d"
    hostsdir.mkdir()
    labdns.write_records(hostsdir, "Multi.lab.test.", ["10.77.0.21", "fd77::21"])
    assert (hostsdir / "multi.lab.test").read_text() == "10.77.0.21 multi.lab.test\nfd77::21 multi.lab.test\n"
    assert labdns.read_records(hostsdir, "multi.lab.test") == ["10.77.0.21", "fd77::21"]
    assert [p.name for p in tmp_path.iterdir()] == ["hosts.d"]  # no temp file left behind
    labdns.write_records(hostsdir, "multi.lab.test", [])
    assert not (hostsdir / "multi.lab.test").exists()
    with pytest.raises(ValueError):
        labdns.write_records(hostsdir, "bad.lab.test", ["not-an-ip"])
    with pytest.raises(LabError):
        labdns.write_records(hostsdir, "../escape", ["10.0.0.1"])


def test_dhclient_never_uses_system_script_or_config(tmp_path: Path) -> None:
    dhcp.install(tmp_path)
    argv = dhcp.argv(tmp_path, "h1", "eth1", v6=True)
    assert argv[:4] == ["dhclient", "-6", "-v", "-1"]
    assert argv[argv.index("-sf") + 1] == str(tmp_path / "dhclient-script")
    assert argv[argv.index("-cf") + 1] == str(tmp_path / "dhclient.conf")
    assert argv[argv.index("-pf") + 1] == str(tmp_path / "pids" / "dhclient6-h1-eth1.pid")
    script = (tmp_path / "dhclient-script").read_text()
    assert "/etc" not in script.replace("never touches /etc", "")
    assert (tmp_path / "dhclient-script").stat().st_mode & 0o111
    assert "-r" in dhcp.argv(tmp_path, "h1", "eth1", release=True)


def test_inventory_round_trip(tmp_path: Path) -> None:
    hosts = topology.make_hosts("nl", 55, 2, 2)
    inv = inventory.Inventory("nl", 55, 2, tmp_path, hosts)
    path = inventory.write(inv)
    assert path == tmp_path / "hosts.json"
    assert inventory.load(tmp_path) == inv
    env = (tmp_path / "lab.env").read_text()
    assert "LAB_DNS_SERVER=10.55.255.254:53\n" in env and "LAB_ENGINE_IP=10.55.0.1\n" in env
    attached = Lab.attach(state_dir=tmp_path)
    assert (attached.prefix, attached.net, attached.nics, attached.hosts) == ("nl", 55, 2, hosts)


def test_lab_imports_only_itself_the_agent_and_the_contract() -> None:
    """Layering (DESIGN.md §2): `lab` may import `agent` and `rpc`, never engine/store/api/cli."""
    allowed = ("dcnet.lab", "dcnet.agent", "dcnet.rpc", "dcnet.domain")
    for path in LAB_SRC.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not name.startswith("dcnet") or name.startswith(allowed), f"{path.name} imports {name}"

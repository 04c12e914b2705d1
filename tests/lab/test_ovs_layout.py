"""The OVS lab's addresses, command lines and inventory, checked without touching the kernel."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from dcnet.lab import Lab, LabError, bonds, dhcp, inventory, ovs, topology, vlans
from dcnet.lab import dns as labdns


def test_vlan_addressing_follows_the_documented_scheme() -> None:
    v100, v3000 = vlans.vlan_nets(77, [100, 3000])
    assert (str(v100.ipv4), str(v100.ipv6)) == ("10.177.1.0/24", "fd77:0:100::/64")
    assert (str(v3000.ipv4), str(v3000.ipv6)) == ("10.177.2.0/24", "fd77:0:3000::/64")
    assert (v3000.port, v3000.gateway4, v3000.gateway6) == ("vlan3000", "10.177.2.1", "fd77:0:3000::1")
    assert v3000.pool4 == ("10.177.2.100", "10.177.2.199")
    assert v3000.pool6 == ("fd77:0:3000::c8:10", "fd77:0:3000::c8:ff")
    assert v3000.host_ipv4(1) == "10.177.2.11"
    assert vlans.scratch_ipv4(77, 2) == "10.177.0.2"
    mgmt = ipaddress.ip_network("10.77.0.0/16")
    assert not any(v.ipv4.overlaps(mgmt) for v in (v100, v3000))
    assert all(v.ipv4.subnet_of(vlans.owned_prefix4(77)) for v in (v100, v3000))


@pytest.mark.parametrize("vids", [[100, 100], [0], [4095], list(range(1, 300))])
def test_bad_vlan_lists_are_refused(vids: list[int]) -> None:
    with pytest.raises(LabError):
        Lab(prefix="x", ovs=True, vlans=vids)


def test_switch_wiring_commands() -> None:
    nets = vlans.vlan_nets(77, [100, 3000])
    args = vlans.switch_vsctl_args(nets)
    assert args[:7] == ["add-br", "labovs", "--", "set", "bridge", "labovs", "datapath_type=netdev"]
    assert "trunks=100,3000" in args and "tag=3000" in args
    with pytest.raises(LabError):
        vlans.switch_vsctl_args([])
    links = vlans.switch_link_batch(1, 2, trunk=True)
    assert "link set lbr-ovs mtu 9000 master labbr up" in links and "link set h1n1 mtu 9000" in links
    assert vlans.switch_link_batch(1, 1, trunk=False) == ["link set h1n0 mtu 9000"]
    assert "addr add fd77:0:100::1/64 dev vlan100 nodad" in vlans.switch_addr_batch(nets)
    assert vlans.root_routes(nets[:1], "nl-up", "10.77.255.254", "fd77::fffe") == [
        "10.177.1.0/24 via 10.77.255.254 dev nl-up",
        "fd77:0:100::/64 via fd77::fffe dev nl-up",
    ]


def test_dnsmasq_serves_every_lab_vlan(tmp_path: Path) -> None:
    argv = labdns.dnsmasq_argv(77, tmp_path, vlans.vlan_nets(77, [3000]))
    for opt in (
        "--interface=vlan3000",
        "--dhcp-range=set:vlan3000,10.177.1.100,10.177.1.199,255.255.255.0,300s",
        "--dhcp-option=tag:vlan3000,option:router,10.177.1.1",
        "--dhcp-range=fd77:0:3000::c8:10,fd77:0:3000::c8:ff,slaac,64,300s",
        "--ra-param=vlan3000,10,1800",
    ):
        assert opt in argv
    assert labdns.dnsmasq_argv(77, tmp_path) == labdns.dnsmasq_argv(77, tmp_path, [])  # no VLANs: as before


def test_ovs_instance_paths_and_command_lines(tmp_path: Path) -> None:
    inst = ovs.instance(tmp_path, "h1", "nl-h1")
    assert inst.db == f"unix:{tmp_path}/ovs/h1/db.sock"
    server = inst.server_argv()
    assert server[:4] == ["ip", "netns", "exec", "nl-h1"] and f"OVS_RUNDIR={tmp_path}/ovs/h1" in server
    assert "--detach" in server and f"--pidfile={tmp_path}/ovs/h1/ovsdb-server.pid" in server
    assert "ovs-vswitchd" in inst.vswitchd_argv() and not any("--unixctl" in a for a in inst.vswitchd_argv())
    assert inst.appctl_argv("version")[-4:] == ["ovs-appctl", "-t", "ovs-vswitchd", "version"]
    assert inst.vsctl_argv("show")[1] == f"--db={inst.db}"
    with pytest.raises(LabError, match="too long"):
        ovs.instance(tmp_path / ("x" * 80), "h1", "nl-h1")


def test_bond_commands_and_what_ovs_cannot_build() -> None:
    args = bonds.vsctl_args("bond4", ["eth2", "eth3"], 3000, "active-backup", 9000)
    assert args[8:14] == ["add-bond", "br-bond4", "bond4", "eth2", "eth3", "bond_mode=active-backup"]
    assert "tag=3000" in args and "mtu_request=9000" in args
    untagged = bonds.vsctl_args("bond4", ["eth2", "eth3"], None, "active-backup", None)
    assert "name=bond4" in untagged and "name=bond4-ip" in untagged
    bonds.check("bond4", ["eth2", "eth3"], 3000, "balance-slb")
    for bad in (
        ("bond4", ["eth2"], None, "active-backup"),
        ("bond4", [], None, "active-backup"),
        ("bond4", ["eth2", "eth2"], None, "active-backup"),
        ("bond4", ["eth2", "eth3"], None, "802.3ad"),
        ("bond4", ["eth2", "eth3"], 5000, "active-backup"),
        ("averyveryverylongbond", ["eth2", "eth3"], None, "active-backup"),
    ):
        with pytest.raises(LabError):
            bonds.check(*bad)


def test_inventory_round_trip_with_ovs(tmp_path: Path) -> None:
    hosts = topology.make_hosts("nl", 55, 2, 4)
    inv = inventory.Inventory("nl", 55, 4, tmp_path, hosts, ovs=True, vlans=(3000, 100))
    data = inventory.write(inv).read_text()
    assert f'"ovsdb": "unix:{tmp_path}/ovs/h1/db.sock"' in data
    assert inventory.load(tmp_path) == inv
    attached = Lab.attach(state_dir=tmp_path)
    assert (attached.ovs, attached.vlans, attached.vlan(100).ipv4) == (
        True,
        (3000, 100),
        ipaddress.ip_network("10.155.2.0/24"),
    )
    plain = inventory.Inventory("nl", 55, 1, tmp_path, hosts)
    inventory.write(plain)
    assert inventory.load(tmp_path) == plain and not Lab.attach(state_dir=tmp_path).ovs


def test_lab_dhclient_script_adds_the_router_and_never_touches_etc(tmp_path: Path) -> None:
    dhcp.install(tmp_path)
    wrapper = (tmp_path / "dhclient-script").read_text()
    assert '"$0.base"' in wrapper and "route replace default via" in wrapper and "/etc" not in wrapper
    assert (tmp_path / "dhclient-script.base").stat().st_mode & 0o111


def test_ovs_helpers_need_an_ovs_lab() -> None:
    with pytest.raises(LabError, match="without OVS"):
        Lab(prefix="x").ovsdb("h1")
    lab = Lab(prefix="x", net=20, n=1, ovs=True, vlans=[7])
    assert lab.ovsdb("sw").endswith("/ovs/sw/db.sock") and lab.vlan(7).port == "vlan7"
    with pytest.raises(LabError, match="not a lab VLAN"):
        lab.vlan(8)

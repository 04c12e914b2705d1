"""A host whose address sits on an OVS bond that the agent did not build (the lab's `build_bond_host`):
capabilities show it the way VDSM shows the equivalent kernel layout, and `Host.setupNetworks` takes it
over for the management network (bridge and bond adopted, the address moved to the network's port) or
rolls back to exactly the lab-built layout.

Each test builds its own small OVS lab (one host, four nics, VLANs 100 and 3000)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dcnet.lab import Lab
from dcnet.lab.run import run
from tests.lab import agent_support as ag

MakeLab = Callable[..., Lab]
BOND = {"bond4": {"nics": ["eth2", "eth3"], "options": "mode=active-backup", "switch": "ovs"}}


@pytest.fixture
def ovs_host(make_lab: MakeLab, tmp_path: Path) -> Iterator[tuple[Lab, str]]:
    """A one-host OVS lab (VLANs 100 and 3000) with the agent's state dir; the agent is started by the test,
    after the lab built the host's bond."""
    lab = make_lab("a", n=1, nics=4, ovs=True, vlans=(100, 3000)).up()
    state_dir = str(tmp_path / "agent-h1")
    try:
        yield lab, state_dir
    finally:
        lab.stop_agent("h1")
        lab.exec("h1", "sh", "-c", f'for f in {state_dir}/run/dhclient*.pid; do kill $(cat "$f"); done', check=False)


def _start(lab: Lab, state_dir: str) -> None:
    ag.start_agent(lab, "h1", state_dir, extra=("--insecure-dev", "--ovsdb", lab.ovsdb("h1")))


def _caps(lab: Lab) -> dict[str, Any]:
    return ag.call(lab, "h1", "Host.getCapabilities")  # type: ignore[no-any-return]


def _ovs_layout(lab: Lab) -> dict[str, dict[str, str]]:
    """Bridge → port → tag, as OVSDB has them."""
    return {
        bridge: {
            port: lab.vsctl("h1", "get", "port", port, "tag").stdout.strip()
            for port in lab.vsctl("h1", "list-ports", bridge).stdout.split()
        }
        for bridge in lab.vsctl("h1", "list-br").stdout.split()
    }


def _setup_confirmed(lab: Lab, networks: dict[str, Any], bondings: dict[str, Any]) -> dict[str, Any]:
    """setupNetworks with the connectivity check, confirmed like the engine does while the change waits."""
    params = {"networks": networks, "bondings": bondings, "options": ag.options(commitOnSuccess=True)}
    outcome: dict[str, Any] = {}

    def send() -> None:
        try:
            outcome["result"] = ag.call(lab, "h1", "Host.setupNetworks", params, timeout=60)
        except ag.RpcError as error:
            outcome["error"] = error

    sender = threading.Thread(target=send)
    sender.start()
    while sender.is_alive():
        ag.call(lab, "h1", "Host.confirmConnectivity", timeout=5)
        sender.join(0.5)
    assert "error" not in outcome, f"{outcome['error']}\n{lab.agent_log('h1').read_text()[-4000:]}"
    return outcome["result"]  # type: ignore[no-any-return]


def _wait_address(lab: Lab, device: str, cidr: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = [a for a in ag.addresses(lab, "h1", device) if f"{a['local']}/{a['prefixlen']}" == cidr]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"{device} never got {cidr}: {ag.addresses(lab, 'h1', device)}"
        time.sleep(0.3)


def _default_route(lab: Lab) -> tuple[str, str] | None:
    routes = [r for r in lab.ip_json("h1", "route") if r["dst"] == "default"]
    return (routes[0]["gateway"], routes[0]["dev"]) if routes else None


def _restored_cleanly(lab: Lab) -> None:
    log = lab.agent_log("h1").read_text()
    assert "rolling back" in log
    assert "restore step" not in log and "still differs" not in log, log[-4000:]


def _mgmt(vlan: int | None, **ip: Any) -> dict[str, Any]:
    network = {"bonding": "bond4", "switch": "ovs", "bridged": True, "mtu": 1500, "defaultRoute": True, **ip}
    return {"ovirtmgmt": network | ({"vlan": vlan} if vlan is not None else {})}


def _ping_from_engine(address: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while run(["ping", "-c", "1", "-W", "1", address], check=False).returncode != 0:
        assert time.monotonic() < deadline, f"the engine cannot ping {address}"
    assert run(["ping", "-c", "3", "-i", "0.2", "-W", "2", address], check=False).returncode == 0


def _v4(cidr: str | None) -> str:
    assert cidr is not None
    return cidr.split("/")[0]


# --- capabilities ----------------------------------------------------------------------------------------


def test_capabilities_show_the_lab_built_bond4_3000_like_a_kernel_vlan_over_a_bond(
    ovs_host: tuple[Lab, str],
) -> None:
    lab, state_dir = ovs_host
    built = lab.build_bond_host("h1")  # bond4.3000 over bond4 = eth2 + eth3, DHCP from VLAN 3000
    _start(lab, state_dir)
    caps = _caps(lab)
    bond = caps["bondings"]["bond4"]
    assert bond["slaves"] == ["eth2", "eth3"] and bond["switch"] == "ovs"
    assert bond["opts"]["mode"] == "active-backup" and bond["active_slave"] in ("eth2", "eth3")
    vlan = caps["vlans"]["bond4.3000"]
    assert (vlan["iface"], vlan["vlanid"], vlan["switch"]) == ("bond4", 3000, "ovs")
    assert vlan["ipv4addrs"] == [built.ipv4] and vlan["addr"] == _v4(built.ipv4)
    assert vlan["netmask"] == "255.255.255.0" and vlan["dhcpv4"] is True
    assert vlan["addresses"][0]["dynamic"] is True
    assert vlan["gateway"] == lab.vlan(3000).gateway4 and vlan["ipv4defaultroute"] is True
    assert "bond4.3000" not in caps["nics"] and "bond4" not in caps["nics"]
    assert caps["networks"] == {}


def test_capabilities_show_an_untagged_static_address_on_the_bond_entry(ovs_host: tuple[Lab, str]) -> None:
    lab, state_dir = ovs_host
    address = f"{lab.vlan(100).host_ipv4(1)}/24"
    lab.build_bond_host("h1", vlan=None, dhcp=False, address=address)
    _start(lab, state_dir)
    caps = _caps(lab)
    bond = caps["bondings"]["bond4"]
    assert bond["ipv4addrs"] == [address] and bond["dhcpv4"] is False and bond["switch"] == "ovs"
    assert bond["slaves"] == ["eth2", "eth3"]
    assert not any(name.startswith("bond4") for name in caps["nics"]) and caps["vlans"] == {}


# --- taking it over --------------------------------------------------------------------------------------


def test_dhcp_tagged_take_over_keeps_the_lease_on_the_network_port(ovs_host: tuple[Lab, str]) -> None:
    lab, state_dir = ovs_host
    built = lab.build_bond_host("h1")
    _start(lab, state_dir)
    result = _setup_confirmed(lab, _mgmt(3000, bootproto="dhcp"), BOND)
    assert result["state"] == "committed"
    assert _ovs_layout(lab) == {"br-bond4": {"bond4": "[]", "ovirtmgmt": "3000"}}  # adopted, not duplicated
    assert ag.link(lab, "h1", "bond4.3000") is None  # the address is on one device only
    lease = _wait_address(lab, "ovirtmgmt", str(built.ipv4))  # same MAC: dnsmasq gives the same lease
    assert lease["dynamic"] is True
    assert _default_route(lab) == (lab.vlan(3000).gateway4, "ovirtmgmt")
    _ping_from_engine(_v4(built.ipv4))
    caps = _caps(lab)
    network = caps["networks"]["ovirtmgmt"]
    assert (network["southbound"], network["vlanid"], network["switch"]) == ("bond4.3000", 3000, "ovs")
    assert network["dhcpv4"] is True and network["addr"] == _v4(built.ipv4)
    assert caps["bondings"]["bond4"]["slaves"] == ["eth2", "eth3"] and caps["bondings"]["bond4"]["switch"] == "ovs"
    assert caps["vlans"]["bond4.3000"]["iface"] == "bond4" and caps["vlans"]["bond4.3000"]["ipv4addrs"] == []
    assert caps["netConfigDirty"] is False


def test_static_tagged_take_over_with_mtu_9000(ovs_host: tuple[Lab, str]) -> None:
    lab, state_dir = ovs_host
    built = lab.build_bond_host("h1", dhcp=False)
    _start(lab, state_dir)
    ip = {"ipaddr": _v4(built.ipv4), "netmask": "255.255.255.0", "gateway": lab.vlan(3000).gateway4}
    networks = _mgmt(3000, **ip)
    networks["ovirtmgmt"]["mtu"] = 9000
    assert _setup_confirmed(lab, networks, BOND)["state"] == "committed"
    assert _ovs_layout(lab) == {"br-bond4": {"bond4": "[]", "ovirtmgmt": "3000"}}
    assert [f"{a['local']}/{a['prefixlen']}" for a in ag.addresses(lab, "h1", "ovirtmgmt")] == [built.ipv4]
    assert ag.link(lab, "h1", "bond4.3000") is None
    assert {dev: ag.link(lab, "h1", dev)["mtu"] for dev in ("ovirtmgmt", "eth2", "eth3")} == dict.fromkeys(  # type: ignore[index]
        ("ovirtmgmt", "eth2", "eth3"), 9000
    )
    _ping_from_engine(_v4(built.ipv4))
    assert _caps(lab)["networks"]["ovirtmgmt"]["mtu"] == 9000


def test_unconfirmed_take_over_restores_the_lab_built_layout(ovs_host: tuple[Lab, str]) -> None:
    lab, state_dir = ovs_host
    built = lab.build_bond_host("h1")
    _start(lab, state_dir)
    layout, route = _ovs_layout(lab), _default_route(lab)
    mac = ag.link(lab, "h1", "bond4.3000")["address"]  # type: ignore[index]
    request_id = str(uuid.uuid4())
    # long enough for the DHCP lease on a loaded machine: the change must fail on the confirmation (10),
    # not on a lease that did not come in time (29)
    options = ag.options(connectivityTimeout=12, requestId=request_id, commitOnSuccess=True)
    params = {"networks": _mgmt(3000, bootproto="dhcp"), "bondings": BOND, "options": options}
    with pytest.raises(ag.RpcError) as lost:
        ag.call(lab, "h1", "Host.setupNetworks", params, timeout=60)
    assert lost.value.code == 10
    _restored_cleanly(lab)
    assert _ovs_layout(lab) == layout == {"br-bond4": {"bond4": "[]", "bond4.3000": "3000"}}
    assert ag.link(lab, "h1", "ovirtmgmt") is None
    assert ag.link(lab, "h1", "bond4.3000")["address"] == mac  # type: ignore[index]
    assert _wait_address(lab, "bond4.3000", str(built.ipv4))["dynamic"] is True  # its DHCP client again
    deadline = time.monotonic() + 10
    while _default_route(lab) != route and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _default_route(lab) == route
    _ping_from_engine(_v4(built.ipv4))
    caps = _caps(lab)
    assert caps["networks"] == {} and caps["vlans"]["bond4.3000"]["dhcpv4"] is True
    assert ag.call(lab, "h1", "Host.getNetworkTransaction", {"requestId": request_id})["reason"] == "connectivity"


def test_untagged_static_take_over_and_rollback(ovs_host: tuple[Lab, str]) -> None:
    lab, state_dir = ovs_host
    address = f"{lab.scratch_ipv4(1)}/24"
    lab.build_bond_host("h1", vlan=None, dhcp=False, address=address)
    _start(lab, state_dir)
    layout = _ovs_layout(lab)
    networks = _mgmt(None, ipaddr=address.split("/")[0], netmask="255.255.255.0")
    params = {"networks": networks, "bondings": BOND, "options": ag.options(connectivityTimeout=3)}
    with pytest.raises(ag.RpcError):
        ag.call(lab, "h1", "Host.setupNetworks", params, timeout=60)
    _restored_cleanly(lab)
    assert _ovs_layout(lab) == layout == {"br-bond4": {"bond4": "[]", "bond4-ip": "[]"}}
    assert [f"{a['local']}/{a['prefixlen']}" for a in ag.addresses(lab, "h1", "bond4")] == [address]
    assert _setup_confirmed(lab, networks, BOND)["state"] == "committed"
    assert _ovs_layout(lab) == {"br-bond4": {"bond4": "[]", "ovirtmgmt": "[]"}}
    assert [f"{a['local']}/{a['prefixlen']}" for a in ag.addresses(lab, "h1", "ovirtmgmt")] == [address]
    assert ag.link(lab, "h1", "bond4") is None
    caps = _caps(lab)
    assert caps["networks"]["ovirtmgmt"]["southbound"] == "bond4" and caps["bondings"]["bond4"]["ipv4addrs"] == []

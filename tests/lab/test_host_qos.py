"""Host network QoS on a real lab host (issue 6 item 1): a network's hostQos becomes a traffic-control tree
on its southbound nic, inside the transaction (a rollback removes it), is reported back in capabilities
(`hostQos` on the network) and goes away with the QoS or the network.

VDSM builds HFSC; this machine's kernel has no HFSC (only HTB, TBF and pfifo), so dcnet builds the same
layout in HTB: root `1:`, the link class `1:fffe`, the untagged network's class `1:1388` (rate = the larger
of link share and real time, ceil = upper limit), the default pointing at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dcnet.lab import Lab
from tests.lab import agent_support as ag

QOS = {"out": {"ls": {"m2": 50}, "ul": {"m2": 100}, "rt": {"m2": 40}}}


@pytest.fixture
def host(lab: Lab, tmp_path: Path) -> Iterator[str]:
    state_dir = str(tmp_path / "agent-h1")
    ag.reset_host(lab, "h1", state_dir)
    ag.start_agent(lab, "h1", state_dir)
    try:
        yield "h1"
    finally:
        lab.exec("h1", "tc", "qdisc", "del", "dev", "eth1", "root", check=False)
        ag.reset_host(lab, "h1", state_dir)


def _setup(lab: Lab, name: str, networks: dict[str, Any], **options: Any) -> Any:
    return ag.call(
        lab,
        name,
        "Host.setupNetworks",
        {"networks": networks, "bondings": {}, "options": ag.options(**({"connectivityCheck": False} | options))},
        timeout=60,
    )


def _root_qdisc(lab: Lab, name: str) -> dict[str, Any]:
    qdiscs = json.loads(lab.exec(name, "tc", "-j", "qdisc", "show", "dev", "eth1").stdout)
    return next(q for q in qdiscs if q.get("root"))


def _classes(lab: Lab, name: str) -> list[str]:
    return [line.strip() for line in lab.exec(name, "tc", "class", "show", "dev", "eth1").stdout.splitlines() if line]


def test_network_qos_is_a_tc_tree_on_its_nic_reported_back_and_removed_with_the_qos(lab: Lab, host: str) -> None:
    network = {"nic": "eth1", "bridged": True, "ipaddr": "192.0.2.10", "prefix": 24}
    assert _setup(lab, host, {"qosnet": network | {"hostQos": QOS}})["state"] == "committed"
    root = _root_qdisc(lab, host)
    assert root["kind"] == "htb" and root["handle"] == "1:" and root["options"]["default"] == "0x1388"
    classes = _classes(lab, host)
    assert any(c.startswith("class htb 1:fffe root rate 10Gbit ceil 10Gbit") for c in classes), classes
    assert any(c.startswith("class htb 1:1388 parent 1:fffe") and " rate 50Mbit ceil 100Mbit " in c for c in classes), (
        classes
    )
    caps = ag.call(lab, host, "Host.getCapabilities")
    assert caps["networks"]["qosnet"]["hostQos"] == QOS
    # changed behind dcnet's back: the report shows what the kernel holds
    lab.exec(host, "tc", "class", "change", "dev", "eth1", "parent", "1:fffe", "classid", "1:1388", "htb",
             "rate", "20mbit", "ceil", "30mbit")  # fmt: skip
    reported = ag.call(lab, host, "Host.getCapabilities")["networks"]["qosnet"]["hostQos"]
    assert reported == {"out": {"ls": {"m2": 20}, "ul": {"m2": 30}}}
    # the same network without QoS: the tree is gone, the nic has its default qdisc again
    assert _setup(lab, host, {"qosnet": network})["state"] == "committed"
    assert _root_qdisc(lab, host)["kind"] != "htb"
    assert "hostQos" not in ag.call(lab, host, "Host.getCapabilities")["networks"]["qosnet"]


def test_qos_goes_with_the_network_and_an_unconfirmed_change_leaves_no_tree(lab: Lab, host: str) -> None:
    network = {"nic": "eth1", "bridged": False, "ipaddr": "192.0.2.10", "prefix": 24}
    before = _root_qdisc(lab, host)
    with pytest.raises(ag.RpcError) as refused:
        _setup(lab, host, {"qosnet": network | {"hostQos": QOS}}, connectivityCheck=True, connectivityTimeout=2)
    assert refused.value.code == 10
    assert _root_qdisc(lab, host) == before
    _setup(lab, host, {"qosnet": network | {"hostQos": {"out": {"ls": {"m2": 10}}}}})
    assert any(" rate 10Mbit ceil 10Gbit " in c for c in _classes(lab, host))
    assert _setup(lab, host, {"qosnet": {"remove": True}})["state"] == "committed"
    assert _root_qdisc(lab, host)["kind"] != "htb"


def test_malformed_host_qos_is_refused_with_code_21_and_nothing_changes(lab: Lab, host: str) -> None:
    before = ag.kernel_snapshot(lab, host)
    bad = {"out": {"ul": {"m2": 10}}}  # an upper limit without a link share
    with pytest.raises(ag.RpcError) as refused:
        _setup(lab, host, {"qosnet": {"nic": "eth1", "bridged": False, "hostQos": bad}})
    assert refused.value.code == 21 and "link share" in refused.value.message
    assert ag.kernel_snapshot(lab, host) == before and _root_qdisc(lab, host)["kind"] != "htb"

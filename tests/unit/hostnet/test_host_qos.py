"""Host network QoS on the agent: hostQos → HTB classes per southbound device, the plan's steps (rebuilt only
when different, removed with the QoS, put back by a rollback), verify, the capabilities report, and the tc
commands and class parsing of the Linux backend."""

from __future__ import annotations

from typing import Any

import pytest

from dcnet.agent.backends.sim import SimBackend
from dcnet.agent.backends.tc import commands, mbps, parse_classes
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.capabilities import report
from dcnet.domain.hostnet.codes import SetupError
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.host_qos import DEFAULT, UNTAGGED, HtbClass, desired_qos
from dcnet.domain.hostnet.planning import plan
from dcnet.domain.hostnet.verification import verify
from tests.unit.hostnet._hostnet import ALL_FEATURES, apply_plan, config

QOS = {"out": {"ls": {"m2": 50}, "ul": {"m2": 100}, "rt": {"m2": 40}}}
NET = {"nic": "eth1", "bridged": True}


def test_untagged_network_gets_the_default_class_with_rate_and_ceil() -> None:
    assert desired_qos(config({"red": NET | {"hostQos": QOS}})) == {"eth1": (HtbClass(UNTAGGED, 50, 100),)}


def test_real_time_above_link_share_is_the_guaranteed_rate_and_no_limit_is_the_link() -> None:
    qos = {"out": {"ls": {"m2": 10}, "rt": {"m2": 30}}}
    assert desired_qos(config({"red": NET | {"hostQos": qos}})) == {"eth1": (HtbClass(UNTAGGED, 30, 10_000),)}


def test_tagged_networks_share_the_device_with_a_best_effort_default() -> None:
    classes = desired_qos(
        config(
            {"a": NET | {"vlan": 100, "hostQos": QOS}, "b": NET | {"vlan": 200, "hostQos": {"out": {"ls": {"m2": 5}}}}}
        )
    )["eth1"]
    assert classes == (HtbClass(100, 50, 100, 100), HtbClass(200, 5, 10_000, 200), HtbClass(DEFAULT, 1, 10_000))


@pytest.mark.parametrize(
    "qos",
    [
        {"out": {"ul": {"m2": 10}}},  # no link share
        {"out": {"ls": {"m2": 10}, "ul": {"m2": 5}, "rt": {"m2": 6}}},  # real time above the limit
        {"out": {"ls": {"m2": 0}}},
        {"out": {"ls": 10}},
        {"in": {"ls": {"m2": 10}}},
    ],
)
def test_malformed_host_qos_is_code_21(qos: dict[str, Any]) -> None:
    with pytest.raises(SetupError) as error:
        desired_qos(config({"red": NET | {"hostQos": qos}}))
    assert error.value.code == 21


def test_plan_builds_once_verifies_reports_and_removes() -> None:
    backend = SimBackend()
    with_qos = config({"red": NET | {"hostQos": QOS}})
    steps = apply_plan(backend, NetConfig(), with_qos)
    assert a.SetDeviceQos("eth1", (HtbClass(UNTAGGED, 50, 100),)) in steps
    assert verify(with_qos, backend.query()).ok
    assert not any(isinstance(s, a.SetDeviceQos) for s in plan(backend.query(), with_qos, with_qos))
    caps = report(backend.query(), with_qos, ALL_FEATURES, dirty=False)
    assert caps["networks"]["red"]["hostQos"] == QOS
    without = config({"red": NET})
    assert verify(without, backend.query(), with_qos).mismatches == ["eth1: QoS should have been removed"]
    assert a.ClearDeviceQos("eth1") in apply_plan(backend, with_qos, without)
    assert "hostQos" not in report(backend.query(), without, ALL_FEATURES, dirty=False)["networks"]["red"]


def test_a_class_changed_behind_dcnets_back_is_reported_as_the_kernel_holds_it() -> None:
    backend = SimBackend()
    with_qos = config({"red": NET | {"hostQos": QOS}})
    apply_plan(backend, NetConfig(), with_qos)
    backend.state.qos["eth1"][UNTAGGED] = (20, 10_000)
    caps = report(backend.query(), with_qos, ALL_FEATURES, dirty=False)
    assert caps["networks"]["red"]["hostQos"] == {"out": {"ls": {"m2": 20}}}
    assert verify(with_qos, backend.query()).mismatches


def test_rollback_removes_the_tree() -> None:
    backend = SimBackend()
    attempted = config({"red": NET | {"hostQos": QOS}})
    apply_plan(backend, NetConfig(), attempted)
    apply_plan(backend, attempted, NetConfig())
    assert backend.query().qos == {}


def test_tc_commands_and_class_parsing() -> None:
    calls = commands("eth1", (HtbClass(100, 50, 100, 100), HtbClass(DEFAULT, 1, 10_000)))
    assert calls[0] == ["qdisc", "add", "dev", "eth1", "root", "handle", "1:", "htb", "default", "fffd"]
    assert ["class", "add", "dev", "eth1", "parent", "1:fffe", "classid", "1:64", "htb", "rate", "50mbit",
            "ceil", "100mbit"] in calls  # fmt: skip
    assert calls[3][-5:] == ["basic", "match", "meta(vlan eq 100)", "flowid", "1:64"]
    text = (
        "class htb 1:fffe root rate 10Gbit ceil 10Gbit burst 0b cburst 0b \n"
        "class htb 1:64 parent 1:fffe prio 0 rate 500Kbit ceil 10Gbit burst 1600b cburst 0b \n"
        "class htb 1:1388 parent 1:fffe prio 0 rate 50Mbit ceil 100Mbit burst 1600b cburst 1600b \n"
        "class htb 1:5 parent 1:1 prio 0 rate 50Mbit ceil 100Mbit burst 1600b cburst 1600b \n"
    )
    assert parse_classes(text) == {0x64: (0, 10_000), UNTAGGED: (50, 100)}
    assert (mbps("1Gbit"), mbps("1500Kbit"), mbps("64bit")) == (1000, 2, 0)

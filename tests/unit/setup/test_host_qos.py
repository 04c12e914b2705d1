"""Host network QoS: the data center rules (link share required, real time ≤ upper limit, unique names,
hostnetwork only), the effective QoS (attachment override > network QoS) and the planner's `hostQos`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dcnet.domain.entities import HostNetworkQos
from dcnet.domain.qos_rules import check, check_type, effective_qos
from dcnet.domain.setup.model import AttachmentSpec, SetupRequest
from dcnet.domain.setup.out_of_sync import compare, out_of_sync_values
from dcnet.domain.setup.plan import plan_setup
from tests.unit._expect import bad_input, rule_violation
from tests.unit.setup._host import PLAIN, context, parses

QOS = HostNetworkQos(
    id="q1",
    name="gold",
    data_center_id="dc",
    outbound_average_linkshare=50,
    outbound_average_upperlimit=100,
    outbound_average_realtime=40,
)
OUT = {"out": {"ls": {"m2": 50}, "ul": {"m2": 100}, "rt": {"m2": 40}}}


def test_a_complete_qos_is_accepted() -> None:
    check(QOS, [QOS], "add")


def test_host_network_qos_missing_values_link_share_required() -> None:
    with rule_violation("ACTION_TYPE_FAILED_HOST_NETWORK_QOS_MISSING_VALUES"):
        check(replace(QOS, outbound_average_linkshare=None), [], "add")


def test_host_network_qos_inconsistent_values_real_time_above_upper_limit() -> None:
    with rule_violation("ACTION_TYPE_FAILED_HOST_NETWORK_QOS_INCONSISTENT_VALUES"):
        check(replace(QOS, outbound_average_realtime=101), [], "update")


def test_qos_name_exist_in_the_data_center() -> None:
    with rule_violation("ACTION_TYPE_FAILED_QOS_NAME_EXIST"):
        check(replace(QOS, id="q2"), [QOS], "add")


@pytest.mark.parametrize("value", [0, -1, 1_000_001])
def test_rates_out_of_range_are_bad_input(value: int) -> None:
    with bad_input("outbound_average_upperlimit"):
        check(replace(QOS, outbound_average_upperlimit=value, outbound_average_realtime=None), [], "add")


@pytest.mark.parametrize("kind", ["storage", "cpu", "network"])
def test_only_hostnetwork_qos(kind: str) -> None:
    with bad_input("type"):
        check_type(kind)


def test_effective_qos_attachment_override_wins() -> None:
    assert effective_qos(None, QOS) == OUT
    assert effective_qos({"ls": 5, "ul": 10}, QOS) == {"out": {"ls": {"m2": 5}, "ul": {"m2": 10}}}
    assert effective_qos(None, None) is None


def test_planner_sends_the_effective_host_qos() -> None:
    ctx = replace(context(), qos={PLAIN.id: OUT})
    plan = plan_setup(ctx, SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth1"),)))
    parses(plan)
    assert plan.networks["plain"]["hostQos"] == OUT
    without = plan_setup(context(), SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth1"),)))
    assert "hostQos" not in without.networks["plain"]


def test_out_of_sync_when_the_host_lacks_the_expected_qos() -> None:
    reported = {"mtu": 1500, "bridged": True, "switch": "legacy", "southbound": "eth1"}
    entries = compare(PLAIN, None, None, reported, {}, "legacy", expected_qos=OUT)
    assert "Outbound average link share Host - none, DC - 50" in out_of_sync_values(entries)
    assert not out_of_sync_values(
        compare(PLAIN, None, None, reported | {"hostQos": OUT}, {}, "legacy", expected_qos=OUT)
    )

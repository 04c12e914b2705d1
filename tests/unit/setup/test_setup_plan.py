"""plan_setup: the setup-networks command as a pure function (host-network-setup.md §7, §12). Each case is
named after the reference's rule, scenario or the issue's bad-input list."""

from __future__ import annotations

from dcnet.domain.setup.model import AttachmentSpec, IpConfig, SetupRequest
from dcnet.domain.setup.plan import plan_setup
from tests.unit.setup._host import RED, context, parses

STATIC_V4 = IpConfig("static", "192.0.2.10", "255.255.255.0")
STATIC_V6 = IpConfig("static", "2001:db8::10", "64")


def test_scenario_3_static_ipv4_and_ipv6_on_a_vlan_vm_network() -> None:
    plan = plan_setup(
        context(), SetupRequest(modified_attachments=(AttachmentSpec(RED.id, "eth0", STATIC_V4, STATIC_V6),))
    )
    parses(plan)
    assert plan.networks == {
        "red": {
            "nic": "eth0",
            "vlan": 100,
            "bridged": True,
            "mtu": 1500,
            "STP": False,
            "switch": "legacy",
            "defaultRoute": False,
            "bootproto": "none",
            "ipaddr": "192.0.2.10",
            "netmask": "255.255.255.0",
            "dhcpv6": False,
            "ipv6autoconf": False,
            "ipv6addr": "2001:db8::10/64",
        }
    }
    assert plan.bondings == {}
    assert plan.options == {"connectivityCheck": True, "connectivityTimeout": 120, "commitOnSuccess": False}
    assert plan.created == (RED.id,)
    assert [(a.id, a.network_id, a.nic) for a in plan.attachments][-1] == ("", RED.id, "eth0")

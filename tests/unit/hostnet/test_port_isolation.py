"""Port isolation: a port-isolated network's bridge ports other than the uplink are isolated (planned,
verified), the uplink never; `portIsolation` only on bridged legacy networks (21); the planner sends it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dcnet.agent.backends.sim import SimBackend
from dcnet.domain.entities import Network
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.codes import SetupError
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.desired import isolated_bridges
from dcnet.domain.hostnet.planning import plan
from dcnet.domain.hostnet.state import Device
from dcnet.domain.hostnet.verification import verify
from dcnet.domain.setup.model import AttachmentSpec, SetupRequest
from dcnet.domain.setup.plan import plan_setup
from tests.unit.hostnet._hostnet import apply_plan, config, refusal
from tests.unit.setup._host import PLAIN, context, parses

ISOLATED = {"nic": "eth1", "bridged": True, "portIsolation": True}


def test_guest_ports_are_isolated_and_the_uplink_is_not() -> None:
    backend = SimBackend()
    new = config({"red": ISOLATED})
    apply_plan(backend, NetConfig(), new)
    backend.state.devices["vnet0"] = Device("vnet0", "other", master="red", up=True)  # a guest plugged later
    assert not verify(new, backend.query()).ok
    steps = plan(backend.query(), new, new)
    assert steps == [a.SetPortIsolation("vnet0", True)]
    for step in steps:
        backend.apply(step)
    assert verify(new, backend.query()).ok
    assert backend.query().devices["eth1"].isolated is False
    assert isolated_bridges(new) == {"red": "eth1"}


def test_an_isolated_uplink_is_opened_and_other_bridges_leave_guests_alone() -> None:
    backend = SimBackend()
    backend.state.devices["eth1"].isolated = True
    new = config({"red": {"nic": "eth1", "bridged": True}})
    assert a.SetPortIsolation("eth1", False) in apply_plan(backend, NetConfig(), new)
    backend.state.devices["vnet0"] = Device("vnet0", "other", master="red", up=True)
    assert plan(backend.query(), new, new) == []


@pytest.mark.parametrize("attrs", [{"nic": "eth1", "bridged": False, "portIsolation": True}])
def test_port_isolation_needs_a_bridged_legacy_network(attrs: dict) -> None:
    error = refusal({"red": attrs})
    assert isinstance(error, SetupError) and error.code == 21


def test_planner_sends_port_isolation_for_an_isolated_vm_network() -> None:
    isolated: Network = replace(PLAIN, port_isolation=True)
    ctx = context()
    ctx = replace(ctx, networks={**ctx.networks, PLAIN.id: isolated})
    plan_ = plan_setup(ctx, SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth1"),)))
    parses(plan_)
    assert plan_.networks["plain"]["portIsolation"] is True
    plain = plan_setup(context(), SetupRequest(modified_attachments=(AttachmentSpec(PLAIN.id, "eth1"),)))
    assert "portIsolation" not in plain.networks["plain"]

"""The management network an agent builds itself at enrollment (management-network.md §7 legacy 3.0
clusters, §8 node hosts): a bridge named like the management network over the device that holds the
address the engine reached the agent on, built inside Host.completeEnrollment before the identity is
committed, so a failure leaves the agent un-enrolled with its token still good.

The plan is the pure `dcnet.domain.mgmt.bootstrap.bootstrap_plan`; this module only does its I/O."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from dcnet.agent.transactions import NetworkService
from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.mgmt.bootstrap import bootstrap_plan
from dcnet.domain.mgmt.plan import AlreadyCompliant, Configure, Failure
from dcnet.rpc.models import BeginEnrollmentParams

DEFAULT_NETWORK = "ovirtmgmt"
log = logging.getLogger("dcnet.agent.bootstrap")


class BootstrapRefused(SetupError):
    """The plan found no device to build on (or one it must not touch): code 21 with the event's text;
    `event` and `params` let the engine log the same audit event it would have logged itself."""

    def __init__(self, failure: Failure, host_name: str) -> None:
        super().__init__(Code.BAD_PARAMS, failure.text(host_name))
        self.event = failure.event.value.code
        self.params = dict(failure.params)


def wanted_network(request: BeginEnrollmentParams, *, node: bool) -> str | None:
    """The network to build at enrollment, or None: a node host always builds it, others on request."""
    if not (node or request.legacyBootstrap):
        return None
    return request.managementNetwork or DEFAULT_NETWORK


def local_address(server: Any) -> str | None:
    """The agent's own address of the engine's connection (ASGI scope["server"]), as the host reports it:
    an IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d; a scope id (%eth0) is not part of it."""
    if not server:
        return None
    text = str(server[0]).split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def build_management_network(service: NetworkService, network: str, address: str | None, host_name: str) -> None:
    """Plan from the capabilities and build, committed at once: the engine cannot confirm connectivity in
    the middle of its own call, and the restart that ends the install proves the config instead."""
    if address is None:
        raise SetupError(Code.BAD_PARAMS, "the management network is built over the engine's connection; none here")
    plan = bootstrap_plan(service.capabilities(), address, network)
    if isinstance(plan, AlreadyCompliant):
        log.info("bootstrap: %s already carries %s (%s); nothing to build", plan.device, address, plan.reason)
        return
    if isinstance(plan, Failure):
        refused = BootstrapRefused(plan, host_name)
        log.warning("bootstrap refused: %s", refused.message)
        raise refused
    _configure(service, plan, network, address)


def _configure(service: NetworkService, plan: Configure, network: str, address: str) -> None:
    options = plan.options | {
        "connectivityCheck": False,
        "commitOnSuccess": True,
        "correlationId": "enrollment-bootstrap",
    }
    log.info("bootstrap: building %s over %s (holds %s): %s", network, plan.device, address, plan.networks[network])
    service.setup_networks(plan.networks, plan.bondings, options)
    log.info("bootstrap: management network %s built on %s and saved as the safe config", network, plan.device)


def error_data(error: SetupError) -> dict[str, Any]:
    """Extra `data` of the JSON-RPC error for a refused bootstrap (empty for other errors)."""
    if isinstance(error, BootstrapRefused):
        return {"event": error.event, "params": error.params}
    return {}

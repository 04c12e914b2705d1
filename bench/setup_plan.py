"""bench.setup_plan: the engine's planning + validation of one big setup-networks request, as a ratio to a
simulated agent applying the same request in the same run.

    python -m bench.setup_plan [REPEAT]      (default 5; no root)

The host: 64 nics; the request: 16 new bonds (2 nics each, active-backup) and 500 VLAN networks spread
over the 16 bonds and the 32 remaining free nics, each with a static address. Planning = `plan_setup`
(every structural rule, the out-of-sync guard, the agent mapping). Applying = a sim agent's
`Host.setupNetworks` of the planned request (canonicalize, validate, plan, apply to the in-memory kernel,
verify; no connectivity wait). Figures: plan_ms (median), ratio_vs_apply = plan / apply (both medians).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import report
from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.agent.persistence import StateDir
from dcnet.agent.transactions import NetworkService
from dcnet.domain.entities import ClusterNetwork, Network
from dcnet.domain.setup.model import AttachmentSpec, BondSpec, HostContext, IpConfig, SetupRequest
from dcnet.domain.setup.plan import plan_setup

NICS, BONDS, NETWORKS = 64, 16, 500


def _service(directory: Path) -> NetworkService:
    return NetworkService(SimBackend(sim_host(nics=NICS)), StateDir(directory))


def _context(caps: dict[str, Any]) -> tuple[HostContext, SetupRequest]:
    networks = [
        Network(id=str(uuid.UUID(int=i + 1)), name=f"net{i:03d}", data_center_id="dc", vlan_id=100 + i, vm=i % 2 == 0)
        for i in range(NETWORKS)
    ]
    bonds = [BondSpec(f"bond{b}", (f"eth{1 + 2 * b}", f"eth{2 + 2 * b}"), "mode=1 miimon=100") for b in range(BONDS)]
    devices = [b.name for b in bonds] + [f"eth{n}" for n in range(1 + 2 * BONDS, NICS)]
    attachments = tuple(
        AttachmentSpec(
            n.id,
            devices[i % len(devices)],
            IpConfig("static", f"10.{i // 250}.{i % 250}.1", "255.255.255.0"),
        )
        for i, n in enumerate(networks)
    )
    context = HostContext(
        host_name="big",
        host_status="up",
        caps=caps,
        attachments=(),
        networks={n.id: n for n in networks},
        cluster_networks={n.id: ClusterNetwork("cl", n.id, required=False) for n in networks},
    )
    request = SetupRequest(modified_attachments=attachments, modified_bonds=tuple(bonds), check_connectivity=False)
    return context, request


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    plans, applies = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-setup-plan-") as tmp:
            service = _service(Path(tmp))
            context, request = _context(service.capabilities())
            start = time.perf_counter()
            plan = plan_setup(context, request)
            plans.append(time.perf_counter() - start)
            assert len(plan.networks) == NETWORKS and len(plan.bondings) == BONDS
            start = time.perf_counter()
            service.setup_networks(plan.networks, plan.bondings, {**plan.options, "connectivityCheck": False})
            applies.append(time.perf_counter() - start)
    plan_s, apply_s = statistics.median(plans), statistics.median(applies)
    report(
        "setup_plan",
        {
            "ratio_vs_apply": plan_s / apply_s,
            "plan_ms": plan_s * 1000,
            "apply_ms": apply_s * 1000,
            "networks": NETWORKS,
        },
    )


if __name__ == "__main__":
    main()

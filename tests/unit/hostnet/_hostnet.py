"""Builders shared by the host-networking unit tests: raw setupNetworks requests → configs, sim hosts
brought to a config, and a comparable snapshot of a HostState."""

from __future__ import annotations

from typing import Any

from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.domain.hostnet import canonical, validation
from dcnet.domain.hostnet.actions import Action
from dcnet.domain.hostnet.codes import SetupError
from dcnet.domain.hostnet.config import NetConfig
from dcnet.domain.hostnet.planning import plan
from dcnet.domain.hostnet.state import Features, HostState
from dcnet.domain.hostnet.verification import verify

ALL_FEATURES = Features(kernel_vlan=True, kernel_bond=True, ovs=False, dhcp_client=True)


def config(
    networks: dict[str, dict[str, Any]] | None = None, bonds: dict[str, dict[str, Any]] | None = None
) -> NetConfig:
    """A running config from raw (VDSM-shaped) attributes, canonicalized like a request."""
    return NetConfig(
        networks={name: canonical.canonical_network(name, raw) for name, raw in (networks or {}).items()},
        bonds={name: canonical.canonical_bond(name, raw) for name, raw in (bonds or {}).items()},
    )


def request(
    networks: dict[str, dict[str, Any]] | None = None,
    bonds: dict[str, dict[str, Any]] | None = None,
    *,
    running: NetConfig | None = None,
    state: HostState | None = None,
    features: Features = ALL_FEATURES,
) -> NetConfig:
    """What the agent does before touching anything: canonicalize, merge into the running config, validate."""
    requested_networks = {name: canonical.canonical_network(name, raw) for name, raw in (networks or {}).items()}
    requested_bonds = {name: canonical.canonical_bond(name, raw) for name, raw in (bonds or {}).items()}
    host = state if state is not None else sim_host()
    merged = validation.merge(running or NetConfig(), requested_networks, requested_bonds, host)
    validation.validate(merged, host, features, running)
    return merged


def refusal(*args: Any, **kwargs: Any) -> SetupError:
    """The SetupError `request(...)` raises (fails the test if it raises none)."""
    try:
        request(*args, **kwargs)
    except SetupError as error:
        return error
    raise AssertionError("the request was accepted")


def apply_plan(backend: SimBackend, old: NetConfig, new: NetConfig) -> list[Action]:
    steps = plan(backend.query(), old, new)
    for step in steps:
        backend.apply(step)
    return steps


def settled(cfg: NetConfig, state: HostState | None = None) -> SimBackend:
    """A sim host that already runs `cfg` (applied from an empty config and verified)."""
    backend = SimBackend(state if state is not None else sim_host())
    apply_plan(backend, NetConfig(), cfg)
    verdict = verify(cfg, backend.query())
    assert verdict.ok, verdict
    return backend


def snapshot(state: HostState) -> dict[str, Any]:
    """A HostState as plain, order-independent data (address and route order do not matter)."""
    return {
        "devices": {
            name: {
                "kind": d.kind,
                "mtu": d.mtu,
                "mac": d.mac,
                "up": d.up,
                "master": d.master,
                "addresses": sorted((a.cidr, a.dynamic) for a in d.addresses),
                "stp": d.stp,
                "bond_mode": d.bond_mode,
                "bond_options": dict(d.bond_options),
                "vlan": (d.vlan_base, d.vlan_id),
            }
            for name, d in state.devices.items()
        },
        "default_routes": sorted((r.family, r.device, r.gateway) for r in state.default_routes),
        "dhcp4": sorted(state.dhcp4),
        "dhcp6": sorted(state.dhcp6),
        "autoconf6": sorted(state.autoconf6),
        "nameservers": list(state.nameservers),
    }

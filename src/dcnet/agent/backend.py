"""What a backend (real Linux, simulated) must do for the agent."""

from __future__ import annotations

from typing import Protocol

from dcnet.domain.hostnet.actions import Action
from dcnet.domain.hostnet.state import Features, HostState


class Backend(Protocol):
    def probe(self) -> Features:
        """What this host can build (kernel VLAN/bond, OVS, DHCP client)."""
        ...

    def query(self) -> HostState:
        """The kernel's current state, fresh (no cached copy)."""
        ...

    def apply(self, step: Action) -> None:
        """Perform one step; raise BackendError when the kernel refuses it."""
        ...

    def change_counter(self) -> int:
        """Grows whenever the host's network state changes, by dcnet or behind its back."""
        ...

    def close(self) -> None: ...


class BackendError(Exception):
    """The kernel (or a helper program) refused a step."""

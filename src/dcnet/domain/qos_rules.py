"""Host network QoS of a data center (`/datacenters/{id}/qoss`, type `hostnetwork`): the rules, and the
effective QoS of a network on a host in the agent's shape (`hostQos: {"out": {"ls": {"m2": Mbps}, ...}}`).

Rules (oVirt's HostNetworkQosValidator): values are whole Mbps; when an upper limit or a real-time rate
is set the link share must be set too; real time never exceeds the upper limit; names are unique per
data center. Only the `hostnetwork` type exists in dcnet (others: 400)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dcnet.domain.entities import HostNetworkQos
from dcnet.domain.errors import BadInput
from dcnet.domain.messages import violation

HOST_NETWORK = "hostnetwork"
MAX_MBPS = 1_000_000
TYPE = "QoS"
FIELDS = ("outbound_average_linkshare", "outbound_average_upperlimit", "outbound_average_realtime")
_AGENT_KEYS = (("outbound_average_linkshare", "ls"), ("outbound_average_upperlimit", "ul"),
               ("outbound_average_realtime", "rt"))  # fmt: skip


def check_type(value: str | None) -> None:
    if value is not None and value != HOST_NETWORK:
        raise BadInput("type", f"'{value}' is not supported; dcnet keeps QoS of type '{HOST_NETWORK}' only")


def check(qos: HostNetworkQos, others: Iterable[HostNetworkQos], action: str) -> None:
    """`others`: the data center's QoS entries (the one being edited may be among them)."""
    if not qos.name or not qos.name.strip():
        raise BadInput("name", "is required")
    check_type(qos.type)
    for name in FIELDS:
        value = getattr(qos, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MBPS:
            raise BadInput(name, f"{value!r} is out of range 1-{MAX_MBPS} (Mbps)")
    ls, ul, rt = (getattr(qos, name) for name in FIELDS)
    if (ul is not None or rt is not None) and ls is None:
        raise violation(
            "ACTION_TYPE_FAILED_HOST_NETWORK_QOS_MISSING_VALUES",
            action,
            TYPE,
            "If either upper limit or real time rates are provided, the weighted share (link share) must be "
            "provided as well.",
        )
    if ul is not None and rt is not None and rt > ul:
        raise violation(
            "ACTION_TYPE_FAILED_HOST_NETWORK_QOS_INCONSISTENT_VALUES",
            action,
            TYPE,
            "If both upper limit and real time rates are provided, the upper limit rate must be greater than "
            "or equal to the real time rate.",
        )
    if any(other.id != qos.id and other.name == qos.name for other in others):
        raise violation("ACTION_TYPE_FAILED_QOS_NAME_EXIST", action, TYPE, "QoS element name already exists.")


def agent_qos(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """`{"ls": .., "ul": .., "rt": ..}` (Mbps; an attachment's override) → VDSM's `{"out": {"ls": {"m2": ..}}}`."""
    if not values:
        return None
    out = {key: {"m2": int(values[key])} for key in ("ls", "ul", "rt") if values.get(key) not in (None, 0)}
    return {"out": out} if out else None


def qos_values(qos: HostNetworkQos | None) -> dict[str, int] | None:
    """A data center QoS entity as `{"ls", "ul", "rt"}` (only what is set)."""
    if qos is None:
        return None
    values = {key: getattr(qos, name) for name, key in _AGENT_KEYS if getattr(qos, name) is not None}
    return values or None


def effective_qos(override: Mapping[str, Any] | None, network_qos: HostNetworkQos | None) -> dict[str, Any] | None:
    """Attachment override > network QoS, in the agent's shape (None: no QoS)."""
    return agent_qos(override) or agent_qos(qos_values(network_qos))

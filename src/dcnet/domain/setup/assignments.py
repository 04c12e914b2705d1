"""oVirt's `ip_address_assignments` (what the API and the store hold) ↔ IpConfig (what the planner reads)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from dcnet.domain.errors import BadInput
from dcnet.domain.setup.model import IpConfig, IpMethod

METHODS: tuple[str, ...] = ("none", "dhcp", "static", "autoconf", "poly_dhcp_autoconf")
V4_METHODS = ("none", "dhcp", "static")


def to_configs(
    assignments: Iterable[Mapping[str, Any]], field: str = "ip_address_assignments"
) -> tuple[IpConfig, IpConfig | None]:
    """(IPv4, IPv6 or None); an assignment without `ip.version` is IPv4 unless its address says otherwise."""
    ipv4: IpConfig | None = None
    ipv6: IpConfig | None = None
    for position, item in enumerate(assignments):
        where = f"{field}[{position}]"
        method = str(item.get("assignment_method") or "none")
        if method not in METHODS:
            raise BadInput(f"{where}.assignment_method", f"{method!r} is not one of {', '.join(METHODS)}")
        ip = item.get("ip") or {}
        version = str(ip.get("version") or ("v6" if ":" in str(ip.get("address") or "") else "v4"))
        if version not in ("v4", "v6"):
            raise BadInput(f"{where}.ip.version", f"{version!r} is not v4 or v6")
        config = IpConfig(
            method=cast(IpMethod, method),
            address=_text(ip.get("address")),
            netmask=_text(ip.get("netmask")),
            gateway=_text(ip.get("gateway")),
        )
        if version == "v4":
            if method not in V4_METHODS:
                raise BadInput(f"{where}.assignment_method", f"{method!r} is only for IPv6 (IPv4: none, dhcp, static)")
            if ipv4 is not None:
                raise BadInput(field, "more than one IPv4 assignment")
            ipv4 = config
        else:
            if ipv6 is not None:
                raise BadInput(field, "more than one IPv6 assignment")
            ipv6 = config
    return ipv4 or IpConfig(), ipv6


def to_assignments(ipv4: IpConfig, ipv6: IpConfig | None) -> list[dict[str, Any]]:
    out = [_one(ipv4, "v4")]
    if ipv6 is not None:
        out.append(_one(ipv6, "v6"))
    return out


def _one(config: IpConfig, version: str) -> dict[str, Any]:
    body: dict[str, Any] = {"assignment_method": config.method}
    ip = {k: v for k, v in (("address", config.address), ("netmask", config.netmask), ("gateway", config.gateway)) if v}
    body["ip"] = {**ip, "version": version}  # the version always: an IPv6 method without an address stays IPv6
    return body


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None

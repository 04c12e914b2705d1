"""Turning a raw setupNetworks request into typed attributes with VDSM's defaults (§3.2)."""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import ValidationError

from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import BondAttrs, NetworkAttrs, SetupOptions

_TRUE = {"yes", "true", "on", "1"}
_FALSE = {"no", "false", "off", "0"}


def _bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SetupError(Code.BAD_PARAMS, f"{what}: {value!r} is not a boolean")


def canonical_network(name: str, raw: dict[str, Any]) -> NetworkAttrs:
    data = dict(raw)
    if _bool(data.get("remove", False), f"{name}.remove"):
        extra = set(data) - {"remove", "custom"}
        if extra:
            raise SetupError(Code.BAD_PARAMS, f"network {name}: 'remove' cannot be combined with {sorted(extra)}")
        return NetworkAttrs(remove=True)
    if data.get("vlan") in ("", None):
        data.pop("vlan", None)
    for key in ("stp", "STP"):
        if key in data:
            data["STP"] = _bool(data.pop(key), f"{name}.stp")
    if "prefix" in data and "netmask" in data:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: Both PREFIX and NETMASK supplied")
    try:
        attrs = NetworkAttrs.model_validate(data)
    except ValidationError as exc:
        raise SetupError(Code.BAD_PARAMS, f"network {name}: {_first_error(exc)}") from None
    if attrs.prefix is not None:
        if not 0 <= attrs.prefix <= 32:
            raise SetupError(Code.BAD_ADDR, f"network {name}: prefix {attrs.prefix} is out of range 0-32")
        attrs.netmask = str(ipaddress.IPv4Network(f"0.0.0.0/{attrs.prefix}").netmask)
        attrs.prefix = None
    if attrs.ipv6addr:
        attrs.ipv6addr = _canonical_ipv6(name, attrs.ipv6addr)
    return attrs


def _canonical_ipv6(name: str, value: str) -> str:
    try:
        interface = ipaddress.IPv6Interface(value if "/" in value else f"{value}/64")
    except ValueError:
        raise SetupError(Code.BAD_ADDR, f"network {name}: bad IPv6 address {value!r}") from None
    return f"{interface.ip.compressed}/{interface.network.prefixlen}"


def canonical_bond(name: str, raw: dict[str, Any]) -> BondAttrs:
    data = dict(raw)
    if _bool(data.get("remove", False), f"{name}.remove"):
        return BondAttrs(remove=True)
    if "nics" not in data:
        raise SetupError(Code.BAD_NIC, f"bond {name}: Missing nics attribute")
    try:
        return BondAttrs.model_validate(data)
    except ValidationError as exc:
        raise SetupError(Code.BAD_BONDING, f"bond {name}: {_first_error(exc)}") from None


def canonical_options(raw: dict[str, Any]) -> SetupOptions:
    try:
        return SetupOptions.model_validate(raw)
    except ValidationError as exc:
        raise SetupError(Code.BAD_PARAMS, f"options: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error.get('msg')}" if where else str(error.get("msg"))

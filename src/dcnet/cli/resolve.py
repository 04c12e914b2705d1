"""Turning what the user typed (a name or an id) into the object the API holds.

Names go through `?search=name="..."` to keep the answer small, then are compared exactly here.
The search language has no escapes: `*` makes the value a glob (where `?` and `[...]` are special too)
and a `"` cannot be quoted, so names with those characters are found by listing the collection.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from dcnet.cli.errors import CliError
from dcnet.cli.http import Api, ApiError

Item = dict[str, Any]
SEARCH_SPECIAL = '"*?[]'


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def ref_id(item: Item, field: str) -> str | None:
    ref = item.get(field)
    return ref.get("id") if isinstance(ref, dict) else None


def names(api: Api, collection: str, element: str) -> dict[str, str]:
    """id -> name of a whole collection, to show names instead of ids in tables."""
    return {item["id"]: item.get("name", item["id"]) for item in api.items(f"/{collection}", element)}


def by_name(api: Api, collection: str, element: str, name: str) -> list[Item]:
    """Exact matches; a name the search cannot say literally is looked for in the whole list."""
    literal = not any(char in name for char in SEARCH_SPECIAL)
    params = {"search": f'name="{name}"'} if literal else None
    return [item for item in api.items(f"/{collection}", element, params) if item.get("name") == name]


def find(
    api: Api,
    collection: str,
    element: str,
    kind: str,
    value: str,
    *,
    keep: Callable[[Item], bool] | None = None,
    scope: str = "",
    ambiguous: Callable[[list[Item]], str] | None = None,
) -> Item:
    """The one object named (or with id) `value`; `keep` narrows candidates, `scope` says how in errors."""
    if is_uuid(value):
        try:
            item: Item = api.get(f"/{collection}/{value}")
        except ApiError as exc:
            if exc.status != 404:
                raise
        else:
            if keep is None or keep(item):
                return item
    matches = [item for item in by_name(api, collection, element, value) if keep is None or keep(item)]
    if not matches:
        named = "with id or name" if is_uuid(value) else "named"
        raise CliError(f"no {kind} {named} '{value}'{scope}")
    if len(matches) > 1:
        why = ambiguous(matches) if ambiguous else "use its id"
        raise CliError(f"several {kind}s are named '{value}'{scope}; {why}")
    return matches[0]


def data_center(api: Api, value: str) -> Item:
    return find(api, "datacenters", "data_center", "data center", value)


def cluster(api: Api, value: str) -> Item:
    return find(api, "clusters", "cluster", "cluster", value)


def host(api: Api, value: str) -> Item:
    return find(api, "hosts", "host", "host", value)


def network(api: Api, value: str, dc: str | None = None, *, dc_id: str | None = None) -> Item:
    """A network by name or id; names are unique per data center only, so `dc` (name or id) narrows."""
    scope = ""
    if dc is not None and dc_id is None:
        found = data_center(api, dc)
        dc_id, scope = found["id"], f" in data center '{found['name']}'"
    elif dc_id is not None:
        scope = " in that data center"

    def in_dc(item: Item) -> bool:
        return dc_id is None or ref_id(item, "data_center") == dc_id

    def which(matches: list[Item]) -> str:
        dcs = names(api, "datacenters", "data_center")
        listed = ", ".join(sorted(dcs.get(ref_id(m, "data_center") or "", "?") for m in matches))
        return f"they are in data centers {listed}; pass --dc (or use the id)"

    return find(api, "networks", "network", "network", value, keep=in_dc, scope=scope, ambiguous=which)


def vnic_profile(api: Api, value: str, network_name: str | None = None, dc: str | None = None) -> Item:
    """A vNIC profile; its name is unique per network, so `network_name` (and `dc`) narrow."""
    net = network(api, network_name, dc) if network_name else None
    scope = f" on network '{net['name']}'" if net else ""

    def on_network(item: Item) -> bool:
        return net is None or ref_id(item, "network") == net["id"]

    def which(matches: list[Item]) -> str:
        nets = names(api, "networks", "network")
        listed = ", ".join(sorted(nets.get(ref_id(m, "network") or "", "?") for m in matches))
        return f"they are on networks {listed}; pass --network (and --dc) or use the id"

    return find(
        api, "vnicprofiles", "vnic_profile", "vNIC profile", value, keep=on_network, scope=scope, ambiguous=which
    )

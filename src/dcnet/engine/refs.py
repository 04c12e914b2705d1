"""Resolving references from requests: by id or, as oVirt clients also send, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from dcnet.domain.entities import Cluster, DataCenter, Network
from dcnet.domain.errors import BadInput, MissingField, NotFound
from dcnet.store.repositories import Repository, Store

T = TypeVar("T")


@dataclass(frozen=True)
class Ref:
    id: str | None = None
    name: str | None = None

    def __str__(self) -> str:
        return f"id '{self.id}'" if self.id else f"name '{self.name}'"


def _resolve(
    repo: Repository[T], ref: Ref, field: str, kind: str, candidates: Callable[[], list[T]] | None = None
) -> T:
    if ref.id:
        found = repo.get(ref.id)
        if found is None:
            raise BadInput(field, f"no {kind} with id '{ref.id}'")
        return found
    if ref.name:
        matches = [item for item in (candidates() if candidates else repo.list()) if item.name == ref.name]  # type: ignore[attr-defined]
        if not matches:
            raise BadInput(field, f"no {kind} named '{ref.name}'")
        if len(matches) > 1:
            raise BadInput(field, f"several {kind}s are named '{ref.name}'; refer to it by id")
        return matches[0]
    raise BadInput(field, "a reference needs an id or a name")


def data_center(store: Store, ref: Ref | None, field: str = "data_center") -> DataCenter:
    if ref is None:
        raise BadInput(field, "is required")
    return _resolve(store.data_centers, ref, field, "Data Center")


def cluster(store: Store, ref: Ref | None, field: str = "cluster") -> Cluster:
    if ref is None:
        raise BadInput(field, "is required")
    return _resolve(store.clusters, ref, field, "Cluster")


def network(store: Store, ref: Ref | None, field: str = "network", data_center_id: str | None = None) -> Network:
    if ref is None:
        raise BadInput(field, "is required")
    candidates = (lambda: store.networks.list(data_center_id=data_center_id)) if data_center_id else None
    found = _resolve(store.networks, ref, field, "Network", candidates)
    if data_center_id and found.data_center_id != data_center_id:
        raise BadInput(field, f"Network {ref} is not in this Data Center")
    return found


def require(entity: str, action: str = "add", **fields: object) -> None:
    """oVirt's "Incomplete parameters": every named field must be present."""
    missing = [name for name, value in fields.items() if value is None]
    if missing:
        raise MissingField(entity, missing, action)


def get_or_404(repo: Repository[T], key: str, kind: str) -> T:
    found = repo.get(key)
    if found is None:
        raise NotFound(kind, key)
    return found

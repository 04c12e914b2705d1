"""Repositories: domain dataclasses in, domain dataclasses out; the only place rows are seen."""

from __future__ import annotations

import dataclasses
import functools
import typing
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from dcnet.domain import entities as e
from dcnet.domain.errors import StaleRevision
from dcnet.store import tables as t

T = TypeVar("T")


def _decoder(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)) and len(args) == 1:
        inner = _decoder(args[0])
        return None if inner is None else (lambda value: None if value is None else inner(value))
    if hint is e.Version:
        return e.Version.parse
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if hint is datetime:
        return lambda value: value if value.tzinfo else value.replace(tzinfo=UTC)
    if origin is list and args and args[0] is e.CustomProperty:
        return lambda value: [e.CustomProperty(**item) for item in value]
    if origin is list:
        return list
    return None


def _encode(value: Any) -> Any:
    if isinstance(value, e.Version):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [dataclasses.asdict(item) if dataclasses.is_dataclass(item) else item for item in value]
    return value


@functools.cache
def _field_decoders(cls: type) -> tuple[list[str], dict[str, Any]]:
    """Per entity class, once: resolving type hints costs more than most queries (a Store is made per
    transaction)."""
    hints = typing.get_type_hints(cls)
    fields = [f.name for f in dataclasses.fields(cls)]
    return fields, {name: _decoder(hints[name]) for name in fields}


class Repository(Generic[T]):
    """Plain CRUD for one entity type; `revision` columns give optimistic locking."""

    def __init__(self, connection: Connection, table: Table, cls: type[T], key: str = "id") -> None:
        self.connection = connection
        self.table = table
        self.cls = cls
        self.key = key
        self._fields, self._decoders = _field_decoders(cls)

    def _from_row(self, row: Any) -> T:
        mapping = row._mapping
        values = {}
        for name in self._fields:
            value = mapping[name]
            decoder = self._decoders[name]
            values[name] = decoder(value) if decoder is not None and value is not None else value
        return self.cls(**values)

    def _to_row(self, obj: T) -> dict[str, Any]:
        return {name: _encode(getattr(obj, name)) for name in self._fields}

    def get(self, key: Any, *, for_update: bool = False) -> T | None:
        query = select(self.table).where(self.table.c[self.key] == key)
        if for_update:
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        return None if row is None else self._from_row(row)

    def list(self, order_by: str | None = "name", **where: Any) -> list[T]:
        query = select(self.table)
        for column, value in where.items():
            query = query.where(self.table.c[column] == value)
        if order_by is not None:
            query = query.order_by(self.table.c[order_by])
        return [self._from_row(row) for row in self.connection.execute(query)]

    def count(self, **where: Any) -> int:
        query = select(func.count()).select_from(self.table)
        for column, value in where.items():
            query = query.where(self.table.c[column] == value)
        return int(self.connection.execute(query).scalar_one())

    def add(self, obj: T) -> T:
        self.connection.execute(insert(self.table).values(**self._to_row(obj)))
        return obj

    def save(self, obj: T, *, expected_revision: int) -> T:
        """Write `obj` over the row at `expected_revision`; bumps the revision."""
        row = self._to_row(obj)
        row["revision"] = expected_revision + 1
        result = self.connection.execute(
            update(self.table)
            .where(self.table.c[self.key] == getattr(obj, self.key))
            .where(self.table.c.revision == expected_revision)
            .values(**row)
        )
        if result.rowcount != 1:
            current = self.get(getattr(obj, self.key))
            raise StaleRevision(self.cls.__name__, str(expected_revision), str(getattr(current, "revision", "gone")))
        return dataclasses.replace(obj, revision=expected_revision + 1)  # type: ignore[type-var]

    def remove(self, key: Any) -> None:
        self.connection.execute(delete(self.table).where(self.table.c[self.key] == key))


class ClusterNetworks(Repository[e.ClusterNetwork]):
    """Keyed by (cluster, network)."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, t.cluster_networks, e.ClusterNetwork, key="network_id")

    def of_cluster(self, cluster_id: str) -> list[e.ClusterNetwork]:
        return self.list(order_by="network_id", cluster_id=cluster_id)

    def of_network(self, network_id: str) -> list[e.ClusterNetwork]:
        return self.list(order_by="cluster_id", network_id=network_id)

    def replace_cluster(self, cluster_id: str, rows: list[e.ClusterNetwork]) -> None:
        """Store the cluster's new set of attachments (roles may have moved between rows)."""
        current = {row.network_id: row for row in self.of_cluster(cluster_id)}
        wanted = {row.network_id: row for row in rows}
        for network_id in current.keys() - wanted.keys():
            self.connection.execute(
                delete(self.table)
                .where(self.table.c.cluster_id == cluster_id)
                .where(self.table.c.network_id == network_id)
            )
        for network_id, row in wanted.items():
            if network_id not in current:
                self.add(row)
            elif row != current[network_id]:
                values = self._to_row(row)
                values["revision"] = current[network_id].revision + 1
                self.connection.execute(
                    update(self.table)
                    .where(self.table.c.cluster_id == cluster_id)
                    .where(self.table.c.network_id == network_id)
                    .values(**values)
                )


class Events(Repository[e.Event]):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, t.events, e.Event, key="index")

    def append(self, event: e.Event) -> e.Event:
        row = self._to_row(event)
        row.pop("index")
        result = self.connection.execute(insert(self.table).values(**row))
        return dataclasses.replace(event, index=int(result.inserted_primary_key[0]))

    def newest(
        self,
        *,
        after_index: int | None = None,
        correlation_id: str | None = None,
        limit: int | None = None,
    ) -> list[e.Event]:
        query = select(self.table).order_by(self.table.c.index.desc())
        if after_index is not None:
            query = query.where(self.table.c.index > after_index)
        if correlation_id is not None:
            query = query.where(self.table.c.correlation_id == correlation_id)
        if limit is not None:
            query = query.limit(limit)
        return [self._from_row(row) for row in self.connection.execute(query)]


class Tokens:
    """Access tokens, stored by their SHA-256 only."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, token_hash: str, user_id: str, issued_at: datetime, expires_at: datetime) -> None:
        self.connection.execute(
            insert(t.tokens).values(
                token_hash=token_hash, user_id=user_id, issued_at=issued_at, expires_at=expires_at, revoked=False
            )
        )

    def find(self, token_hash: str) -> tuple[str, datetime, bool] | None:
        row = self.connection.execute(
            select(t.tokens.c.user_id, t.tokens.c.expires_at, t.tokens.c.revoked).where(
                t.tokens.c.token_hash == token_hash
            )
        ).first()
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        return row.user_id, expires, bool(row.revoked)

    def revoke(self, token_hash: str) -> bool:
        result = self.connection.execute(
            update(t.tokens).where(t.tokens.c.token_hash == token_hash).values(revoked=True)
        )
        return result.rowcount == 1

    def revoke_user(self, user_id: str) -> None:
        self.connection.execute(update(t.tokens).where(t.tokens.c.user_id == user_id).values(revoked=True))

    def purge_expired(self, now: datetime) -> None:
        self.connection.execute(delete(t.tokens).where(t.tokens.c.expires_at < now))


class Hosts(Repository[e.Host]):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, t.hosts, e.Host)

    def update_runtime(self, host_id: str, **fields: Any) -> e.Host | None:
        """Status and install facts written by the engine itself: no If-Match, but the revision still moves,
        so a client's PUT based on the older row gets 409 instead of overwriting the new status."""
        values = {name: _encode(value) for name, value in fields.items()}
        self.connection.execute(
            update(self.table).where(self.table.c.id == host_id).values(**values, revision=self.table.c.revision + 1)
        )
        return self.get(host_id)


class HostReports(Repository[e.HostReport]):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, t.host_reports, e.HostReport, key="host_id")

    def counters(self) -> dict[str, int]:
        """host id → the change counter of its last report, without loading the reports themselves."""
        rows = self.connection.execute(select(self.table.c.host_id, self.table.c.change_counter))
        return {row.host_id: row.change_counter for row in rows}

    def put(self, report: e.HostReport) -> None:
        row = self._to_row(report)
        result = self.connection.execute(update(self.table).where(self.table.c.host_id == report.host_id).values(**row))
        if result.rowcount == 0:
            self.connection.execute(insert(self.table).values(**row))


class NetworkAttachments(Repository[e.NetworkAttachment]):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, t.network_attachments, e.NetworkAttachment)

    def of_host(self, host_id: str) -> list[e.NetworkAttachment]:
        return self.list(order_by="nic_name", host_id=host_id)

    def remove_host(self, host_id: str) -> None:
        self.connection.execute(delete(self.table).where(self.table.c.host_id == host_id))


class NicLabels:
    """Labels on a host's nics and bonds (several per nic; one nic per label and host)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.table = t.host_nic_labels

    def of_host(self, host_id: str) -> dict[str, set[str]]:
        rows = self.connection.execute(select(self.table).where(self.table.c.host_id == host_id))
        out: dict[str, set[str]] = {}
        for row in rows:
            out.setdefault(row.nic_name, set()).add(row.label)
        return out

    def with_label(self, label: str) -> list[tuple[str, str]]:
        """(host id, nic) pairs carrying `label`."""
        rows = self.connection.execute(select(self.table).where(self.table.c.label == label))
        return [(row.host_id, row.nic_name) for row in rows]

    def add(self, host_id: str, nic: str, label: str) -> None:
        self.connection.execute(insert(self.table).values(host_id=host_id, nic_name=nic, label=label))

    def remove(self, host_id: str, nic: str, label: str) -> None:
        self.connection.execute(
            delete(self.table)
            .where(self.table.c.host_id == host_id)
            .where(self.table.c.nic_name == nic)
            .where(self.table.c.label == label)
        )

    def remove_host(self, host_id: str) -> None:
        self.connection.execute(delete(self.table).where(self.table.c.host_id == host_id))


class Store:
    """All repositories over one connection (one transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.data_centers = Repository(connection, t.data_centers, e.DataCenter)
        self.clusters = Repository(connection, t.clusters, e.Cluster)
        self.networks = Repository(connection, t.networks, e.Network)
        self.cluster_networks = ClusterNetworks(connection)
        self.vnic_profiles = Repository(connection, t.vnic_profiles, e.VnicProfile)
        self.hosts = Hosts(connection)
        self.host_reports = HostReports(connection)
        self.network_attachments = NetworkAttachments(connection)
        self.qos = Repository(connection, t.qos, e.HostNetworkQos)
        self.nic_labels = NicLabels(connection)
        self.events = Events(connection)
        self.jobs = Repository(connection, t.jobs, e.Job)
        self.steps = Repository(connection, t.steps, e.Step)
        self.users = Repository(connection, t.users, e.User)
        self.tokens = Tokens(connection)

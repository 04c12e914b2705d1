"""Running use cases: one database transaction per command, reads on their own connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dcnet.domain.errors import StaleRevision
from dcnet.store.db import Database
from dcnet.store.repositories import Store

T = TypeVar("T")


class Engine:
    def __init__(self, db: Database) -> None:
        self.db = db

    def execute(self, command: Callable[[Store], T]) -> T:
        """All of the command or none of it is written."""
        with self.db.write() as connection:
            return command(Store(connection))

    def query(self, reader: Callable[[Store], T]) -> T:
        with self.db.read() as connection:
            return reader(Store(connection))


def check_if_match(kind: str, current_revision: int, if_match: int | None) -> int:
    """Optimistic locking: the revision the write must replace (the client's, when it sent one)."""
    if if_match is not None and if_match != current_revision:
        raise StaleRevision(kind, str(if_match), str(current_revision))
    return current_revision


def open_engine(db_url: str, *, migrate: bool = True) -> Engine:
    """Connect to the database and bring its schema up to date (the engine migrates on start)."""
    db = Database(db_url)
    if migrate:
        db.migrate()
    return Engine(db)

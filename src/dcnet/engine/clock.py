"""The engine's notion of now (UTC, second precision like the events oVirt clients read)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)

"""Who runs a command, and the correlation id that ties its events and jobs together."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from dcnet.domain.entities import Role


@dataclass(frozen=True)
class Actor:
    user_name: str
    role: Role


SYSTEM = Actor("system", Role.ADMIN)


@dataclass(frozen=True)
class CommandContext:
    actor: Actor
    correlation_id: str

    @classmethod
    def new(cls, actor: Actor, correlation_id: str | None = None) -> CommandContext:
        return cls(actor, correlation_id or str(uuid.uuid4()))


def new_id() -> str:
    return str(uuid.uuid4())

"""Request-scoped dependencies: the engine, the authenticated actor, the command context, If-Match."""

from __future__ import annotations

import re
import uuid

from fastapi import Depends, Request, Response

from dcnet.domain.entities import Role
from dcnet.domain.errors import BadInput, Forbidden, NotAuthenticated, NotFound
from dcnet.engine import users
from dcnet.engine.context import Actor, CommandContext
from dcnet.engine.runner import Engine

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
_CORRELATION_ID = re.compile(r"[\x21-\x7e]{1,128}")


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "this call needs 'Authorization: Bearer <token>'; get a token at /ovirt-engine/sso/oauth/token"
        )
    return token.strip()


def current_actor(request: Request, engine: Engine = Depends(get_engine)) -> Actor:
    token = bearer_token(request)
    user = engine.query(lambda store: users.user_for_token(store, token))
    actor = Actor(user.name, user.role)
    if request.method not in READ_METHODS and actor.role != Role.ADMIN:
        raise Forbidden(f"user {actor.user_name} has the {actor.role.value} role, which may only read")
    return actor


def command_context(request: Request, response: Response, actor: Actor = Depends(current_actor)) -> CommandContext:
    """The request's `Correlation-Id` header (or a new id) tags every event and job it causes."""
    given = request.headers.get("correlation-id")
    if given is not None and not _CORRELATION_ID.fullmatch(given):
        raise BadInput("Correlation-Id", "must be 1-128 printable ASCII characters without spaces")
    ctx = CommandContext.new(actor, given or str(uuid.uuid4()))
    response.headers["Correlation-Id"] = ctx.correlation_id
    return ctx


def if_match(request: Request) -> int | None:
    """The revision named by `If-Match` ("3", W/"3"); absent or `*` = unconditional."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        return -1  # can never match: the write is refused as stale
    return int(text)


def etag(response: Response, revision: int) -> None:
    response.headers["ETag"] = f'"{revision}"'


def check_id(value: str, kind: str) -> str:
    """Ids are UUIDs; anything else cannot name an object."""
    try:
        uuid.UUID(value)
    except ValueError:
        raise NotFound(kind, value) from None
    return value

"""Local users, password hashes (argon2) and API access tokens (stored as SHA-256 only)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dcnet.domain.entities import Role, User
from dcnet.domain.errors import BadInput, NotAuthenticated, NotFound, RuleViolation
from dcnet.engine.clock import now
from dcnet.engine.context import new_id
from dcnet.store.repositories import Store

DEFAULT_DOMAIN = "internal"
ADMIN_USER = "admin@internal"
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


def qualified(name: str) -> str:
    """oVirt user names carry a domain: `admin` means `admin@internal`."""
    name = name.strip()
    return name if "@" in name else f"{name}@{DEFAULT_DOMAIN}"


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters long")


def add_user(store: Store, name: str, password: str, role: Role) -> User:
    name = qualified(name)
    if not name.split("@")[0]:
        raise BadInput("name", "must not be empty")
    _check_password(password)
    if any(user.name == name for user in store.users.list()):
        raise RuleViolation("USER_ALREADY_EXISTS", f"Cannot add User. User '{name}' already exists.")
    user = User(id=new_id(), name=name, role=role, password_hash=_hasher.hash(password))
    return store.users.add(user)


def find_user(store: Store, name: str) -> User:
    name = qualified(name)
    user = next((user for user in store.users.list() if user.name == name), None)
    if user is None:
        raise NotFound("User", name)
    return user


def set_password(store: Store, name: str, password: str) -> User:
    _check_password(password)
    user = find_user(store, name)
    saved = store.users.save(replace(user, password_hash=_hasher.hash(password)), expected_revision=user.revision)
    store.tokens.revoke_user(user.id)
    return saved


def remove_user(store: Store, name: str) -> None:
    user = find_user(store, name)
    admins = [u for u in store.users.list() if u.role == Role.ADMIN]
    if user.role == Role.ADMIN and len(admins) == 1:
        raise RuleViolation("LAST_ADMIN", f"Cannot remove User. '{user.name}' is the last admin.")
    store.users.remove(user.id)


def authenticate(store: Store, name: str, password: str) -> User:
    try:
        user = find_user(store, name)
        _hasher.verify(user.password_hash, password)
    except (NotFound, VerificationError, InvalidHashError):
        raise NotAuthenticated("Cannot authenticate user: wrong user name or password") from None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(store: Store, user: User, ttl: timedelta) -> tuple[str, int]:
    """A new bearer token and its expiry (epoch milliseconds, as oVirt's SSO reports it)."""
    token = secrets.token_urlsafe(32)
    issued = now()
    expires = issued + ttl
    store.tokens.purge_expired(issued)
    store.tokens.add(_digest(token), user.id, issued, expires)
    return token, int(expires.timestamp() * 1000)


def user_for_token(store: Store, token: str) -> User:
    found = store.tokens.find(_digest(token))
    if found is None:
        raise NotAuthenticated("unknown access token")
    user_id, expires, revoked = found
    if revoked or expires <= now():
        raise NotAuthenticated("the access token has expired or was revoked; log in again")
    user = store.users.get(user_id)
    if user is None:
        raise NotAuthenticated("the token's user no longer exists")
    return user


def revoke_token(store: Store, token: str) -> bool:
    return store.tokens.revoke(_digest(token))

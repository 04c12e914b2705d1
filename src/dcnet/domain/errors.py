"""The small hierarchy of typed errors every layer speaks.

The API maps each kind to one HTTP status, so a rule only has to say *which* kind of failure it is.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected failure (never a stack trace for the user)."""


class BadInput(DomainError):
    """A value is malformed or out of range (HTTP 400); names the field and the rule."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class MissingField(DomainError):
    """A mandatory field is absent (HTTP 400, oVirt's "Incomplete parameters")."""

    def __init__(self, entity: str, fields: list[str], action: str = "add") -> None:
        self.entity = entity
        self.fields = fields
        self.action = action
        super().__init__(f"{entity} [{', '.join(fields)}] required for {action}")


class RuleViolation(DomainError):
    """A domain rule forbids the request (HTTP 409, oVirt's "Operation Failed").

    `key` is the oVirt message key, `message` the rendered text.
    """

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(message)


class NotFound(DomainError):
    """A referenced object does not exist (HTTP 404 for the target, 400 for a reference)."""

    def __init__(self, kind: str, ref: str) -> None:
        self.kind = kind
        self.ref = ref
        super().__init__(f"{kind} '{ref}' does not exist")


class StaleRevision(DomainError):
    """Optimistic locking: the client's If-Match names an older revision (HTTP 409)."""

    def __init__(self, kind: str, expected: str, current: str) -> None:
        self.kind = kind
        super().__init__(
            f"{kind} was changed by someone else (If-Match {expected}, current revision {current}); "
            "read it again and retry"
        )


class NotAuthenticated(DomainError):
    """No valid credentials (HTTP 401)."""


class Forbidden(DomainError):
    """Authenticated, but the role does not allow it (HTTP 403)."""

"""oVirt-style validation messages: `Cannot ${action} ${type}. <text>` with a stable key."""

from __future__ import annotations

from dcnet.domain.errors import RuleViolation


def violation(key: str, action: str, entity_type: str, text: str) -> RuleViolation:
    """A 409-kind failure whose message starts like oVirt's: "Cannot add Network. ..."."""
    return RuleViolation(key, f"Cannot {action} {entity_type}. {text}")


def used_by(entities_singular: str, entities_plural: str, names: list[str]) -> str:
    """oVirt's ACTION_TYPE_FAILED_NETWORK_IN_ONE_USE / _IN_MANY_USES texts."""
    if len(names) == 1:
        return (
            f"This logical network is used by {entities_singular}: {names[0]}\n"
            f" - Please remove it from this {entities_singular} and try again."
        )
    return (
        f"This logical network is used by {entities_plural}: ({len(names)}): {', '.join(names)}\n"
        f" - Please detach {entities_plural} using this logical network and try again."
    )

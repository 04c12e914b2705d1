"""Assertions shared by the unit tests: the exact error kind, its key or field, and key parts of its text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from dcnet.domain.errors import BadInput, RuleViolation


@contextmanager
def bad_input(field: str, *fragments: str) -> Iterator[pytest.ExceptionInfo[BadInput]]:
    """The block raises exactly `BadInput` for `field`, its rule text containing every fragment."""
    with pytest.raises(BadInput) as info:
        yield info
    error = info.value
    assert type(error) is BadInput
    assert error.field == field
    for fragment in fragments:
        assert fragment in error.rule, f"{fragment!r} not in {error.rule!r}"
    assert str(error) == f"{field}: {error.rule}"


@contextmanager
def rule_violation(key: str, *fragments: str) -> Iterator[pytest.ExceptionInfo[RuleViolation]]:
    """The block raises exactly `RuleViolation` with `key`, its message containing every fragment."""
    with pytest.raises(RuleViolation) as info:
        yield info
    error = info.value
    assert type(error) is RuleViolation
    assert error.key == key
    for fragment in fragments:
        assert fragment in error.message, f"{fragment!r} not in {error.message!r}"
    assert str(error) == error.message

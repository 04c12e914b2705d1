"""Listing helpers shared by the routers: `search=`, `case_sensitive=`, `max=`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query

from dcnet.domain import search as search_language

T = TypeVar("T")

SearchQuery = Annotated[str | None, Query(description='oVirt search, e.g. name="red" and datacenter=Default')]
MaxQuery = Annotated[int | None, Query(ge=-1, le=1_000_000, description="at most this many results (-1: all)")]
CaseQuery = Annotated[bool, Query(description="match search values case-sensitively")]


def filtered(
    items: Sequence[T],
    search: str | None,
    fields: Mapping[str, Callable[[Any], Any]],
    *,
    case_sensitive: bool = True,
    maximum: int | None = None,
    values: Mapping[str, Callable[[str], str]] | None = None,
) -> list[T]:
    predicate = search_language.matcher(search, fields, case_sensitive=case_sensitive, values=values)
    result = [item for item in items if predicate(item)]
    if maximum is not None and maximum >= 0:
        result = result[:maximum]
    return result

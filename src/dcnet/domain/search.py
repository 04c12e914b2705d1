"""The oVirt search language subset clients use: `name="x" and datacenter=y`, `*` wildcards.

Parsing and matching are pure; each resource says which fields it exposes to search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dcnet.domain.errors import BadInput

_TERM = re.compile(
    r"""\s*(?P<field>[A-Za-z_][A-Za-z0-9_.]*)\s*(?P<op>!=|>=|<=|=|>|<)\s*"""
    r"""(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))\s*""",
)
_AND = re.compile(r"\s*and\s+", re.IGNORECASE)


_INTEGER = re.compile(r"-?[0-9]+")


def _wildcard(pattern: str) -> re.Pattern[str]:
    """Only `*` is a wildcard; every other character (also `?` and `[`) matches itself."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


@dataclass(frozen=True)
class Term:
    field: str
    op: str
    value: str


def parse(query: str) -> list[Term]:
    """Terms joined by `and`; an optional `Type:` prefix (e.g. `Networks:`) is accepted and ignored."""
    text = re.sub(r"^\s*[A-Za-z]+\s*:\s*", "", query)
    terms: list[Term] = []
    position = 0
    while position < len(text):
        if terms:
            joiner = _AND.match(text, position)
            if not joiner:
                raise BadInput("search", f"expected 'and' at position {position} of {query!r}")
            position = joiner.end()
        match = _TERM.match(text, position)
        if not match:
            raise BadInput("search", f"cannot parse {query!r} at position {position}: expected field=value")
        value = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
        terms.append(Term(match.group("field").lower(), match.group("op"), value))
        position = match.end()
    return terms


Value = str | int | None | list[str]
Getter = Callable[[object], Value]


def matcher(
    query: str | None,
    fields: Mapping[str, Getter],
    *,
    case_sensitive: bool = True,
    values: Mapping[str, Callable[[str], str]] | None = None,
) -> Callable[[object], bool]:
    """A predicate for `query` over objects whose searchable fields `fields` reads; `values` converts a
    field's query values (e.g. a severity name to its rank) and raises ValueError for bad ones."""
    if not query or not query.strip():
        return lambda _item: True
    terms = parse(query)
    for position, term in enumerate(terms):
        if term.field not in fields:
            known = ", ".join(sorted(fields))
            raise BadInput("search", f"unknown field '{term.field}' (searchable: {known})")
        convert = (values or {}).get(term.field)
        if convert is not None:
            try:
                terms[position] = Term(term.field, term.op, convert(term.value))
            except ValueError as exc:
                raise BadInput("search", f"{term.field}: {exc}") from None

    def predicate(item: object) -> bool:
        return all(_matches(fields[term.field](item), term, case_sensitive) for term in terms)

    return predicate


def _matches(actual: Value, term: Term, case_sensitive: bool) -> bool:
    """A list value (e.g. the names of a data center's clusters) matches when any element does."""
    if isinstance(actual, list):
        return any(_matches(element, term, case_sensitive) for element in actual)
    if actual is None:
        return term.op == "!=" and term.value != ""
    if isinstance(actual, int) and not isinstance(actual, bool) and _INTEGER.fullmatch(term.value):
        return _compare(actual, int(term.value), term.op)
    text, wanted = str(actual), term.value
    if not case_sensitive:
        text, wanted = text.lower(), wanted.lower()
    if term.op in ("=", "!="):
        equal = _wildcard(wanted).fullmatch(text) is not None if "*" in wanted else text == wanted
        return equal if term.op == "=" else not equal
    return _compare(text, wanted, term.op)


def _compare(left: str | int, right: str | int, op: str) -> bool:
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == ">":
        return left > right  # type: ignore[operator]
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == ">=":
        return left >= right  # type: ignore[operator]
    return left <= right  # type: ignore[operator]

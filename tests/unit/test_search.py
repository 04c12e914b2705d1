"""search.py: the subset of oVirt's search language clients use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter

import pytest

from dcnet.domain.errors import BadInput
from dcnet.domain.search import Getter, Term, matcher, parse
from tests.unit._expect import bad_input


@dataclass
class Item:
    name: str = "red"
    datacenter: str = "Default"
    vlan: int | None = None
    clusters: list[str] = field(default_factory=list)


FIELDS: Mapping[str, Getter] = {name: attrgetter(name) for name in ("name", "datacenter", "vlan", "clusters")}


def matches(query: str, item: Item, *, case_sensitive: bool = True) -> bool:
    return matcher(query, FIELDS, case_sensitive=case_sensitive)(item)


# --- parse ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        pytest.param("name=x", [Term("name", "=", "x")], id="unquoted"),
        pytest.param('name="x"', [Term("name", "=", "x")], id="quoted"),
        pytest.param('name="a b"', [Term("name", "=", "a b")], id="quoted-with-space"),
        pytest.param('name=""', [Term("name", "=", "")], id="quoted-empty"),
        pytest.param('name="x and y"', [Term("name", "=", "x and y")], id="and-inside-quotes"),
        pytest.param(
            'name="x" and datacenter=y',
            [Term("name", "=", "x"), Term("datacenter", "=", "y")],
            id="quoted-and-unquoted",
        ),
        pytest.param(
            "Name=Red AND DataCenter=Y",
            [Term("name", "=", "Red"), Term("datacenter", "=", "Y")],
            id="field-and-joiner-case-insensitive-value-kept",
        ),
        pytest.param("  name  =  x  ", [Term("name", "=", "x")], id="spaces-around"),
        pytest.param("Networks: name=x", [Term("name", "=", "x")], id="type-prefix-ignored"),
        pytest.param("Networks:", [], id="type-prefix-only"),
        pytest.param("", [], id="empty"),
        pytest.param("name=red*", [Term("name", "=", "red*")], id="wildcard-kept"),
        pytest.param("name=עברית", [Term("name", "=", "עברית")], id="unicode-unquoted"),
        pytest.param("data_center.name=x", [Term("data_center.name", "=", "x")], id="dotted-field"),
        pytest.param(
            'name="x"and vlan=1', [Term("name", "=", "x"), Term("vlan", "=", "1")], id="quote-then-and-no-space"
        ),
        pytest.param("name=a=b", [Term("name", "=", "a=b")], id="equals-in-value"),
        pytest.param(
            "vlan>=10 and vlan<20 and name!=x",
            [Term("vlan", ">=", "10"), Term("vlan", "<", "20"), Term("name", "!=", "x")],
            id="three-terms",
        ),
    ],
)
def test_parse(query: str, terms: list[Term]) -> None:
    assert parse(query) == terms


@pytest.mark.parametrize("op", ["=", "!=", ">", "<", ">=", "<="])
def test_parse_operators(op: str) -> None:
    assert parse(f"vlan{op}10") == [Term("vlan", op, "10")]
    assert parse(f'name {op} "a b"') == [Term("name", op, "a b")]


@pytest.mark.parametrize(
    ("query", "rule"),
    [
        pytest.param("name", "expected field=value", id="field-only"),
        pytest.param("=x", "expected field=value", id="value-only"),
        pytest.param("name=", "expected field=value", id="no-value"),
        pytest.param('name="unterminated', "expected field=value", id="unterminated-quote"),
        pytest.param("1name=x", "expected field=value", id="field-starts-with-digit"),
        pytest.param("name~x", "expected field=value", id="unknown-operator"),
        pytest.param("name=x or vlan=1", "expected 'and' at position 7", id="or"),
        pytest.param("name=x vlan=1", "expected 'and'", id="missing-and"),
        pytest.param("name=x and", "expected 'and'", id="dangling-and"),
        pytest.param("name=x and ", "expected field=value", id="dangling-and-space"),
        pytest.param("and name=x", "expected field=value", id="leading-and"),
        pytest.param("   ", "expected field=value", id="blank"),
        pytest.param("!!!", "cannot parse '!!!' at position 0", id="punctuation"),
    ],
)
def test_garbage_query_is_bad_input(query: str, rule: str) -> None:
    with bad_input("search", rule):
        parse(query)
    if query.strip():
        with bad_input("search"):
            matcher(query, FIELDS)


# --- matcher: fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [None, "", "   "], ids=["none", "empty", "blank"])
def test_empty_query_matches_everything(query: str | None) -> None:
    predicate = matcher(query, {})
    assert predicate(Item()) and predicate(object())


@pytest.mark.parametrize(
    ("query", "unknown"),
    [
        pytest.param("colour=red", "colour", id="only-term"),
        pytest.param("name=red and Colour=blue", "colour", id="second-term-lowercased"),
        pytest.param("cluster=Default", "cluster", id="near-miss"),
    ],
)
def test_unknown_field_is_bad_input_naming_the_field(query: str, unknown: str) -> None:
    with bad_input("search", f"unknown field '{unknown}'", "(searchable: clusters, datacenter, name, vlan)"):
        matcher(query, FIELDS)


# --- matcher: values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        pytest.param("name=red", "red", True, id="exact"),
        pytest.param('name="red"', "red", True, id="exact-quoted"),
        pytest.param("name=red", "red-net", False, id="no-wildcard-no-prefix-match"),
        pytest.param("name=red*", "red-net", True, id="prefix"),
        pytest.param("name=red*", "red", True, id="star-matches-empty"),
        pytest.param("name=*net", "red-net", True, id="suffix"),
        pytest.param("name=*-*", "red-net", True, id="infix"),
        pytest.param("name=r*d", "red-net", False, id="anchored-both-ends"),
        pytest.param("name=*", "anything", True, id="star-only"),
        pytest.param('name="VM *"', "VM Network עברית", True, id="quoted-with-space-and-wildcard"),
        pytest.param("name=*עברית", "VM Network עברית", True, id="unicode-wildcard"),
        pytest.param("name!=red*", "red-net", False, id="not-prefix"),
        pytest.param("name!=red*", "blue", True, id="not-prefix-other"),
        pytest.param("name!=red", "blue", True, id="not-equal"),
    ],
)
def test_wildcard_star_matches_any_text(query: str, name: str, expected: bool) -> None:
    assert matches(query, Item(name=name)) is expected


@pytest.mark.parametrize(
    ("query", "name", "case_sensitive", "expected"),
    [
        pytest.param("name=RED", "red", True, False, id="exact-sensitive"),
        pytest.param("name=RED", "red", False, True, id="exact-insensitive"),
        pytest.param("name=Red*", "red-net", True, False, id="wildcard-sensitive"),
        pytest.param("name=Red*", "red-net", False, True, id="wildcard-insensitive"),
        pytest.param("name!=RED", "red", True, True, id="not-equal-sensitive"),
        pytest.param("name!=RED", "red", False, False, id="not-equal-insensitive"),
        pytest.param("name>B", "a", True, True, id="order-sensitive-ascii"),
        pytest.param("name>B", "a", False, False, id="order-insensitive"),
        pytest.param("name=עברית", "עברית", False, True, id="unicode-insensitive"),
    ],
)
def test_case_sensitive_flag(query: str, name: str, case_sensitive: bool, expected: bool) -> None:
    assert matches(query, Item(name=name), case_sensitive=case_sensitive) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vlan=100", True),
        ("vlan=99", False),
        ("vlan!=100", False),
        ("vlan!=99", True),
        ("vlan>99", True),
        ("vlan>100", False),
        ("vlan<101", True),
        ("vlan<100", False),
        ("vlan>=100", True),
        ("vlan>=101", False),
        ("vlan<=100", True),
        ("vlan<=99", False),
        ("vlan>20", True),  # numeric, not "100" > "20" as text
        ("vlan>-1", True),
        ("vlan=1*", True),  # a wildcard compares the text
        ("vlan=abc", False),
    ],
    ids=str,
)
def test_operators_compare_numbers_numerically(query: str, expected: bool) -> None:
    assert matches(query, Item(vlan=100)) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name>m", True),
        ("name<m", False),
        ("name>=red", True),
        ("name<=red", True),
        ("name>red", False),
        ("name<reda", True),
    ],
    ids=str,
)
def test_operators_compare_text(query: str, expected: bool) -> None:
    assert matches(query, Item(name="red")) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vlan=10", False),
        ("vlan=*", False),
        ("vlan>1", False),
        ("vlan!=10", True),
        ('vlan!=""', False),
    ],
    ids=str,
)
def test_absent_value_matches_only_not_equal(query: str, expected: bool) -> None:
    assert matches(query, Item(vlan=None)) is expected


@pytest.mark.parametrize(
    ("query", "clusters", "expected"),
    [
        pytest.param("clusters=prod-1", ["Default", "prod-1"], True, id="second-element"),
        pytest.param("clusters=Default", ["Default", "prod-1"], True, id="first-element"),
        pytest.param("clusters=prod*", ["Default", "prod-1"], True, id="wildcard-element"),
        pytest.param("clusters=dev", ["Default", "prod-1"], False, id="no-element"),
        pytest.param("clusters=Default", [], False, id="empty-list"),
        pytest.param("clusters!=dev", [], False, id="empty-list-not-equal"),
        pytest.param("clusters!=Default", ["Default", "prod-1"], True, id="not-equal-any-element-differs"),
        pytest.param("clusters!=Default", ["Default"], False, id="not-equal-only-element"),
        pytest.param("clusters>c", ["a", "d"], True, id="order-any-element"),
    ],
)
def test_list_valued_field_matches_when_any_element_matches(query: str, clusters: list[str], expected: bool) -> None:
    assert matches(query, Item(clusters=clusters)) is expected


def test_terms_joined_by_and_must_all_match() -> None:
    items = [
        Item("red", "Default"),
        Item("red-2", "Other"),
        Item("blue", "Default"),
        Item("red-3", "Default"),
    ]
    predicate = matcher('name=red* and datacenter="Default"', FIELDS)
    assert [item.name for item in items if predicate(item)] == ["red", "red-3"]


# --- bugs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        pytest.param('name="vm[1]*"', "vm[1]-a", True, id="brackets-are-literal"),
        pytest.param('name="vm[1]*"', "vm1-a", False, id="brackets-are-not-a-class"),
        pytest.param("name=a?*", "ab", False, id="question-mark-is-literal"),
        pytest.param("name=[ab]*", "apple", False, id="bracket-class-at-start"),
    ],
)
def test_only_star_is_a_wildcard(query: str, name: str, expected: bool) -> None:
    assert matches(query, Item(name=name)) is expected


@pytest.mark.parametrize("value", ["--5", "²", "-²"], ids=["double-minus", "superscript-two", "minus-superscript"])
def test_malformed_number_in_query_does_not_crash(value: str) -> None:
    try:
        result = matches(f"vlan={value}", Item(vlan=5))
    except BadInput:
        return
    assert result is False

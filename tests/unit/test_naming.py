"""naming.py: host-side (vdsm) names and the name/description/label formats shared by every entity."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dcnet.domain.errors import BadInput
from dcnet.domain.naming import (
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    check_description,
    check_label,
    check_name,
    vdsm_name,
)
from tests.unit._expect import bad_input

NETWORK_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
DERIVED = "on" + "0f1e2d3c4b5a6"  # "on" + the first 13 hex characters of NETWORK_ID
HOST_SAFE = re.compile(r"[0-9a-zA-Z_-]{1,15}")


# --- vdsm_name ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a", id="one-char"),
        pytest.param("ovirtmgmt", id="ovirtmgmt"),
        pytest.param("red", id="red"),
        pytest.param("A_b-9", id="letters-digits-underscore-hyphen"),
        pytest.param("x" * 15, id="15-chars-boundary"),
        pytest.param("0123456789", id="digits-only"),
        pytest.param("-", id="hyphen-only"),
        pytest.param("_", id="underscore-only"),
    ],
)
def test_plain_short_name_is_its_own_vdsm_name(name: str) -> None:
    assert vdsm_name(name, NETWORK_ID) == name


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("x" * 16, id="16-chars-just-over"),
        pytest.param("x" * 256, id="256-chars"),
        pytest.param("VM Network with a very long name and עברית", id="long-unicode-hebrew"),
        pytest.param("red net", id="space"),
        pytest.param("réd", id="latin-accent"),
        pytest.param("net.1", id="dot"),
        pytest.param("a/b", id="slash"),
        pytest.param("网络", id="cjk"),
        pytest.param("🚀", id="emoji"),
        pytest.param("ｒｅｄ", id="fullwidth-latin"),
        pytest.param("red\n", id="trailing-newline"),
        pytest.param("", id="empty"),
        pytest.param("\u212a", id="kelvin-sign-not-ascii-k"),
    ],
)
def test_other_names_get_on_plus_13_hex_chars_of_the_uuid(name: str) -> None:
    derived = vdsm_name(name, NETWORK_ID)
    assert derived == DERIVED
    assert len(derived.encode()) == 15


@pytest.mark.parametrize(
    ("network_id", "expected"),
    [
        pytest.param("00000000-0000-0000-0000-000000000000", "on0000000000000", id="zero-uuid"),
        pytest.param("abcdef01-2345-6789-abcd-ef0123456789", "onabcdef0123456", id="hyphens-dropped"),
        pytest.param("ABCDEF01-2345-6789-ABCD-EF0123456789", "onABCDEF0123456", id="case-kept"),
    ],
)
def test_derived_vdsm_name_drops_uuid_hyphens(network_id: str, expected: str) -> None:
    assert vdsm_name("not plain", network_id) == expected


@given(name=st.text(max_size=300), network_id=st.uuids().map(str))
@example(name="VM Network with a very long name and עברית", network_id=NETWORK_ID)
@example(name="x" * 15, network_id=NETWORK_ID)
@example(name="x" * 16, network_id=NETWORK_ID)
@example(name="\U0001f680" * 4, network_id=NETWORK_ID)
def test_vdsm_name_is_at_most_15_bytes_for_any_name(name: str, network_id: str) -> None:
    derived = vdsm_name(name, network_id)
    assert 1 <= len(derived.encode()) <= 15
    assert HOST_SAFE.fullmatch(derived)
    if HOST_SAFE.fullmatch(name):
        assert derived == name
    else:
        assert derived == "on" + network_id.replace("-", "")[:13]


@given(network_id=st.uuids().map(str))
def test_vdsm_name_of_unicode_name_is_stable_and_depends_only_on_the_id(network_id: str) -> None:
    assert vdsm_name("VM Network עברית", network_id) == vdsm_name("another name", network_id)


# --- check_name -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a", id="one-char"),
        pytest.param("x" * MAX_NAME_LENGTH, id="256-chars-boundary"),
        pytest.param("VM Network with a very long name and עברית", id="hebrew"),
        pytest.param("网络 一", id="cjk"),
        pytest.param("réseau", id="accent"),
        pytest.param("🚀 rocket", id="emoji"),
        pytest.param("a b\u00a0c", id="inner-spaces"),
        pytest.param("bond0", id="bond-is-a-network-rule-not-a-name-rule"),
        pytest.param("!@#$%^&*()[]{}", id="punctuation"),
        pytest.param("ע" * MAX_NAME_LENGTH, id="256-multibyte-chars-counts-characters"),
    ],
)
def test_any_unicode_name_is_allowed(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        pytest.param("", "must not be empty", id="empty"),
        pytest.param(" ", "must not be empty", id="space"),
        pytest.param("\t\n ", "must not be empty", id="whitespace-mix"),
        pytest.param("\u3000", "must not be empty", id="ideographic-space"),
        pytest.param(" a", "must not start or end with white space", id="leading-space"),
        pytest.param("a ", "must not start or end with white space", id="trailing-space"),
        pytest.param("a\n", "must not start or end with white space", id="trailing-newline"),
        pytest.param("a\x00b", "must not contain control characters", id="nul"),
        pytest.param("a\nb", "must not contain control characters", id="inner-newline"),
        pytest.param("a\tb", "must not contain control characters", id="inner-tab"),
        pytest.param("a\x1bb", "must not contain control characters", id="escape"),
        pytest.param("a\x7fb", "must not contain control characters", id="del"),
        pytest.param("a\x85b", "must not contain control characters", id="c1-next-line"),
        pytest.param("x" * (MAX_NAME_LENGTH + 1), "is 257 characters long; at most 256 are allowed", id="257-chars"),
        pytest.param("x" * 1000, "is 1000 characters long", id="1000-chars"),
    ],
)
def test_empty_whitespace_control_or_overlong_name_is_bad_input(name: str, rule: str) -> None:
    with bad_input("name", rule):
        check_name(name)


def test_name_error_names_the_given_field() -> None:
    with bad_input("vnic_profile.name", "must not be empty"):
        check_name("", "vnic_profile.name")


@given(st.text(min_size=1, max_size=MAX_NAME_LENGTH))
def test_check_name_either_accepts_unchanged_or_raises_bad_input(name: str) -> None:
    try:
        assert check_name(name) == name
    except BadInput as error:
        assert error.field == "name"


# --- check_description ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("multi\nline\ttext", id="control-characters-allowed"),
        pytest.param("x" * MAX_DESCRIPTION_LENGTH, id="4000-boundary"),
    ],
)
def test_description_up_to_4000_characters_is_allowed(text: str) -> None:
    assert check_description(text) == text


@pytest.mark.parametrize(
    ("length", "field"),
    [
        pytest.param(MAX_DESCRIPTION_LENGTH + 1, "description", id="4001-description"),
        pytest.param(10_000, "comment", id="10000-comment"),
    ],
)
def test_description_over_4000_characters_is_bad_input(length: int, field: str) -> None:
    with bad_input(field, f"is {length} characters long; at most 4000 are allowed"):
        check_description("x" * length, field)


# --- check_label ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("a", id="one-char"),
        pytest.param("lbl1", id="letters-digits"),
        pytest.param("My_Label-2", id="underscore-hyphen"),
        pytest.param("x" * 300, id="long"),
    ],
)
def test_label_of_letters_digits_hyphen_underscore_is_allowed(label: str) -> None:
    assert check_label(label) == label


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("", id="empty"),
        pytest.param("a b", id="space"),
        pytest.param("a.b", id="dot"),
        pytest.param("a/b", id="slash"),
        pytest.param("étiquette", id="non-english-letter"),
        pytest.param("lbl\n", id="trailing-newline"),
        pytest.param("lbl:1", id="colon"),
    ],
)
def test_label_format_is_bad_input(label: str) -> None:
    with bad_input("label", "English letters, numbers, hyphen or underscore"):
        check_label(label)


def test_label_error_names_the_given_field() -> None:
    with bad_input("id", "Network label must be formed only from"):
        check_label("bad label", "id")

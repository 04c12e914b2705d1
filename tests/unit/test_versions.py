"""versions.py and entities.Version: the compatibility versions dcnet knows."""

from __future__ import annotations

import pytest

from dcnet.domain.entities import Version
from dcnet.domain.versions import DEFAULT_VERSION, SUPPORTED_VERSIONS, check_supported
from tests.unit._expect import bad_input

SUPPORTED = [f"3.{minor}" for minor in range(7)] + [f"4.{minor}" for minor in range(8)]


@pytest.mark.parametrize("text", SUPPORTED, ids=SUPPORTED)
def test_supported_version_is_accepted(text: str) -> None:
    version = Version.parse(text)
    assert check_supported(version) is version


@pytest.mark.parametrize(
    "version",
    [
        pytest.param(Version(3, 0), id="3.0-legacy"),
        pytest.param(Version(3, 1), id="3.1-legacy"),
    ],
)
def test_legacy_versions_3_0_and_3_1_stay_representable(version: Version) -> None:
    assert version in SUPPORTED_VERSIONS
    assert check_supported(version) == version


@pytest.mark.parametrize(
    "version",
    [
        pytest.param(Version(0, 0), id="0.0"),
        pytest.param(Version(2, 2), id="2.2-too-old"),
        pytest.param(Version(3, 7), id="3.7-after-last-3.x"),
        pytest.param(Version(4, 8), id="4.8-newer-than-known"),
        pytest.param(Version(5, 0), id="5.0"),
        pytest.param(Version(4, -1), id="negative-minor"),
    ],
)
def test_unsupported_version_is_bad_input(version: Version) -> None:
    with bad_input("version", f"compatibility version {version} is not supported", "supported: 3.0, 3.1,", "4.7"):
        check_supported(version)


def test_unsupported_version_error_names_the_given_field() -> None:
    with bad_input("version.major", "not supported"):
        check_supported(Version(9, 9), "version.major")


def test_supported_versions_are_sorted_unique_and_the_default_is_the_newest() -> None:
    assert list(SUPPORTED_VERSIONS) == sorted(set(SUPPORTED_VERSIONS))
    assert [str(v) for v in SUPPORTED_VERSIONS] == SUPPORTED
    assert DEFAULT_VERSION == Version(4, 7) == max(SUPPORTED_VERSIONS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("4.7", Version(4, 7), id="4.7"),
        pytest.param("3.0", Version(3, 0), id="3.0"),
        pytest.param(" 4.2 ", Version(4, 2), id="surrounding-spaces"),
        pytest.param("10.20", Version(10, 20), id="multi-digit"),
        pytest.param("4.07", Version(4, 7), id="leading-zero"),
    ],
)
def test_version_parse(text: str, expected: Version) -> None:
    assert Version.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("4", id="major-only"),
        pytest.param("4.", id="no-minor"),
        pytest.param(".7", id="no-major"),
        pytest.param("4.7.1", id="three-parts"),
        pytest.param("a.b", id="letters"),
        pytest.param("-4.7", id="negative"),
        pytest.param("4,7", id="comma"),
    ],
)
def test_version_parse_refuses_malformed_text(text: str) -> None:
    with pytest.raises(ValueError, match="not a version"):
        Version.parse(text)


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        pytest.param(Version(3, 9), Version(3, 10), id="minor-compared-numerically"),
        pytest.param(Version(3, 6), Version(4, 0), id="major-first"),
        pytest.param(Version(4, 6), Version(4, 7), id="adjacent"),
    ],
)
def test_versions_order_numerically(lower: Version, higher: Version) -> None:
    assert lower < higher
    assert higher > lower
    assert lower != higher


@pytest.mark.parametrize("text", SUPPORTED, ids=SUPPORTED)
def test_version_str_round_trips(text: str) -> None:
    assert str(Version.parse(text)) == text

"""Compatibility versions dcnet knows (3.0 and 3.1 stay representable for legacy behaviour)."""

from __future__ import annotations

from dcnet.domain.entities import Version
from dcnet.domain.errors import BadInput

SUPPORTED_VERSIONS: tuple[Version, ...] = tuple(
    [Version(3, minor) for minor in range(7)] + [Version(4, minor) for minor in range(8)]
)
DEFAULT_VERSION = Version(4, 7)


def check_supported(version: Version, field: str = "version") -> Version:
    if version not in SUPPORTED_VERSIONS:
        known = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        raise BadInput(field, f"compatibility version {version} is not supported (supported: {known})")
    return version

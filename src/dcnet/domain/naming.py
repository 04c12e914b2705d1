"""Names: the host-side device name of a network, and the name rules shared by entities."""

from __future__ import annotations

import re
import unicodedata

from dcnet.domain.errors import BadInput

MAX_NAME_LENGTH = 256
MAX_DESCRIPTION_LENGTH = 4000
_HOST_SAFE_NAME = re.compile(r"[0-9a-zA-Z_-]{1,15}")
_LABEL = re.compile(r"[0-9a-zA-Z_-]+")
# Bidirectional overrides and isolates can make a name display as a different one.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def vdsm_name(network_name: str, network_id: str) -> str:
    """The network's host-side name (bridges are named after it; Linux device names are <= 15 bytes).

    The network name itself when it is short and plain ASCII, else "on" + 13 hex characters of its UUID.
    """
    if _HOST_SAFE_NAME.fullmatch(network_name):
        return network_name
    return "on" + network_id.replace("-", "")[:13]


def check_name(name: str, field: str = "name") -> str:
    """Any Unicode is allowed, but not an empty name, control characters or over-long names."""
    if not name or not name.strip():
        raise BadInput(field, "must not be empty")
    if name != name.strip():
        raise BadInput(field, "must not start or end with white space")
    if len(name) > MAX_NAME_LENGTH:
        raise BadInput(field, f"is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed")
    if any(unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS for ch in name):
        raise BadInput(field, "must not contain control characters")
    return name


def check_description(text: str, field: str = "description") -> str:
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise BadInput(field, f"is {len(text)} characters long; at most {MAX_DESCRIPTION_LENGTH} are allowed")
    return text


def check_label(label: str, field: str = "label") -> str:
    """NETWORK_LABEL_FORMAT_INVALID."""
    if not _LABEL.fullmatch(label):
        raise BadInput(field, "Network label must be formed only from: English letters, numbers, hyphen or underscore.")
    return label

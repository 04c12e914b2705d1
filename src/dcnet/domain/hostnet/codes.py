"""Agent error codes (VDSM's numbers, kept so the reference applies) and their texts."""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    DONE = 0
    LOST_CONNECTION = 10
    BAD_PARAMS = 21
    BAD_ADDR = 22
    BAD_NIC = 23
    USED_NIC = 24
    BAD_BONDING = 25
    BAD_VLAN = 26
    BAD_BRIDGE = 27
    USED_BRIDGE = 28
    FAILED_IFUP = 29
    USED_BOND = 31
    OVS_CONNECTION = 32
    UNAVAILABLE = 40
    HOOK_ERROR = 78
    GENERAL = 100
    ENROLLMENT_REFUSED = 401
    NOT_ENROLLED = 403


TEXTS: dict[Code, str] = {
    Code.DONE: "Done",
    Code.LOST_CONNECTION: "Connectivity check failed; the change was rolled back",
    Code.BAD_PARAMS: "Illegal Network parameters",
    Code.BAD_ADDR: "Illegal or Incomplete IP Address",
    Code.BAD_NIC: "Interface name can't be found",
    Code.USED_NIC: "Interface already in use",
    Code.BAD_BONDING: "Invalid Bonding definition",
    Code.BAD_VLAN: "Invalid VLan definition",
    Code.BAD_BRIDGE: "Invalid Network name",
    Code.USED_BRIDGE: "Network is currently being used",
    Code.FAILED_IFUP: "Failed to bring interface up",
    Code.USED_BOND: "Bond is still used by a network",
    Code.OVS_CONNECTION: "Open vSwitch database not reachable",
    Code.UNAVAILABLE: "Another network change is in progress",
    Code.HOOK_ERROR: "Hook error",
    Code.GENERAL: "General Exception",
    Code.ENROLLMENT_REFUSED: "Enrollment refused",
    Code.NOT_ENROLLED: "The agent is not enrolled; only Host.ping2 and enrollment are served",
}


class SetupError(Exception):
    """A network change failed with an agent error code; `message` says exactly why."""

    def __init__(self, code: Code, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{int(code)} {code.name}: {message}")

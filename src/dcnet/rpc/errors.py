"""Agent error codes travel as JSON-RPC error objects: `code` = the agent code, `message` = its text."""

from __future__ import annotations

from typing import Any

from dcnet.domain.hostnet.codes import TEXTS, Code, SetupError

# JSON-RPC 2.0's own codes
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603


class AgentError(Exception):
    """An error answer from an agent (or the transport to it, code None)."""

    def __init__(self, code: int | None, message: str, data: Any = None) -> None:
        self.code = code
        self.message = message
        self.data = data
        super().__init__(f"{code}: {message}" if code is not None else message)

    @property
    def known(self) -> Code | None:
        try:
            return Code(self.code) if self.code is not None else None
        except ValueError:
            return None


def error_object(code: int, message: str, data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        body["data"] = data
    return body


def from_setup_error(error: SetupError) -> dict[str, Any]:
    return error_object(int(error.code), error.message, {"name": error.code.name, "text": TEXTS[error.code]})


__all__ = ["TEXTS", "AgentError", "Code", "SetupError", "error_object", "from_setup_error"]

"""The few netlink operations the Linux backend needs, behind a small interface so unit tests can use a
fake (this machine's kernel has no VLAN or bond devices; their code paths are tested against the fake)."""

from __future__ import annotations

import errno
import socket
import threading
from typing import Any, Protocol

from dcnet.agent.backend import BackendError


class Netlink(Protocol):
    def index(self, name: str) -> int: ...
    def link(self, command: str, **kwargs: Any) -> None: ...
    def addr(self, command: str, **kwargs: Any) -> None: ...
    def route(self, command: str, **kwargs: Any) -> None: ...
    def close(self) -> None: ...


class PyrouteNetlink:
    """pyroute2's IPRoute, one socket, serialized (IPRoute is not thread-safe)."""

    def __init__(self) -> None:
        from pyroute2 import IPRoute

        self._ipr = IPRoute()
        self._lock = threading.Lock()

    def index(self, name: str) -> int:
        """if_nametoindex: one ioctl, much cheaper than a netlink lookup."""
        try:
            return socket.if_nametoindex(name)
        except OSError:
            raise BackendError(f"Cannot find device {name!r}") from None

    def link(self, command: str, **kwargs: Any) -> None:
        self._call(self._ipr.link, command, **kwargs)

    def addr(self, command: str, **kwargs: Any) -> None:
        self._call(self._ipr.addr, command, **kwargs)

    def route(self, command: str, **kwargs: Any) -> None:
        self._call(self._ipr.route, command, **kwargs)

    def _call(self, function: Any, command: str, **kwargs: Any) -> None:
        from pyroute2 import NetlinkError

        with self._lock:
            try:
                function(command, **kwargs)
            except NetlinkError as exc:
                code = exc.code if isinstance(exc.code, int) else 0
                name = errno.errorcode.get(code, str(code))
                raise NetlinkFailure(code, f"{command} {kwargs}: {name} ({exc})") from None

    def close(self) -> None:
        with self._lock:
            self._ipr.close()


class NetlinkFailure(BackendError):
    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)

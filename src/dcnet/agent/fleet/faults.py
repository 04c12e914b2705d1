"""What Test.hook has done to one sim host: the faults an engine must survive, kept per host."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

ALL = "*"


class SimulatedCrash(BaseException):
    """Raised at a crash point of a sim host. A BaseException, so no `except Exception` on the way (the
    transaction's rollback included) stops it, like the os._exit of a real agent; the fleet turns it into
    dropped connections and a restart."""

    def __init__(self, point: str) -> None:
        super().__init__(point)
        self.point = point


@dataclass
class Faults:
    """Latency, failures and hangs per verb (or ALL); lost connectivity; a pending crash point."""

    latency: dict[str, float] = field(default_factory=dict)
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)
    hangs: set[str] = field(default_factory=set)
    lost_connectivity: bool = False
    ignore_commit: bool = False  # an old agent: Host.setupNetworks ignores commitOnSuccess
    crash_at: str | None = None
    restart_seconds: float = 0.5
    _released: asyncio.Event | None = None

    def delay(self, verb: str) -> float:
        return self.latency.get(verb, self.latency.get(ALL, 0.0))

    def failure(self, verb: str) -> tuple[int, str] | None:
        return self.failures.get(verb) or self.failures.get(ALL)

    def hangs_on(self, verb: str) -> bool:
        return verb in self.hangs or ALL in self.hangs

    async def hang(self) -> None:
        """Until `clear` or a restart releases the hung calls."""
        if self._released is None:
            self._released = asyncio.Event()
        await self._released.wait()

    def release(self) -> None:
        if self._released is not None:
            self._released.set()
            self._released = None

    def clear(self, verb: str | None) -> None:
        """One verb's latency, failure and hang; or (verb None) everything, hung calls released."""
        if verb is not None:
            self.latency.pop(verb, None)
            self.failures.pop(verb, None)
            self.hangs.discard(verb)
            return
        self.latency.clear()
        self.failures.clear()
        self.hangs.clear()
        self.lost_connectivity = False
        self.ignore_commit = False
        self.crash_at = None
        self.release()

    def crash_point(self, name: str) -> None:
        """NetworkService.crash_hook (runs in the worker thread of the change): dies once at the chosen point."""
        if self.crash_at == name:
            self.crash_at = None
            raise SimulatedCrash(name)

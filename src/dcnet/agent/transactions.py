"""Network changes as transactions: journal → apply → verify → await confirmation → commit, or roll back.

The central promise lives here: a change never cuts the host off and never leaves it half-configured,
even if the agent is killed in the middle (the journal is on disk before the kernel is touched, and an
agent that starts with an open journal rolls back before serving)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from dcnet.agent import hooks
from dcnet.agent.backend import Backend, BackendError
from dcnet.agent.persistence import StateDir
from dcnet.domain.hostnet import canonical, capabilities, validation
from dcnet.domain.hostnet.codes import Code, SetupError
from dcnet.domain.hostnet.config import NetConfig, SetupOptions
from dcnet.domain.hostnet.desired import isolated_bridges
from dcnet.domain.hostnet.planning import plan
from dcnet.domain.hostnet.state import Features, HostState, state_from_dict, state_to_dict
from dcnet.domain.hostnet.verification import Verdict, verify

log = logging.getLogger("dcnet.agent.network")
VERIFY_GRACE_SECONDS = 3.0  # IPv6 on a moved address needs 1-2 s before the kernel shows it settled


class TransactionLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Every line about a change carries the engine's request and correlation ids."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra = self.extra or {}
        return f"[request={extra.get('requestId')} correlation={extra.get('correlationId')}] {msg}", kwargs


class NetworkService:
    def __init__(self, backend: Backend, state_dir: StateDir, clock: Callable[[], float] = time.monotonic) -> None:
        self.backend = backend
        self.state_dir = state_dir
        self.clock = clock
        self.features: Features = backend.probe()
        self._lock = threading.Lock()
        self._confirmed_at = float("-inf")
        self._open: dict[str, Any] | None = None
        self.crash_hook: Callable[[str], None] | None = None  # a simulated host's own crash points (fleet)
        self._follow(self.state_dir.running())

    def _follow(self, config: NetConfig) -> None:
        """Tell a backend that watches the host (Linux) which bridges isolate the ports plugged later."""
        follow = getattr(self.backend, "follow_isolation", None)
        if follow is not None:
            follow(isolated_bridges(config))

    # ---- verbs ---------------------------------------------------------------------------------
    def ping2(self) -> dict[str, Any]:
        return {"changeCounter": self.backend.change_counter()}

    def confirm_connectivity(self) -> None:
        self._confirmed_at = self.clock()

    def capabilities(self) -> dict[str, Any]:
        running = self.state_dir.running()
        report = capabilities.report(
            self.backend.query(), running, self.features, dirty=running != self.state_dir.safe()
        )
        report["changeCounter"] = self.backend.change_counter()
        return report

    def transaction(self, request_id: str) -> dict[str, Any]:
        if self._open is not None and self._open.get("requestId") == request_id:
            return {"requestId": request_id, "state": "open", "phase": self._open.get("phase")}
        for entry in reversed(self.state_dir.history()):
            if entry.get("requestId") == request_id:
                return entry
        return {"requestId": request_id, "state": "unknown"}

    def set_safe_config(self) -> None:
        with self._exclusive():
            self.state_dir.save_safe(self.state_dir.running())
            log.info("running network config saved as the safe config")

    def setup_networks(
        self, networks: dict[str, Any], bondings: dict[str, Any], options: dict[str, Any]
    ) -> dict[str, Any]:
        opts = canonical.canonical_options(options)
        tx_log = TransactionLog(log, {"requestId": opts.requestId, "correlationId": opts.correlationId})
        with self._exclusive():
            return self._setup(networks, bondings, opts, tx_log)

    # ---- the algorithm -------------------------------------------------------------------------
    def _setup(
        self, networks: dict[str, Any], bondings: dict[str, Any], opts: SetupOptions, tx_log: TransactionLog
    ) -> dict[str, Any]:
        requested_networks = {name: canonical.canonical_network(name, raw) for name, raw in networks.items()}
        requested_bonds = {name: canonical.canonical_bond(name, raw) for name, raw in bondings.items()}
        previous = self.state_dir.running()
        baseline = self.backend.query()
        desired = validation.merge(previous, requested_networks, requested_bonds, baseline)
        validation.validate(desired, baseline, self.features, previous)
        tx_log.info("setupNetworks: networks=%s bondings=%s options=%s", networks, bondings, opts.model_dump())
        started = self.clock()
        record = self._begin(opts, previous, desired, baseline)
        self._follow(desired)  # guests plugged while the change is applied are isolated too
        try:
            self._apply(baseline, previous, desired, tx_log)
            self._verify(desired, previous, opts, started, tx_log)
            self._crash_point("after_verify")
            if opts.connectivityCheck:
                self._await_confirmation(started, opts.connectivityTimeout, tx_log)
        except SetupError as error:
            self._roll_back(record, desired, previous, _reason(error), error.message, tx_log)
            raise
        except BackendError as error:
            self._roll_back(record, desired, previous, "error", str(error), tx_log)
            raise SetupError(Code.GENERAL, f"applying the change failed: {error}") from None
        self._commit(record, desired, opts, tx_log)
        return {"requestId": opts.requestId, "state": "committed"}

    def _begin(
        self, opts: SetupOptions, previous: NetConfig, desired: NetConfig, baseline: HostState
    ) -> dict[str, Any]:
        record = {
            "requestId": opts.requestId,
            "correlationId": opts.correlationId,
            "previous": previous.model_dump(by_alias=True),
            "desired": desired.model_dump(by_alias=True),
            "baseline": state_to_dict(baseline),
            "phase": "applying",
            "started": _now(),
        }
        self.state_dir.begin_transaction(record)  # on disk before the kernel is touched
        self._open = record
        self._crash_point("after_journal")
        return record

    def _apply(self, current: HostState, old: NetConfig, new: NetConfig, tx_log: TransactionLog) -> None:
        """`current` is the kernel as just read for validation (the host lock keeps dcnet from changing it)."""
        steps = plan(current, old, new)
        tx_log.info("plan: %d steps", len(steps))
        for number, step in enumerate(steps):
            if number == len(steps) // 2:
                self._crash_point("mid_apply")
            tx_log.info("step %d/%d: %s", number + 1, len(steps), step)
            self.backend.apply(step)
        if not steps:
            self._crash_point("mid_apply")

    def _verify(
        self, desired: NetConfig, previous: NetConfig, opts: SetupOptions, started: float, tx_log: TransactionLog
    ) -> None:
        """Mismatches get a short grace period; a missing DHCP lease may take the whole connectivity timeout."""
        grace_end = self.clock() + VERIFY_GRACE_SECONDS
        lease_end = started + max(opts.connectivityTimeout, VERIFY_GRACE_SECONDS)
        while True:
            verdict: Verdict = verify(desired, self.backend.query(), previous)
            if verdict.ok:
                tx_log.info("verify: the kernel matches the request")
                return
            now = self.clock()
            if verdict.mismatches and now >= grace_end:
                raise SetupError(Code.BAD_PARAMS, "verify failed: " + "; ".join(verdict.mismatches))
            if now >= lease_end:
                raise SetupError(Code.FAILED_IFUP, "verify failed: " + "; ".join(verdict.mismatches + verdict.pending))
            time.sleep(0.2)

    def _await_confirmation(self, started: float, timeout: float, tx_log: TransactionLog) -> None:
        if self._open is not None:
            self._open["phase"] = "awaiting confirmation"
        deadline = started + timeout
        while self.clock() < deadline:
            if self._confirmed_at >= started:
                tx_log.info("connectivity confirmed by the engine")
                return
            time.sleep(0.1)
        tx_log.warning("Connectivity check failed, rolling back")
        raise SetupError(
            Code.LOST_CONNECTION,
            f"connectivity check failed: no Host.confirmConnectivity within {timeout:g} s; the change was rolled back",
        )

    def _commit(self, record: dict[str, Any], desired: NetConfig, opts: SetupOptions, tx_log: TransactionLog) -> None:
        self.state_dir.save_running(desired)
        self._follow(desired)
        if opts.commitOnSuccess:
            self.state_dir.save_safe(desired)
        self.state_dir.end_transaction(_outcome(record, "committed"))
        self._open = None
        tx_log.info("committed%s", " and saved as safe config" if opts.commitOnSuccess else "")

    def _roll_back(
        self,
        record: dict[str, Any],
        attempted: NetConfig,
        previous: NetConfig,
        reason: str,
        message: str,
        tx_log: TransactionLog,
    ) -> None:
        tx_log.warning("rolling back (%s): %s", reason, message)
        self._restore(attempted, previous, tx_log, state_from_dict(record["baseline"]))
        self.state_dir.save_running(previous)
        self._follow(previous)
        self.state_dir.end_transaction(_outcome(record, "rolled_back", reason, message))
        self._open = None

    def _restore(
        self,
        current_config: NetConfig,
        target: NetConfig,
        tx_log: logging.LoggerAdapter,  # type: ignore[type-arg]
        baseline: HostState | None = None,
    ) -> None:
        """Best effort: every step is tried even when one fails, so as much as possible comes back;
        with `baseline` (the kernel before the change) released devices get their old state back."""
        for step in plan(self.backend.query(), current_config, target, baseline):
            try:
                self.backend.apply(step)
            except BackendError as error:
                tx_log.error("restore step %s failed: %s", step, error)
        verdict = verify(target, self.backend.query(), current_config)
        if verdict.mismatches:
            tx_log.error("after restore the kernel still differs: %s", "; ".join(verdict.mismatches))

    # ---- start-up and boot ---------------------------------------------------------------------
    def recover(self) -> dict[str, Any] | None:
        """An open journal means the agent died mid-change: roll back to the previous config."""
        record = self.state_dir.open_transaction()
        if record is None:
            return None
        tx_log = TransactionLog(
            log, {"requestId": record.get("requestId"), "correlationId": record.get("correlationId")}
        )
        previous = NetConfig.model_validate(record["previous"])
        attempted = NetConfig.model_validate(record["desired"])
        tx_log.warning("found an unfinished network change from %s; rolling back", record.get("started"))
        baseline = state_from_dict(record["baseline"]) if "baseline" in record else None
        self._restore(attempted, previous, tx_log, baseline)
        self.state_dir.save_running(previous)
        self._follow(previous)
        outcome = _outcome(record, "rolled_back", "crash", "the agent stopped before the change was confirmed")
        self.state_dir.end_transaction(outcome)
        return outcome

    def restore_safe_config(self) -> None:
        """What the host runs at boot: the safe config, whatever the running config was."""
        with self._exclusive():
            self.recover()
            running, safe = self.state_dir.running(), self.state_dir.safe()
            self._restore(running, safe, TransactionLog(log, {"requestId": "restore", "correlationId": None}))
            self.state_dir.save_running(safe)
            self._follow(safe)

    def _crash_point(self, name: str) -> None:
        if self.crash_hook is not None:
            self.crash_hook(name)
        hooks.crash_point(name)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        if not self._lock.acquire(blocking=False):
            raise SetupError(Code.UNAVAILABLE, "another network change is in progress on this host")
        try:
            yield
        finally:
            self._lock.release()


def _reason(error: SetupError) -> str:
    if error.code == Code.LOST_CONNECTION:
        return "connectivity"
    return "verify" if error.message.startswith("verify failed") else "error"


def _outcome(
    record: dict[str, Any], state: str, reason: str | None = None, message: str | None = None
) -> dict[str, Any]:
    outcome = {
        "requestId": record.get("requestId"),
        "correlationId": record.get("correlationId"),
        "state": state,
        "started": record.get("started"),
        "finished": _now(),
    }
    if reason is not None:
        outcome |= {"reason": reason, "message": message}
    return outcome


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

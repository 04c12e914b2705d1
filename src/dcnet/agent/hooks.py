"""Test-only hooks, present only with DCNET_TEST_HOOKS=1: kill the agent at a named point of a
transaction (DCNET_CRASH_AT=after_journal|mid_apply|after_verify) so tests can prove crash safety."""

from __future__ import annotations

import logging
import os

CRASH_POINTS = ("after_journal", "mid_apply", "after_verify")
log = logging.getLogger("dcnet.agent.hooks")


def enabled() -> bool:
    return os.environ.get("DCNET_TEST_HOOKS") == "1"


def crash_point(name: str) -> None:
    if enabled() and os.environ.get("DCNET_CRASH_AT") == name:
        log.warning("test hook: crashing at %s", name)
        os._exit(86)

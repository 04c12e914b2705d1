"""Shared fixtures. API suites run against both databases: SQLite always, PostgreSQL when the test
script started one (DCNET_TEST_PG_URL); with DCNET_REQUIRE_PG=1 (CI) a missing PostgreSQL fails."""

from __future__ import annotations

import os

import pytest

DATABASES = ["sqlite", "postgresql"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DCNET_TEST_PG_URL"):
        return
    required = os.environ.get("DCNET_REQUIRE_PG") == "1"
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            if required:
                raise pytest.UsageError("DCNET_REQUIRE_PG=1 but DCNET_TEST_PG_URL is not set")
            item.add_marker(pytest.mark.skip(reason="no PostgreSQL (set DCNET_TEST_PG_URL; scripts/test does)"))

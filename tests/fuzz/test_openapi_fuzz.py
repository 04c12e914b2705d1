"""Property-based fuzz of the API from its own OpenAPI spec: no input may produce a 5xx answer.

Runs against a real engine process on each database, with a bounded number of examples per operation
(DCNET_FUZZ_EXAMPLES, default 30)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.conftest import DATABASES
from tests.support.engine_process import EngineProcess, login, start_engine

schemathesis.experimental.OPEN_API_3_1.enable()
EXAMPLES = int(os.environ.get("DCNET_FUZZ_EXAMPLES", "30"))


@pytest.fixture(scope="module", params=DATABASES)
def fuzz_engine(request: pytest.FixtureRequest) -> Iterator[EngineProcess]:
    yield from start_engine(request.param)


@pytest.fixture(scope="module")
def fuzz_token(fuzz_engine: EngineProcess) -> str:
    return login(fuzz_engine)


@pytest.fixture(scope="module")
def api_schema(fuzz_engine: EngineProcess):  # type: ignore[no-untyped-def]
    return schemathesis.from_uri(f"{fuzz_engine.api_url}/openapi.json", base_url=fuzz_engine.base_url)


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_produces_a_server_error(case, fuzz_token: str) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {fuzz_token}"}, timeout=30)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
    case.validate_response(response, checks=(schemathesis.checks.not_a_server_error,))

"""server.py: the agent's JSON-RPC 2.0 endpoint, driven through Starlette's TestClient on the sim backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.agent.enrollment import Identity
from dcnet.agent.persistence import StateDir
from dcnet.agent.server import AgentApp
from dcnet.agent.transactions import NetworkService
from dcnet.rpc import verbs

PATH = verbs.PATH
NOT_ENROLLED_VERBS = [
    verbs.GET_CAPABILITIES,
    verbs.SETUP_NETWORKS,
    verbs.CONFIRM_CONNECTIVITY,
    verbs.SET_SAFE_NETWORK_CONFIG,
    verbs.GET_NETWORK_TRANSACTION,
]


def make_app(tmp_path: Path, *, enrolled: bool = True, identity: Identity | None = None) -> AgentApp:
    service = NetworkService(SimBackend(sim_host()), StateDir(tmp_path / "state"))
    return AgentApp(service, identity, enrolled=enrolled)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AgentApp:
    monkeypatch.delenv("DCNET_TEST_HOOKS", raising=False)
    return make_app(tmp_path)


@pytest.fixture
def client(app: AgentApp) -> Iterator[TestClient]:
    with TestClient(app.starlette()) as test_client:
        yield test_client


def call(method: str, params: Any = None, call_id: Any = 1) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": call_id}
    if params is not None:
        body["params"] = params
    return body


def rpc(client: TestClient, method: str, params: Any = None, call_id: Any = 1) -> dict[str, Any]:
    response = client.post(PATH, json=call(method, params, call_id))
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    assert answer["jsonrpc"] == "2.0"
    assert answer["id"] == call_id
    return answer


SETUP_NO_CHECK = {
    "networks": {"red": {"nic": "eth1"}},
    "bondings": {},
    "options": {"connectivityCheck": False, "requestId": "r1", "correlationId": "c1"},
}


# --- results -----------------------------------------------------------------------------------------------


def test_ping2_result_shape(client: TestClient) -> None:
    assert rpc(client, verbs.PING2) == {
        "jsonrpc": "2.0",
        "id": 1,
        "result": {"status": {"code": 0, "message": "Done"}, "changeCounter": 0},
    }


def test_ping2_change_counter_moves_after_a_change(client: TestClient) -> None:
    rpc(client, verbs.SETUP_NETWORKS, SETUP_NO_CHECK)
    assert rpc(client, verbs.PING2)["result"]["changeCounter"] > 0


@pytest.mark.parametrize("call_id", [7, "abc", 0], ids=["int", "string", "zero"])
def test_the_answer_echoes_the_id(client: TestClient, call_id: Any) -> None:
    assert rpc(client, verbs.PING2, call_id=call_id)["id"] == call_id


def test_get_capabilities_shape(client: TestClient) -> None:
    result = rpc(client, verbs.GET_CAPABILITIES)["result"]
    assert result["status"] == {"code": 0, "message": "Done"}
    assert {"nics", "bondings", "vlans", "bridges", "networks", "netConfigDirty", "features", "changeCounter"} <= set(
        result
    )
    assert sorted(result["nics"]) == ["eth0", "eth1", "eth2", "eth3"]


def test_setup_networks_then_transaction_and_safe_config(client: TestClient) -> None:
    result = rpc(client, verbs.SETUP_NETWORKS, SETUP_NO_CHECK)["result"]
    assert result == {"status": {"code": 0, "message": "Done"}, "requestId": "r1", "state": "committed"}
    transaction = rpc(client, verbs.GET_NETWORK_TRANSACTION, {"requestId": "r1"})["result"]
    assert (transaction["state"], transaction["requestId"], transaction["correlationId"]) == ("committed", "r1", "c1")
    assert rpc(client, verbs.GET_CAPABILITIES)["result"]["netConfigDirty"] is True
    assert rpc(client, verbs.SET_SAFE_NETWORK_CONFIG, {})["result"] == {"status": {"code": 0, "message": "Done"}}
    assert rpc(client, verbs.GET_CAPABILITIES)["result"]["netConfigDirty"] is False


def test_confirm_connectivity_result(client: TestClient) -> None:
    assert rpc(client, verbs.CONFIRM_CONNECTIVITY)["result"] == {"status": {"code": 0, "message": "Done"}}


def test_unknown_transaction(client: TestClient) -> None:
    result = rpc(client, verbs.GET_NETWORK_TRANSACTION, {"requestId": "nope"})["result"]
    assert (result["state"], result["reason"]) == ("unknown", None)


# --- agent errors as JSON-RPC error objects ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("networks", "bondings", "code", "fragment"),
    [
        pytest.param(
            {"red": {"nic": "eth1", "vlan": 5000}}, {}, 26, "VLAN id 5000 is out of range 0-4094", id="vlan-5000-26"
        ),
        pytest.param({"red": {"nic": "eth9"}}, {}, 23, "nic eth9 does not exist", id="unknown-nic-23"),
        pytest.param({}, {"bond0": {"nics": ["eth1"]}}, 25, "needs at least 2 slaves", id="one-slave-25"),
        pytest.param({"red": {"remove": True}}, {}, 27, "does not exist", id="remove-unknown-27"),
    ],
)
def test_setup_networks_refusal_is_an_error_object_with_the_agent_code(
    client: TestClient, networks: dict[str, Any], bondings: dict[str, Any], code: int, fragment: str
) -> None:
    answer = rpc(client, verbs.SETUP_NETWORKS, {"networks": networks, "bondings": bondings, "options": {}})
    assert "result" not in answer
    error = answer["error"]
    assert error["code"] == code
    assert fragment in error["message"]
    assert error["data"]["name"] in ("BAD_VLAN", "BAD_NIC", "BAD_BONDING", "BAD_BRIDGE")


def test_setup_networks_error_data_names_the_code(client: TestClient) -> None:
    params = {"networks": {"red": {"nic": "eth1", "vlan": 5000}}, "bondings": {}, "options": {}}
    assert rpc(client, verbs.SETUP_NETWORKS, params)["error"]["data"] == {
        "name": "BAD_VLAN",
        "text": "Invalid VLan definition",
    }


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"networks": {}, "options": {}}, id="bondings-missing"),
        pytest.param({"networks": {}, "bondings": {}}, id="options-missing"),
        pytest.param({"networks": [], "bondings": {}, "options": {}}, id="networks-not-a-map"),
        pytest.param({"networks": {}, "bondings": {}, "options": {}, "extra": 1}, id="unknown-param"),
    ],
)
def test_setup_networks_bad_params_are_32602(client: TestClient, params: dict[str, Any]) -> None:
    assert rpc(client, verbs.SETUP_NETWORKS, params)["error"]["code"] == -32602


def test_get_network_transaction_without_request_id_is_32602(client: TestClient) -> None:
    assert rpc(client, verbs.GET_NETWORK_TRANSACTION, {})["error"]["code"] == -32602


# --- JSON-RPC protocol errors ------------------------------------------------------------------------------


def test_unknown_method_is_32601(client: TestClient) -> None:
    error = rpc(client, "Host.frobnicate")["error"]
    assert error["code"] == -32601
    assert "Host.frobnicate" in error["message"]


@pytest.mark.parametrize("params", [[], ["a", 1], "text", 3], ids=["empty-list", "list", "string", "number"])
def test_params_not_an_object_is_32602(client: TestClient, params: Any) -> None:
    assert rpc(client, verbs.PING2, params)["error"]["code"] == -32602


@pytest.mark.parametrize(
    "body", [b"{not json", b"", b"\xff\xfe", b'{"jsonrpc": "2.0", "method": "Host.ping2", "id": 1']
)
def test_parse_error_is_32700_with_null_id(client: TestClient, body: bytes) -> None:
    response = client.post(PATH, content=body, headers={"content-type": "application/json"})
    assert response.json() == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"jsonrpc": "1.0", "method": "Host.ping2", "id": 1}, id="wrong-version"),
        pytest.param({"method": "Host.ping2", "id": 1}, id="no-version"),
        pytest.param({"jsonrpc": "2.0", "method": 5, "id": 1}, id="method-not-a-string"),
        pytest.param("Host.ping2", id="not-an-object"),
        pytest.param([], id="empty-batch"),
    ],
)
def test_invalid_request_is_32600(client: TestClient, body: Any) -> None:
    answer = client.post(PATH, json=body).json()
    assert answer["error"]["code"] == -32600
    assert answer["id"] is None


# --- batches and notifications -----------------------------------------------------------------------------


def test_batch_answers_every_call_in_order(client: TestClient) -> None:
    batch = [
        call(verbs.PING2, call_id=1),
        call("Host.nope", call_id=2),
        {"jsonrpc": "2.0", "method": verbs.CONFIRM_CONNECTIVITY},  # a notification: no answer
        call(verbs.PING2, [], call_id=3),
        call(
            verbs.SETUP_NETWORKS,
            {"networks": {"r": {"nic": "eth1", "vlan": 5000}}, "bondings": {}, "options": {}},
            call_id=4,
        ),
        "junk",
    ]
    answers = client.post(PATH, json=batch).json()
    assert [answer.get("id") for answer in answers] == [1, 2, 3, 4, None]
    assert answers[0]["result"]["status"]["code"] == 0
    assert [answer["error"]["code"] for answer in answers[1:]] == [-32601, -32602, 26, -32600]


def test_notification_produces_no_answer(client: TestClient, app: AgentApp) -> None:
    response = client.post(PATH, json={"jsonrpc": "2.0", "method": verbs.CONFIRM_CONNECTIVITY})
    assert response.status_code == 204
    assert response.content == b""
    assert app.service._confirmed_at > float("-inf")  # it was executed all the same


def test_failing_notification_produces_no_answer(client: TestClient) -> None:
    response = client.post(PATH, json={"jsonrpc": "2.0", "method": "Host.nope"})
    assert response.content == b""


def test_batch_of_notifications_produces_no_answer(client: TestClient) -> None:
    response = client.post(
        PATH, json=[{"jsonrpc": "2.0", "method": verbs.PING2}, {"jsonrpc": "2.0", "method": verbs.PING2}]
    )
    assert response.content == b""


def test_request_with_null_id_is_answered(client: TestClient) -> None:
    response = client.post(PATH, json={"jsonrpc": "2.0", "method": verbs.PING2, "id": None})
    assert response.status_code == 200
    assert response.json()["result"]["status"]["code"] == 0


# --- before enrollment -------------------------------------------------------------------------------------


@pytest.fixture
def enrolling(tmp_path: Path) -> Iterator[tuple[TestClient, Identity]]:
    identity = Identity(tmp_path / "identity", hostname="host-0")
    identity.dir.mkdir()
    identity.prepare()
    app = make_app(tmp_path, enrolled=False, identity=identity)
    with TestClient(app.starlette()) as test_client:
        yield test_client, identity


def test_not_enrolled_serves_ping2(enrolling: tuple[TestClient, Identity]) -> None:
    client, _ = enrolling
    assert rpc(client, verbs.PING2)["result"]["status"]["code"] == 0


@pytest.mark.parametrize("method", NOT_ENROLLED_VERBS)
def test_not_enrolled_refuses_every_other_verb_with_403(enrolling: tuple[TestClient, Identity], method: str) -> None:
    client, _ = enrolling
    params = {"requestId": "r1"} if method == verbs.GET_NETWORK_TRANSACTION else {}
    error = rpc(client, method, params)["error"]
    assert error["code"] == 403
    assert "not enrolled" in error["message"]


def test_not_enrolled_serves_enrollment_verbs(enrolling: tuple[TestClient, Identity]) -> None:
    client, identity = enrolling
    error = rpc(client, verbs.BEGIN_ENROLLMENT, {"token": "wrong", "caCertificate": "x"})["error"]
    assert (error["code"], error["message"]) == (401, "wrong enrollment token")
    token = identity.token_path.read_text().strip()
    error = rpc(client, verbs.COMPLETE_ENROLLMENT, {"token": token, "certificate": "x"})["error"]
    assert (error["code"], error["message"]) == (21, "call Host.beginEnrollment first")


def test_enrolled_agent_refuses_enrollment(client: TestClient) -> None:
    error = rpc(client, verbs.BEGIN_ENROLLMENT, {"token": "t", "caCertificate": "x"})["error"]
    assert error["code"] == 401


def test_before_enrollment_verbs_are_exactly_ping2_and_enrollment() -> None:
    assert {verbs.PING2, verbs.BEGIN_ENROLLMENT, verbs.COMPLETE_ENROLLMENT} == verbs.BEFORE_ENROLLMENT


# --- test hooks --------------------------------------------------------------------------------------------


def test_test_hook_is_absent_without_the_environment_switch(client: TestClient) -> None:
    assert rpc(client, verbs.TEST_HOOK, {"action": "touch"})["error"]["code"] == -32601


@pytest.mark.parametrize("value", ["0", "yes", "true", ""])
def test_test_hook_needs_exactly_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DCNET_TEST_HOOKS", value)
    with TestClient(make_app(tmp_path).starlette()) as client:
        assert rpc(client, verbs.TEST_HOOK, {"action": "touch"})["error"]["code"] == -32601


def test_test_hook_present_with_the_environment_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DCNET_TEST_HOOKS", "1")
    with TestClient(make_app(tmp_path).starlette()) as client:
        assert rpc(client, verbs.TEST_HOOK, {"action": "touch"})["result"]["status"]["code"] == 0
        assert rpc(client, verbs.PING2)["result"]["changeCounter"] == 1
        assert rpc(client, verbs.TEST_HOOK, {"action": "explode"})["error"]["code"] == 21


def test_only_post_is_served(client: TestClient) -> None:
    assert client.get(PATH).status_code == 405


def test_internal_errors_are_code_100_without_details(
    client: TestClient, app: AgentApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom() -> dict[str, Any]:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(app.service, "capabilities", boom)
    error = rpc(client, verbs.GET_CAPABILITIES)["error"]
    assert error["code"] == 100
    assert "secret detail" not in json.dumps(error)

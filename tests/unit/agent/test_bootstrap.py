"""The management network an agent builds at enrollment (legacy 3.0 clusters, node hosts; management-network.md
§7, §8) and Host.restart, driven through AgentApp.answer_body on the sim backend (no sockets): the local
address of the engine's connection is what answer_body is given."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from dcnet.agent import bootstrap
from dcnet.agent.backends.sim import SimBackend, sim_host
from dcnet.agent.enrollment import Identity
from dcnet.agent.fleet.topology import HostSpec, host_state
from dcnet.agent.persistence import StateDir
from dcnet.agent.server import AgentApp
from dcnet.agent.transactions import NetworkService
from dcnet.domain.hostnet.state import HostState
from dcnet.rpc import verbs
from dcnet.rpc.models import BeginEnrollmentParams
from tests.integration.pki import EngineCA

HOST_ADDRESS = "192.0.2.10"  # sim_host()'s address on eth0


# ---- pure helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        (("10.1.2.3", 54321), "10.1.2.3"),
        (("::ffff:10.1.2.3", 54321), "10.1.2.3"),
        (("::ffff:a01:203", 54321), "10.1.2.3"),
        (("2001:0db8::0001", 54321), "2001:db8::1"),
        (("fe80::1%eth0", 54321), "fe80::1"),
        (("testserver", 80), "testserver"),
        (None, None),
    ],
)
def test_local_address_is_the_address_the_host_reports(server: Any, expected: str | None) -> None:
    assert bootstrap.local_address(server) == expected


@pytest.mark.parametrize(
    ("legacy", "network", "node", "expected"),
    [
        (False, None, False, None),
        (False, "mgmt", False, None),
        (True, None, False, "ovirtmgmt"),
        (True, "mgmt", False, "mgmt"),
        (False, None, True, "ovirtmgmt"),
        (False, "mgmt", True, "mgmt"),
    ],
)
def test_bootstrap_runs_for_legacy_requests_and_always_on_node_hosts(
    legacy: bool, network: str | None, node: bool, expected: str | None
) -> None:
    request = BeginEnrollmentParams(token="t", caCertificate="c", managementNetwork=network, legacyBootstrap=legacy)
    assert bootstrap.wanted_network(request, node=node) == expected


# ---- enrollment with the bootstrap --------------------------------------------------------------


def make_agent(
    tmp_path: Path, *, node: bool = False, on_restart: Any = None, kernel: HostState | None = None
) -> tuple[AgentApp, Identity]:
    service = NetworkService(SimBackend(kernel or sim_host()), StateDir(tmp_path / "state"))
    (tmp_path / "identity").mkdir()
    identity = Identity(tmp_path / "identity", "h1.lab.test", durable=False)
    identity.prepare()
    return AgentApp(service, identity, enrolled=False, node=node, on_restart=on_restart), identity


def rpc(app: AgentApp, method: str, params: dict[str, Any] | None = None, *, local: str | None = HOST_ADDRESS) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}).encode()
    return asyncio.run(app.answer_body(body, local_address=local))


def enroll(
    app: AgentApp, identity: Identity, ca: EngineCA, *, local: str | None = HOST_ADDRESS, **begin: Any
) -> dict[str, Any]:
    """Both steps as the engine sends them; the answer to Host.completeEnrollment."""
    token = identity.token_path.read_text().strip()
    started = rpc(app, verbs.BEGIN_ENROLLMENT, {"token": token, "caCertificate": ca.pem, **begin}, local=local)
    signed = ca.sign_csr(started["result"]["csr"])
    answer: dict[str, Any] = rpc(app, verbs.COMPLETE_ENROLLMENT, {"token": token, "certificate": signed}, local=local)
    if "result" in answer:
        app.enrolled = True  # the real agent re-executes (on_enrolled) into this state
    return answer


def test_legacy_bootstrap_builds_a_bridged_management_network_over_the_engines_address(tmp_path: Path) -> None:
    app, identity = make_agent(tmp_path)
    answer = enroll(app, identity, EngineCA.create(), legacyBootstrap=True)
    assert answer["result"]["status"]["code"] == 0
    assert identity.enrolled and not identity.token_path.exists()
    caps = app.service.capabilities()
    network = caps["networks"]["ovirtmgmt"]
    assert network["bridged"] is True and network["ports"] == ["eth0"]
    assert network["ipv4addrs"] == [f"{HOST_ADDRESS}/24"]
    assert caps["nics"]["eth0"]["ipv4addrs"] == []
    assert caps["netConfigDirty"] is False  # committed as the safe config in the same call


def test_bootstrap_uses_the_management_network_name_from_the_enrollment(tmp_path: Path) -> None:
    app, identity = make_agent(tmp_path)
    enroll(app, identity, EngineCA.create(), legacyBootstrap=True, managementNetwork="mgmt")
    assert set(app.service.capabilities()["networks"]) == {"mgmt"}


def test_node_host_bootstraps_without_being_asked(tmp_path: Path) -> None:
    app, identity = make_agent(tmp_path, node=True)
    enroll(app, identity, EngineCA.create())
    assert app.service.capabilities()["networks"]["ovirtmgmt"]["bridged"] is True


def test_without_legacy_bootstrap_enrollment_builds_nothing(tmp_path: Path) -> None:
    app, identity = make_agent(tmp_path)
    enroll(app, identity, EngineCA.create(), managementNetwork="ovirtmgmt")
    assert identity.enrolled
    assert app.service.capabilities()["networks"] == {}


def test_bootstrap_on_a_compliant_host_sends_nothing(tmp_path: Path) -> None:
    app, identity = make_agent(tmp_path)
    network = {"nic": "eth0", "bridged": True, "ipaddr": HOST_ADDRESS, "prefix": 24}
    app.service.setup_networks({"ovirtmgmt": network}, {}, {"connectivityCheck": False, "commitOnSuccess": True})
    counter = app.service.ping2()["changeCounter"]
    enroll(app, identity, EngineCA.create(), legacyBootstrap=True)
    assert identity.enrolled
    assert app.service.ping2()["changeCounter"] == counter


def test_bootstrap_failure_is_code_21_and_leaves_the_agent_unenrolled_with_its_token(tmp_path: Path) -> None:
    """The engine reached an address no device holds: nothing to build on; the same token works again."""
    app, identity = make_agent(tmp_path)
    ca = EngineCA.create()
    token = identity.token_path.read_text().strip()
    answer = enroll(app, identity, ca, local="203.0.113.9", legacyBootstrap=True)
    error = answer["error"]
    assert error["code"] == 21
    assert "no device on host h1.lab.test holds any of them" in error["message"]
    assert error["data"]["event"] == 100007 and error["data"]["params"]["Addresses"] == "203.0.113.9"
    assert not identity.enrolled and not app.enrolled
    assert identity.token_path.read_text().strip() == token
    assert app.service.capabilities()["networks"] == {}
    assert enroll(app, identity, ca, legacyBootstrap=True)["result"]["status"]["code"] == 0
    assert identity.enrolled and "ovirtmgmt" in app.service.capabilities()["networks"]


def test_bootstrap_refuses_a_one_slave_bond_with_event_1118(tmp_path: Path) -> None:
    spec = HostSpec.model_validate({"management": "bond0", "bonds": {"bond0": {"slaves": ["eth1"]}}})
    app, identity = make_agent(tmp_path, kernel=host_state(spec, "h1", "198.51.100.7", 1))
    answer = enroll(app, identity, EngineCA.create(), local="198.51.100.7", legacyBootstrap=True)
    assert answer["error"]["code"] == 21 and answer["error"]["data"]["event"] == 1118
    assert not identity.enrolled


def test_bootstrap_needs_the_engines_address(tmp_path: Path) -> None:
    app, identity = make_agent(tmp_path)
    answer = enroll(app, identity, EngineCA.create(), local=None, legacyBootstrap=True)
    assert answer["error"]["code"] == 21 and not identity.enrolled


def test_wrong_certificate_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    app, identity = make_agent(tmp_path)
    token = identity.token_path.read_text().strip()
    started = rpc(app, verbs.BEGIN_ENROLLMENT, {"token": token, "caCertificate": EngineCA.create().pem,
                                                 "legacyBootstrap": True})  # fmt: skip
    rogue = EngineCA.create("rogue").sign_csr(started["result"]["csr"])
    answer = rpc(app, verbs.COMPLETE_ENROLLMENT, {"token": token, "certificate": rogue})
    assert answer["error"]["code"] == 401
    assert app.service.capabilities()["networks"] == {}


def test_the_bootstrap_request_survives_an_agent_restart_between_the_two_steps(tmp_path: Path) -> None:
    app, identity = make_agent(tmp_path)
    ca = EngineCA.create()
    token = identity.token_path.read_text().strip()
    started = rpc(app, verbs.BEGIN_ENROLLMENT, {"token": token, "caCertificate": ca.pem, "legacyBootstrap": True})
    again = Identity(tmp_path / "identity", "h1.lab.test", durable=False)
    assert again.pending_bootstrap() == "ovirtmgmt"
    restarted = AgentApp(app.service, again, enrolled=False)
    signed = ca.sign_csr(started["result"]["csr"])
    assert "result" in rpc(restarted, verbs.COMPLETE_ENROLLMENT, {"token": token, "certificate": signed})
    assert "ovirtmgmt" in app.service.capabilities()["networks"]
    assert again.pending_bootstrap() is None


# ---- Host.restart -------------------------------------------------------------------------------


def restart_call(app: AgentApp) -> dict[str, Any]:
    async def scenario() -> Any:
        answer = await app.answer_body(
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": verbs.RESTART, "params": {}}).encode()
        )
        await asyncio.sleep(0.5)  # the restart comes after the answer
        return answer

    answer: dict[str, Any] = asyncio.run(scenario())
    return answer


def test_restart_answers_first_then_restarts(tmp_path: Path) -> None:
    restarted = threading.Event()
    app, _ = make_agent(tmp_path, on_restart=restarted.set)
    app.enrolled = True
    answer = restart_call(app)
    assert answer["result"]["status"]["code"] == 0
    assert restarted.is_set()


def test_restart_is_not_served_before_enrollment(tmp_path: Path) -> None:
    restarted = threading.Event()
    app, _ = make_agent(tmp_path, on_restart=restarted.set)
    assert restart_call(app)["error"]["code"] == 403
    assert not restarted.is_set()


def test_restart_is_refused_with_40_while_a_change_is_in_progress(tmp_path: Path) -> None:
    restarted = threading.Event()
    app, _ = make_agent(tmp_path, on_restart=restarted.set)
    app.enrolled = True
    with app.service._exclusive():
        assert restart_call(app)["error"]["code"] == 40
    assert not restarted.is_set()


def test_restart_without_a_way_to_restart_is_code_100(tmp_path: Path) -> None:
    app, _ = make_agent(tmp_path)
    app.enrolled = True
    assert restart_call(app)["error"]["code"] == 100


def test_check_certificate_commits_nothing(tmp_path: Path) -> None:
    _, identity = make_agent(tmp_path)
    ca = EngineCA.create()
    token = identity.token_path.read_text().strip()
    csr = identity.begin(token, ca.pem)
    identity.remember_bootstrap("ovirtmgmt")
    signed = ca.sign_csr(csr)
    identity.check_certificate(token, signed)
    assert not identity.enrolled and identity.token_path.exists() and identity.pending_bootstrap() == "ovirtmgmt"
    identity.commit(signed)
    assert identity.enrolled and not identity.token_path.exists() and identity.pending_bootstrap() is None

"""The management network a real agent builds at enrollment (legacy 3.0 clusters, node hosts;
management-network.md §7, §8) on real lab hosts: the agent starts waiting for enrollment (HTTPS with its
self-signed certificate), the test enrolls it from the root namespace like the engine does, and the answer
to Host.completeEnrollment comes back on the same TCP connection after the host's addresses moved onto
the new bridge. Then mutual TLS only, and Host.restart brings the agent back with the same layout."""

from __future__ import annotations

import http.client
import json
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from dcnet.lab import Lab
from dcnet.rpc import verbs
from dcnet.rpc.client import TlsFiles
from tests.integration.pki import EngineCA
from tests.lab import agent_support as ag


@dataclass
class Enrolling:
    """A lab host whose agent waits for enrollment."""

    name: str
    state_dir: Path
    address: str  # the address the engine dials (IPv6 in brackets)

    @property
    def token(self) -> str:
        return (self.state_dir / "enrollment-token").read_text().strip()


def start_enrolling_agent(lab: Lab, name: str, state_dir: Path, *extra: str) -> None:
    lab.start_agent(
        name, ["serve", "--listen", f"[::]:{ag.PORT}", "--backend", "real", "--state-dir", str(state_dir), *extra]
    )
    deadline = time.monotonic() + 30
    while not (state_dir / "enrollment-token").exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"no enrollment token:\n{lab.agent_log(name).read_text()[-3000:]}")
        time.sleep(0.1)


@pytest.fixture
def enrolling(lab: Lab, tmp_path: Path) -> Iterator[Any]:
    """Factory: (host, extra serve args, ipv6?) → an agent waiting for enrollment; every host reset afterwards."""
    used: list[tuple[str, str]] = []

    def make(name: str, *extra: str, ipv6: bool = False) -> Enrolling:
        state_dir = tmp_path / f"agent-{name}"
        used.append((name, str(state_dir)))
        ag.reset_host(lab, name, str(state_dir))
        start_enrolling_agent(lab, name, state_dir, *extra)
        h = lab.host(name)
        return Enrolling(name, state_dir, f"[{h.ipv6}]" if ipv6 else h.ipv4)

    yield make
    for name, state_dir in used:
        ag.reset_host(lab, name, state_dir)


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the engine does not know the agent's self-signed certificate yet
    return context


def rpc_on(connection: http.client.HTTPSConnection, method: str, params: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    connection.request("POST", verbs.PATH, body, {"Content-Type": "application/json"})
    answer: dict[str, Any] = json.loads(connection.getresponse().read())
    return answer


def enroll_on_one_connection(host: Enrolling, ca: EngineCA, **begin: Any) -> dict[str, Any]:
    """Both enrollment steps on one TCP connection, which must outlive the address move the bootstrap makes."""
    connection = http.client.HTTPSConnection(host.address.strip("[]"), ag.PORT, timeout=120, context=unverified())
    try:
        token = host.token
        started = rpc_on(connection, verbs.BEGIN_ENROLLMENT, {"token": token, "caCertificate": ca.pem, **begin})
        sock = connection.sock
        signed = ca.sign_csr(started["result"]["csr"])
        answer = rpc_on(connection, verbs.COMPLETE_ENROLLMENT, {"token": token, "certificate": signed})
        assert connection.sock is sock, "the answer came on another connection"
        return answer
    finally:
        connection.close()


class MutualTls:
    """The engine's client over mutual TLS, after enrollment."""

    def __init__(self, lab: Lab, host: Enrolling, ca: EngineCA, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        ca_file, cert_file, key_file = ca.client_files(directory)
        self.context = TlsFiles(str(ca_file), str(cert_file), str(key_file)).context()
        self.url = f"https://{host.address}:{ag.PORT}{verbs.PATH}"
        self.lab, self.host = lab, host

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}
        with httpx.Client(verify=self.context, timeout=30) as client:
            answer = client.post(self.url, json=body).json()
        if "error" in answer:
            raise ag.RpcError(answer["error"]["code"], answer["error"]["message"])
        return answer["result"]

    def wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.call(verbs.PING2)
                return
            except (httpx.HTTPError, ssl.SSLError):
                if time.monotonic() > deadline:
                    log = self.lab.agent_log(self.host.name).read_text()[-3000:]
                    raise AssertionError(f"no answer over mutual TLS:\n{log}") from None
                time.sleep(0.2)


def assert_management_bridge_over_eth0(lab: Lab, name: str) -> None:
    """`ip -j`: bridge ovirtmgmt with eth0 as its port, the host's addresses on the bridge, none on eth0."""
    h = lab.host(name)
    bridge = ag.link(lab, name, "ovirtmgmt")
    assert bridge is not None and bridge.get("linkinfo", {}).get("info_kind") == "bridge"
    assert ag.link(lab, name, "eth0")["master"] == "ovirtmgmt"
    assert ag.addresses(lab, name, "eth0") == []
    on_bridge = {f"{a['local']}/{a['prefixlen']}" for a in ag.addresses(lab, name, "ovirtmgmt")}
    assert on_bridge == {f"{h.ipv4}/16", f"{h.ipv6}/64"}


def assert_enrolled_with_bridge_and_survives_restart(lab: Lab, host: Enrolling, engine: MutualTls) -> None:
    engine.wait()
    caps = engine.call(verbs.GET_CAPABILITIES)
    network = caps["networks"]["ovirtmgmt"]
    assert network["bridged"] is True and network["ports"] == ["eth0"]
    assert caps["netConfigDirty"] is False
    assert engine.call(verbs.RESTART)["status"]["code"] == 0
    time.sleep(1.0)
    engine.wait()
    assert_management_bridge_over_eth0(lab, host.name)
    caps = engine.call(verbs.GET_CAPABILITIES)
    assert caps["networks"]["ovirtmgmt"]["bridged"] is True and caps["netConfigDirty"] is False
    assert "safe network config restored" in (host.state_dir / "agent.log").read_text()


def test_legacy_bootstrap_bridges_eth0_keeps_the_engine_connection_and_survives_restart(
    lab: Lab, enrolling: Any, tmp_path: Path
) -> None:
    host: Enrolling = enrolling("h1")
    ca = EngineCA.create()
    answer = enroll_on_one_connection(host, ca, legacyBootstrap=True, managementNetwork="ovirtmgmt")
    assert answer["result"]["status"]["code"] == 0, answer
    assert_management_bridge_over_eth0(lab, host.name)
    assert not (host.state_dir / "enrollment-token").exists()
    assert_enrolled_with_bridge_and_survives_restart(lab, host, MutualTls(lab, host, ca, tmp_path / "engine"))


def test_node_host_bootstraps_without_being_asked_over_ipv6(lab: Lab, enrolling: Any, tmp_path: Path) -> None:
    """`serve --node`, enrolled over IPv6: the active interface is found by the IPv6 address dialled."""
    host: Enrolling = enrolling("h2", "--node", ipv6=True)
    ca = EngineCA.create()
    answer = enroll_on_one_connection(host, ca)
    assert answer["result"]["status"]["code"] == 0, answer
    assert_management_bridge_over_eth0(lab, host.name)
    assert_enrolled_with_bridge_and_survives_restart(lab, host, MutualTls(lab, host, ca, tmp_path / "engine"))


def test_without_bootstrap_enrollment_leaves_the_network_alone(lab: Lab, enrolling: Any, tmp_path: Path) -> None:
    host: Enrolling = enrolling("h1")
    before = ag.kernel_snapshot(lab, host.name)
    ca = EngineCA.create()
    assert enroll_on_one_connection(host, ca)["result"]["status"]["code"] == 0
    engine = MutualTls(lab, host, ca, tmp_path / "engine")
    engine.wait()
    assert engine.call(verbs.GET_CAPABILITIES)["networks"] == {}
    assert ag.kernel_snapshot(lab, host.name) == before

"""The engine<->agent contract over real HTTP(S): the engine's async client against an agent process."""

from __future__ import annotations

import asyncio
import ssl
import time
from pathlib import Path

import httpx
import pytest

from dcnet.rpc.client import AgentClient, TlsFiles
from dcnet.rpc.errors import AgentError
from tests.integration.conftest import AgentProcess
from tests.integration.pki import EngineCA


async def _wait(client: AgentClient) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            await client.ping2()
            return
        except AgentError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def test_contract_over_plain_http_dev_mode(agent_factory) -> None:  # type: ignore[no-untyped-def]
    agent: AgentProcess = agent_factory("--insecure-dev")

    async def scenario() -> None:
        async with AgentClient(f"http://{agent.address}") as client:
            await _wait(client)
            before = (await client.ping2()).changeCounter
            caps = await client.get_capabilities()
            assert "eth0" in caps.nics and caps.nics["eth0"]["ipv4addrs"] == ["192.0.2.10/24"]
            assert caps.features == {"kernel_vlan": True, "kernel_bond": True, "ovs": False, "dhcp_client": True}
            with pytest.raises(AgentError) as bad:
                await client.setup_networks({"red": {"nic": "eth1", "vlan": 5000}}, {}, {}, timeout=10)
            assert bad.value.code == 26 and "5000" in bad.value.message
            with pytest.raises(AgentError) as one_slave:
                await client.setup_networks({}, {"bond0": {"nics": ["eth1"]}}, {}, timeout=10)
            assert one_slave.value.code == 25
            options = {
                "connectivityCheck": True,
                "connectivityTimeout": 5,
                "requestId": "req-1",
                "correlationId": "c-1",
            }
            change = asyncio.create_task(
                client.setup_networks(
                    {"red": {"nic": "eth1", "vlan": 10, "ipaddr": "198.51.100.5", "prefix": 24}},
                    {},
                    options,
                    timeout=20,
                )
            )
            await asyncio.sleep(0.3)
            with pytest.raises(AgentError) as busy:
                await client.setup_networks({"blue": {"nic": "eth2"}}, {}, {"connectivityCheck": False}, timeout=10)
            assert busy.value.code == 40
            assert (await client.get_network_transaction("req-1")).state == "open"
            await client.confirm_connectivity()
            result = await change
            assert result["state"] == "committed"
            outcome = await client.get_network_transaction("req-1")
            assert outcome.state == "committed" and outcome.correlationId == "c-1"
            caps = await client.get_capabilities()
            assert caps.networks["red"]["vlanid"] == 10 and caps.netConfigDirty is True
            assert (await client.ping2()).changeCounter > before
            await client.set_safe_network_config()
            assert (await client.get_capabilities()).netConfigDirty is False

    asyncio.run(scenario())


def test_unconfirmed_change_rolls_back_with_code_10(agent_factory) -> None:  # type: ignore[no-untyped-def]
    agent: AgentProcess = agent_factory("--insecure-dev")

    async def scenario() -> None:
        async with AgentClient(f"http://{agent.address}") as client:
            await _wait(client)
            options = {"connectivityCheck": True, "connectivityTimeout": 1, "requestId": "req-2"}
            with pytest.raises(AgentError) as lost:
                await client.setup_networks({"red": {"nic": "eth1"}}, {}, options, timeout=20)
            assert lost.value.code == 10
            outcome = await client.get_network_transaction("req-2")
            assert outcome.state == "rolled_back" and outcome.reason == "connectivity"
            assert "red" not in (await client.get_capabilities()).networks

    asyncio.run(scenario())


def test_batch_and_notification(agent_factory) -> None:  # type: ignore[no-untyped-def]
    agent: AgentProcess = agent_factory("--insecure-dev")
    asyncio.run(_wait(AgentClient(f"http://{agent.address}")))
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "Host.ping2", "params": {}},
        {"jsonrpc": "2.0", "method": "Host.confirmConnectivity", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "Host.nothing", "params": {}},
    ]
    answer = httpx.post(f"http://{agent.address}/jsonrpc", json=batch).json()
    assert [item["id"] for item in answer] == [1, 2]
    assert answer[1]["error"]["code"] == -32601


def test_enrollment_then_mutual_tls_only(agent_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    agent: AgentProcess = agent_factory()
    token = agent.token()
    ca = EngineCA.create()
    ca_file, cert_file, key_file = ca.client_files(tmp_path)
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE  # the engine does not know the agent's self-signed certificate yet

    async def enroll() -> None:
        async with AgentClient(f"https://{agent.address}", tls=unverified) as client:
            await _wait(client)
            with pytest.raises(AgentError) as refused:
                await client.get_capabilities()
            assert refused.value.code == 403
            with pytest.raises(AgentError) as wrong:
                await client.call("Host.beginEnrollment", {"token": "not-the-token", "caCertificate": ca.pem})
            assert wrong.value.code == 401
            csr = (await client.call("Host.beginEnrollment", {"token": token, "caCertificate": ca.pem}))["csr"]
            await client.call("Host.completeEnrollment", {"token": token, "certificate": ca.sign_csr(csr)})

    asyncio.run(enroll())
    assert not (agent.state_dir / "enrollment-token").exists()

    async def enrolled() -> None:
        async with AgentClient(
            f"https://{agent.address}", tls=TlsFiles(str(ca_file), str(cert_file), str(key_file))
        ) as client:
            await _wait(client)
            caps = await client.get_capabilities()
            assert "eth0" in caps.nics
            with pytest.raises(AgentError) as again:
                await client.call("Host.beginEnrollment", {"token": token, "caCertificate": ca.pem})
            assert again.value.code == 401

    asyncio.run(enrolled())
    # no client certificate: refused at the TLS handshake
    with pytest.raises(httpx.ConnectError):
        httpx.post(
            f"https://{agent.address}/jsonrpc",
            json={"jsonrpc": "2.0", "id": 1, "method": "Host.ping2"},
            verify=str(ca_file),
        )
    # a certificate from another CA: refused too
    (tmp_path / "rogue").mkdir()
    _, other_cert, other_key = EngineCA.create("rogue").client_files(tmp_path / "rogue")
    context = ssl.create_default_context(cafile=str(ca_file))
    context.check_hostname = False
    context.load_cert_chain(str(other_cert), str(other_key))
    with pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
        httpx.post(
            f"https://{agent.address}/jsonrpc", json={"jsonrpc": "2.0", "id": 1, "method": "Host.ping2"}, verify=context
        )

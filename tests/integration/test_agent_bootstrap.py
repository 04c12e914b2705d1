"""The agent-built management network at enrollment (legacy 3.0 clusters with `legacyBootstrap`, node hosts)
and Host.restart, over HTTPS as the engine does it: on a small simulated fleet (each sim host carries its
listener address on a device, so the address the engine dialled is found) and on a single agent process
(whose Host.restart re-executes it)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dcnet.rpc import verbs
from dcnet.rpc.client import AgentClient, TlsFiles
from dcnet.rpc.errors import AgentError
from tests.integration.conftest import AgentProcess
from tests.integration.fleet_support import Fleet, engine_context, sim_down, sim_up, until_answers, unverified_context
from tests.integration.pki import EngineCA
from tests.support.engine_process import free_port

# sim0, sim3: plain hosts (address on eth0); sim1: the address on a foreign bridge (nothing to build on);
# sim2: a node host
TOPOLOGY = """
hosts:
  sim1: {bridges: {br0: {ports: [eth1]}}, management: br0}
  sim2: {node: true}
"""


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    state = tmp_path_factory.mktemp("bootstrap-sim")
    topology = state / "topology.yaml"
    topology.write_text(TOPOLOGY)
    inventory = sim_up(state, 4, free_port(), "--base", "127.3.0.1", "--topology", str(topology))
    ca = EngineCA.create()
    try:
        yield Fleet(state, inventory, ca, engine_context(ca, state / "engine"))
    finally:
        sim_down(state)


async def begin_and_complete(url: str, token: str, ca: EngineCA, **begin: Any) -> None:
    """The engine's enrollment: both steps on one connection (the one the bootstrap builds over)."""
    async with AgentClient(url, tls=unverified_context(), max_connections=1, timeout=60) as client:
        started = await client.call(verbs.BEGIN_ENROLLMENT, {"token": token, "caCertificate": ca.pem, **begin})
        await client.call(verbs.COMPLETE_ENROLLMENT, {"token": token, "certificate": ca.sign_csr(started["csr"])})


def token_of(host: dict[str, Any]) -> str:
    return Path(host["token_file"]).read_text().strip()


def management(caps: Any, name: str = "ovirtmgmt") -> dict[str, Any]:
    network: dict[str, Any] = caps.networks[name]
    return network


def test_legacy_bootstrap_bridges_the_management_network_over_the_dialled_address(fleet: Fleet) -> None:
    host = fleet.hosts[0]

    async def scenario() -> None:
        await begin_and_complete(fleet.url(host), token_of(host), fleet.ca, legacyBootstrap=True)
        async with fleet.client(host) as client:
            await until_answers(client)
            caps = await client.get_capabilities()
            network = management(caps)
            assert network["bridged"] is True and network["ports"] == ["eth0"]
            assert network["ipv4addrs"] == [f"{host['address']}/8"]
            assert caps.bridges["ovirtmgmt"]["ports"] == ["eth0"]
            assert caps.nics["eth0"]["ipv4addrs"] == []
            assert caps.netConfigDirty is False

    asyncio.run(scenario())


def test_restart_brings_the_host_back_running_its_safe_config(fleet: Fleet) -> None:
    host = fleet.hosts[3]

    async def scenario() -> None:
        await begin_and_complete(
            fleet.url(host), token_of(host), fleet.ca, legacyBootstrap=True, managementNetwork="mgmt"
        )
        async with fleet.client(host) as client:
            await until_answers(client)
            unsaved = {"scratch": {"nic": "eth2", "bridged": False, "ipaddr": "192.0.2.9", "prefix": 24}}
            await client.setup_networks(unsaved, {}, {"connectivityCheck": False}, timeout=30)
            assert (await client.get_capabilities()).netConfigDirty is True
            assert (await client.call(verbs.RESTART))["status"]["code"] == 0
            await asyncio.sleep(0.3)
            with pytest.raises(AgentError):  # down for a moment
                await client.ping2()
            await until_answers(client)
            caps = await client.get_capabilities()
            assert set(caps.networks) == {"mgmt"}
            assert management(caps, "mgmt")["ipv4addrs"] == [f"{host['address']}/8"]
            assert caps.nics["eth2"]["ipv4addrs"] == []
            assert caps.netConfigDirty is False

    asyncio.run(scenario())


def test_bootstrap_failure_leaves_the_host_unenrolled_and_the_token_good(fleet: Fleet) -> None:
    host = fleet.hosts[1]  # its address is on br0, a bridge that is not the management network
    token = token_of(host)

    async def scenario() -> None:
        with pytest.raises(AgentError) as refused:
            await begin_and_complete(fleet.url(host), token, fleet.ca, legacyBootstrap=True)
        assert refused.value.code == 21
        assert "invalid interface br0" in refused.value.message
        assert refused.value.data["event"] == 100009
        async with AgentClient(fleet.url(host), tls=unverified_context()) as client:
            with pytest.raises(AgentError) as not_enrolled:
                await client.get_capabilities()
            assert not_enrolled.value.code == 403
        assert token_of(host) == token
        await begin_and_complete(fleet.url(host), token, fleet.ca)  # the same token, without the bootstrap
        async with fleet.client(host) as client:
            await until_answers(client)
            assert (await client.get_capabilities()).networks == {}

    asyncio.run(scenario())


def test_node_host_bootstraps_without_legacy_bootstrap(fleet: Fleet) -> None:
    host = fleet.hosts[2]

    async def scenario() -> None:
        await begin_and_complete(fleet.url(host), token_of(host), fleet.ca)
        async with fleet.client(host) as client:
            await until_answers(client)
            caps = await client.get_capabilities()
            assert management(caps)["bridged"] is True
            assert management(caps)["ipv4addrs"] == [f"{host['address']}/8"]
            assert caps.netConfigDirty is False

    asyncio.run(scenario())


# ---- a single agent process ---------------------------------------------------------------------


def mutual_tls(ca: EngineCA, directory: Path) -> ssl.SSLContext:
    directory.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file, key_file = ca.client_files(directory)
    return TlsFiles(str(ca_file), str(cert_file), str(key_file)).context()


def test_single_agent_bootstrap_failure_then_enrollment_with_the_same_token(agent_factory: Any, tmp_path: Path) -> None:
    """The sim host behind a single agent does not carry 127.0.0.1: the bootstrap has nothing to build on."""
    agent: AgentProcess = agent_factory()
    token = agent.token()
    ca = EngineCA.create()
    url = f"https://{agent.address}"

    async def scenario() -> None:
        async with AgentClient(url, tls=unverified_context()) as client:
            await until_answers(client)
        with pytest.raises(AgentError) as refused:
            await begin_and_complete(url, token, ca, legacyBootstrap=True)
        assert refused.value.code == 21 and "127.0.0.1" in refused.value.message
        await begin_and_complete(url, token, ca)
        async with AgentClient(url, tls=mutual_tls(ca, tmp_path / "engine")) as client:
            await until_answers(client)
            assert (await client.get_capabilities()).networks == {}

    asyncio.run(scenario())


def test_single_agent_restart_reexecutes_and_restores_the_safe_config(agent_factory: Any, tmp_path: Path) -> None:
    agent: AgentProcess = agent_factory()
    token = agent.token()
    ca = EngineCA.create()
    url = f"https://{agent.address}"
    pid = agent.process.pid

    async def scenario() -> None:
        async with AgentClient(url, tls=unverified_context()) as client:
            await until_answers(client)
        await begin_and_complete(url, token, ca)
        async with AgentClient(url, tls=mutual_tls(ca, tmp_path / "engine")) as client:
            await until_answers(client)
            saved = {"saved": {"nic": "eth1", "bridged": True, "ipaddr": "198.51.100.5", "prefix": 24}}
            unsaved = {"unsaved": {"nic": "eth2", "bridged": False, "ipaddr": "203.0.113.5", "prefix": 24}}
            options = {"connectivityCheck": False}
            await client.setup_networks(saved, {}, options | {"commitOnSuccess": True}, timeout=30)
            await client.setup_networks(unsaved, {}, options, timeout=30)
            assert (await client.get_capabilities()).netConfigDirty is True
            assert (await client.call(verbs.RESTART))["status"]["code"] == 0
            await asyncio.sleep(1.0)
            await until_answers(client)
            caps = await client.get_capabilities()
            assert set(caps.networks) == {"saved"} and caps.netConfigDirty is False
            assert caps.bridges["saved"]["ipv4addrs"] == ["198.51.100.5/24"]  # the new process's sim kernel
            assert caps.nics["eth2"]["ipv4addrs"] == []

    asyncio.run(scenario())
    assert agent.process.poll() is None and agent.process.pid == pid  # the same process, re-executed
    assert "safe network config restored" in (agent.state_dir / "agent.log").read_text()

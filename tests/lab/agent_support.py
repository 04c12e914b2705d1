"""Talking to a lab host's agent like the engine does, and putting the host back as it was."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from typing import Any

import httpx

from dcnet.lab import Lab

PORT = 54321
_ids = itertools.count(1)


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def url(lab: Lab, host: str) -> str:
    return f"http://{lab.host(host).ipv4}:{PORT}/jsonrpc"


def call(
    lab: Lab,
    host: str,
    method: str,
    params: dict[str, Any] | None = None,
    *,
    client: httpx.Client | None = None,
    timeout: float = 30,
) -> Any:
    body = {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params or {}}
    http = client or httpx.Client(timeout=timeout)
    try:
        answer = http.post(url(lab, host), json=body, timeout=timeout)
    finally:
        if client is None:
            http.close()
    data = answer.json()
    if "error" in data:
        raise RpcError(data["error"]["code"], data["error"]["message"])
    return data["result"]


def start_agent(
    lab: Lab,
    host: str,
    state_dir: str,
    *,
    env: dict[str, str] | None = None,
    extra: tuple[str, ...] = ("--insecure-dev",),
) -> None:
    lab.start_agent(
        host, ["serve", "--listen", f"[::]:{PORT}", "--backend", "real", "--state-dir", state_dir, *extra], env
    )
    wait_agent(lab, host)


def wait_agent(lab: Lab, host: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            call(lab, host, "Host.ping2", timeout=2)
            return
        except (httpx.HTTPError, json.JSONDecodeError):
            time.sleep(0.2)
    raise AssertionError(f"agent on {host} did not answer:\n{lab.agent_log(host).read_text()[-3000:]}")


def options(**extra: Any) -> dict[str, Any]:
    return {
        "connectivityCheck": True,
        "connectivityTimeout": 8,
        "requestId": str(uuid.uuid4()),
        "correlationId": "lab-test",
        **extra,
    }


def addresses(lab: Lab, host: str, device: str) -> list[dict[str, Any]]:
    """`ip -j addr show dev DEVICE` global addresses as the kernel shows them."""
    for link in lab.ip_json(host, "addr"):
        if link["ifname"] == device:
            return [a for a in link.get("addr_info", []) if a.get("scope") == "global"]
    return []


def link(lab: Lab, host: str, device: str) -> dict[str, Any] | None:
    return next((item for item in lab.ip_json(host, "link") if item["ifname"] == device), None)


def kernel_snapshot(lab: Lab, host: str) -> dict[str, Any]:
    """What must not change when a request is refused: devices, masters, MTUs, addresses."""
    links = {
        item["ifname"]: (item.get("master"), item.get("mtu"), item.get("operstate"))
        for item in lab.ip_json(host, "link")
    }
    addrs = {
        item["ifname"]: sorted(
            f"{a['local']}/{a['prefixlen']}" for a in item.get("addr_info", []) if a.get("scope") == "global"
        )
        for item in lab.ip_json(host, "addr")
    }
    return {"links": links, "addrs": addrs}


def reset_host(lab: Lab, host: str, state_dir: str) -> None:
    """Back to the lab's baseline: agent stopped, its DHCP clients gone, dcnet's devices removed,
    eth0 with the lab address, other nics without addresses."""
    lab.stop_agent(host)
    lab.exec(
        host,
        "sh",
        "-c",
        f'for f in {state_dir}/run/dhclient*.pid; do [ -f "$f" ] && kill $(cat "$f") 2>/dev/null; done; true',
        check=False,
    )
    h = lab.host(host)
    for item in lab.ip_json(host, "link"):
        kind = item.get("linkinfo", {}).get("info_kind")
        if kind in ("bridge", "vlan", "bond"):
            lab.exec(host, "ip", "link", "del", item["ifname"], check=False)
    for nic in h.nics:
        lab.exec(host, "ip", "link", "set", nic, "nomaster", check=False)
        lab.exec(host, "ip", "addr", "flush", "dev", nic, "scope", "global", check=False)
        lab.exec(host, "ip", "link", "set", nic, "up", "mtu", "1500", check=False)
        lab.set_sysctls(host, {f"net.ipv6.conf.{nic}.accept_ra": 0, f"net.ipv6.conf.{nic}.autoconf": 0})
    lab.exec(host, "ip", "addr", "add", f"{h.ipv4}/16", "dev", "eth0")
    lab.exec(host, "ip", "addr", "add", f"{h.ipv6}/64", "dev", "eth0", "nodad")

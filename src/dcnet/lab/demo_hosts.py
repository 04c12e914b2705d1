"""`dcnet-lab sim add-hosts`: add every host of a running simulated fleet to an engine, as an admin would
(REST, one POST per host with its enrollment token), and show them reaching up."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

console = Console()
SETTLED = {"up", "maintenance", "non_operational", "non_responsive", "install_failed"}


def login(url: str, user: str, password: str) -> str:
    answer = httpx.post(
        f"{url}/ovirt-engine/sso/oauth/token",
        data={"grant_type": "password", "username": user, "password": password, "scope": "ovirt-app-api"},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def add_hosts(url: str, token: str, inventory: dict[str, Any], cluster: str, timeout: float) -> dict[str, str]:
    """Returns host name → final status."""
    api = httpx.Client(base_url=f"{url}/ovirt-engine/api", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    ids: dict[str, str] = {}
    with api:
        for host in inventory["hosts"]:
            token_file = Path(host["token_file"])
            if not token_file.exists():
                console.print(f"{host['name']}: already enrolled (no token); skipped")
                continue
            body = {
                "name": host["name"],
                "address": host["fqdn"],
                "port": host["port"],
                "cluster": {"name": cluster},
                "root_password": token_file.read_text().strip(),
            }
            answer = api.post("/hosts", json=body)
            if answer.status_code != 201:
                console.print(f"{host['name']}: {answer.status_code} {answer.text}")
                continue
            ids[host["name"]] = answer.json()["id"]
        return _follow(api, ids, timeout)


def _follow(api: httpx.Client, ids: dict[str, str], timeout: float) -> dict[str, str]:
    status: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while ids and time.monotonic() < deadline:
        for name, host_id in ids.items():
            now = api.get(f"/hosts/{host_id}").json()["status"]
            if status.get(name) != now:
                console.print(f"{name}: {now}")
                status[name] = now
        if all(s in SETTLED and s != "initializing" for s in status.values()) and len(status) == len(ids):
            break
        time.sleep(0.5)
    return status


def load_inventory(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data

"""First start: the conventions existing oVirt tooling expects."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import httpx

from tests.api.helpers import network_by_name
from tests.support.engine_process import ENGINE, client, fresh_database, login, running_engine


def test_fresh_database_has_default_dc_cluster_and_ovirtmgmt(api: httpx.Client) -> None:
    dcs = api.get("/datacenters", params={"search": "name=Default"}).json()["data_center"]
    assert len(dcs) == 1
    clusters = api.get("/clusters", params={"search": "name=Default"}).json()["cluster"]
    assert len(clusters) == 1 and clusters[0]["data_center"]["id"] == dcs[0]["id"]
    mgmt = network_by_name(api, "ovirtmgmt")
    assert mgmt is not None
    assert mgmt["usages"] == ["vm"] and "vlan" not in mgmt and mgmt["mtu"] == 0
    assert clusters[0]["management_network"]["id"] == mgmt["id"]
    attached = api.get(f"/clusters/{clusters[0]['id']}/networks/{mgmt['id']}").json()
    assert sorted(attached["usages"]) == ["default_route", "management", "vm"]
    assert attached["required"] is True
    profiles = api.get(f"/networks/{mgmt['id']}/vnicprofiles").json()["vnic_profile"]
    assert [p["name"] for p in profiles] == ["ovirtmgmt"]


def test_events_never_empty_on_first_start(api: httpx.Client) -> None:
    events = api.get("/events", params={"max": 1}).json()["event"]
    assert len(events) == 1


def test_engine_refuses_first_start_without_admin_password() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DCNET_ADMIN_PASSWORD"}
        result = subprocess.run(
            [*ENGINE, "serve", "--db", f"sqlite:///{Path(tmp) / 'x.db'}", "--listen", "127.0.0.1:1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert "DCNET_ADMIN_PASSWORD" in result.stderr


def test_data_survives_engine_restart_without_the_admin_password() -> None:
    with fresh_database("sqlite") as url:
        with running_engine(url) as engine, client(engine, login(engine)) as api:
            body = {"name": "kept", "data_center": {"name": "Default"}, "vlan": {"id": 7}}
            assert api.post("/networks", json=body).status_code == 201
        with running_engine(url, admin_password=None) as engine, client(engine, login(engine)) as api:
            kept = network_by_name(api, "kept")
            assert kept is not None and kept["vlan"] == {"id": 7}
            assert len(api.get("/datacenters").json()["data_center"]) == 1

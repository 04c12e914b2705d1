"""Authentication and roles: every call needs a bearer token; viewers only read."""

from __future__ import annotations

import time

import httpx

from tests.api.helpers import fault
from tests.support.engine_process import EngineProcess, client, login, start_engine

TOKEN_PATH = "/ovirt-engine/sso/oauth/token"
FORM = {"grant_type": "password", "username": "admin@internal", "scope": "ovirt-app-api"}


def test_token_answer_has_the_fields_ovirt_clients_read(engine: EngineProcess) -> None:
    answer = httpx.post(engine.base_url + TOKEN_PATH, data={**FORM, "password": "admin-secret-1"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["access_token"] and int(body["exp"]) > time.time() * 1000


def test_wrong_password_gets_error_json_and_no_token(engine: EngineProcess) -> None:
    answer = httpx.post(engine.base_url + TOKEN_PATH, data={**FORM, "password": "wrong-password"})
    body = answer.json()
    assert "access_token" not in body
    assert body["error_code"] == "access_denied" and "wrong user name or password" in body["error"]


def test_unknown_user_and_bad_grant(engine: EngineProcess) -> None:
    assert (
        "access_token"
        not in httpx.post(engine.base_url + TOKEN_PATH, data={**FORM, "username": "nobody", "password": "x"}).json()
    )
    bad = httpx.post(engine.base_url + TOKEN_PATH, data={**FORM, "grant_type": "client_credentials", "password": "x"})
    assert bad.status_code == 400 and bad.json()["error_code"] == "unsupported_grant_type"


def test_no_token_is_401(engine: EngineProcess) -> None:
    for path in ("", "/networks", "/datacenters", "/events", "/hosts"):
        answer = httpx.get(engine.api_url + path)
        assert answer.status_code == 401, path
        assert fault(answer)["reason"] == "Unauthorized"
    assert httpx.post(engine.api_url + "/networks", json={"name": "x"}).status_code == 401


def test_unknown_token_is_401(engine: EngineProcess) -> None:
    answer = httpx.get(engine.api_url + "/networks", headers={"Authorization": "Bearer made-up"})
    assert answer.status_code == 401


def test_viewer_reads_but_cannot_change(viewer: httpx.Client, name: str) -> None:
    assert viewer.get("/networks").status_code == 200
    answer = viewer.post("/networks", json={"name": name, "data_center": {"name": "Default"}})
    assert answer.status_code == 403
    assert "viewer role, which may only read" in fault(answer)["detail"]
    network = viewer.get("/networks").json()["network"][0]
    assert viewer.put(f"/networks/{network['id']}", json={"description": "x"}).status_code == 403
    assert viewer.delete(f"/networks/{network['id']}").status_code == 403
    assert name not in [n["name"] for n in viewer.get("/networks").json()["network"]]


def test_logout_revokes_the_token(engine: EngineProcess) -> None:
    token = login(engine)
    with client(engine, token) as api:
        assert api.get("/networks").status_code == 200
        answer = httpx.post(
            engine.base_url + "/ovirt-engine/services/sso-logout", data={"scope": "ovirt-app-api", "token": token}
        )
        assert answer.status_code == 200 and answer.json() == {}
        assert api.get("/networks").status_code == 401


def test_tokens_expire() -> None:
    # long enough that the first call is inside the lifetime on a loaded machine (1 s was not, once in CI)
    gen = start_engine("sqlite", extra_args=("--token-ttl", "5"))
    engine = next(gen)
    try:
        with client(engine, login(engine)) as api:
            assert api.get("/networks").status_code == 200
            time.sleep(5.5)
            expired = api.get("/networks")
            assert expired.status_code == 401
            assert "expired" in fault(expired)["detail"]
    finally:
        gen.close()


def test_login_and_logout_are_audited(api: httpx.Client, engine: EngineProcess) -> None:
    login(engine)
    codes = [e["code"] for e in api.get("/events", params={"max": 20}).json()["event"]]
    assert 30 in codes


def test_user_management_on_the_engine_machine(engine: EngineProcess, name: str) -> None:
    assert engine.user("add", name, "--role", "admin", password="first-pass-1").returncode == 0
    listed = engine.user("list")
    assert f"{name}@internal" in listed.stdout and "admin" in listed.stdout
    token = login(engine, name, "first-pass-1")
    assert engine.user("passwd", name, password="second-pass-2").returncode == 0
    with client(engine, token) as api:
        assert api.get("/networks").status_code == 401  # password change revokes tokens
    login(engine, name, "second-pass-2")
    short = engine.user("add", name + "s", password="short")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    assert engine.user("remove", name).returncode == 0
    assert (
        "access_token"
        not in httpx.post(
            engine.base_url + TOKEN_PATH, data={**FORM, "username": name, "password": "second-pass-2"}
        ).json()
    )
    last = engine.user("remove", "admin@internal")
    assert last.returncode == 1 and "last admin" in last.stderr

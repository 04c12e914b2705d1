"""login / logout / whoami, and how the CLI behaves without a usable session."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.cli.helpers import invoke
from tests.support.engine_process import ADMIN_PASSWORD, EngineProcess, free_port


def test_login_saves_a_private_session_that_later_commands_use(engine: EngineProcess, tmp_path: Path) -> None:
    config = tmp_path / "nested" / "session.json"

    result = invoke(
        config,
        "login",
        "--url",
        engine.base_url + "/",
        "--user",
        "admin@internal",
        "--password-stdin",
        input=ADMIN_PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    assert f"Logged in to {engine.base_url} as admin@internal" in result.stdout
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    saved = json.loads(config.read_text())
    assert saved["url"] == engine.base_url
    assert saved["token"]
    assert ADMIN_PASSWORD not in config.read_text()
    whoami = invoke(config, "whoami")
    assert whoami.exit_code == 0, whoami.output
    assert whoami.stdout.strip() == f"admin@internal (admin) at {engine.base_url}"


def test_login_reads_the_password_from_the_environment_or_a_prompt(engine: EngineProcess, tmp_path: Path) -> None:
    from_env = invoke(tmp_path / "env.json", "login", "--url", engine.base_url, env={"DCNET_PASSWORD": ADMIN_PASSWORD})
    prompted = invoke(tmp_path / "prompt.json", "login", "--url", engine.base_url, input=ADMIN_PASSWORD + "\n")

    assert from_env.exit_code == 0, from_env.output
    assert prompted.exit_code == 0, prompted.output
    assert "Password" in prompted.output
    assert ADMIN_PASSWORD not in prompted.output  # the prompt does not echo it
    assert (tmp_path / "env.json").exists()
    assert (tmp_path / "prompt.json").exists()


def test_wrong_password_fails_and_saves_nothing(engine: EngineProcess, tmp_path: Path) -> None:
    config = tmp_path / "session.json"

    result = invoke(config, "login", "--url", engine.base_url, "--password-stdin", input="not-the-password\n")

    assert result.exit_code == 1
    assert "error: login failed: Cannot authenticate user: wrong user name or password" in result.stderr
    assert "Traceback" not in result.output
    assert not config.exists()


def test_logout_revokes_the_token_and_later_commands_ask_to_log_in(engine: EngineProcess, own_session: Path) -> None:
    token = json.loads(own_session.read_text())["token"]

    result = invoke(own_session, "logout")

    assert result.exit_code == 0, result.output
    assert f"Logged out from {engine.base_url}" in result.stdout
    assert not own_session.exists()
    after = invoke(own_session, "dc", "list")
    assert after.exit_code == 1
    assert "error: not logged in" in after.stderr
    assert "dcnet login" in after.stderr
    # The token itself is dead on the engine, not just forgotten here.
    with_old_token = invoke(own_session, "dc", "list", env={"DCNET_URL": engine.base_url, "DCNET_TOKEN": token})
    assert with_old_token.exit_code == 1
    assert "error: Unauthorized: the access token has expired or was revoked" in with_old_token.stderr
    assert "hint: run 'dcnet login'" in with_old_token.stderr


def test_logout_without_a_session_is_harmless(tmp_path: Path) -> None:
    result = invoke(tmp_path / "none.json", "logout")

    assert result.exit_code == 0
    assert "Not logged in" in result.stdout


def test_environment_url_and_token_replace_the_session_file(
    engine: EngineProcess, admin_token: str, tmp_path: Path
) -> None:
    result = invoke(
        tmp_path / "absent.json", "dc", "list", env={"DCNET_URL": engine.base_url, "DCNET_TOKEN": admin_token}
    )

    assert result.exit_code == 0, result.output
    assert "Default" in result.stdout


def test_unreachable_engine_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    listing = invoke(tmp_path / "absent.json", "network", "list", env={"DCNET_URL": url, "DCNET_TOKEN": "x"})
    login = invoke(tmp_path / "absent.json", "login", "--url", url, "--password-stdin", input="secret\n")

    for result in (listing, login):
        assert result.exit_code == 1
        assert f"error: cannot connect to the engine at {url}" in result.stderr
        assert "Traceback" not in result.output


def test_an_invalid_url_is_refused_before_any_request(tmp_path: Path) -> None:
    result = invoke(tmp_path / "s.json", "login", "--url", "127.0.0.1:8080", "--password-stdin", input="x\n")

    assert result.exit_code == 1
    assert "error: invalid engine URL '127.0.0.1:8080'" in result.stderr
    assert "http://HOST:PORT" in result.stderr


def test_a_viewer_may_list_but_not_change(engine: EngineProcess, tmp_path: Path, name: str) -> None:
    created = engine.user("add", "cliviewer", "--role", "viewer", password="viewer-secret-1")
    assert created.returncode == 0, created.stderr
    config = tmp_path / "viewer.json"
    login = invoke(
        config, "login", "--url", engine.base_url, "--user", "cliviewer@internal", "--password-stdin",
        input="viewer-secret-1\n",
    )  # fmt: skip
    assert login.exit_code == 0, login.output

    listing = invoke(config, "network", "list")
    adding = invoke(config, "network", "add", name, "--dc", "Default")

    assert listing.exit_code == 0
    assert "ovirtmgmt" in listing.stdout
    assert adding.exit_code == 1
    assert "error: Forbidden: user cliviewer@internal has the viewer role" in adding.stderr


def test_logout_from_an_unreachable_engine_still_forgets_the_session(tmp_path: Path) -> None:
    config = tmp_path / "session.json"
    config.write_text(json.dumps({"url": f"http://127.0.0.1:{free_port()}", "token": "t"}))

    result = invoke(config, "logout")

    assert result.exit_code == 1
    assert "error: cannot connect to the engine" in result.stderr
    assert "the saved session was removed, but the token was not revoked" in result.stderr
    assert not config.exists()

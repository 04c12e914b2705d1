"""Where the client keeps its login: {url, token} in a private file (mode 0600), or the environment.

The token is a password substitute, so the file is created private from the first byte and replaced
atomically; DCNET_URL + DCNET_TOKEN let scripts and CI skip the file altogether.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dcnet.cli.errors import CliError, NotLoggedIn

API_SUFFIX = "/ovirt-engine/api"


@dataclass(frozen=True)
class Session:
    url: str
    token: str


def config_path() -> Path:
    """$DCNET_CONFIG, else ~/.config/dcnet/session.json."""
    configured = os.environ.get("DCNET_CONFIG")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".config" / "dcnet" / "session.json"


def normalize_url(url: str) -> str:
    """The engine's base URL (scheme://host:port), accepting a pasted API URL or a trailing slash."""
    text = url.strip().rstrip("/")
    text = text.removesuffix(API_SUFFIX).rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CliError(f"invalid engine URL '{url}'", "give it as http://HOST:PORT, e.g. http://127.0.0.1:8080")
    return text


def save(session: Session) -> Path:
    """Writes the session privately (0600) and atomically; returns the path."""
    path = config_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".session-", dir=path.parent)  # mkstemp: mode 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"url": session.url, "token": session.token}, out)
                out.write("\n")
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CliError(f"cannot save the session to {path}: {exc.strerror or exc}") from None
    return path


def load_file() -> Session | None:
    """The saved session, or None when there is none."""
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise NotLoggedIn(f"cannot read the session file {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str) or not isinstance(data.get("token"), str):
        raise NotLoggedIn(f"the session file {path} is not a dcnet session")
    return Session(url=data["url"], token=data["token"])


def from_environment() -> Session | None:
    url, token = os.environ.get("DCNET_URL"), os.environ.get("DCNET_TOKEN")
    if url and token:
        return Session(url=normalize_url(url), token=token)
    return None


def current() -> Session:
    """The session every API command uses: the environment first, then the file."""
    session = from_environment() or load_file()
    if session is None:
        raise NotLoggedIn("not logged in")
    return session


def delete() -> bool:
    """Removes the session file; False when there was none."""
    path = config_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise CliError(f"cannot remove the session file {path}: {exc.strerror or exc}") from None
    return True

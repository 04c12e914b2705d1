"""The HTTP side: a small client for /ovirt-engine/api and the two SSO calls.

Every transport failure and every fault ({"fault": {"reason", "detail"}}) becomes a CliError here, so
commands only deal with JSON on success.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from dcnet.cli.errors import LOGIN_HINT, CliError
from dcnet.cli.session import API_SUFFIX, Session

TIMEOUT = 30.0
SCOPE = "ovirt-app-api"


class ApiError(CliError):
    """The engine refused the request; `reason` and `detail` are its fault."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason, LOGIN_HINT if status == 401 else None)
        self.status = status
        self.reason = reason
        self.detail = detail


def _transport_error(url: str, exc: httpx.HTTPError) -> CliError:
    if isinstance(exc, httpx.ConnectError):
        return CliError(
            f"cannot connect to the engine at {url} ({exc})",
            "is the engine running, and is the URL right? (dcnet login --url ...)",
        )
    if isinstance(exc, httpx.TimeoutException):
        return CliError(f"the engine at {url} did not answer in time ({type(exc).__name__})")
    return CliError(f"request to the engine at {url} failed: {exc}")


def _fault(response: httpx.Response) -> ApiError:
    """The fault of an error answer; a non-fault body (a proxy's page, say) is shown as text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("fault"), dict):
        fault = body["fault"]
        return ApiError(response.status_code, str(fault.get("reason", "")), str(fault.get("detail", "")))
    if isinstance(body, dict) and "error" in body:  # the SSO endpoints answer OAuth-style
        return ApiError(response.status_code, str(body.get("error_code", "error")), str(body["error"]))
    text = response.text.strip()[:200]
    return ApiError(response.status_code, f"HTTP {response.status_code} {response.reason_phrase}", text)


def _json(response: httpx.Response) -> Any:
    if not response.is_success:  # a redirect, too: the API never answers one, so something is in between
        raise _fault(response)
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        raise CliError(f"the engine answered {response.request.url} with something that is not JSON") from None


class Api:
    """Authenticated JSON calls relative to {url}/ovirt-engine/api."""

    def __init__(self, session: Session, correlation_id: str | None = None, timeout: float = TIMEOUT) -> None:
        headers = {"Authorization": f"Bearer {session.token}", "Accept": "application/json"}
        if correlation_id:
            headers["Correlation-Id"] = correlation_id
        self.url = session.url
        self._client = httpx.Client(base_url=session.url + API_SUFFIX, headers=headers, timeout=timeout)

    def __enter__(self) -> Api:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        target = path or self.url + API_SUFFIX  # "" would become the base URL plus a slash
        try:
            response = self._client.request(method, target, params=params, json=body)
        except httpx.HTTPError as exc:
            raise _transport_error(self.url, exc) from None
        return _json(response)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params={k: v for k, v in (params or {}).items() if v is not None})

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("POST", path, body=body)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("PUT", path, body=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def items(self, path: str, element: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """A collection's elements: the API wraps lists as {"network": [...]}."""
        answer = self.get(path, params)
        found = answer.get(element, []) if isinstance(answer, dict) else []
        return list(found)


def sso_token(url: str, user: str, password: str) -> str:
    """The OAuth2 password grant; returns the access token."""
    form = {"grant_type": "password", "username": user, "password": password, "scope": SCOPE}
    try:
        response = httpx.post(
            f"{url}/ovirt-engine/sso/oauth/token", data=form, headers={"Accept": "application/json"}, timeout=TIMEOUT
        )
    except httpx.HTTPError as exc:
        raise _transport_error(url, exc) from None
    if not response.is_success:
        fault = _fault(response)
        raise CliError(f"login failed: {fault.detail or fault.reason}")
    token = _json(response).get("access_token")
    if not isinstance(token, str) or not token:
        raise CliError(f"login failed: {url} answered without an access token")
    return token


def sso_logout(url: str, token: str) -> None:
    """Revokes the token on the engine."""
    try:
        response = httpx.post(f"{url}/ovirt-engine/services/sso-logout", data={"token": token}, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise _transport_error(url, exc) from None
    _json(response)

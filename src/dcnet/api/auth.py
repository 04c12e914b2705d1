"""oVirt-style SSO: the OAuth2 password grant, and logout. JSON in both directions, as the SDK expects."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse

from dcnet.api.deps import get_engine
from dcnet.domain.errors import NotAuthenticated
from dcnet.domain.events import AuditLog
from dcnet.engine import users
from dcnet.engine.audit import record
from dcnet.engine.context import Actor, CommandContext
from dcnet.engine.runner import Engine

router = APIRouter(tags=["auth"])
SCOPE = "ovirt-app-api"


def _error(status: int, code: str, text: str) -> JSONResponse:
    return JSONResponse({"error_code": code, "error": text, "error_description": text}, status_code=status)


@router.post("/ovirt-engine/sso/oauth/token")
def token(
    request: Request,
    grant_type: str = Form(...),
    username: str = Form(""),
    password: str = Form(""),
    scope: str = Form(SCOPE),
    engine: Engine = Depends(get_engine),
) -> JSONResponse:
    if grant_type != "password":
        return _error(400, "unsupported_grant_type", f"grant_type '{grant_type}' is not supported; use 'password'")
    if SCOPE not in scope.split():
        return _error(400, "invalid_scope", f"scope must include '{SCOPE}'")
    if not username or "\x00" in username or "\x00" in password:
        return _error(400, "invalid_request", "username and password are required")
    ttl = timedelta(seconds=request.app.state.settings.token_ttl_seconds)

    def login(store):  # type: ignore[no-untyped-def]
        user = users.authenticate(store, username, password)
        issued = users.issue_token(store, user, ttl)
        record(store, CommandContext.new(Actor(user.name, user.role)), AuditLog.USER_VDC_LOGIN, {})
        return issued

    try:
        access_token, expires_ms = engine.execute(login)
    except NotAuthenticated as exc:
        engine.execute(
            lambda store: record(
                store,
                CommandContext.new(Actor(users.qualified(username), users.Role.VIEWER)),
                AuditLog.USER_VDC_LOGIN_FAILED,
                {},
            )
        )
        return _error(401, "access_denied", str(exc))
    return JSONResponse({"access_token": access_token, "token_type": "bearer", "scope": SCOPE, "exp": str(expires_ms)})


@router.post("/ovirt-engine/services/sso-logout")
def logout(token: str = Form(""), engine: Engine = Depends(get_engine)) -> JSONResponse:
    """Revokes the token; answers {} whether or not it was known (nothing to leak)."""
    if token and "\x00" not in token:

        def revoke(store):  # type: ignore[no-untyped-def]
            try:
                user = users.user_for_token(store, token)
            except NotAuthenticated:
                return
            users.revoke_token(store, token)
            record(store, CommandContext.new(Actor(user.name, user.role)), AuditLog.USER_VDC_LOGOUT, {})

        engine.execute(revoke)
    return JSONResponse({})

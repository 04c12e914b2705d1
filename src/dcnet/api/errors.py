"""Every failure becomes a fault: {"fault": {"reason": ..., "detail": ...}} with oVirt's status codes."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dcnet.domain.errors import (
    BadInput,
    Forbidden,
    MissingField,
    NotAuthenticated,
    NotFound,
    RuleViolation,
    StaleRevision,
)

log = logging.getLogger("dcnet.api")


def fault(status: int, reason: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"fault": {"reason": reason, "detail": detail}}, status_code=status, headers=headers)


def _location(loc: tuple[object, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(BadInput)
    async def bad_input(_request: Request, exc: BadInput) -> JSONResponse:
        return fault(400, "Bad Request", str(exc))

    @app.exception_handler(MissingField)
    async def missing(_request: Request, exc: MissingField) -> JSONResponse:
        return fault(400, "Incomplete parameters", str(exc))

    @app.exception_handler(RuleViolation)
    async def rule(_request: Request, exc: RuleViolation) -> JSONResponse:
        return fault(409, "Operation Failed", f"[{exc.message}]")

    @app.exception_handler(StaleRevision)
    async def stale(_request: Request, exc: StaleRevision) -> JSONResponse:
        return fault(409, "Conflict", str(exc))

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return fault(404, "Not Found", str(exc))

    @app.exception_handler(NotAuthenticated)
    async def unauthenticated(_request: Request, exc: NotAuthenticated) -> JSONResponse:
        return fault(401, "Unauthorized", str(exc), {"WWW-Authenticate": 'Bearer realm="dcnet"'})

    @app.exception_handler(Forbidden)
    async def forbidden(_request: Request, exc: Forbidden) -> JSONResponse:
        return fault(403, "Forbidden", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            if error.get("type") == "json_invalid":
                return fault(400, "Request syntactically incorrect.", f"malformed JSON: {error.get('msg')}")
            problems.append(f"{_location(tuple(error.get('loc', ())))}: {error.get('msg')}")
        return fault(400, "Bad Request", "; ".join(problems))

    @app.exception_handler(IntegrityError)
    async def integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error (concurrent change?): %s", exc.orig)
        return fault(409, "Operation Failed", "[A concurrent change conflicts with this request; retry it.]")

    @app.exception_handler(OperationalError)
    async def database_down(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error: %s", exc.orig)
        return fault(503, "Service Unavailable", "the engine's database is not reachable; retry later")

    @app.exception_handler(StarletteHTTPException)
    async def http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reasons = {404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request", 415: "Unsupported Media Type"}
        return fault(exc.status_code, reasons.get(exc.status_code, "Error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def internal(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error")
        return fault(500, "Internal Server Error", f"{type(exc).__name__}; see the engine log")

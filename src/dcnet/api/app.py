"""The FastAPI application: routers under /ovirt-engine/api, SSO beside it, faults for every error."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI

from dcnet import __version__
from dcnet.api import auth, errors
from dcnet.api.routers import clusters, datacenters, events, hosts, networks, root, vnicprofiles
from dcnet.engine.runner import Engine

API_PREFIX = "/ovirt-engine/api"


@dataclass
class Settings:
    token_ttl_seconds: int = 8 * 3600
    instance_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def create_app(engine: Engine, settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="dcnet engine API",
        version=__version__,
        description="Data-center networks for virtualization hosts (oVirt REST API v4 shapes, JSON).",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings or Settings()
    errors.install(app)
    app.include_router(auth.router)
    app.include_router(root.router)
    api = APIRouter(prefix=API_PREFIX)
    for module in (datacenters, clusters, networks, vnicprofiles, hosts, events):
        api.include_router(module.router)
    app.include_router(api)
    return app

"""The FastAPI application: routers under /ovirt-engine/api, SSO beside it, faults for every error."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI

from dcnet import __version__
from dcnet.api import auth, errors
from dcnet.api.routers import (
    clusters,
    datacenters,
    events,
    host_networks,
    hosts,
    networks,
    qoss,
    root,
    vnicprofiles,
)
from dcnet.engine.host_runtime import HostRuntime
from dcnet.engine.runner import Engine

API_PREFIX = "/ovirt-engine/api"


@dataclass
class Settings:
    token_ttl_seconds: int = 8 * 3600
    instance_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def create_app(engine: Engine, settings: Settings | None = None, runtime: HostRuntime | None = None) -> FastAPI:
    """`runtime` runs deploys and monitoring in the server's event loop (the engine's asynchronous side)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            await runtime.start()
        try:
            yield
        finally:
            if runtime is not None:
                await runtime.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="dcnet engine API",
        version=__version__,
        description="Data-center networks for virtualization hosts (oVirt REST API v4 shapes, JSON).",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings or Settings()
    app.state.runtime = runtime
    errors.install(app)
    app.include_router(auth.router)
    app.include_router(root.router)
    api = APIRouter(prefix=API_PREFIX)
    for module in (datacenters, qoss, clusters, networks, vnicprofiles, hosts, host_networks, events):
        api.include_router(module.router)
    app.include_router(api)
    return app

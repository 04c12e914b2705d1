"""GET /ovirt-engine/api: product info (version 4.5, so oVirt clients use the modern calls) and links."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from dcnet import __version__
from dcnet.api import representation as rep
from dcnet.api.deps import current_actor
from dcnet.engine.clock import now
from dcnet.engine.context import Actor

router = APIRouter(tags=["root"])
COLLECTIONS = ("clusters", "datacenters", "events", "hosts", "jobs", "networks", "vnicprofiles")
SEARCHABLE = ("clusters", "datacenters", "events", "hosts", "jobs", "networks")


@router.get(rep.API)
@router.get(rep.API + "/", include_in_schema=False)
def api_root(request: Request, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    links = [{"rel": name, "href": rep.href(name)} for name in COLLECTIONS]
    links += [{"rel": f"{name}/search", "href": rep.href(name) + "?search={query}"} for name in SEARCHABLE]
    return {
        "product_info": {
            "name": "dcnet",
            "vendor": "dcnet",
            "instance_id": request.app.state.settings.instance_id,
            "version": {"major": 4, "minor": 5, "build": 0, "revision": 0, "full_version": "4.5.0"},
            "dcnet_version": __version__,
        },
        "time": rep.timestamp(now()),
        "authenticated_user": {"name": actor.user_name, "role": actor.role.value},
        "link": links,
    }

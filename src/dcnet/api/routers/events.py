"""/events (newest first; `from=<index>` for polling) and /jobs with their steps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from dcnet.api import representation as rep
from dcnet.api.deps import check_id, current_actor, get_engine
from dcnet.api.routers.common import CaseQuery, MaxQuery, SearchQuery, filtered
from dcnet.domain.entities import Severity
from dcnet.domain.errors import NotFound
from dcnet.engine import refs
from dcnet.engine.runner import Engine
from dcnet.store.repositories import Store

router = APIRouter(tags=["events"], dependencies=[Depends(current_actor)])

EVENT_FIELDS = {
    "severity": lambda e: e.severity.rank,
    "code": lambda e: e.code,
    "correlation_id": lambda e: e.correlation_id,
    "description": lambda e: e.description,
    "index": lambda e: e.index,
    "host": lambda e: e.host_id,
    "cluster": lambda e: e.cluster_id,
    "datacenter": lambda e: e.data_center_id,
    "network": lambda e: e.network_id,
    "user": lambda e: e.user_name,
}


def _severity_rank(value: str) -> str:
    """`severity>normal` compares by rank (normal < warning < error < alert)."""
    try:
        return str(Severity(value.lower()).rank)
    except ValueError:
        raise ValueError(f"{value!r} is not one of {', '.join(s.value for s in Severity)}") from None


@router.get("/events")
def list_events(
    search: SearchQuery = None,
    max: MaxQuery = None,
    from_: Annotated[
        int | None, Query(alias="from", ge=0, le=2**31 - 1, description="only events after this index")
    ] = None,
    case_sensitive: CaseQuery = True,
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    items = engine.query(lambda store: store.events.newest(after_index=from_))
    items = filtered(
        items, search, EVENT_FIELDS, case_sensitive=case_sensitive, maximum=max, values={"severity": _severity_rank}
    )
    return rep.collection("event", [rep.event(e) for e in items])


@router.get("/events/{index}")
def get_event(index: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    if not index.isdigit() or len(index) > 9:
        raise NotFound("Event", index)
    event = engine.query(lambda store: store.events.get(int(index)))
    if event is None:
        raise NotFound("Event", index)
    return rep.event(event)


JOB_FIELDS = {
    "correlation_id": lambda j: j.correlation_id,
    "status": lambda j: j.status.value,
    "description": lambda j: j.description,
    "owner": lambda j: j.owner,
}


@router.get("/jobs")
def list_jobs(
    search: SearchQuery = None,
    max: MaxQuery = None,
    case_sensitive: CaseQuery = True,
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    items = engine.query(lambda store: store.jobs.list(order_by="start_time"))
    items.reverse()
    items = filtered(items, search, JOB_FIELDS, case_sensitive=case_sensitive, maximum=max)
    return rep.collection("job", [rep.job(j) for j in items])


def _job(store: Store, job_id: str):  # type: ignore[no-untyped-def]
    check_id(job_id, "Job")
    return refs.get_or_404(store.jobs, job_id, "Job")


@router.get("/jobs/{job_id}")
def get_job(job_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    return rep.job(engine.query(lambda store: _job(store, job_id)))


@router.get("/jobs/{job_id}/steps")
def list_steps(job_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    def read(store: Store):  # type: ignore[no-untyped-def]
        _job(store, job_id)
        return store.steps.list(order_by="number", job_id=job_id)

    return rep.collection("step", [rep.step(s) for s in engine.query(read)])


@router.get("/jobs/{job_id}/steps/{step_id}")
def get_step(job_id: str, step_id: str, engine: Engine = Depends(get_engine)) -> dict[str, Any]:
    def read(store: Store):  # type: ignore[no-untyped-def]
        check_id(step_id, "Step")
        step = store.steps.get(step_id)
        if step is None or step.job_id != job_id:
            raise NotFound("Step", step_id)
        return step

    return rep.step(engine.query(read))

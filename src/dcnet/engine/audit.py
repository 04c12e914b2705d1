"""Writing audit events and jobs; every command goes through `record`."""

from __future__ import annotations

from dataclasses import dataclass

from dcnet.domain.entities import Event, Job, JobStatus, Step, StepType
from dcnet.domain.events import AuditLog
from dcnet.engine.clock import now
from dcnet.engine.context import CommandContext, new_id
from dcnet.store.repositories import Store


@dataclass(frozen=True)
class Refs:
    """Objects an event is about."""

    data_center_id: str | None = None
    cluster_id: str | None = None
    host_id: str | None = None
    network_id: str | None = None
    vnic_profile_id: str | None = None


def record(store: Store, ctx: CommandContext, kind: AuditLog, params: dict[str, str], refs: Refs = Refs()) -> Event:
    params = {"UserName": ctx.actor.user_name, **params}
    event = Event(
        index=0,
        code=kind.code,
        name=kind.name,
        severity=kind.severity,
        description=kind.render(params),
        correlation_id=ctx.correlation_id,
        time=now(),
        user_name=ctx.actor.user_name,
        data_center_id=refs.data_center_id,
        cluster_id=refs.cluster_id,
        host_id=refs.host_id,
        network_id=refs.network_id,
        vnic_profile_id=refs.vnic_profile_id,
    )
    return store.events.append(event)


def record_job(store: Store, ctx: CommandContext, description: str) -> Job:
    """A finished job for a synchronous command, with its validating and executing steps."""
    moment = now()
    job = Job(
        id=new_id(),
        description=description,
        status=JobStatus.FINISHED,
        correlation_id=ctx.correlation_id,
        start_time=moment,
        last_updated=moment,
        end_time=moment,
        owner=ctx.actor.user_name,
    )
    store.jobs.add(job)
    for number, (kind, text) in enumerate(((StepType.VALIDATING, "Validating"), (StepType.EXECUTING, "Executing"))):
        store.steps.add(
            Step(
                id=new_id(),
                job_id=job.id,
                number=number,
                type=kind,
                description=text,
                status=JobStatus.FINISHED,
                start_time=moment,
                end_time=moment,
            )
        )
    return job

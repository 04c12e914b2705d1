"""Typed parameters and results of the verbs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Status(BaseModel):
    code: int = 0
    message: str = "Done"


class StatusResult(BaseModel):
    status: Status = Field(default_factory=Status)


class Ping2Result(StatusResult):
    changeCounter: int


class SetupNetworksParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    networks: dict[str, dict[str, Any]]
    bondings: dict[str, dict[str, Any]]
    options: dict[str, Any]


class SetupNetworksResult(StatusResult):
    requestId: str | None = None
    state: str = "committed"


class TransactionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requestId: str


class TransactionResult(StatusResult):
    requestId: str
    correlationId: str | None = None
    state: str  # open | committed | rolled_back | unknown
    phase: str | None = None
    reason: str | None = None  # connectivity | verify | crash | error
    message: str | None = None
    started: str | None = None
    finished: str | None = None


class BeginEnrollmentParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str
    caCertificate: str
    managementNetwork: str | None = None
    legacyBootstrap: bool = False


class BeginEnrollmentResult(StatusResult):
    csr: str


class CompleteEnrollmentParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str
    certificate: str


class CapabilitiesResult(StatusResult):
    model_config = ConfigDict(extra="allow")

    hostname: str
    nics: dict[str, dict[str, Any]]
    bondings: dict[str, dict[str, Any]]
    vlans: dict[str, dict[str, Any]]
    bridges: dict[str, dict[str, Any]]
    networks: dict[str, dict[str, Any]]
    netConfigDirty: bool
    features: dict[str, bool]
    changeCounter: int


CrashPoint = Literal["after_journal", "mid_apply", "after_verify"]


class HookParams(BaseModel):
    """`Test.hook` (served only with DCNET_TEST_HOOKS=1). `action` stays a plain string so an unknown one is
    answered with code 21 like any bad parameter; the actions and their fields are documented on the
    handler (dcnet.agent.fleet.app.FleetAgentApp.test_hook; a single agent knows only `touch`)."""

    model_config = ConfigDict(extra="forbid")

    action: str
    verb: str | None = None  # latency | fail | hang | clear: one verb; None or "*" = every verb but Test.hook
    seconds: float | None = Field(default=None, ge=0)  # latency: added delay; down: back up after; crash_at: restart
    code: int | None = None  # fail: the error code answered
    message: str | None = None  # fail: the error message answered
    point: CrashPoint | None = None  # crash_at: where the next Host.setupNetworks dies
    target: str | None = None  # another host of the same fleet (name like sim7, or address); default: this one

"""The event catalogue: every audit event dcnet writes, with oVirt's codes and templates.

Codes below 100000 are oVirt's `AuditLogType` ids (kept so existing tooling recognises them);
dcnet's own events use codes from 100000 up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from string import Template

from dcnet.domain.entities import Severity


@dataclass(frozen=True)
class EventType:
    code: int
    severity: Severity
    template: str

    def render(self, params: dict[str, str]) -> str:
        """Fill the `${Name}` placeholders; a missing parameter is a programming error."""
        return Template(self.template).substitute(params)


N, W, E = Severity.NORMAL, Severity.WARNING, Severity.ERROR


class AuditLog(Enum):
    """Name = oVirt's AuditLogType name (or dcnet's own), value = code, severity, template."""

    USER_VDC_LOGIN = EventType(30, N, "User ${UserName} logged in.")
    USER_VDC_LOGOUT = EventType(31, N, "User ${UserName} logged out.")
    USER_VDC_LOGIN_FAILED = EventType(114, W, "User ${UserName} failed to log in.")

    USER_ADD_VDS = EventType(42, N, "Host ${VdsName} was added by ${UserName}.")
    USER_UPDATE_VDS = EventType(43, N, "Host ${VdsName} configuration was updated by ${UserName}.")
    USER_REMOVE_VDS = EventType(44, N, "Host ${VdsName} was removed by ${UserName}.")

    USER_ADD_STORAGE_POOL = EventType(
        950, N, "Data Center ${StoragePoolName}, Compatibility Version ${CompatibilityVersion} was added by ${UserName}"
    )
    USER_UPDATE_STORAGE_POOL = EventType(952, N, "Data Center ${StoragePoolName} was updated by ${UserName}")
    USER_REMOVE_STORAGE_POOL = EventType(954, N, "Data Center ${StoragePoolName} was removed by ${UserName}")

    USER_ADD_VDS_GROUP = EventType(809, N, "Cluster ${VdsGroupName} was added by ${UserName}")
    USER_UPDATE_VDS_GROUP = EventType(811, N, "Host cluster ${VdsGroupName} was updated by ${UserName}")
    USER_REMOVE_VDS_GROUP = EventType(813, N, "Cluster ${VdsGroupName} was removed by ${UserName}")

    NETWORK_ADD_NETWORK = EventType(942, N, "Finished adding Network ${NetworkName} to Data Center: ${StoragePoolName}")
    NETWORK_UPDATE_NETWORK = EventType(
        1114, N, "Finished Network ${NetworkName} update on Data Center: ${StoragePoolName}"
    )
    NETWORK_REMOVE_NETWORK = EventType(
        944, N, "Finished Network ${NetworkName} removal from Data Center: ${StoragePoolName}"
    )
    NETWORK_ATTACH_NETWORK_TO_VDS_GROUP = EventType(
        936, N, "Network ${NetworkName} attached to Cluster ${VdsGroupName}"
    )
    NETWORK_DETACH_NETWORK_TO_VDS_GROUP = EventType(
        938, N, "Network ${NetworkName} detached from Cluster ${VdsGroupName}"
    )
    NETWORK_UPDTAE_NETWORK_ON_CLUSTER = EventType(941, N, "Network ${NetworkName} on Cluster ${VdsGroupName} updated.")

    ADD_VNIC_PROFILE = EventType(
        1122,
        N,
        "VM network interface profile ${VnicProfileName} was added to network ${NetworkName} in Data Center: "
        "${DataCenterName}. (User: ${UserName})",
    )
    UPDATE_VNIC_PROFILE = EventType(
        1124,
        N,
        "VM network interface profile ${VnicProfileName} was updated for network ${NetworkName} in Data Center: "
        "${DataCenterName}. (User: ${UserName})",
    )
    REMOVE_VNIC_PROFILE = EventType(
        1126,
        N,
        "VM network interface profile ${VnicProfileName} was removed from network ${NetworkName} in Data Center: "
        "${DataCenterName}. (User: ${UserName})",
    )

    ENGINE_DATABASE_INITIALIZED = EventType(
        100001,
        N,
        "A new dcnet database was initialized with Data Center ${StoragePoolName}, Cluster ${VdsGroupName} and "
        "management network ${NetworkName}.",
    )
    NETWORK_LABEL_ADDED = EventType(100002, N, "Label ${Label} was added to Network ${NetworkName} by ${UserName}.")
    NETWORK_LABEL_REMOVED = EventType(
        100003, N, "Label ${Label} was removed from Network ${NetworkName} by ${UserName}."
    )
    HOST_REGISTERED_NOT_DEPLOYED = EventType(
        100004,
        W,
        "Host ${VdsName} is registered in maintenance; deploying hosts is not available in this engine version.",
    )
    HOST_REMOVED_NETWORK_CONFIG_KEPT = EventType(
        100005,
        N,
        "Host ${VdsName} was removed; its network configuration was left on the host as it is.",
    )

    @property
    def code(self) -> int:
        return self.value.code

    @property
    def severity(self) -> Severity:
        return self.value.severity

    def render(self, params: dict[str, str]) -> str:
        return self.value.render(params)


def catalogue_codes() -> dict[int, str]:
    """Code → name; a code must never be used twice."""
    return {entry.code: entry.name for entry in AuditLog}

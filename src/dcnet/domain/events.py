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

    VDS_FAILURE = EventType(12, E, "Host ${VdsName} is non responsive.")
    VDS_DETECTED = EventType(13, N, "Status of host ${VdsName} was set to ${HostStatus}.")
    VDS_ACTIVATE = EventType(16, N, "Activation of host ${VdsName} initiated by ${UserName}.")
    USER_VDS_MAINTENANCE = EventType(600, N, "Host ${VdsName} was switched to Maintenance mode by ${UserName}.")
    VDS_INSTALL = EventType(504, N, "Host ${VdsName} installed")
    VDS_INSTALL_FAILED = EventType(505, E, "Host ${VdsName} installation failed. ${FailedInstallMessage}.")
    VDS_INSTALL_IN_PROGRESS = EventType(509, N, "Installing Host ${VdsName}. ${Message}.")
    # oVirt's 560/561 name an Ansible playbook; dcnet's deploy is the agent's enrollment, and says so.
    VDS_ANSIBLE_INSTALL_STARTED = EventType(560, N, "Host deploy (agent enrollment) has started on host ${VdsName}.")
    VDS_ANSIBLE_INSTALL_FINISHED = EventType(
        561, N, "Host deploy (agent enrollment) has successfully finished on host ${VdsName}."
    )
    VDS_SET_NONOPERATIONAL_NETWORK = EventType(
        519,
        W,
        "Host ${VdsName} does not comply with the cluster ${ClusterName} networks, the following networks are "
        "missing on host: '${Networks}'",
    )
    VDS_NETWORKS_OUT_OF_SYNC = EventType(
        1110,
        W,
        "Host ${VdsName}'s following network(s) are not synchronized with their Logical Network configuration: "
        "${Networks}.",
    )
    HOST_SYNC_ALL_NETWORKS_FAILED = EventType(10900, E, "Failed to sync all host ${VdsName} networks")
    HOST_SYNC_ALL_NETWORKS_FINISHED = EventType(10901, N, "Managed to sync all host ${VdsName} networks.")
    CLUSTER_SYNC_ALL_NETWORKS_FAILED = EventType(10905, E, "Failed to sync all cluster ${ClusterName} networks")
    CLUSTER_SYNC_ALL_NETWORKS_STARTED = EventType(10906, N, "Started sync of all cluster ${ClusterName} networks.")
    CLUSTER_SYNC_NOTHING_TO_DO = EventType(
        10907, N, "No hosts eligible for sync networks operation found on cluster ${ClusterName}"
    )
    CLUSTER_SYNC_ALL_NETWORKS_FINISHED = EventType(10908, N, "Finished sync of all cluster ${ClusterName} networks.")
    NETWORK_COMMINT_NETWORK_CHANGES = EventType(1104, N, "Network changes were saved on host ${VdsName}")
    NETWORK_COMMINT_NETWORK_CHANGES_FAILED = EventType(1105, E, "Failed to commit network changes on ${VdsName}")
    INVALID_BOND_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION = EventType(
        1118,
        E,
        "Failed to configure management network on host ${VdsName}. Host ${VdsName} has an invalid bond interface "
        "(${InterfaceName} contains less than 2 active slaves) for the management network configuration.",
    )
    VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION = EventType(
        1119,
        E,
        "Failed to configure management network on host ${VdsName}. Host ${VdsName} has an interface "
        "${InterfaceName} for the management network configuration with VLAN-ID (${VlanId}), which is different "
        "from data-center definition (${MgmtVlanId}).",
    )
    SETUP_NETWORK_FAILED_FOR_MANAGEMENT_NETWORK_CONFIGURATION = EventType(
        1120, E, "Failed to configure management network on host ${VdsName} due to setup networks failure."
    )
    PERSIST_NETWORK_FAILED_FOR_MANAGEMENT_NETWORK = EventType(
        1121,
        W,
        "Failed to configure management network on host ${VdsName} due to failure in persisting the management "
        "network configuration.",
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
    # 100004 (host registered but not deployed) was retired when hosts became deployable; never reuse it.
    HOST_REMOVED_NETWORK_CONFIG_KEPT = EventType(
        100005,
        N,
        "Host ${VdsName} was removed; its network configuration was left on the host as it is.",
    )

    HOST_ADDRESS_UNRESOLVED = EventType(
        100006,
        E,
        "Failed to configure management network on host ${VdsName}: its address ${HostAddress} could not be "
        "resolved (${Error}).",
    )
    NO_INTERFACE_FOR_MANAGEMENT_NETWORK = EventType(
        100007,
        E,
        "Failed to configure management network on host ${VdsName}: the host address ${HostAddress} resolves to "
        "${Addresses}, but no device on host ${VdsName} holds any of them.",
    )
    AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK = EventType(
        100008,
        E,
        "Failed to configure management network on host ${VdsName}: host address ${HostAddress} resolves to "
        "${Candidates}; cannot choose the management interface. Fix the DNS records or the host's addresses.",
    )
    INVALID_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION = EventType(
        100009,
        E,
        "Failed to configure management network on host ${VdsName}. Host ${VdsName} has an invalid interface "
        "${InterfaceName} for the management network configuration (${Reason}).",
    )
    MANAGEMENT_NETWORK_ON_OTHER_INTERFACE = EventType(
        100010,
        E,
        "Failed to configure management network on host ${VdsName}: management network ${NetworkName} is on "
        "${CurrentInterface} (${CurrentAddresses}) but the host address ${HostAddress} resolves to ${Addresses} on "
        "${InterfaceName}; the management network is never moved implicitly (use setup networks).",
    )
    SETUP_NETWORKS_FAILURE_DETAIL = EventType(100011, E, "Setup networks on host ${VdsName} failed: ${Reason}")
    HOST_RECOVERED = EventType(100012, N, "Host ${VdsName} is responding again.")
    HOST_MANAGEMENT_NETWORK_READY = EventType(
        100013,
        N,
        "The management network ${NetworkName} is configured on host ${VdsName} (${InterfaceName}).",
    )
    HOST_SETUP_NETWORKS_FINISHED = EventType(
        100015, N, "Network configuration of host ${VdsName} was changed by ${UserName}: ${Changes}."
    )
    HOST_ADDRESS_RESOLVED = EventType(100014, N, "Host ${VdsName}: address ${HostAddress} resolves to ${Addresses}.")

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

"""events.py: the audit event catalogue."""

from __future__ import annotations

from string import Template

import pytest

from dcnet.domain.entities import Severity
from dcnet.domain.events import AuditLog, EventType, catalogue_codes

ENTRIES = list(AuditLog)


def placeholders(entry: AuditLog) -> list[str]:
    return Template(entry.value.template).get_identifiers()


def sample_params(entry: AuditLog) -> dict[str, str]:
    return {name: f"<{name}>" for name in placeholders(entry)}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_catalogue_entry_renders_with_its_placeholders_filled(entry: AuditLog) -> None:
    assert Template(entry.value.template).is_valid()
    params = sample_params(entry)
    text = entry.render(params)
    for value in params.values():
        assert value in text
    assert "$" not in text
    assert text.strip() == text and text
    assert entry.value.render(params) == text


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_render_ignores_extra_parameters(entry: AuditLog) -> None:
    params = sample_params(entry)
    assert entry.render({**params, "Unused": "x"}) == entry.render(params)


@pytest.mark.parametrize(
    ("entry", "missing"),
    [
        pytest.param(entry, name, id=f"{entry.name}-without-{name}")
        for entry in ENTRIES
        for name in Template(entry.value.template).get_identifiers()
    ],
)
def test_missing_placeholder_raises_key_error(entry: AuditLog, missing: str) -> None:
    params = sample_params(entry)
    del params[missing]
    with pytest.raises(KeyError, match=missing):
        entry.render(params)


def test_event_codes_are_unique() -> None:
    # Equal EventType values would silently become Enum aliases, so compare against __members__.
    assert len(AuditLog.__members__) == len(ENTRIES)
    codes = [entry.code for entry in ENTRIES]
    assert len(codes) == len(set(codes))
    assert catalogue_codes() == {entry.code: entry.name for entry in ENTRIES}
    assert len(catalogue_codes()) == len(AuditLog.__members__)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("USER_VDC_LOGIN", 30),
        ("USER_VDC_LOGOUT", 31),
        ("USER_ADD_VDS", 42),
        ("USER_REMOVE_VDS", 44),
        ("USER_ADD_VDS_GROUP", 809),
        ("NETWORK_ATTACH_NETWORK_TO_VDS_GROUP", 936),
        ("NETWORK_DETACH_NETWORK_TO_VDS_GROUP", 938),
        ("NETWORK_UPDTAE_NETWORK_ON_CLUSTER", 941),
        ("NETWORK_ADD_NETWORK", 942),
        ("NETWORK_REMOVE_NETWORK", 944),
        ("USER_ADD_STORAGE_POOL", 950),
        ("NETWORK_UPDATE_NETWORK", 1114),
        ("ADD_VNIC_PROFILE", 1122),
        ("UPDATE_VNIC_PROFILE", 1124),
        ("REMOVE_VNIC_PROFILE", 1126),
        ("VDS_FAILURE", 12),
        ("VDS_DETECTED", 13),
        ("VDS_ACTIVATE", 16),
        ("VDS_INSTALL", 504),
        ("VDS_INSTALL_FAILED", 505),
        ("VDS_INSTALL_IN_PROGRESS", 509),
        ("VDS_SET_NONOPERATIONAL_NETWORK", 519),
        ("VDS_ANSIBLE_INSTALL_STARTED", 560),
        ("VDS_ANSIBLE_INSTALL_FINISHED", 561),
        ("USER_VDS_MAINTENANCE", 600),
        ("NETWORK_COMMINT_NETWORK_CHANGES", 1104),
        ("NETWORK_COMMINT_NETWORK_CHANGES_FAILED", 1105),
        ("VDS_NETWORKS_OUT_OF_SYNC", 1110),
        ("INVALID_BOND_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION", 1118),
        ("VLAN_ID_MISMATCH_FOR_MANAGEMENT_NETWORK_CONFIGURATION", 1119),
        ("SETUP_NETWORK_FAILED_FOR_MANAGEMENT_NETWORK_CONFIGURATION", 1120),
        ("PERSIST_NETWORK_FAILED_FOR_MANAGEMENT_NETWORK", 1121),
    ],
    ids=lambda value: str(value),
)
def test_ovirt_event_codes_are_kept(name: str, code: int) -> None:
    assert AuditLog[name].code == code
    assert catalogue_codes()[code] == name


DCNET_OWN = [
    "ENGINE_DATABASE_INITIALIZED",
    "NETWORK_LABEL_ADDED",
    "NETWORK_LABEL_REMOVED",
    "HOST_REMOVED_NETWORK_CONFIG_KEPT",
    "HOST_ADDRESS_UNRESOLVED",
    "NO_INTERFACE_FOR_MANAGEMENT_NETWORK",
    "AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK",
    "INVALID_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION",
    "MANAGEMENT_NETWORK_ON_OTHER_INTERFACE",
    "SETUP_NETWORKS_FAILURE_DETAIL",
    "HOST_RECOVERED",
    "HOST_MANAGEMENT_NETWORK_READY",
    "HOST_ADDRESS_RESOLVED",
    "HOST_SETUP_NETWORKS_FINISHED",
]


def test_retired_code_100004_is_never_reused() -> None:
    assert 100004 not in catalogue_codes()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_dcnet_own_codes_start_at_100000_and_ovirt_codes_stay_below(entry: AuditLog) -> None:
    assert entry.code > 0
    assert (entry.code >= 100_000) is (entry.name in DCNET_OWN)


@pytest.mark.parametrize(
    ("entry", "params", "text"),
    [
        pytest.param(
            AuditLog.NETWORK_ADD_NETWORK,
            {"NetworkName": "red", "StoragePoolName": "Default"},
            "Finished adding Network red to Data Center: Default",
            id="942-add-network",
        ),
        pytest.param(
            AuditLog.NETWORK_REMOVE_NETWORK,
            {"NetworkName": "red", "StoragePoolName": "Default"},
            "Finished Network red removal from Data Center: Default",
            id="944-remove-network",
        ),
        pytest.param(
            AuditLog.NETWORK_UPDATE_NETWORK,
            {"NetworkName": "red", "StoragePoolName": "Default"},
            "Finished Network red update on Data Center: Default",
            id="1114-update-network",
        ),
        pytest.param(
            AuditLog.NETWORK_ATTACH_NETWORK_TO_VDS_GROUP,
            {"NetworkName": "red", "VdsGroupName": "Default"},
            "Network red attached to Cluster Default",
            id="936-attach",
        ),
        pytest.param(
            AuditLog.USER_VDC_LOGIN, {"UserName": "admin@internal"}, "User admin@internal logged in.", id="30-login"
        ),
        pytest.param(
            AuditLog.USER_ADD_STORAGE_POOL,
            {"StoragePoolName": "DC1", "CompatibilityVersion": "4.7", "UserName": "admin"},
            "Data Center DC1, Compatibility Version 4.7 was added by admin",
            id="950-add-data-center",
        ),
        pytest.param(
            AuditLog.ADD_VNIC_PROFILE,
            {"VnicProfileName": "p", "NetworkName": "red", "DataCenterName": "Default", "UserName": "admin"},
            "VM network interface profile p was added to network red in Data Center: Default. (User: admin)",
            id="1122-add-vnic-profile",
        ),
        pytest.param(
            AuditLog.NETWORK_ADD_NETWORK,
            {"NetworkName": "VM Network עברית $x ${y}", "StoragePoolName": "Default"},
            "Finished adding Network VM Network עברית $x ${y} to Data Center: Default",
            id="942-values-are-not-re-substituted",
        ),
        pytest.param(
            AuditLog.VDS_INSTALL_FAILED,
            {"VdsName": "h1", "FailedInstallMessage": "Network error during communication with the host"},
            "Host h1 installation failed. Network error during communication with the host.",
            id="505-install-failed",
        ),
        pytest.param(
            AuditLog.VDS_SET_NONOPERATIONAL_NETWORK,
            {"VdsName": "h1", "ClusterName": "Default", "Networks": "red"},
            "Host h1 does not comply with the cluster Default networks, the following networks are missing on "
            "host: 'red'",
            id="519-missing-networks",
        ),
        pytest.param(
            AuditLog.INVALID_BOND_INTERFACE_FOR_MANAGEMENT_NETWORK_CONFIGURATION,
            {"VdsName": "h1", "InterfaceName": "bond0"},
            "Failed to configure management network on host h1. Host h1 has an invalid bond interface (bond0 "
            "contains less than 2 active slaves) for the management network configuration.",
            id="1118-bond",
        ),
    ],
)
def test_event_text_is_exact(entry: AuditLog, params: dict[str, str], text: str) -> None:
    assert entry.render(params) == text


@pytest.mark.parametrize(
    ("entry", "severity"),
    [
        (AuditLog.USER_VDC_LOGIN, Severity.NORMAL),
        (AuditLog.USER_VDC_LOGIN_FAILED, Severity.WARNING),
        (AuditLog.NETWORK_ADD_NETWORK, Severity.NORMAL),
        (AuditLog.VDS_INSTALL_FAILED, Severity.ERROR),
        (AuditLog.PERSIST_NETWORK_FAILED_FOR_MANAGEMENT_NETWORK, Severity.WARNING),
        (AuditLog.VDS_SET_NONOPERATIONAL_NETWORK, Severity.WARNING),
        (AuditLog.AMBIGUOUS_INTERFACE_FOR_MANAGEMENT_NETWORK, Severity.ERROR),
    ],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_event_severity(entry: AuditLog, severity: Severity) -> None:
    assert entry.severity is severity
    assert isinstance(entry.value, EventType)

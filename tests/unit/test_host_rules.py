"""host_rules.py: host registration."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcnet.domain.entities import Host, HostStatus
from dcnet.domain.host_rules import check_address, check_new, check_remove, check_update
from tests.unit._expect import bad_input, rule_violation


def host(name: str = "host1", address: str = "host1.example.com", **fields: Any) -> Host:
    fields.setdefault("id", f"id-{name}")
    fields.setdefault("cluster_id", "cluster-1")
    return Host(name=name, address=address, **fields)


# --- address --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("192.168.1.10", id="ipv4"),
        pytest.param("0.0.0.0", id="ipv4-zero"),
        pytest.param("255.255.255.255", id="ipv4-max"),
        pytest.param("2001:db8::10", id="ipv6"),
        pytest.param("::1", id="ipv6-loopback"),
        pytest.param("fe80::1%eth0", id="ipv6-scoped"),
        pytest.param("host1", id="short-name"),
        pytest.param("h", id="one-char-name"),
        pytest.param("host1.example.com", id="fqdn"),
        pytest.param("host1.example.com.", id="fqdn-trailing-dot"),
        pytest.param("HOST-1.Example.COM", id="mixed-case"),
        pytest.param("3com.example.com", id="label-starting-with-digit"),
        pytest.param("a" * 63 + ".example.com", id="63-char-label"),
        pytest.param(".".join(["a" * 63] * 3 + ["b" * 61]), id="253-chars"),
        pytest.param(".".join(["a" * 63] * 3 + ["b" * 61]) + ".", id="253-chars-plus-root-dot"),
        pytest.param("xn--bcher-kva.example", id="punycode"),
    ],
)
def test_host_address_ip_or_rfc1123_name_is_accepted(address: str) -> None:
    assert check_address(address) == address
    check_new(host(address=address), [])


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        pytest.param("", "must not be empty", id="empty"),
        pytest.param(".", "neither an IP address nor a valid host name (RFC 1123)", id="root-dot-only"),
        pytest.param("-host", "neither an IP address", id="label-starts-with-hyphen"),
        pytest.param("host-", "neither an IP address", id="label-ends-with-hyphen"),
        pytest.param("host..example.com", "neither an IP address", id="empty-label"),
        pytest.param(".host", "neither an IP address", id="leading-dot"),
        pytest.param("host_1.example.com", "neither an IP address", id="underscore"),
        pytest.param("host 1", "neither an IP address", id="space"),
        pytest.param(" 192.168.1.10", "neither an IP address", id="leading-space"),
        pytest.param("hôst.example.com", "neither an IP address", id="non-ascii"),
        pytest.param("a" * 64 + ".example.com", "neither an IP address", id="64-char-label"),
        pytest.param(".".join(["a" * 63] * 3 + ["b" * 62]), "neither an IP address", id="254-chars"),
        pytest.param("host:54321", "neither an IP address", id="with-port"),
        pytest.param("http://host1", "neither an IP address", id="url"),
        pytest.param("2001:db8::g", "neither an IP address", id="bad-ipv6"),
        pytest.param("192.168.1.0/24", "neither an IP address", id="cidr"),
    ],
)
def test_host_address_must_be_ip_or_rfc1123_name(address: str, rule: str) -> None:
    with bad_input("address", rule):
        check_address(address)
    with bad_input("address", rule):
        check_new(host(address=address), [])


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("192.168.1.256", id="octet-over-255"),
        pytest.param("999.999.999.999", id="all-octets-over-255"),
        pytest.param("1.2.3", id="three-part-numeric"),
        pytest.param("10.1", id="two-part-numeric"),
        pytest.param("2130706433", id="single-number"),
    ],
)
def test_host_address_that_is_a_malformed_ip_is_refused(address: str) -> None:
    with bad_input("address", "neither an IP address nor a valid host name"):
        check_address(address)


def test_host_address_error_names_the_given_field() -> None:
    with bad_input("host.address", "must not be empty"):
        check_address("", "host.address")


# --- other fields ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", [0, -1, 65536, 100_000], ids=lambda p: f"port-{p}")
def test_host_port_out_of_range_is_bad_input(port: int) -> None:
    with bad_input("port", f"{port} is out of range 1-65535"):
        check_new(host(port=port), [])


@pytest.mark.parametrize("port", [1, 22, 54321, 65535], ids=lambda p: f"port-{p}")
def test_host_port_in_range_is_allowed(port: int) -> None:
    check_new(host(port=port), [])


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        pytest.param({"name": ""}, "name", "must not be empty", id="empty-name"),
        pytest.param({"name": "h\n1"}, "name", "control characters", id="newline-in-name"),
        pytest.param({"name": "h" * 257}, "name", "257 characters long", id="257-char-name"),
        pytest.param({"description": "d" * 4001}, "description", "at most 4000", id="long-description"),
        pytest.param({"comment": "c" * 4001}, "comment", "at most 4000", id="long-comment"),
    ],
)
def test_host_fields_are_validated(fields: dict[str, Any], field: str, rule: str) -> None:
    with bad_input(field, rule):
        check_new(replace(host(), **fields), [])
    old = host()
    with bad_input(field, rule):
        check_update(old, replace(old, **fields), [old])


@pytest.mark.parametrize("name", ["h", "h" * 256, "מארח 1", "host 1"], ids=["one-char", "256", "hebrew", "space"])
def test_host_name_may_be_any_unicode(name: str) -> None:
    check_new(host(name), [])


# --- uniqueness -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "candidate", "key", "text"),
    [
        pytest.param(
            host("host1", "10.0.0.1"),
            host("host1", "10.0.0.2", id="new"),
            "ACTION_TYPE_FAILED_NAME_ALREADY_USED",
            "The Host name 'host1' is already in use, please choose a unique name and try again.",
            id="same-name",
        ),
        pytest.param(
            host("host1", "10.0.0.1"),
            host("host2", "10.0.0.1", id="new"),
            "ACTION_TYPE_FAILED_VDS_WITH_SAME_HOST_EXIST",
            "Host 'host1' already has the address 10.0.0.1.",
            id="same-ip",
        ),
        pytest.param(
            host("host1", "host1.example.com"),
            host("host2", "HOST1.Example.com", id="new"),
            "ACTION_TYPE_FAILED_VDS_WITH_SAME_HOST_EXIST",
            "Host 'host1' already has the address HOST1.Example.com.",
            id="same-name-address-other-case",
        ),
    ],
)
def test_host_name_and_address_must_be_unique(existing: Host, candidate: Host, key: str, text: str) -> None:
    with rule_violation(key, "Cannot add Host.", text):
        check_new(candidate, [existing])


@pytest.mark.parametrize(
    ("existing", "candidate"),
    [
        pytest.param(host("host1", "10.0.0.1"), host("Host1", "10.0.0.2", id="new"), id="name-case-differs"),
        pytest.param(host("host1", "10.0.0.1"), host("host2", "10.0.0.11", id="new"), id="address-prefix"),
    ],
)
def test_hosts_with_different_names_and_addresses_may_coexist(existing: Host, candidate: Host) -> None:
    check_new(candidate, [existing])


def test_host_is_not_compared_with_itself() -> None:
    old = host()
    check_update(old, replace(old, description="edited"), [old])


def test_host_edit_to_an_address_in_use_is_refused() -> None:
    old, other = host("a", "10.0.0.1"), host("b", "10.0.0.2")
    with rule_violation("ACTION_TYPE_FAILED_VDS_WITH_SAME_HOST_EXIST", "Cannot edit Host.", "Host 'b'"):
        check_update(old, replace(old, address="10.0.0.2"), [old, other])


# --- status-dependent rules -----------------------------------------------------------------------------

NOT_MAINTENANCE = [status for status in HostStatus if status != HostStatus.MAINTENANCE]


@pytest.mark.parametrize("status", NOT_MAINTENANCE, ids=lambda s: s.value)
@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"cluster_id": "cluster-2"}, id="cluster"),
        pytest.param({"address": "10.9.9.9"}, id="address"),
    ],
)
def test_host_cluster_or_address_change_only_in_maintenance(status: HostStatus, change: dict[str, Any]) -> None:
    old = host(status=status)
    with rule_violation(
        "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
        "Cannot edit Host.",
        "The cluster or address of a Host can be changed only when its status is Maintenance.",
    ):
        check_update(old, replace(old, **change), [old])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"cluster_id": "cluster-2"}, id="cluster"),
        pytest.param({"address": "10.9.9.9"}, id="address"),
        pytest.param({"name": "renamed", "description": "d", "comment": "c", "port": 1}, id="other-fields"),
    ],
)
def test_host_in_maintenance_may_change_cluster_and_address(change: dict[str, Any]) -> None:
    old = host(status=HostStatus.MAINTENANCE)
    check_update(old, replace(old, **change), [old])


@pytest.mark.parametrize("status", NOT_MAINTENANCE, ids=lambda s: s.value)
def test_host_name_and_description_are_editable_in_any_status(status: HostStatus) -> None:
    old = host(status=status)
    check_update(old, replace(old, name="renamed", description="d"), [old])


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        pytest.param(status, status in (HostStatus.MAINTENANCE, HostStatus.INSTALL_FAILED), id=status.value)
        for status in HostStatus
    ],
)
def test_host_removal_only_in_maintenance_or_install_failed(status: HostStatus, allowed: bool) -> None:
    if allowed:
        check_remove(host(status=status))
    else:
        with rule_violation(
            "ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL",
            "Cannot remove Host.",
            f"Operation can be performed only when Host status is Maintenance (it is {status.value}).",
        ):
            check_remove(host(status=status))

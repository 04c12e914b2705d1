"""Verb names (VDSM's) and which ones an agent serves before it is enrolled."""

from __future__ import annotations

PING2 = "Host.ping2"
GET_CAPABILITIES = "Host.getCapabilities"
SETUP_NETWORKS = "Host.setupNetworks"
CONFIRM_CONNECTIVITY = "Host.confirmConnectivity"
SET_SAFE_NETWORK_CONFIG = "Host.setSafeNetworkConfig"
GET_NETWORK_TRANSACTION = "Host.getNetworkTransaction"
BEGIN_ENROLLMENT = "Host.beginEnrollment"
COMPLETE_ENROLLMENT = "Host.completeEnrollment"
RESTART = "Host.restart"  # answer, then start again restoring the safe config (the "reboot after install")
TEST_HOOK = "Test.hook"

BEFORE_ENROLLMENT = frozenset({PING2, BEGIN_ENROLLMENT, COMPLETE_ENROLLMENT})
DEFAULT_PORT = 54321
PATH = "/jsonrpc"

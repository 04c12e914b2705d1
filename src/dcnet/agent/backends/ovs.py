"""Open vSwitch through its command line (`ovs-vsctl` waits until ovs-vswitchd has applied a change, so
the kernel devices of internal ports exist when the next step runs). Every bridge uses the userspace
datapath (`datapath_type=netdev`), which works on kernels without the openvswitch module."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from dcnet.agent.backend import BackendError
from dcnet.domain.hostnet import actions as a
from dcnet.domain.hostnet.ovs_model import OvsBridge, OvsPort, OvsState

_ACTIVE = re.compile(r"^active (?:member|slave) mac: .*\((.+)\)$", re.MULTILINE)


class OvsSwitch:
    def __init__(self, db: str, timeout: int = 10) -> None:
        self.db = db if db.startswith(("unix:", "tcp:", "ssl:")) else f"unix:{db}"
        self.timeout = timeout
        rundir = Path(self.db.removeprefix("unix:")).parent if self.db.startswith("unix:") else None
        self.appctl_target = (
            str(rundir / "ovs-vswitchd.ctl") if rundir and (rundir / "ovs-vswitchd.ctl").exists() else None
        )
        self.rundir = rundir

    @staticmethod
    def installed() -> bool:
        return shutil.which("ovs-vsctl") is not None

    def reachable(self) -> bool:
        try:
            self.vsctl("show")
        except BackendError:
            return False
        return True

    def vsctl(self, *args: str) -> str:
        command = ["ovs-vsctl", f"--db={self.db}", f"--timeout={self.timeout}", *args]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout + 5)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BackendError(f"ovs-vsctl failed: {exc}") from None
        if result.returncode != 0:
            raise BackendError(f"ovs-vsctl {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def _appctl(self, *args: str) -> str:
        env = dict(os.environ)
        target = self.appctl_target or "ovs-vswitchd"
        if self.rundir is not None:
            env["OVS_RUNDIR"] = str(self.rundir)
        result = subprocess.run(
            ["ovs-appctl", "-t", target, *args], capture_output=True, text=True, env=env, timeout=10
        )
        return result.stdout if result.returncode == 0 else ""

    # ---- reports -------------------------------------------------------------------------------
    def query(self) -> OvsState:
        out = self.vsctl(
            "--format=json", "--data=json",
            "--", "--columns=name,ports", "list", "Bridge",
            "--", "--columns=_uuid,name,tag,interfaces,bond_mode,other_config", "list", "Port",
            "--", "--columns=_uuid,name,type", "list", "Interface",
            "--", "--columns=external_ids", "list", "Open_vSwitch",
        )  # fmt: skip
        tables = [json.loads(line) for line in out.splitlines() if line.strip()]
        bridges_t, ports_t, interfaces_t, system_t = (_rows(t) for t in tables)
        interfaces = {row["_uuid"]: row for row in interfaces_t}
        ports = {row["_uuid"]: row for row in ports_t}
        state = OvsState(system_id=_map(system_t[0]["external_ids"]).get("system-id") if system_t else None)
        for bridge_row in bridges_t:
            bridge = OvsBridge(bridge_row["name"])
            for port_uuid in _set(bridge_row["ports"]):
                row = ports[port_uuid]
                members = [interfaces[i]["name"] for i in _set(row["interfaces"])]
                if row["name"] == bridge.name:
                    continue  # the bridge's own local port
                tag = row["tag"] if isinstance(row["tag"], int) else None
                if len(members) > 1:
                    port = OvsPort(row["name"], "bond", tag=tag, interfaces=sorted(members),
                                   bond_mode=_scalar(row["bond_mode"]), bond_options=_bond_options(row["other_config"]))  # fmt: skip
                    port.active_slave = self._active_member(row["name"])
                else:
                    kind = "internal" if interfaces[_set(row["interfaces"])[0]]["type"] == "internal" else "system"
                    port = OvsPort(row["name"], kind, tag=tag, interfaces=members)
                bridge.ports[port.name] = port
            state.bridges[bridge.name] = bridge
        return state

    def _active_member(self, bond: str) -> str | None:
        match = _ACTIVE.search(self._appctl("bond/show", bond))
        return match.group(1) if match else None

    # ---- changes -------------------------------------------------------------------------------
    def apply(self, step: a.OvsAction | a.OvsTransaction) -> None:
        steps = step.steps if isinstance(step, a.OvsTransaction) else (step,)
        args: list[str] = []
        for inner in steps:
            args += ["--", *_vsctl_args(inner)]
        if args:
            self.vsctl(*args)


def _vsctl_args(step: a.OvsAction) -> list[str]:
    """One ovs-vsctl command (several are joined with `--` into one transaction)."""
    if isinstance(step, a.OvsAddBridge):
        return ["--may-exist", "add-br", step.name, "--", "set", "bridge", step.name, "datapath_type=netdev"]
    if isinstance(step, a.OvsDelBridge):
        return ["--if-exists", "del-br", step.name]
    if isinstance(step, a.OvsAddPort):
        return _add_port_args(step)
    if isinstance(step, a.OvsAddBond):
        options = dict(step.options)
        args = ["add-bond", step.bridge, step.bond, *step.nics, f"bond_mode={step.mode}"]
        if "miimon" in options:
            args += ["other_config:bond-detect-mode=miimon", f"other_config:bond-miimon-interval={options['miimon']}"]
        if step.mode == "balance-tcp":
            args.append("lacp=active")
        return args
    if isinstance(step, a.OvsSetTag):
        return (
            ["clear", "port", step.port, "tag"] if step.tag is None else ["set", "port", step.port, f"tag={step.tag}"]
        )
    if isinstance(step, a.OvsDelPort):
        return ["--if-exists", "del-port", step.bridge, step.port]
    raise BackendError(f"unknown OVS step {step!r}")  # pragma: no cover


def _add_port_args(step: a.OvsAddPort) -> list[str]:
    interface = step.interface or step.port
    settings = ["type=internal"] if step.internal else []
    settings += [f"mtu_request={step.mtu}"] if step.mtu is not None else []
    settings += [f'mac="{step.mac}"'] if step.mac is not None else []
    tag = [f"tag={step.tag}"] if step.tag is not None else []
    if interface != step.port:  # an interface named unlike its port (`bond4` in `bond4-ip`): OVSDB rows
        ref = re.sub(r"\W", "_", step.port)  # row names unique within one transaction
        return [f"--id=@i_{ref}", "create", "interface", f"name={interface}", *settings,
                "--", f"--id=@p_{ref}", "create", "port", f"name={step.port}", f"interfaces=@i_{ref}", *tag,
                "--", "add", "bridge", step.bridge, "ports", f"@p_{ref}"]  # fmt: skip
    args = ["add-port", step.bridge, step.port, *tag]
    return args + (["--", "set", "interface", interface, *settings] if settings else [])


def _rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    headings = table["headings"]
    return [dict(zip(headings, [_value(cell) for cell in row], strict=True)) for row in table["data"]]


def _value(cell: Any) -> Any:
    if isinstance(cell, list) and len(cell) == 2 and cell[0] == "uuid":
        return cell[1]
    return cell


def _set(value: Any) -> list[str]:
    """An OVSDB set of uuids (or a single uuid)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and value[0] == "set":
        return [item[1] if isinstance(item, list) else item for item in value[1]]
    return []


def _map(value: Any) -> dict[str, str]:
    if isinstance(value, list) and value and value[0] == "map":
        return {str(k): str(v) for k, v in value[1]}
    return {}


def _bond_options(other_config: Any) -> dict[str, str]:
    """OVS's bond settings in the kernel bond vocabulary the engine knows (miimon)."""
    raw = _map(other_config)
    return {"miimon": raw["bond-miimon-interval"]} if "bond-miimon-interval" in raw else {}


def _scalar(value: Any) -> str | None:
    if isinstance(value, list):
        return None
    return str(value)

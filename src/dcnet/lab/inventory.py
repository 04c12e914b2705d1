"""STATE/hosts.json and STATE/lab.env: how other processes (engine tests, the CLI, shells) find a lab."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dcnet.lab.topology import (
    DOMAIN,
    PREFIXLEN4,
    PREFIXLEN6,
    LabError,
    LabHost,
    dns_ipv4,
    dns_ipv6,
    engine_ipv4,
    engine_ipv6,
    uplink_dev,
)
from dcnet.lab.vlans import vlan_nets

AGENT_PORT = 54321


@dataclass(frozen=True)
class Inventory:
    """What a running lab is: enough to re-attach to it from another process."""

    prefix: str
    net: int
    nics: int
    state_dir: Path
    hosts: list[LabHost]
    ovs: bool = False
    vlans: tuple[int, ...] = ()

    @property
    def dns_server(self) -> str:
        return f"{dns_ipv4(self.net)}:53"

    def ovsdb(self, name: str) -> str:
        """The OVS database socket of instance `name` (a host name or "sw"), see dcnet.lab.ovs."""
        return f"unix:{self.state_dir / 'ovs' / name / 'db.sock'}"

    def _host_json(self, h: LabHost) -> dict[str, Any]:
        out = {**h.to_json(), "agent": f"http://{h.ipv4}:{AGENT_PORT}/"}
        return {**out, "ovsdb": self.ovsdb(h.name)} if self.ovs else out

    def _ovs_json(self) -> dict[str, Any]:
        return {
            "switch_ovsdb": self.ovsdb("sw") if self.vlans else None,
            "vlans": {str(v.vid): v.to_json() for v in vlan_nets(self.net, self.vlans)},
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "net": self.net,
            "mode": "switchns",
            "nics": self.nics,
            "state_dir": str(self.state_dir),
            "prefixlen": PREFIXLEN4,
            "prefixlen6": PREFIXLEN6,
            "domain": DOMAIN,
            "engine": {"ipv4": engine_ipv4(self.net), "ipv6": engine_ipv6(self.net), "dev": uplink_dev(self.prefix)},
            "dns": {"server": self.dns_server, "ipv4": dns_ipv4(self.net), "ipv6": dns_ipv6(self.net), "port": 53},
            "hosts": {h.name: self._host_json(h) for h in self.hosts},
            "ovs": self._ovs_json() if self.ovs else None,
        }

    def env(self) -> dict[str, str]:
        return {
            "LAB_PREFIX": self.prefix,
            "LAB_N": str(len(self.hosts)),
            "LAB_MODE": "switchns",
            "LAB_NICS": str(self.nics),
            "LAB_NET": str(self.net),
            "LAB_ENGINE_IP": engine_ipv4(self.net),
            "LAB_ENGINE_IP6": engine_ipv6(self.net),
            "LAB_ENGINE_DEV": uplink_dev(self.prefix),
            "LAB_AGENT_PORT": str(AGENT_PORT),
            "LAB_DNS_SERVER": self.dns_server,
            "LAB_STATE": str(self.state_dir),
            "LAB_INVENTORY": str(self.state_dir / "hosts.json"),
            "LAB_OVS": "1" if self.ovs else "0",
            "LAB_VLANS": ",".join(str(v) for v in self.vlans),
        }


def write(inv: Inventory) -> Path:
    path = inv.state_dir / "hosts.json"
    path.write_text(json.dumps(inv.to_json(), indent=1) + "\n")
    (inv.state_dir / "lab.env").write_text("".join(f"{k}={v}\n" for k, v in inv.env().items()))
    return path


def load(state_dir: Path) -> Inventory:
    path = state_dir / "hosts.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise LabError(f"no lab inventory at {path}") from None
    hosts = [
        LabHost(name=h["name"], netns=h["netns"], ipv4=h["ipv4"], ipv6=h["ipv6"], fqdn=h["fqdn"], nics=list(h["nics"]))
        for h in data["hosts"].values()
    ]
    ovs = data.get("ovs")
    return Inventory(
        prefix=data["prefix"],
        net=int(data["net"]),
        nics=int(data["nics"]),
        state_dir=state_dir,
        hosts=hosts,
        ovs=ovs is not None,
        vlans=tuple(int(v) for v in ovs["vlans"]) if ovs else (),
    )
